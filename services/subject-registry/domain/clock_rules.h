// The rules the registry runs by the clock (docs/registry-clock.md): who is due and what
// changes, subject by subject, as plain values. The runner (clock_batches.h) reads the
// subjects, asks these functions, and commits their answers in chunks; nothing here reads
// the store or the clock.
//
//   CLOCK_RULE_ANNUAL_REPORT_LISTING — from 1 July of year Y, once for report year Y−1:
//     a NORMAL subject of a type that reports, established by 31 December of Y−1, without
//     that year's report → abnormal operation list, ANNUAL_REPORT_NOT_PUBLISHED
//     (企业信息公示暂行条例 第八条、第十七条; 企业经营异常名录管理暂行办法 第四条).
//   CLOCK_RULE_ABNORMAL_LIST_EXPIRY — daily: a subject listed on day L moves to the serious
//     violation list on L + 3 years (企业信息公示暂行条例 第十七条;
//     市场监督管理严重违法失信名单管理办法), warned once 60 days before (DESIGN §7).
// Both by "on or after", so a day the service did not run is caught up on the next run.
//
// Every function is pure: same inputs, same answer.
#pragma once

#include <optional>
#include <string_view>
#include <variant>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"

namespace jianguan::subject {

/// The periods of the clock rules, with their sources.
struct ClockPeriods {
  /// The annual-report listing is due from 1 July: the report period ends on 30 June
  /// (企业信息公示暂行条例 第八条).
  static constexpr int kListingMonth = 7;
  /// Years on the abnormal operation list before the serious violation list (第十七条).
  static constexpr int kYearsToSeriousViolation = 3;
  /// Days of warning before that move (DESIGN §7: 列严预警).
  static constexpr int kWarningDays = 60;
};

/// The outcomes a clock rule counts (ClockBatchCompleted.counts, the metrics' label).
namespace clock_outcome {
inline constexpr std::string_view kListed = "listed";
/// Already on the abnormal operation or serious violation list: not changed.
inline constexpr std::string_view kAlreadyListed = "already-listed";
/// The year's report is published.
inline constexpr std::string_view kReported = "reported";
/// Established after the report year: nothing was due.
inline constexpr std::string_view kEstablishedAfterYear = "established-after-year";
/// No day of establishment recorded: whether a report was due cannot be said.
inline constexpr std::string_view kEstablishedUnknown = "established-unknown";
/// A type that publishes no annual report here (PublishesAnnualReports).
inline constexpr std::string_view kNotReportingType = "not-reporting-type";
/// Revoked, deregistered or moved out.
inline constexpr std::string_view kInactive = "inactive";
inline constexpr std::string_view kWarned = "warned";
inline constexpr std::string_view kMoved = "moved";
/// Warned before, not yet at 3 years.
inline constexpr std::string_view kAlreadyWarned = "already-warned";
/// On the list, not yet 3 years minus 60 days.
inline constexpr std::string_view kNotDue = "not-due";
/// Found through the index but no longer on the abnormal operation list.
inline constexpr std::string_view kNotAbnormal = "not-abnormal";
/// Listed, but no listing day is recorded or derivable.
inline constexpr std::string_view kListingDayUnknown = "listing-day-unknown";
/// Due, but the status history holds the most entries allowed: left for a person to see.
inline constexpr std::string_view kHistoryFull = "history-full";
}  // namespace clock_outcome

/// The report year whose listing is due on `today` (a Beijing day): today's year − 1 from
/// 1 July on; nullopt before 1 July. A listing missed in its year (the service down from
/// 1 July to the year's end) is not made up in the next: by then the next report period has
/// begun, and listing months late for last year's report would surprise more than help.
std::optional<int> DueReportYear(absl::CivilDay today);

/// The Beijing day `subject` was put on the abnormal operation list: abnormal_listed_on, or,
/// for a subject listed before that field was kept, the day of the last entry of its status
/// history into SUBJECT_STATUS_ABNORMAL_OPERATION. nullopt when the subject is not on the
/// list or neither says.
std::optional<absl::CivilDay> AbnormalListingDay(const v1::Subject& subject);

/// The day a listing of `listed_on` moves to the serious violation list: the same day 3
/// years later, or the month's last day when there is none (民法典 第二百零二条): 28 February
/// for a listing on 29 February.
absl::CivilDay SeriousViolationDay(absl::CivilDay listed_on);

/// The day the warning is due: 60 days before SeriousViolationDay.
absl::CivilDay WarningDay(absl::CivilDay listed_on);

/// The latest listing day whose warning is due on `today`: every listing on or before it
/// may be due, none after it is. The daily run scans the listing index up to it.
absl::CivilDay LatestDueListingDay(absl::CivilDay today);

/// What a clock rule decided for one subject: the outcome it is counted under and, when the
/// subject changes, the subject after and the event announcing it (with SubjectFacts of the
/// new version).
struct ClockDecision {
  std::string_view outcome;
  std::optional<v1::Subject> after;
  std::variant<std::monostate, v1::SubjectStatusChanged, v1::SeriousViolationWarning> event;
};

/// CLOCK_RULE_ANNUAL_REPORT_LISTING for one subject and `report_year`. `report_on_file`:
/// whether a report for `report_year` is stored. A listing is recorded as the registry's own
/// decision (no department), note "未按规定报送<year>年度报告", unreported_year = the year,
/// abnormal_listed_on = `as_of` (the run's day).
ClockDecision DecideAnnualReportListing(const v1::Subject& subject, int report_year,
                                        bool report_on_file, absl::CivilDay as_of,
                                        absl::Time now);

/// CLOCK_RULE_ABNORMAL_LIST_EXPIRY for one subject on `as_of`: warned (SeriousViolationWarning;
/// serious_violation_warned_on = as_of) when as_of ≥ WarningDay and it was not warned; moved
/// to SUBJECT_STATUS_SERIOUS_VIOLATION (LIST_SERIOUS_VIOLATION, note
/// "列入经营异常名录届满3年仍未移出") when as_of ≥ SeriousViolationDay, warned or not — a
/// warning that the move comes in 60 days is pointless once it has come.
ClockDecision DecideAbnormalListExpiry(const v1::Subject& subject, absl::CivilDay as_of,
                                       absl::Time now);

}  // namespace jianguan::subject
