#include "services/subject-registry/registry_metrics.h"

#include "absl/strings/ascii.h"

namespace jianguan::subject {
namespace {

prometheus::Family<prometheus::Counter>& ImportRows(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jianguan_registry_import_rows_total")
      .Help("Rows of committed ImportSubjects batches, by outcome (accepted, unchanged, refused)")
      .Register(registry);
}

}  // namespace

RegistryMetrics::RegistryMetrics(prometheus::Registry& registry)
    : rows_accepted(ImportRows(registry).Add({{"outcome", "accepted"}})),
      rows_unchanged(ImportRows(registry).Add({{"outcome", "unchanged"}})),
      rows_refused(ImportRows(registry).Add({{"outcome", "refused"}})),
      status_changes_(prometheus::BuildCounter()
                          .Name("jianguan_registry_status_changes_total")
                          .Help("Status changes committed, by action")
                          .Register(registry)),
      clock_subjects_(prometheus::BuildCounter()
                          .Name("jianguan_registry_clock_subjects_total")
                          .Help("Subjects examined by committed clock batches, by rule and outcome")
                          .Register(registry)),
      clock_completed_(prometheus::BuildGauge()
                           .Name("jianguan_registry_clock_last_completed_timestamp_seconds")
                           .Help("When the rule's last clock batch completed (Unix seconds, the "
                                 "service's clock)")
                           .Register(registry)),
      clock_resumed_(prometheus::BuildCounter()
                         .Name("jianguan_registry_clock_batches_resumed_total")
                         .Help("Clock batches taken up again after a restart before they completed")
                         .Register(registry)),
      notifications_(prometheus::BuildCounter()
                         .Name("jianguan_registry_notifications_total")
                         .Help("Dual notifications (双告知) committed, by event (raised, claimed, "
                               "passed, closed, unroutable, dropped)")
                         .Register(registry)),
      unclaimed_(prometheus::BuildGauge()
                     .Name("jianguan_registry_notifications_unclaimed")
                     .Help("Dual notifications waiting for the department to claim them")
                     .Register(registry)),
      overdue_(prometheus::BuildGauge()
                   .Name("jianguan_registry_notifications_overdue")
                   .Help("Unclaimed dual notifications past their due day (5 working days)")
                   .Register(registry)) {}

void RegistryMetrics::CountImport(const v1::ImportSubjectsResponse& answer) {
  rows_accepted.Increment(static_cast<double>(answer.accepted()));
  rows_unchanged.Increment(static_cast<double>(answer.unchanged()));
  rows_refused.Increment(static_cast<double>(answer.errors_size()));
}

void RegistryMetrics::CountStatusChange(v1::StatusAction action) {
  // "STATUS_ACTION_LIST_ABNORMAL" → "list_abnormal": only the enum's names become labels.
  std::string name = v1::StatusAction_Name(action);
  name = absl::AsciiStrToLower(name.substr(name.rfind("STATUS_ACTION_", 0) == 0 ? 14 : 0));
  status_changes_.Add({{"action", name}}).Increment();
}

void RegistryMetrics::CountNotifications(std::string_view event, int64_t n) {
  if (n > 0) notifications_.Add({{"event", std::string(event)}}).Increment(static_cast<double>(n));
}

void RegistryMetrics::SetUnclaimedNotifications(const std::string& department, int64_t unclaimed,
                                                int64_t overdue) {
  unclaimed_.Add({{"department", department}}).Set(static_cast<double>(unclaimed));
  overdue_.Add({{"department", department}}).Set(static_cast<double>(overdue));
}

}  // namespace jianguan::subject

namespace jianguan::subject {

void RegistryMetrics::CountClockSubjects(std::string_view rule,
                                         const std::map<std::string, int64_t>& outcomes) {
  for (const auto& [outcome, count] : outcomes) {
    clock_subjects_.Add({{"rule", std::string(rule)}, {"outcome", outcome}})
        .Increment(static_cast<double>(count));
  }
}

void RegistryMetrics::ClockBatchCompleted(std::string_view rule, double unix_seconds) {
  clock_completed_.Add({{"rule", std::string(rule)}}).Set(unix_seconds);
}

void RegistryMetrics::CountClockBatchResumed(std::string_view rule) {
  clock_resumed_.Add({{"rule", std::string(rule)}}).Increment();
}

}  // namespace jianguan::subject
