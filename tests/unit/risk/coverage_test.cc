// The share of high-risk subjects inspected (高风险主体检查覆盖率, a loop KPI of issue #21):
// the inspection days a subject's record keeps (distinct, newest first, bounded, whatever the
// order the events come in), whether a subject was inspected in a period, and the count over
// subjects: only those at RISK_LEVEL_HIGH, the share in parts per million.
#include "services/risk/domain/coverage.h"

#include <catch2/catch.hpp>

#include <vector>

#include "libs/core/civil_date.h"

namespace jianguan::risk {
namespace {

std::vector<absl::CivilDay> Days(const v1::SubjectRecord& subject) {
  std::vector<absl::CivilDay> days;
  for (const common::v1::Date& date : subject.inspection_dates()) days.push_back(DayOf(date));
  return days;
}

v1::SubjectRecord Subject(v1::RiskLevel level, std::vector<absl::CivilDay> inspected) {
  v1::SubjectRecord subject;
  subject.mutable_risk()->set_level(level);
  for (absl::CivilDay day : inspected) RecordInspection(subject, day);
  return subject;
}

SCENARIO("a subject's record keeps the days it was inspected, newest first") {
  GIVEN("a subject inspected on 10 September, then results of 18 and 1 September arriving") {
    v1::SubjectRecord subject;
    CHECK(RecordInspection(subject, absl::CivilDay(2026, 9, 10)));
    CHECK(RecordInspection(subject, absl::CivilDay(2026, 9, 18)));
    CHECK(RecordInspection(subject, absl::CivilDay(2026, 9, 1)));
    THEN("the days are in order, newest first") {
      CHECK(Days(subject) == std::vector<absl::CivilDay>{absl::CivilDay(2026, 9, 18),
                                                         absl::CivilDay(2026, 9, 10),
                                                         absl::CivilDay(2026, 9, 1)});
    }
    WHEN("the same day comes again (the result submitted, then reviewed)") {
      THEN("nothing changes") {
        CHECK_FALSE(RecordInspection(subject, absl::CivilDay(2026, 9, 10)));
        CHECK(Days(subject).size() == 3);
      }
    }
  }
  GIVEN("a subject whose record holds the 20 days it keeps") {
    v1::SubjectRecord subject;
    for (int day = 1; day <= kMaxInspectionDates; ++day) {
      REQUIRE(RecordInspection(subject, absl::CivilDay(2026, 3, day)));
    }
    WHEN("a newer day comes") {
      CHECK(RecordInspection(subject, absl::CivilDay(2026, 4, 1)));
      THEN("the oldest goes") {
        REQUIRE(Days(subject).size() == static_cast<size_t>(kMaxInspectionDates));
        CHECK(Days(subject).front() == absl::CivilDay(2026, 4, 1));
        CHECK(Days(subject).back() == absl::CivilDay(2026, 3, 2));
      }
    }
    WHEN("a day older than all of them comes") {
      THEN("it is not kept") {
        CHECK_FALSE(RecordInspection(subject, absl::CivilDay(2026, 2, 1)));
        CHECK(Days(subject).back() == absl::CivilDay(2026, 3, 1));
      }
    }
  }
}

SCENARIO("whether a subject was inspected in a period") {
  const v1::SubjectRecord subject =
      Subject(v1::RISK_LEVEL_HIGH, {absl::CivilDay(2025, 12, 31), absl::CivilDay(2026, 6, 1)});
  CHECK(InspectedWithin(subject, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31)));
  CHECK(InspectedWithin(subject, absl::CivilDay(2025, 12, 31), absl::CivilDay(2025, 12, 31)));
  CHECK_FALSE(InspectedWithin(subject, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 5, 31)));
  CHECK_FALSE(InspectedWithin(Subject(v1::RISK_LEVEL_HIGH, {}), absl::CivilDay(2000, 1, 1),
                              absl::CivilDay(2100, 1, 1)));
}

SCENARIO("the share of high-risk subjects inspected this year") {
  GIVEN("three high-risk subjects (one inspected this year, one last year, one never) and a "
        "medium one inspected this year") {
    const absl::CivilDay first(2026, 1, 1), last(2026, 9, 21);
    const std::vector<v1::SubjectRecord> subjects = {
        Subject(v1::RISK_LEVEL_HIGH, {absl::CivilDay(2026, 9, 18)}),
        Subject(v1::RISK_LEVEL_HIGH, {absl::CivilDay(2025, 6, 1)}),
        Subject(v1::RISK_LEVEL_HIGH, {}),
        Subject(v1::RISK_LEVEL_MEDIUM, {absl::CivilDay(2026, 9, 10)}),
    };
    v1::HighRiskCoverage coverage;
    for (const v1::SubjectRecord& subject : subjects) AddToCoverage(coverage, subject, first, last);
    THEN("1 of 3 high-risk subjects was inspected: 333,333 ppm") {
      CHECK(coverage.high_risk_subjects() == 3);
      CHECK(coverage.inspected() == 1);
      CHECK(coverage.inspected_ppm() == 333'333);
    }
  }
  GIVEN("no high-risk subject") {
    v1::HighRiskCoverage coverage;
    AddToCoverage(coverage, Subject(v1::RISK_LEVEL_LOW, {absl::CivilDay(2026, 1, 2)}),
                  absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31));
    THEN("the share is 0, not a division by zero") {
      CHECK(coverage.high_risk_subjects() == 0);
      CHECK(coverage.inspected() == 0);
      CHECK(coverage.inspected_ppm() == 0);
    }
  }
}

}  // namespace
}  // namespace jianguan::risk
