// Deadlines of a task on the working-day calendar (DESIGN.md §4 "Time", libs/core/calendar.h):
// the result is public within 20 working days of the inspection (DESIGN.md §7; 企业信息公示
// 暂行条例 第六条: 自作出之日起20个工作日内公示), a commitment is verified within the
// configured working days of its recording but never after its verify_by, and a suspension
// (中止) moves the due date by the working days it lasted.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/core/civil_date.h"
#include "jianguan/common/v1/types.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "libs/core/calendar.h"

namespace jianguan::inspection {

/// Working days from the inspection to the publication of its result.
inline constexpr int kPublishWithinWorkingDays = 20;
/// The default of --commitment_verify_working_days.
inline constexpr int kDefaultCommitmentWorkingDays = 20;
/// The default of --follow_up_working_days: a follow-up (回头看) is due this many working
/// days after the rectification deadline.
inline constexpr int kDefaultFollowUpWorkingDays = 10;

/// Whether `date` names a real day of the Gregorian calendar.
bool IsRealDate(const common::v1::Date& date);

/// The publication deadline (公示期限) of a result inspected on `inspection_date`.
absl::StatusOr<common::v1::Date> PublishDueDate(const WorkingDayCalendar& calendar,
                                                const common::v1::Date& inspection_date);

/// The due date of a commitment verification recorded on `recorded_on`: `working_days`
/// working days later, or `verify_by` when that is earlier (and set).
absl::StatusOr<common::v1::Date> CommitmentDueDate(const WorkingDayCalendar& calendar,
                                                   absl::CivilDay recorded_on, int working_days,
                                                   const common::v1::Date& verify_by);

/// The due date after a suspension from `suspended_on` to `resumed_on`: moved by the working
/// days between them.
absl::StatusOr<common::v1::Date> ExtendedDueDate(const WorkingDayCalendar& calendar,
                                                 const common::v1::Date& due,
                                                 absl::CivilDay suspended_on,
                                                 absl::CivilDay resumed_on);

/// Whether `task` is overdue (逾期) on `today`: not yet submitted after its due_date, or
/// submitted but not yet published after its publish_due_date. Final and suspended tasks
/// are not overdue.
bool IsOverdue(const v1::Task& task, absl::CivilDay today);
/// The last day the task is on time in its state (IsOverdue: today is after it); nullopt
/// when no deadline runs (final, suspended, or no date set).
std::optional<absl::CivilDay> OnTimeUntil(const v1::Task& task);

}  // namespace jianguan::inspection
