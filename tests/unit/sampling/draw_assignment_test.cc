// Inspector assignment (docs/draw-algorithm.md §6–§7): every constraint holds on every task,
// workloads are even, and a plan that cannot be staffed fails with its reason.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "services/sampling/domain/draw.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

CandidateProjection FullCoverage(int n, uint64_t offset = 0,
                                 std::map<int, std::vector<std::string>> last = {}) {
  CandidateProjection candidates;
  for (int i = 0; i < n; ++i) {
    CandidateMarks marks;
    if (last.count(i)) marks.last_inspectors = last[i];
    REQUIRE(candidates.Append(TestUscc(offset + i), CreditGrade::kD, RiskLevel::kLow, marks).ok());
  }
  return candidates;
}

SCENARIO("every task of a joint plan is staffed within every constraint") {
  GIVEN("two departments, three inspectors a task, and a pool with every kind of exclusion") {
    SamplingPlan plan = TestPlan(2);
    plan.inspectors_per_task = 3;
    plan.max_tasks_per_inspector = 30;
    std::vector<Inspector> inspectors;
    for (int d = 1; d <= 2; ++d) {
      for (int i = 1; i <= 12; ++i) inspectors.push_back(TestInspector(d, i));
    }
    inspectors[0].items.pop_back();           // D1-0001 not authorised for ITEM-2
    inspectors[1].valid_until = "2024-05-31";  // D1-0002 certificate expired the day before
    inspectors[13].valid_from = "2024-06-02";  // D2-0002 certificate not yet valid
    inspectors[2].conflicts = {TestUscc(3), TestUscc(4)};
    inspectors[14].conflicts = {TestUscc(3)};
    Inspector outsider = TestInspector(3, 1);  // a department not in the plan
    inspectors.push_back(outsider);
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    const CandidateProjection candidates =
        FullCoverage(60, 0, {{3, {"D1-0004", "D2-0005"}}, {10, {"D1-0006"}}});
    WHEN("it is drawn") {
      absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool));
      REQUIRE(result.ok());
      THEN("each task has one qualified inspector per department first, none excluded") {
        REQUIRE(result->tasks.size() == 60);
        CHECK(result->visits_saved == 60);
        std::vector<int64_t> loads(pool.size(), 0);
        for (const DrawTask& task : result->tasks) {
          REQUIRE(task.inspectors.size() == 3);
          CHECK(std::set<uint32_t>(task.inspectors.begin(), task.inspectors.end()).size() == 3);
          CHECK(pool[task.inspectors[0]].department_id == "DEPT-1");
          CHECK(pool[task.inspectors[1]].department_id == "DEPT-2");
          const std::string uscc = UnpackUscc(candidates[task.candidate].uscc);
          for (uint32_t p : task.inspectors) {
            const Inspector& inspector = pool[p];
            INFO(inspector.id << " on " << uscc);
            CHECK(inspector.department_id != "DEPT-3");
            CHECK(inspector.items.size() == 2);
            CHECK(inspector.valid_from <= plan.inspection_date);
            CHECK(plan.inspection_date <= inspector.valid_until);
            CHECK(std::find(inspector.conflicts.begin(), inspector.conflicts.end(), uscc) ==
                  inspector.conflicts.end());
            const auto last = candidates.LastInspectors(task.candidate);
            CHECK(std::find(last.begin(), last.end(), inspector.id) == last.end());
            ++loads[p];
          }
        }
        CHECK(loads == result->loads);
        for (uint32_t p : {0u, 1u, 13u, 24u}) CHECK(loads[p] == 0);  // never qualified
        AND_THEN("the workload is as even as the constraints allow") {
          // 180 slots over the 21 qualified inspectors: 8 or 9 each.
          for (uint32_t p = 0; p < pool.size(); ++p) {
            if (p == 0 || p == 1 || p == 13 || p == 24) continue;
            INFO(pool[p].id);
            CHECK(loads[p] >= 8);
            CHECK(loads[p] <= 9);
          }
        }
      }
    }
  }
  GIVEN("one department and two inspectors a task") {
    const SamplingPlan plan = TestPlan(1);
    const InspectorPool pool = TestPool(1, 7);
    const CandidateProjection candidates = FullCoverage(50);
    THEN("both inspectors come from it, and loads differ by at most one") {
      absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool));
      REQUIRE(result.ok());
      CHECK(result->visits_saved == 0);
      for (const DrawTask& task : result->tasks) {
        REQUIRE(task.inspectors.size() == 2);
        CHECK(task.inspectors[0] != task.inspectors[1]);
      }
      const auto [low, high] = std::minmax_element(result->loads.begin(), result->loads.end());
      CHECK(*high - *low <= 1);
    }
  }
}

