// The registry's annual reports and clock rules as plain decisions: what a valid report is and
// what publishing one changes; who the 1 July listing lists (types, establishment, years);
// the 3-year expiry of the abnormal list with its 60-day warning (leap days, catch-up); and
// the abnormal-list bookkeeping of ChangeSubjectStatus.
#include <catch2/catch.hpp>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "libs/testing/dates.h"
#include "libs/testing/field_names.h"
#include "services/subject-registry/domain/annual_reports.h"
#include "services/subject-registry/domain/clock_rules.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {
namespace {

using testing::DateOf;
using testing::FieldNames;

absl::Time Beijing(int y, int m, int d, int hh = 10, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), BeijingTime());
}

v1::Subject Enterprise(int n, common::v1::Date established) {
  std::string first17 = absl::StrCat("91330782", absl::StrFormat("MA%07d", n));
  v1::Subject s;
  s.set_uscc(first17 + UsccCheckCharacter(first17));
  s.set_name(absl::StrCat("义乌市测试", n, "有限公司"));
  s.set_type(v1::SUBJECT_TYPE_ENTERPRISE);
  *s.mutable_established_on() = established;
  s.mutable_industry()->set_code("5212");
  s.mutable_registration_region()->set_code("330782");
  s.set_status(v1::SUBJECT_STATUS_NORMAL);
  s.set_version(3);
  return s;
}

v1::AnnualReport Report(int year) {
  v1::AnnualReport r;
  r.set_year(year);
  r.set_operating_state(v1::OPERATING_STATE_OPERATING);
  r.set_postal_code("322000");
  r.set_employees(12);
  r.mutable_total_assets()->set_fen(123'000'00);
  r.mutable_total_liabilities()->set_fen(45'000'00);
  r.mutable_revenue()->set_fen(880'000'00);
  r.mutable_tax_paid()->set_fen(9'000'00);
  r.add_websites("https://shop.example.cn");
  return r;
}

// A subject put on the abnormal operation list on `listed` (as ChangeSubjectStatus does).
v1::Subject ListedOn(absl::CivilDay listed, v1::AbnormalReason reason =
                                                v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS) {
  v1::Subject s = Enterprise(7, DateOf(2018, 5, 20));
  v1::ChangeSubjectStatusRequest request;
  request.set_uscc(s.uscc());
  request.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
  request.set_reason(reason);
  auto change = ChangeStatus("subjects/x", s, request, Caller{.department = "330782-SCJG"},
                             Beijing(listed.year(), listed.month(), listed.day()));
  REQUIRE(change.ok());
  return change->subject;
}

SCENARIO("an annual report is checked field by field") {
  const absl::CivilDay today(2026, 6, 20);
  GIVEN("a good report for last year") {
    FieldViolations v;
    CheckAnnualReport(v, "report", Report(2025), today);
    CHECK(v.empty());
  }
  GIVEN("a report with every field wrong") {
    v1::AnnualReport r = Report(2026);  // the year has not ended
    r.set_operating_state(static_cast<v1::OperatingState>(99));
    r.set_postal_code("32200");
    r.set_employees(-1);
    r.mutable_total_assets()->set_fen(-1);
    r.mutable_tax_paid()->set_fen(-5);
    r.clear_websites();
    r.add_websites("https://a.example.cn");
    r.add_websites("");
    r.add_websites(std::string(201, 'x'));
    r.add_websites("\xff\xfe");
    r.add_websites("https://a.example.cn");
    FieldViolations v;
    CheckAnnualReport(v, "report", r, today);
    CHECK(FieldNames(v.ToStatus()) ==
          std::set<std::string>{"report.year", "report.operating_state", "report.postal_code",
                                "report.employees", "report.total_assets.fen",
                                "report.tax_paid.fen", "report.websites[1]",
                                "report.websites[2]", "report.websites[3]",
                                "report.websites[4]"});
    // Every message is valid UTF-8, whatever the input held.
    for (const auto& violation : v.violations()) CHECK(IsValidUtf8(violation.description));
  }
  GIVEN("an unset operating state, a postal code with a letter, too many websites") {
    v1::AnnualReport r = Report(1899);
    r.set_operating_state(v1::OPERATING_STATE_UNSPECIFIED);
    r.set_postal_code("32200a");
    for (int i = 0; i < 20; ++i) r.add_websites(absl::StrCat("https://", i, ".example.cn"));
    FieldViolations v;
    CheckAnnualReport(v, "report", r, today);
    CHECK(FieldNames(v.ToStatus()) ==
          std::set<std::string>{"report.year", "report.operating_state", "report.postal_code",
                                "report.websites"});
  }
}

