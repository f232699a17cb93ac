// The registry's own metrics; the runtime adds the gRPC, consumer (timeline lag) and outbox
// ones.
//
//   jianguan_registry_import_rows_total{outcome="accepted"|"unchanged"|"refused"}
//       rows of committed ImportSubjects batches: written, already registered as given
//       (a re-import), refused with their row errors
//   jianguan_registry_status_changes_total{action}
//       ChangeSubjectStatus transitions committed, by action ("list_abnormal", "revoke", …)
//   jianguan_registry_clock_subjects_total{rule,outcome}
//       subjects a clock batch examined and committed, by rule ("annual_report_listing",
//       "abnormal_list_expiry") and outcome ("listed", "already-listed", "warned", "moved", …)
//   jianguan_registry_clock_last_completed_timestamp_seconds{rule}
//       when the rule's last batch completed (the service's clock); absent before the first
//   jianguan_registry_clock_batches_resumed_total{rule}
//       batches taken up again after a restart or a stop before they completed
//   jianguan_registry_notifications_total{event="raised"|"claimed"|"passed"|"closed"|
//                                         "unroutable"|"dropped"}
//       dual notifications (双告知) committed, by what happened: raised (unroutable ones
//       included), claimed, passed, closed; "unroutable" counts those raised to market
//       regulation because the catalogue has no approving department for the region, and
//       "dropped" those not raised at all because it has no market regulation either
//   jianguan_registry_notifications_unclaimed{department}
//   jianguan_registry_notifications_overdue{department}
//       each department's notifications waiting to be claimed (待认领), and of those the ones
//       past their due day (超期), as of the last round of the watch (notification_watch.h)
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "jianguan/subject/v1/subject.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jianguan::subject {

class RegistryMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit RegistryMetrics(prometheus::Registry& registry);

  /// Counts the rows of one committed import batch.
  void CountImport(const v1::ImportSubjectsResponse& answer);
  /// Counts one committed status change.
  void CountStatusChange(v1::StatusAction action);
  /// Counts the subjects of one committed clock chunk, by outcome.
  void CountClockSubjects(std::string_view rule, const std::map<std::string, int64_t>& outcomes);
  /// A clock batch of `rule` completed at `unix_seconds`.
  void ClockBatchCompleted(std::string_view rule, double unix_seconds);
  /// A clock batch of `rule` was taken up again.
  void CountClockBatchResumed(std::string_view rule);
  /// Counts `n` dual notifications that went through `event` ("raised", "claimed", …).
  void CountNotifications(std::string_view event, int64_t n = 1);
  /// Sets a department's unclaimed and overdue notifications.
  void SetUnclaimedNotifications(const std::string& department, int64_t unclaimed,
                                 int64_t overdue);

  prometheus::Counter& rows_accepted;
  prometheus::Counter& rows_unchanged;
  prometheus::Counter& rows_refused;

 private:
  prometheus::Family<prometheus::Counter>& status_changes_;
  prometheus::Family<prometheus::Counter>& clock_subjects_;
  prometheus::Family<prometheus::Gauge>& clock_completed_;
  prometheus::Family<prometheus::Counter>& clock_resumed_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Gauge>& unclaimed_;
  prometheus::Family<prometheus::Gauge>& overdue_;
};

}  // namespace jianguan::subject