SCENARIO("a plan that cannot be staffed fails with the reason, never partly") {
  DrawFailure failure;
  GIVEN("a department none of whose inspectors is authorised for its items") {
    const SamplingPlan plan = TestPlan(2);
    std::vector<Inspector> inspectors;
    for (int i = 1; i <= 3; ++i) {
      inspectors.push_back(TestInspector(1, i));
      inspectors.push_back(TestInspector(2, i));
      inspectors.back().items = {"DEPT-2-ITEM-1"};
    }
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    const CandidateProjection candidates = FullCoverage(5);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the capacity check names the department and the reason") {
      REQUIRE(result.status().code() == absl::StatusCode::kFailedPrecondition);
      CHECK(failure.reason == "capacity of department");
      CHECK(failure.slot == "DEPT-2");
      CHECK(failure.excluded[static_cast<int>(Exclusion::kNotAuthorised)] == 3);
      CHECK(failure.excluded[static_cast<int>(Exclusion::kOtherDepartment)] == 3);
      CHECK(absl::StrContains(result.status().message(), "not_authorised 3"));
    }
  }
  GIVEN("certificates that all expired before the inspection date") {
    const SamplingPlan plan = TestPlan(1);
    std::vector<Inspector> inspectors = {TestInspector(1, 1), TestInspector(1, 2)};
    for (Inspector& inspector : inspectors) inspector.valid_until = "2024-05-31";
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    const CandidateProjection candidates = FullCoverage(1);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the report counts the invalid certificates") {
      REQUIRE_FALSE(result.ok());
      CHECK(failure.excluded[static_cast<int>(Exclusion::kCertificateNotValid)] == 2);
    }
  }
  GIVEN("more tasks than the inspectors may take") {
    SamplingPlan plan = TestPlan(1);
    plan.max_tasks_per_inspector = 2;
    const InspectorPool pool = TestPool(1, 3);  // 6 slots; 4 tasks need 8
    const CandidateProjection candidates = FullCoverage(4);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the total capacity check fails before anything is drawn") {
      REQUIRE_FALSE(result.ok());
      CHECK(failure.reason == "total capacity");
      CHECK(failure.task == 0);
    }
  }
  GIVEN("a subject every inspector of the department declared a conflict with") {
    const SamplingPlan plan = TestPlan(1);
    std::vector<Inspector> inspectors;
    for (int i = 1; i <= 4; ++i) {
      inspectors.push_back(TestInspector(1, i));
      inspectors.back().conflicts = {TestUscc(2)};
    }
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    const CandidateProjection candidates = FullCoverage(4);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the report names the task, its subject, the department and the conflicts") {
      REQUIRE_FALSE(result.ok());
      CHECK(failure.reason == "no eligible inspector");
      CHECK(failure.task == 3);
      CHECK(failure.uscc == TestUscc(2));
      CHECK(failure.slot == "DEPT-1");
      CHECK(failure.excluded[static_cast<int>(Exclusion::kConflictDeclared)] == 4);
      CHECK(absl::StrContains(result.status().message(), "task 3 (" + TestUscc(2) + ")"));
    }
  }
  GIVEN("two inspectors, one of whom inspected the subject last time") {
    const SamplingPlan plan = TestPlan(1);
    const InspectorPool pool = TestPool(1, 2);
    const CandidateProjection candidates = FullCoverage(1, 0, {{0, {"D1-0002"}}});
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the second slot cannot be filled, and the report says why") {
      REQUIRE_FALSE(result.ok());
      CHECK(failure.task == 1);
      CHECK(failure.excluded[static_cast<int>(Exclusion::kAlreadyOnTask)] == 1);
      CHECK(failure.excluded[static_cast<int>(Exclusion::kLastInspector)] == 1);
    }
  }
  GIVEN("inspectors already at their maximum part way through") {
    SamplingPlan plan = TestPlan(1);
    plan.max_tasks_per_inspector = 2;
    std::vector<Inspector> inspectors;
    for (int i = 1; i <= 3; ++i) inspectors.push_back(TestInspector(1, i));
    inspectors[2].conflicts = {TestUscc(2)};
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    // 3 tasks need 6 of 6 slots; D1-0003 may not take task 3, so two others are full by then.
    const CandidateProjection candidates = FullCoverage(3);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool), &failure);
    THEN("the draw fails naming the capacity") {
      REQUIRE_FALSE(result.ok());
      CHECK(failure.task == 3);
      CHECK(failure.excluded[static_cast<int>(Exclusion::kConflictDeclared)] == 1);
      CHECK(failure.excluded[static_cast<int>(Exclusion::kAtCapacity)] +
                failure.excluded[static_cast<int>(Exclusion::kAlreadyOnTask)] == 2);
    }
  }
}

SCENARIO("bad plans and inputs are refused before drawing") {
  const InspectorPool pool = TestPool(1, 4);
  const CandidateProjection candidates = FullCoverage(2);
  GIVEN("one inspector a task") {
    SamplingPlan plan = TestPlan(1);
    plan.inspectors_per_task = 1;
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool));
    THEN("the Administrative Penalty Law is cited") {
      REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StrContains(result.status().message(), "第四十二条"));
    }
  }
  GIVEN("a joint plan of three departments with two inspectors a task") {
    SamplingPlan plan = TestPlan(3);
    absl::StatusOr<DrawResult> result = Draw(TestInput(plan, candidates, pool));
    THEN("it is refused") { CHECK(result.status().code() == absl::StatusCode::kInvalidArgument); }
  }
  GIVEN("a secret that does not match the published commitment") {
    const SamplingPlan plan = TestPlan(1);
    DrawInput input = TestInput(plan, candidates, pool);
    input.secret = TestSecret(1);
    absl::StatusOr<DrawResult> result = Draw(input);
    THEN("it is refused") {
      REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StrContains(result.status().message(), "commitment"));
    }
  }
}

}  // namespace
}  // namespace jianguan::sampling
