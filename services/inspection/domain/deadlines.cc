#include "services/inspection/domain/deadlines.h"

#include <algorithm>

#include "libs/core/status_macros.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {

bool IsRealDate(const common::v1::Date& date) {
  if (date.year() < 1900 || date.year() > 9999) return false;
  const absl::CivilDay day = DayOf(date);
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

absl::StatusOr<common::v1::Date> PublishDueDate(const WorkingDayCalendar& calendar,
                                                const common::v1::Date& inspection_date) {
  ASSIGN_OR_RETURN(absl::CivilDay due,
                   calendar.AddWorkingDays(DayOf(inspection_date), kPublishWithinWorkingDays));
  return DateOf(due);
}

absl::StatusOr<common::v1::Date> CommitmentDueDate(const WorkingDayCalendar& calendar,
                                                   absl::CivilDay recorded_on, int working_days,
                                                   const common::v1::Date& verify_by) {
  ASSIGN_OR_RETURN(absl::CivilDay due, calendar.AddWorkingDays(recorded_on, working_days));
  if (IsRealDate(verify_by)) due = std::min(due, DayOf(verify_by));
  return DateOf(due);
}

absl::StatusOr<common::v1::Date> ExtendedDueDate(const WorkingDayCalendar& calendar,
                                                 const common::v1::Date& due,
                                                 absl::CivilDay suspended_on,
                                                 absl::CivilDay resumed_on) {
  ASSIGN_OR_RETURN(int paused, calendar.WorkingDaysBetween(suspended_on, resumed_on));
  if (paused <= 0) return due;
  ASSIGN_OR_RETURN(absl::CivilDay moved, calendar.AddWorkingDays(DayOf(due), paused));
  return DateOf(moved);
}

std::optional<absl::CivilDay> OnTimeUntil(const v1::Task& task) {
  const v1::TaskState s = task.state();
  if (IsFinal(s) || s == v1::TASK_STATE_SUSPENDED) return std::nullopt;
  if (s == v1::TASK_STATE_RESULT_SUBMITTED || s == v1::TASK_STATE_REVIEWED) {
    if (!task.has_publish_due_date()) return std::nullopt;
    return DayOf(task.publish_due_date());
  }
  if (!task.has_due_date()) return std::nullopt;
  return DayOf(task.due_date());
}

bool IsOverdue(const v1::Task& task, absl::CivilDay today) {
  const std::optional<absl::CivilDay> until = OnTimeUntil(task);
  return until.has_value() && today > *until;
}

}  // namespace jianguan::inspection
