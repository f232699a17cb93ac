// Whether a lead may still be filed as a case: the limitation period of 行政处罚法 第三十六条,
// and the period for deciding whether to file (立案期限) of the market regulation rules.
//
// 第三十六条: 违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、金融安全且有
// 危害后果的，上述期限延长至五年。前款规定的期限，从违法行为发生之日起计算；违法行为有连续或者
// 继续状态的，从行为终了之日起计算。 So the question is whether the violation was discovered
// (the lead registered) in time. A period of N years from D ends on the corresponding day
// N years later (AddMonths, 民法典 第二百零二条; 29 February → 28 February), and the day it
// starts from does not count.
//
// 市场监督管理行政处罚程序规定 第十八条: 自发现线索或者收到材料之日起十五个工作日内予以核查，
// 由市场监督管理部门负责人决定是否立案；特殊情况下，经市场监督管理部门负责人批准，可以延长
// 十五个工作日。 The periods are configuration (other departments have other rules).
//
//   RETURN_IF_ERROR(CheckLimitation(lead.name(), violation, registered_on));
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/core/calendar.h"

namespace jianguan::cases {

/// 第三十六条: 二年.
inline constexpr int kLimitationYears = 2;
/// 第三十六条: 涉及公民生命健康安全、金融安全且有危害后果的，延长至五年.
inline constexpr int kLimitationYearsForHarm = 5;

/// When the violation happened, as far as the limitation period cares.
struct ViolationTiming {
  /// The day it was committed (违法行为发生之日), or began when continuing.
  absl::CivilDay committed_on;
  /// True when the act is continuing or repeated (连续或者继续状态).
  bool continuing = false;
  /// For a continuing act: the day it ended (行为终了之日); nullopt while it goes on.
  /// Ignored when not continuing.
  std::optional<absl::CivilDay> ended_on;
  /// True when it concerns citizens' life, health or financial safety AND caused harm.
  bool harmed_life_health_or_finance = false;
};

/// The last day on which the violation may still be discovered and punished; nullopt while a
/// continuing act goes on (the period has not started).
std::optional<absl::CivilDay> LimitationLastDay(const ViolationTiming& violation);

/// OK when a violation discovered on `discovered_on` (the lead's registration) may still be
/// punished. INVALID_ARGUMENT naming "violation.ended_on" when a continuing act ends before it
/// began; FAILED_PRECONDITION on `lead` naming 第三十六条 and the last
/// day when the period ran out before `discovered_on`.
absl::Status CheckLimitation(std::string_view lead, const ViolationTiming& violation,
                             absl::CivilDay discovered_on);

/// The period for the decision to file or not (立案期限), in working days.
struct FilingPeriod {
  int working_days = 15;            ///< 第十八条: 十五个工作日
  int extension_working_days = 15;  ///< 第十八条: 经负责人批准，可以延长十五个工作日 (once)
};

/// The last day to decide whether to file a lead registered on `registered_on`: the
/// period's working days after it, plus the extension's when `extended` (granted once).
/// OUT_OF_RANGE when the day falls outside the calendar's years.
absl::StatusOr<absl::CivilDay> FilingDecisionDue(const WorkingDayCalendar& calendar,
                                                 absl::CivilDay registered_on, bool extended,
                                                 const FilingPeriod& period = {});

}  // namespace jianguan::cases
