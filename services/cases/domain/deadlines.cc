#include "services/cases/domain/deadlines.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"

namespace jianguan::cases {
namespace {

// A half-open range of days [first, end).
using DayRange = std::pair<absl::CivilDay, absl::CivilDay>;

// The paused periods of `c` clipped to [filed_date, until), empty ones dropped.
std::vector<DayRange> ClippedPauses(const v1::Case& c, absl::CivilDay until) {
  const absl::CivilDay filed = DayOf(c.filed_date());
  std::vector<DayRange> ranges;
  for (const v1::ClockPause& pause : c.paused_periods()) {
    const absl::CivilDay first = std::max(DayOf(pause.start_date()), filed);
    const absl::CivilDay end =
        pause.has_end_date() ? std::min(DayOf(pause.end_date()), until) : until;
    if (first < end) ranges.emplace_back(first, end);
  }
  return ranges;
}

bool Decided(const v1::Case& c) { return c.has_decided_date(); }

bool Ended(const v1::Case& c) {
  return c.state() == v1::CASE_STATE_CLOSED || c.state() == v1::CASE_STATE_ARCHIVED;
}

// The day the decision clock is read at: the decision's day once decided, else today.
absl::CivilDay ClockDay(const v1::Case& c, absl::CivilDay today) {
  return Decided(c) ? std::min(today, DayOf(c.decided_date())) : today;
}

int DecisionLimitDays(const v1::Case& c) {
  return kDecisionLimitDays + (c.extension_approved() ? kDecisionExtensionDays : 0);
}

// 第六十条: the decision limit, the days paused and the risk flag.
void FillDecisionLimit(const v1::Case& c, absl::CivilDay today, const DeadlineOptions& options,
                       v1::CaseDeadlines& out) {
  const absl::CivilDay clock_day = ClockDay(c, today);
  const absl::CivilDay due = DecisionDueDate(c, clock_day);
  const int remaining = static_cast<int>(due - clock_day);
  *out.mutable_decision_due_date() = DateOf(due);
  out.set_decision_limit_days(DecisionLimitDays(c));
  out.set_paused_days(PausedDays(c, clock_day));
  out.set_decision_days_remaining(remaining);
  out.set_at_risk(!Decided(c) && !Ended(c) && remaining < options.at_risk_days);
}

// 第六十四条: the hearing request period and the earliest hearing day.
absl::Status FillHearing(const v1::Case& c, const WorkingDayCalendar& calendar,
                         v1::CaseDeadlines& out) {
  if (c.has_notice_served_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay last,
                     HearingRequestLastDay(calendar, DayOf(c.notice_served_date())));
    *out.mutable_hearing_request_last_day() = DateOf(last);
  }
  if (c.has_hearing_notice_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay earliest,
                     HearingEarliestDate(calendar, DayOf(c.hearing_notice_date())));
    *out.mutable_hearing_earliest_date() = DateOf(earliest);
  }
  return absl::OkStatus();
}

// 第六十一条, 第六十七条, 第七十二条: service, payment and the surcharge owed so far.
absl::Status FillExecution(const v1::Case& c, absl::CivilDay today,
                           const WorkingDayCalendar& calendar, v1::CaseDeadlines& out) {
  if (!Decided(c)) return absl::OkStatus();
  ASSIGN_OR_RETURN(absl::CivilDay service_due,
                   ServiceDueDate(calendar, DayOf(c.decided_date()), c.party_absent()));
  *out.mutable_service_due_date() = DateOf(service_due);
  if (!c.has_served_date()) return absl::OkStatus();
  const absl::CivilDay payment_due = PaymentDueDate(DayOf(c.served_date()));
  *out.mutable_payment_due_date() = DateOf(payment_due);
  const absl::CivilDay paid_on =
      c.has_executed_date() ? std::min(today, DayOf(c.executed_date())) : today;
  out.mutable_late_surcharge()->set_fen(
      LateSurchargeFen(c.decided_penalty().fine().fen(), payment_due, paid_on));
  return absl::OkStatus();
}

}  // namespace

int PausedDays(const v1::Case& c, absl::CivilDay until) {
  std::vector<DayRange> ranges = ClippedPauses(c, until);
  std::sort(ranges.begin(), ranges.end());
  int days = 0;
  // Merged sweep: `covered` is the end of what was counted so far, so overlaps count once.
  absl::CivilDay covered = ranges.empty() ? until : ranges.front().first;
  for (const auto& [first, end] : ranges) {
    const absl::CivilDay from = std::max(first, covered);
    if (from < end) days += static_cast<int>(end - from);
    covered = std::max(covered, end);
  }
  return days;
}

absl::CivilDay DecisionDueDate(const v1::Case& c, absl::CivilDay until) {
  return DayOf(c.filed_date()) + DecisionLimitDays(c) + PausedDays(c, until);
}

absl::StatusOr<absl::CivilDay> HearingRequestLastDay(const WorkingDayCalendar& calendar,
                                                     absl::CivilDay notice_served) {
  return calendar.AddWorkingDays(notice_served, kHearingRequestWorkingDays);
}

absl::StatusOr<absl::CivilDay> HearingEarliestDate(const WorkingDayCalendar& calendar,
                                                   absl::CivilDay hearing_notice) {
  return calendar.AddWorkingDays(hearing_notice, kHearingNoticeWorkingDays);
}

absl::StatusOr<absl::CivilDay> ServiceDueDate(const WorkingDayCalendar& calendar,
                                              absl::CivilDay decided, bool party_absent) {
  // 第六十一条: 宣告后当场交付当事人; only an absent party gives the 7 working days.
  if (!party_absent) return decided;
  return calendar.AddWorkingDays(decided, kServiceWorkingDays);
}

absl::CivilDay PaymentDueDate(absl::CivilDay served) { return served + kPaymentDays; }

int64_t LateSurchargeFen(int64_t fine_fen, absl::CivilDay payment_due, absl::CivilDay on) {
  if (fine_fen <= 0 || on <= payment_due) return 0;
  const int64_t days = on - payment_due;
  // 第七十二条: 加处罚款的数额不得超出罚款的数额. From 34 days on, 3 % a day passes 100 %.
  if (days * kSurchargePercentPerDay >= 100) return fine_fen;
  // fine × 3 × days / 100, rounded down, without overflow: split the fine into whole
  // hundreds of fen and the rest, so no product exceeds the fine.
  const int64_t percent = days * kSurchargePercentPerDay;
  return (fine_fen / 100) * percent + (fine_fen % 100) * percent / 100;
}

absl::StatusOr<v1::CaseDeadlines> DeadlinesOf(const v1::Case& c, absl::CivilDay today,
                                              const WorkingDayCalendar& calendar,
                                              const DeadlineOptions& options) {
  v1::CaseDeadlines out;
  if (!c.has_filed_date()) return out;
  FillDecisionLimit(c, today, options, out);
  RETURN_IF_ERROR(FillHearing(c, calendar, out));
  RETURN_IF_ERROR(FillExecution(c, today, calendar, out));
  return out;
}

}  // namespace jianguan::cases
