// The time limits of a penalty case (办案期限), computed from the case and the working-day
// calendar (libs/core/calendar.h). Periods the law gives in "2, 3, 5, 7 days" are working
// days, never counting the day they start from (行政处罚法 第八十五条); the others (90, 30,
// 15 days) are calendar days counted the same way: N days from D end on D + N.
//
// - 第六十条: the decision within 90 days of filing; market regulation adds 30 with the head's
//   approval (市场监督管理行政处罚程序规定: 经负责人批准可以延长三十日), and does not count the
//   time of suspension, hearings, testing and public notice (中止、听证、公告和检测、检验、
//   检疫、鉴定等时间不计入). The paused days move the due date: due = filed + limit + paused.
// - 第六十四条: a hearing asked for within 5 working days of the notice; the hearing notice
//   reaches the party at least 7 working days before the hearing.
// - 第六十一条: the decision served on the spot, or within 7 working days when the party was
//   absent.
// - 第六十七条: the fine paid within 15 days of service.
// - 第七十二条: 3 % of the fine per day late, never more than the fine.
//
//   ASSIGN_OR_RETURN(v1::CaseDeadlines due, DeadlinesOf(c, today, calendar));
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "libs/core/calendar.h"

namespace jianguan::cases {

/// 行政处罚法 第六十条: 自立案之日起九十日内作出行政处罚决定.
inline constexpr int kDecisionLimitDays = 90;
/// 市场监督管理行政处罚程序规定: 经负责人批准，可以延长三十日 (once).
inline constexpr int kDecisionExtensionDays = 30;
/// 行政处罚法 第六十四条: 当事人要求听证的，应当在行政机关告知后五日内提出.
inline constexpr int kHearingRequestWorkingDays = 5;
/// 行政处罚法 第六十四条: 行政机关应当在举行听证的七日前，通知当事人.
inline constexpr int kHearingNoticeWorkingDays = 7;
/// 行政处罚法 第六十一条: 当事人不在场的，行政机关应当在七日内依照民事诉讼法的有关规定送达.
inline constexpr int kServiceWorkingDays = 7;
/// 行政处罚法 第六十七条: 自收到行政处罚决定书之日起十五日内缴纳罚款.
inline constexpr int kPaymentDays = 15;
/// 行政处罚法 第七十二条: 每日按罚款数额的百分之三加处罚款.
inline constexpr int kSurchargePercentPerDay = 3;

struct DeadlineOptions {
  /// A case not yet decided is at risk (临期) when fewer days than this are left.
  int at_risk_days = 10;
};

/// The calendar days of `c` that do not count towards the decision limit, up to (not
/// including) `until`: the union of its paused periods, each taken from its start_date up to
/// its end_date (or `until` while open), never before filed_date. A period that starts and
/// ends on the same day pauses nothing; overlapping periods count once.
int PausedDays(const v1::Case& c, absl::CivilDay until);

/// The last day to decide (第六十条): filed + 90 (120 with the extension) + PausedDays(until).
absl::CivilDay DecisionDueDate(const v1::Case& c, absl::CivilDay until);

/// The last day the party may ask for a hearing: the 5th working day after the notice was
/// served (第六十四条, 第八十五条). OUT_OF_RANGE outside the calendar.
absl::StatusOr<absl::CivilDay> HearingRequestLastDay(const WorkingDayCalendar& calendar,
                                                     absl::CivilDay notice_served);

/// The earliest day a hearing may be held when its notice reached the party on
/// `hearing_notice`: the 7th working day after (第六十四条, 第八十五条).
absl::StatusOr<absl::CivilDay> HearingEarliestDate(const WorkingDayCalendar& calendar,
                                                   absl::CivilDay hearing_notice);

/// The last day to serve a decision of `decided` (第六十一条): that day when the party was
/// present, else the 7th working day after it.
absl::StatusOr<absl::CivilDay> ServiceDueDate(const WorkingDayCalendar& calendar,
                                              absl::CivilDay decided, bool party_absent);

/// The last day to pay a fine served on `served` (第六十七条): 15 days later.
absl::CivilDay PaymentDueDate(absl::CivilDay served);

/// The late-payment surcharge (加处罚款, 第七十二条) on a fine of `fine_fen` due on
/// `payment_due` and paid (or still unpaid) on `on`: 3 % of the fine for each day after the
/// due day, capped at the fine. Integer arithmetic, rounded down to the fen on the total (not
/// per day), so the party never owes a fraction the law does not ask; 0 when not late or
/// when the fine is not positive.
int64_t LateSurchargeFen(int64_t fine_fen, absl::CivilDay payment_due, absl::CivilDay on);

/// Every deadline of `c` as of `today`; an empty message for a case not yet filed. A date
/// is set once the step it counts from has happened. Days paused count up to the decision,
/// or up to `today` while none was made; at_risk is set when the case is neither decided
/// nor closed and fewer than options.at_risk_days days are left (or the limit is past).
/// OUT_OF_RANGE when a working-day deadline falls outside the calendar's years.
absl::StatusOr<v1::CaseDeadlines> DeadlinesOf(const v1::Case& c, absl::CivilDay today,
                                              const WorkingDayCalendar& calendar,
                                              const DeadlineOptions& options = {});

}  // namespace jianguan::cases
