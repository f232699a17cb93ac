#include "services/subject-registry/notification_watch.h"

#include "libs/core/log.h"
#include "libs/core/status_macros.h"

namespace jianguan::subject {

NotificationWatch::NotificationWatch(const NotificationStore& notices,
                                     const DepartmentCodes& departments, const Clock& clock,
                                     RegistryMetrics& metrics, absl::Duration every)
    : notices_(notices),
      departments_(departments),
      clock_(clock),
      metrics_(metrics),
      every_(every) {}

NotificationWatch::~NotificationWatch() { Stop(); }

void NotificationWatch::Start() {
  thread_ = std::thread([this] {
    do {
      if (auto counted = CountOnce(); !counted.ok()) {
        LogWarning("dual notifications not counted", {{"reason", counted.status().message()}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(every_));
  });
}

void NotificationWatch::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

absl::StatusOr<std::map<std::string, UnclaimedCounts>> NotificationWatch::CountOnce() {
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), BeijingTime());
  std::map<std::string, UnclaimedCounts> counts;
  for (const std::string& department : departments_) {
    if (stop_.HasBeenNotified()) return counts;  // a round cut short reports nothing
    ASSIGN_OR_RETURN(counts[department], notices_.Unclaimed(department, today));
  }
  for (const auto& [department, n] : counts) {
    metrics_.SetUnclaimedNotifications(department, n.unclaimed, n.overdue);
  }
  return counts;
}

}  // namespace jianguan::subject
