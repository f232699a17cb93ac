#include "services/subject-registry/domain/clock_rules.h"

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/timestamps.h"
#include "services/subject-registry/domain/annual_reports.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {
namespace {

bool OnAList(v1::SubjectStatus status) {
  return status == v1::SUBJECT_STATUS_ABNORMAL_OPERATION ||
         status == v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
}

bool Inactive(v1::SubjectStatus status) {
  return status == v1::SUBJECT_STATUS_REVOKED || status == v1::SUBJECT_STATUS_DEREGISTERED ||
         status == v1::SUBJECT_STATUS_MOVED_OUT;
}

bool HistoryFull(const v1::Subject& subject) {
  return subject.status_history_size() >= SubjectLimits::kStatusHistory;
}

// A transition the registry's clock decided: no department, recorded at `now`.
v1::StatusChange ClockTransition(const v1::Subject& subject, v1::SubjectStatus to,
                                 v1::StatusAction action, v1::AbnormalReason reason,
                                 std::string note, absl::Time now) {
  v1::StatusChange record;
  record.set_from(subject.status());
  record.set_to(to);
  record.set_action(action);
  record.set_reason(reason);
  record.set_note(std::move(note));
  *record.mutable_time() = ToTimestamp(now);
  return record;
}

}  // namespace

std::optional<int> DueReportYear(absl::CivilDay today) {
  if (today.month() < ClockPeriods::kListingMonth) return std::nullopt;
  return static_cast<int>(today.year()) - 1;
}

std::optional<absl::CivilDay> AbnormalListingDay(const v1::Subject& subject) {
  if (subject.status() != v1::SUBJECT_STATUS_ABNORMAL_OPERATION) return std::nullopt;
  if (subject.has_abnormal_listed_on()) return ValidDayOf(subject.abnormal_listed_on());
  for (int i = subject.status_history_size() - 1; i >= 0; --i) {
    const v1::StatusChange& change = subject.status_history(i);
    if (change.to() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION && change.has_time()) {
      return absl::ToCivilDay(FromTimestamp(change.time()), BeijingTime());
    }
  }
  return std::nullopt;
}

absl::CivilDay SeriousViolationDay(absl::CivilDay listed_on) {
  // A period of years ends on the corresponding day, or the month's last day when there is
  // none (民法典 第二百零二条): a listing of 29 February 2024 moves on 28 February 2027.
  return AddMonths(listed_on, 12 * ClockPeriods::kYearsToSeriousViolation);
}

absl::CivilDay WarningDay(absl::CivilDay listed_on) {
  return SeriousViolationDay(listed_on) - ClockPeriods::kWarningDays;
}

absl::CivilDay LatestDueListingDay(absl::CivilDay today) {
  // WarningDay never decreases as the listing day rises (28 and 29 February share theirs
  // when the third year has no 29 February), so the listings due form a prefix: start near
  // its end, then step to it.
  absl::CivilDay day = absl::CivilDay(today.year() - ClockPeriods::kYearsToSeriousViolation,
                                      today.month(), today.day()) +
                       ClockPeriods::kWarningDays;
  while (WarningDay(day + 1) <= today) ++day;
  while (WarningDay(day) > today) --day;
  return day;
}

ClockDecision DecideAnnualReportListing(const v1::Subject& subject, int report_year,
                                        bool report_on_file, absl::CivilDay as_of,
                                        absl::Time now) {
  namespace o = clock_outcome;
  if (!PublishesAnnualReports(subject.type())) return {.outcome = o::kNotReportingType};
  if (Inactive(subject.status())) return {.outcome = o::kInactive};
  // Subject rules keep established_on a real date when set; unset, its year is 0.
  const int established = subject.established_on().year();
  if (established == 0) return {.outcome = o::kEstablishedUnknown};
  // Established on or before 31 December of the report year: that year's report was due.
  if (established > report_year) return {.outcome = o::kEstablishedAfterYear};
  // The largest year reported is not enough on its own: a later year may be reported while
  // this one is not (补报 is allowed in any order).
  if (report_on_file || subject.last_report_year() == report_year) {
    return {.outcome = o::kReported};
  }
  if (OnAList(subject.status())) return {.outcome = o::kAlreadyListed};
  if (HistoryFull(subject)) return {.outcome = o::kHistoryFull};
  const v1::StatusChange record =
      ClockTransition(subject, v1::SUBJECT_STATUS_ABNORMAL_OPERATION,
                      v1::STATUS_ACTION_LIST_ABNORMAL,
                      v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED,
                      absl::StrCat("未按规定报送", report_year, "年度报告"), now);
  SubjectChange<v1::SubjectStatusChanged> change = ApplyStatusChange(subject, record, now);
  // Every date a run records is its own day, also when it is resumed on a later one.
  *change.subject.mutable_abnormal_listed_on() = DateOf(as_of);
  change.subject.set_unreported_year(report_year);
  return {.outcome = o::kListed,
          .after = std::move(change.subject),
          .event = std::move(change.event)};
}

ClockDecision DecideAbnormalListExpiry(const v1::Subject& subject, absl::CivilDay as_of,
                                       absl::Time now) {
  namespace o = clock_outcome;
  if (subject.status() != v1::SUBJECT_STATUS_ABNORMAL_OPERATION) {
    return {.outcome = o::kNotAbnormal};
  }
  const std::optional<absl::CivilDay> listed_on = AbnormalListingDay(subject);
  if (!listed_on) return {.outcome = o::kListingDayUnknown};
  const absl::CivilDay move_on = SeriousViolationDay(*listed_on);
  if (as_of >= move_on) {
    if (HistoryFull(subject)) return {.outcome = o::kHistoryFull};
    const v1::StatusChange record = ClockTransition(
        subject, v1::SUBJECT_STATUS_SERIOUS_VIOLATION, v1::STATUS_ACTION_LIST_SERIOUS_VIOLATION,
        subject.abnormal_reason(), "列入经营异常名录届满3年仍未移出", now);
    SubjectChange<v1::SubjectStatusChanged> change = ApplyStatusChange(subject, record, now);
    return {.outcome = o::kMoved,
            .after = std::move(change.subject),
            .event = std::move(change.event)};
  }
  if (as_of < WarningDay(*listed_on)) return {.outcome = o::kNotDue};
  if (subject.has_serious_violation_warned_on()) return {.outcome = o::kAlreadyWarned};
  v1::Subject after = subject;
  // A subject listed before the listing day was kept gets it written down with the warning.
  *after.mutable_abnormal_listed_on() = DateOf(*listed_on);
  *after.mutable_serious_violation_warned_on() = DateOf(as_of);
  Touch(after, now);
  v1::SeriousViolationWarning warning;
  *warning.mutable_facts() = FactsOf(after);
  *warning.mutable_listed_on() = DateOf(*listed_on);
  *warning.mutable_move_on() = DateOf(move_on);
  warning.set_reason(subject.abnormal_reason());
  return {.outcome = o::kWarned, .after = std::move(after), .event = std::move(warning)};
}

}  // namespace jianguan::subject
