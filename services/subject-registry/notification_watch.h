// The claim deadline watched (认领期限, 5 working days): every catalogue department's
// unclaimed dual notifications, and the overdue ones among them, counted as of the clock's
// Beijing day on a cadence and set on /metrics, so that a department falling behind shows
// without anyone listing its notifications. A round reads only the index (one prefix scan
// per department), not the notifications themselves.
#pragma once

#include <map>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "services/subject-registry/domain/notification_rules.h"
#include "services/subject-registry/notification_store.h"
#include "services/subject-registry/registry_metrics.h"

namespace jianguan::subject {

class NotificationWatch {
 public:
  /// Everything given must outlive the watch.
  NotificationWatch(const NotificationStore& notices, const DepartmentCodes& departments,
                    const Clock& clock, RegistryMetrics& metrics,
                    absl::Duration every = absl::Minutes(1));
  ~NotificationWatch();
  NotificationWatch(const NotificationWatch&) = delete;
  NotificationWatch& operator=(const NotificationWatch&) = delete;

  /// Counts now, then every `every` until Stop (or destruction).
  void Start();
  void Stop();

  /// One round: every department's counts (zero included, so a count falling to zero is
  /// reported), also set on the metrics. A round cut short by Stop sets nothing.
  absl::StatusOr<std::map<std::string, UnclaimedCounts>> CountOnce();

 private:
  const NotificationStore& notices_;
  const DepartmentCodes& departments_;
  const Clock& clock_;
  RegistryMetrics& metrics_;
  const absl::Duration every_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace jianguan::subject
