// Fairness: over many entropy values, every eligible subject of a stratum is drawn equally
// often, and the tie-break among equally loaded inspectors is uniform (chi-square tests with
// fixed inputs, so the test is deterministic).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "services/sampling/domain/draw.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

double ChiSquare(const std::vector<int64_t>& observed, double expected) {
  double sum = 0;
  for (int64_t o : observed) sum += (o - expected) * (o - expected) / expected;
  return sum;
}

SCENARIO("the draw is uniform within each stratum") {
  GIVEN("two strata of 20 and 30 eligible subjects, drawing 5 and 6, and 4,000 entropies") {
    CandidateProjection candidates;
    for (uint64_t i = 0; i < 50; ++i) {
      // Interleaved, so that list position and stratum are unrelated.
      const bool first = i % 5 < 2;
      REQUIRE(candidates
                  .Append(TestUscc(1000 + i * 31), first ? CreditGrade::kB : CreditGrade::kC,
                          first ? RiskLevel::kLow : RiskLevel::kGeneral)
                  .ok());
    }
    SamplingPlan plan = TestPlan(1);
    const int first_stratum = StratumOf(CreditGrade::kB, RiskLevel::kLow);
    const int second_stratum = StratumOf(CreditGrade::kC, RiskLevel::kGeneral);
    plan.class_rules[first_stratum] = {.ppm = 250'000, .rounding = Rounding::kUp, .max = -1};
    plan.class_rules[second_stratum] = {.ppm = 200'000, .rounding = Rounding::kUp, .max = -1};
    const InspectorPool pool = TestPool(1, 10);
    constexpr int kDraws = 4000;
    WHEN("each entropy is drawn") {
      std::vector<int64_t> first(50, 0);
      std::vector<int64_t> first_inspector(pool.size(), 0);
      for (int k = 0; k < kDraws; ++k) {
        absl::StatusOr<DrawResult> result =
            Draw(TestInput(plan, candidates, pool, "lottery " + std::to_string(k)));
        REQUIRE(result.ok());
        REQUIRE(result->tasks.size() == 11);
        for (const DrawTask& task : result->tasks) ++first[task.candidate];
        ++first_inspector[result->tasks[0].inspectors[0]];
      }
      THEN("each subject's count fits the uniform expectation (chi-square, p > 0.001)") {
        std::vector<int64_t> in_first, in_second;
        for (uint32_t i = 0; i < 50; ++i) {
          (candidates[i].stratum == first_stratum ? in_first : in_second).push_back(first[i]);
        }
        REQUIRE(in_first.size() == 20);
        REQUIRE(in_second.size() == 30);
        // Expected 4000 × 5 / 20 = 1000 and 4000 × 6 / 30 = 800; critical values for 19 and
        // 29 degrees of freedom at p = 0.001: 43.82 and 58.30.
        const double chi_first = ChiSquare(in_first, 1000.0);
        const double chi_second = ChiSquare(in_second, 800.0);
        INFO("chi-square " << chi_first << " and " << chi_second);
        CHECK(chi_first < 43.82);
        CHECK(chi_second < 58.30);
      }
      THEN("the first inspector of the first task is uniform over the equally loaded pool") {
        // 4000 / 10 = 400 each; 9 degrees of freedom at p = 0.001: 27.88.
        const double chi = ChiSquare(first_inspector, 400.0);
        INFO("chi-square " << chi);
        CHECK(chi < 27.88);
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::sampling