SCENARIO("publishing a report: once a year, late after 30 June, figures shown only if chosen") {
  const v1::Subject stored = Enterprise(1, DateOf(2020, 3, 15));
  CHECK(ReportDeadline(2025) == absl::CivilDay(2026, 6, 30));

  WHEN("the 2025 report is published on 30 June 2026, figures not public") {
    auto change = PublishAnnualReport("subjects/x/annualReports/2025", stored, Report(2025),
                                      false, Beijing(2026, 6, 30, 23, 59));
    REQUIRE(change.ok());
    THEN("it is on time, stored with its day, the subject moves on, the event hides figures") {
      CHECK_FALSE(change->report.late());
      CHECK(DayOf(change->report.published_on()) == absl::CivilDay(2026, 6, 30));
      CHECK(change->report.employees() == 12);  // stored as given
      CHECK(change->subject.last_report_year() == 2025);
      CHECK(change->subject.version() == stored.version() + 1);
      CHECK(change->event.facts().version() == change->subject.version());
      const v1::AnnualReport& shown = change->event.report();
      CHECK(shown.year() == 2025);
      CHECK(shown.postal_code() == "322000");
      CHECK(shown.websites_size() == 1);
      CHECK(shown.employees() == 0);
      CHECK_FALSE(shown.has_total_assets());
      CHECK_FALSE(shown.has_total_liabilities());
      CHECK_FALSE(shown.has_revenue());
      CHECK_FALSE(shown.has_tax_paid());
    }
  }
  WHEN("it is published a minute into 1 July, Beijing time, with public figures") {
    v1::AnnualReport report = Report(2025);
    report.set_figures_public(true);
    report.set_late(false);  // output-only: not the client's to say
    // 16:01 UTC on 30 June is 00:01 on 1 July in Beijing.
    auto change = PublishAnnualReport("r", stored, report, false,
                                      absl::FromCivil(absl::CivilSecond(2026, 6, 30, 16, 1, 0),
                                                      absl::UTCTimeZone()));
    REQUIRE(change.ok());
    CHECK(change->report.late());
    CHECK(change->event.report().late());
    CHECK(change->event.report().employees() == 12);
    CHECK(change->event.report().revenue().fen() == 880'000'00);
  }
  WHEN("an earlier year is published after a later one") {
    v1::Subject later = stored;
    later.set_last_report_year(2025);
    auto change = PublishAnnualReport("r", later, Report(2022), false, Beijing(2026, 8, 1));
    REQUIRE(change.ok());
    THEN("last_report_year stays the larger") { CHECK(change->subject.last_report_year() == 2025); }
  }
  THEN("a year already published, a year before establishment, a type that does not report "
       "are refused") {
    CHECK(PublishAnnualReport("r", stored, Report(2025), true, Beijing(2026, 5, 1)).status().code() ==
          absl::StatusCode::kAlreadyExists);
    const auto early = PublishAnnualReport("r", stored, Report(2019), false, Beijing(2026, 5, 1));
    CHECK(early.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldNames(early.status()) == std::set<std::string>{"report.year"});
    for (auto type : {v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON, v1::SUBJECT_TYPE_PUBLIC_INSTITUTION}) {
      v1::Subject other = stored;
      other.set_type(type);
      CHECK(PublishAnnualReport("r", other, Report(2025), false, Beijing(2026, 5, 1)).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
    v1::Subject gone = stored;
    gone.set_status(v1::SUBJECT_STATUS_DEREGISTERED);
    CHECK(PublishAnnualReport("r", gone, Report(2025), false, Beijing(2026, 5, 1)).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
}

SCENARIO("the annual-report listing is due from 1 July for last year's report") {
  CHECK_FALSE(DueReportYear(absl::CivilDay(2026, 6, 30)).has_value());
  CHECK(DueReportYear(absl::CivilDay(2026, 7, 1)) == 2025);
  CHECK(DueReportYear(absl::CivilDay(2026, 12, 31)) == 2025);
  CHECK_FALSE(DueReportYear(absl::CivilDay(2027, 1, 1)).has_value());
}

SCENARIO("who the annual-report listing lists") {
  const absl::CivilDay as_of(2026, 7, 1);
  const absl::Time now = Beijing(2026, 7, 2, 8, 0);  // a run resumed the day after
  const auto decide = [&](const v1::Subject& s, bool on_file = false) {
    return DecideAnnualReportListing(s, 2025, on_file, as_of, now);
  };

  GIVEN("an enterprise established on 31 December 2025 without its 2025 report") {
    const v1::Subject s = Enterprise(1, DateOf(2025, 12, 31));
    const ClockDecision d = decide(s);
    REQUIRE(d.outcome == clock_outcome::kListed);
    REQUIRE(d.after.has_value());
    THEN("it is listed by the registry itself, for 2025, on the run's day") {
      const v1::Subject& after = *d.after;
      CHECK(after.status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
      CHECK(after.abnormal_reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
      CHECK(after.unreported_year() == 2025);
      CHECK(DayOf(after.abnormal_listed_on()) == as_of);
      CHECK(after.version() == s.version() + 1);
      REQUIRE(after.status_history_size() == 1);
      const v1::StatusChange& record = after.status_history(0);
      CHECK(record.action() == v1::STATUS_ACTION_LIST_ABNORMAL);
      CHECK(record.from() == v1::SUBJECT_STATUS_NORMAL);
      CHECK(record.note() == "未按规定报送2025年度报告");
      CHECK(record.department().code().empty());
      const auto& event = std::get<v1::SubjectStatusChanged>(d.event);
      CHECK(event.change().reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
      CHECK(event.facts().status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
      CHECK(event.facts().version() == after.version());
    }
  }
  THEN("an individual business and a farmers' cooperative are listed too") {
    for (auto type : {v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS, v1::SUBJECT_TYPE_FARMERS_COOPERATIVE}) {
      v1::Subject s = Enterprise(2, DateOf(2024, 1, 1));
      s.set_type(type);
      CHECK(decide(s).outcome == clock_outcome::kListed);
    }
  }
  THEN("nothing was due of one established on 1 January 2026") {
    const ClockDecision d = decide(Enterprise(3, DateOf(2026, 1, 1)));
    CHECK(d.outcome == clock_outcome::kEstablishedAfterYear);
    CHECK_FALSE(d.after.has_value());
  }
  THEN("types that publish no report here are never listed") {
    for (auto type : {v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON, v1::SUBJECT_TYPE_PUBLIC_INSTITUTION}) {
      v1::Subject s = Enterprise(4, DateOf(2010, 1, 1));
      s.set_type(type);
      CHECK(decide(s).outcome == clock_outcome::kNotReportingType);
    }
  }
  THEN("a report on file, or last_report_year of the year itself, means reported") {
    CHECK(decide(Enterprise(5, DateOf(2010, 1, 1)), true).outcome == clock_outcome::kReported);
    v1::Subject s = Enterprise(5, DateOf(2010, 1, 1));
    s.set_last_report_year(2025);
    CHECK(decide(s).outcome == clock_outcome::kReported);
  }
  THEN("a later year reported does not cover the missing one") {
    v1::Subject s = Enterprise(6, DateOf(2010, 1, 1));
    s.set_last_report_year(2026);
    CHECK(decide(s).outcome == clock_outcome::kListed);
  }
  THEN("subjects on a list are counted, not changed; inactive ones and unknown dates are left") {
    const v1::Subject abnormal = ListedOn(absl::CivilDay(2025, 3, 1));
    CHECK(decide(abnormal).outcome == clock_outcome::kAlreadyListed);
    v1::Subject serious = Enterprise(8, DateOf(2010, 1, 1));
    serious.set_status(v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
    CHECK(decide(serious).outcome == clock_outcome::kAlreadyListed);
    v1::Subject revoked = Enterprise(9, DateOf(2010, 1, 1));
    revoked.set_status(v1::SUBJECT_STATUS_REVOKED);
    CHECK(decide(revoked).outcome == clock_outcome::kInactive);
    v1::Subject undated = Enterprise(10, DateOf(2010, 1, 1));
    undated.clear_established_on();
    CHECK(decide(undated).outcome == clock_outcome::kEstablishedUnknown);
  }
}

SCENARIO("three years on the abnormal list: the day it moves and the day it is warned") {
  CHECK(SeriousViolationDay(absl::CivilDay(2023, 3, 1)) == absl::CivilDay(2026, 3, 1));
  CHECK(WarningDay(absl::CivilDay(2023, 3, 1)) == absl::CivilDay(2025, 12, 31));
  // 29 February has no day 3 years later: the month's last day (民法典 第二百零二条).
  CHECK(SeriousViolationDay(absl::CivilDay(2024, 2, 29)) == absl::CivilDay(2027, 2, 28));
  CHECK(SeriousViolationDay(absl::CivilDay(2024, 2, 28)) == absl::CivilDay(2027, 2, 28));
  CHECK(SeriousViolationDay(absl::CivilDay(2025, 2, 28)) == absl::CivilDay(2028, 2, 28));
  // The 60 days count 29 February when the move falls after a leap day.
  CHECK(WarningDay(absl::CivilDay(2025, 3, 1)) == absl::CivilDay(2028, 1, 1));
  CHECK(WarningDay(absl::CivilDay(2026, 3, 1)) == absl::CivilDay(2028, 12, 31));
}

SCENARIO("the latest listing day due is exact on every day of four years") {
  // For each day, every listing up to the answer is due (warning day reached) and the one
  // after it is not: the scan of the index can stop there without missing anyone.
  for (absl::CivilDay today(2026, 1, 1); today < absl::CivilDay(2030, 1, 2); ++today) {
    const absl::CivilDay latest = LatestDueListingDay(today);
    INFO(absl::FormatCivilTime(today));
    REQUIRE(WarningDay(latest) <= today);
    REQUIRE(WarningDay(latest + 1) > today);
  }
}

SCENARIO("the daily expiry: warned once at 3 years − 60 days, moved at 3 years, caught up") {
  const v1::Subject listed = ListedOn(absl::CivilDay(2023, 3, 1));
  REQUIRE(DayOf(listed.abnormal_listed_on()) == absl::CivilDay(2023, 3, 1));
  const auto on = [](const v1::Subject& s, absl::CivilDay day) {
    return DecideAbnormalListExpiry(s, day, Beijing(day.year(), day.month(), day.day(), 0, 5));
  };

  CHECK(on(listed, absl::CivilDay(2025, 12, 30)).outcome == clock_outcome::kNotDue);
  const ClockDecision warned = on(listed, absl::CivilDay(2025, 12, 31));
  REQUIRE(warned.outcome == clock_outcome::kWarned);
  REQUIRE(warned.after.has_value());
  THEN("the warning names the listing and the move, and is remembered") {
    const auto& event = std::get<v1::SeriousViolationWarning>(warned.event);
    CHECK(DayOf(event.listed_on()) == absl::CivilDay(2023, 3, 1));
    CHECK(DayOf(event.move_on()) == absl::CivilDay(2026, 3, 1));
    CHECK(event.reason() == v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    CHECK(DayOf(warned.after->serious_violation_warned_on()) == absl::CivilDay(2025, 12, 31));
    CHECK(warned.after->status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
    CHECK(warned.after->version() == listed.version() + 1);
    CHECK(event.facts().version() == warned.after->version());
  }
  THEN("a warned subject is not warned again, a day later or a month later") {
    CHECK(on(*warned.after, absl::CivilDay(2026, 1, 1)).outcome == clock_outcome::kAlreadyWarned);
    CHECK(on(*warned.after, absl::CivilDay(2026, 2, 28)).outcome == clock_outcome::kAlreadyWarned);
  }
  THEN("on the third anniversary it moves to the serious violation list") {
    const ClockDecision moved = on(*warned.after, absl::CivilDay(2026, 3, 1));
    REQUIRE(moved.outcome == clock_outcome::kMoved);
    const v1::Subject& after = *moved.after;
    CHECK(after.status() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
    CHECK(after.abnormal_reason() == v1::ABNORMAL_REASON_UNSPECIFIED);
    CHECK_FALSE(after.has_abnormal_listed_on());
    CHECK_FALSE(after.has_serious_violation_warned_on());
    const v1::StatusChange& record = after.status_history(after.status_history_size() - 1);
    CHECK(record.action() == v1::STATUS_ACTION_LIST_SERIOUS_VIOLATION);
    CHECK(record.from() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
    CHECK(record.note() == "列入经营异常名录届满3年仍未移出");
    CHECK(record.department().code().empty());
    CHECK(std::get<v1::SubjectStatusChanged>(moved.event).change().to() ==
          v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
  }
  THEN("a run that missed the days catches up: moved (without a pointless warning) after them") {
    const ClockDecision late = on(listed, absl::CivilDay(2026, 5, 17));
    CHECK(late.outcome == clock_outcome::kMoved);
    CHECK(std::holds_alternative<v1::SubjectStatusChanged>(late.event));
    CHECK(on(listed, absl::CivilDay(2026, 1, 20)).outcome == clock_outcome::kWarned);
  }
  THEN("a subject that left the list is not touched") {
    v1::Subject normal = Enterprise(3, DateOf(2010, 1, 1));
    CHECK(on(normal, absl::CivilDay(2026, 3, 1)).outcome == clock_outcome::kNotAbnormal);
  }
}

SCENARIO("a subject listed before the listing day was kept: the day comes from its history") {
  v1::Subject legacy = ListedOn(absl::CivilDay(2023, 3, 1));
  legacy.clear_abnormal_listed_on();
  // 20:30 UTC on 28 February is 04:30 on 1 March in Beijing.
  *legacy.mutable_status_history(0)->mutable_time() =
      ToTimestamp(absl::FromCivil(absl::CivilSecond(2023, 2, 28, 20, 30, 0), absl::UTCTimeZone()));
  CHECK(AbnormalListingDay(legacy) == absl::CivilDay(2023, 3, 1));
  const ClockDecision warned =
      DecideAbnormalListExpiry(legacy, absl::CivilDay(2025, 12, 31), Beijing(2025, 12, 31));
  REQUIRE(warned.outcome == clock_outcome::kWarned);
  CHECK(DayOf(warned.after->abnormal_listed_on()) == absl::CivilDay(2023, 3, 1));
  v1::Subject undated = legacy;
  undated.clear_status_history();
  CHECK_FALSE(AbnormalListingDay(undated).has_value());
  CHECK(DecideAbnormalListExpiry(undated, absl::CivilDay(2030, 1, 1), Beijing(2030, 1, 1)).outcome ==
        clock_outcome::kListingDayUnknown);
}

SCENARIO("ChangeSubjectStatus keeps the abnormal list's dates") {
  const Caller caller{.department = "330782-SCJG"};
  v1::Subject s = Enterprise(1, DateOf(2018, 1, 1));
  *s.mutable_serious_violation_warned_on() = DateOf(2020, 1, 1);  // of an earlier listing
  v1::ChangeSubjectStatusRequest list;
  list.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
  list.set_reason(v1::ABNORMAL_REASON_FALSE_INFORMATION);
  // 16:30 UTC is 00:30 the next day in Beijing.
  auto listed = ChangeStatus("r", s, list, caller,
                             absl::FromCivil(absl::CivilSecond(2026, 2, 28, 16, 30, 0),
                                             absl::UTCTimeZone()));
  REQUIRE(listed.ok());
  CHECK(DayOf(listed->subject.abnormal_listed_on()) == absl::CivilDay(2026, 3, 1));
  CHECK_FALSE(listed->subject.has_serious_violation_warned_on());

  GIVEN("a listing by the clock for the missing 2025 report") {
    const ClockDecision by_clock = DecideAnnualReportListing(Enterprise(2, DateOf(2018, 1, 1)), 2025,
                                                             false, absl::CivilDay(2026, 7, 1),
                                                             Beijing(2026, 7, 1));
    REQUIRE(by_clock.after.has_value());
    v1::ChangeSubjectStatusRequest remove;
    remove.set_action(v1::STATUS_ACTION_REMOVE_ABNORMAL);
    remove.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
    WHEN("removal is asked before the report is published") {
      auto refused = ChangeStatus("subjects/x", *by_clock.after, remove, caller, Beijing(2026, 7, 5));
      THEN("FAILED_PRECONDITION names unreported_year and says how to get out") {
        CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
        CHECK_THAT(std::string(refused.status().message()),
                   Catch::Contains("unreported_year") && Catch::Contains("2025") &&
                       Catch::Contains("publishing it later"));
      }
    }
    WHEN("the report is published") {
      auto removed = ChangeStatus("subjects/x", *by_clock.after, remove, caller, Beijing(2026, 7, 5),
                                  {.unreported_year_published = true});
      REQUIRE(removed.ok());
      THEN("the subject is normal again and every date of the listing is cleared") {
        CHECK(removed->subject.status() == v1::SUBJECT_STATUS_NORMAL);
        CHECK_FALSE(removed->subject.has_abnormal_listed_on());
        CHECK(removed->subject.unreported_year() == 0);
        CHECK_FALSE(removed->subject.has_serious_violation_warned_on());
      }
    }
    WHEN("the subject is revoked instead") {
      v1::ChangeSubjectStatusRequest revoke;
      revoke.set_action(v1::STATUS_ACTION_REVOKE);
      auto revoked = ChangeStatus("r", *by_clock.after, revoke, caller, Beijing(2026, 7, 5));
      REQUIRE(revoked.ok());
      CHECK_FALSE(revoked->subject.has_abnormal_listed_on());
      CHECK(revoked->subject.unreported_year() == 0);
    }
  }
  GIVEN("a department's own listing for a missing report (no year recorded)") {
    v1::ChangeSubjectStatusRequest manual = list;
    manual.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
    auto by_hand = ChangeStatus("r", s, manual, caller, Beijing(2026, 7, 5));
    REQUIRE(by_hand.ok());
    CHECK(by_hand->subject.unreported_year() == 0);
    v1::ChangeSubjectStatusRequest remove;
    remove.set_action(v1::STATUS_ACTION_REMOVE_ABNORMAL);
    remove.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
    THEN("its removal is the department's judgement") {
      CHECK(ChangeStatus("r", by_hand->subject, remove, caller, Beijing(2026, 7, 9)).ok());
    }
  }
}

SCENARIO("output-only report fields of a registration or an import are the registry's") {
  v1::Subject input = Enterprise(1, DateOf(2018, 1, 1));
  input.set_last_report_year(2030);
  *input.mutable_abnormal_listed_on() = DateOf(2020, 1, 1);
  input.set_unreported_year(2019);
  const v1::Subject registered = NewSubject(input, Beijing(2026, 1, 1));
  CHECK(registered.last_report_year() == 0);
  CHECK_FALSE(registered.has_abnormal_listed_on());
  CHECK(registered.unreported_year() == 0);
  // A re-import of the registered data is unchanged whatever the registry has added since.
  v1::Subject stored = registered;
  stored.set_last_report_year(2025);
  CHECK(SameRegisteredData(Enterprise(1, DateOf(2018, 1, 1)), stored));
}

}  // namespace
}  // namespace jianguan::subject
