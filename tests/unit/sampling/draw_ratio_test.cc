// Class ratios (DESIGN §7, docs/draw-algorithm.md §2.2 and §4): the quota of every stratum is
// exactly the documented integer formula, and a draw takes exactly that many.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>

#include "services/sampling/domain/draw.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

SCENARIO("the default class rules implement the Xi'an rule on level = max(grade, risk)") {
  const std::array<ClassRule, kStrata> rules = DefaultClassRules();
  GIVEN("the 16 strata") {
    THEN("each gets the rule of its level") {
      for (int s = 0; s < kStrata; ++s) {
        const int level = std::max(s / 4, s % 4);
        INFO(StratumName(s));
        CHECK(rules[s].full_coverage == (level == 3));
        CHECK(rules[s].ppm == std::array<int64_t, 4>{40'000, 50'000, 200'000, 1'000'000}[level]);
        CHECK(rules[s].rounding == (level == 0 ? Rounding::kDown : Rounding::kUp));
        CHECK(rules[s].min == 0);
        CHECK(rules[s].max == -1);
      }
      CHECK(StratumName(0) == "A-low");
      CHECK(StratumName(9) == "C-general");
      CHECK(StratumName(15) == "D-high");
    }
  }
  GIVEN("any stratum size") {
    THEN("low stays below 5 %, general at least 5 %, medium at least 20 %, high is everyone") {
      for (int64_t n : {0, 1, 2, 19, 20, 21, 24, 25, 49, 50, 51, 99, 100, 101, 999, 12'345,
                        1'000'003}) {
        INFO("n = " << n);
        const int64_t low = Quota(rules[StratumOf(CreditGrade::kA, RiskLevel::kLow)], n);
        CHECK(low == n * 4 / 100);
        if (n > 0) CHECK(low * 100 < 5 * n);
        const int64_t general = Quota(rules[StratumOf(CreditGrade::kB, RiskLevel::kLow)], n);
        CHECK(general == (n * 50'000 + 999'999) / 1'000'000);
        CHECK(general * 100 >= 5 * n);
        const int64_t medium = Quota(rules[StratumOf(CreditGrade::kA, RiskLevel::kMedium)], n);
        CHECK(medium == (n * 200'000 + 999'999) / 1'000'000);
        CHECK(medium * 100 >= 20 * n);
        CHECK(Quota(rules[StratumOf(CreditGrade::kD, RiskLevel::kLow)], n) == n);
        CHECK(Quota(rules[StratumOf(CreditGrade::kA, RiskLevel::kHigh)], n) == n);
      }
    }
  }
}

SCENARIO("a plan's minimum and maximum clamp the ratio, and the stratum size caps both") {
  const ClassRule rule{.ppm = 100'000, .rounding = Rounding::kUp, .min = 3, .max = 5};
  CHECK(Quota(rule, 10) == 3);   // 1 → min 3
  CHECK(Quota(rule, 40) == 4);   // 4
  CHECK(Quota(rule, 100) == 5);  // 10 → max 5
  CHECK(Quota(rule, 2) == 2);    // min 3 → only 2 exist
  CHECK(Quota(rule, 0) == 0);
  CHECK(Quota({.ppm = 0, .rounding = Rounding::kUp, .max = -1}, 1000) == 0);
  CHECK(Quota({.ppm = 1, .rounding = Rounding::kUp, .max = -1}, 1) == 1);  // any share rounds up
  CHECK(Quota({.ppm = 999'999, .rounding = Rounding::kDown, .max = -1}, 1) == 0);
}

SCENARIO("a draw takes exactly each stratum's quota of its eligible subjects") {
  GIVEN("3,200 candidates spread over the 16 strata, some filtered out or recently drawn") {
    CandidateProjection candidates;
    std::array<int64_t, kStrata> eligible{};
    for (uint64_t i = 0; i < 3200; ++i) {
      const int s = static_cast<int>((i * 7 + i / 16) % kStrata);
      const bool filtered_out = i % 23 == 0;
      const bool recent = i % 11 == 0;
      REQUIRE(candidates
                  .Append(TestUscc(i * 97), static_cast<CreditGrade>(s / 4),
                          static_cast<RiskLevel>(s % 4),
                          {.filtered_out = filtered_out, .recent = recent})
                  .ok());
      const bool full = std::max(s / 4, s % 4) == 3;
      if (!filtered_out && (!recent || full)) ++eligible[s];
    }
    SamplingPlan plan = TestPlan(2);
    plan.class_rules[StratumOf(CreditGrade::kB, RiskLevel::kGeneral)] =
        ClassRule{.ppm = 100'000, .rounding = Rounding::kUp, .min = 30, .max = 60};
    const InspectorPool pool = TestPool(2, 40);
    WHEN("it is drawn") {
      absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool));
      REQUIRE(result.ok());
      THEN("the strata summary and the tasks follow the documented quotas exactly") {
        std::array<int64_t, kStrata> drawn{};
        for (const DrawTask& task : result->tasks) {
          const CandidateRecord& record = candidates[task.candidate];
          CHECK_FALSE(record.flags & CandidateRecord::kFilteredOut);
          if (record.flags & CandidateRecord::kRecent) {
            CHECK(plan.class_rules[record.stratum].full_coverage);
          }
          ++drawn[record.stratum];
        }
        int64_t total = 0;
        for (int s = 0; s < kStrata; ++s) {
          INFO(StratumName(s));
          CHECK(result->strata[s].candidates == 200);
          CHECK(result->strata[s].eligible == eligible[s]);
          CHECK(result->strata[s].quota == Quota(plan.class_rules[s], eligible[s]));
          CHECK(drawn[s] == result->strata[s].quota);
          total += drawn[s];
        }
        CHECK(result->strata[StratumOf(CreditGrade::kB, RiskLevel::kGeneral)].quota == 30);
        CHECK(static_cast<int64_t>(result->tasks.size()) == total);
        CHECK(result->visits_saved == total);  // two departments, one visit each saved
        for (size_t t = 1; t < result->tasks.size(); ++t) {
          CHECK(result->tasks[t - 1].candidate < result->tasks[t].candidate);  // by USCC
        }
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::sampling
