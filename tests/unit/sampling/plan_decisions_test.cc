// The plan's decisions that live in the domain: who may move a plan, the stale-version rule
// of a draft's revision, the frequency rule read at approval, and what a draw's result
// becomes (tasks, histories, TaskDrawn, the failure report). No store: plain messages in,
// messages out.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/core/field_violations.h"
#include "services/sampling/domain/draw_history.h"
#include "services/sampling/domain/draw_outcome.h"
#include "services/sampling/domain/drawn_tasks.h"
#include "services/sampling/domain/plan_lifecycle.h"
#include "services/sampling/domain/plan_rules.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using testing::TestPool;
using testing::TestUscc;

// A plan of one department with items JG-1 and JG-2, inspected on 2026-06-15.
v1::Plan PlanOf(const std::string& plan_id, int frequency_months) {
  v1::Plan plan;
  plan.set_plan_id(plan_id);
  plan.mutable_initiating_department()->set_code("330700-SCJG");
  v1::PlanDepartment* department = plan.add_departments();
  department->mutable_department()->set_code("330700-SCJG");
  for (const char* code : {"JG-1", "JG-2"}) department->add_items()->set_code(code);
  plan.mutable_inspection_date()->set_year(2026);
  plan.mutable_inspection_date()->set_month(6);
  plan.mutable_inspection_date()->set_day(15);
  plan.set_frequency_months(frequency_months);
  return plan;
}

SCENARIO("only the initiating department moves its plan") {
  const v1::Plan plan = PlanOf("2026-jh-1", 12);
  GIVEN("a caller of the initiating department") {
    const Caller caller{.department = "330700-SCJG"};
    THEN("it may approve") { CHECK(RequireInitiator(caller, plan, "approve").ok()); }
  }
  GIVEN("a caller of another department, even with a role") {
    const Caller caller{.department = "330700-WSJ", .roles = {"draw-auditor"}};
    WHEN("it asks to draw") {
      const absl::Status status = RequireInitiator(caller, plan, "draw");
      THEN("it is refused, naming the plan and both departments") {
        CHECK(absl::IsPermissionDenied(status));
        CHECK(status.message() ==
              "only the initiating department 330700-SCJG may draw plans/2026-jh-1; the caller "
              "is 330700-WSJ");
      }
    }
  }
}

SCENARIO("a draft is revised only from the version the client saw") {
  v1::Plan current = NewDraft(PlanOf("2026-jh-1", 12), google::protobuf::Timestamp());
  current.set_version(3);
  current.mutable_create_time()->set_seconds(1000);
  v1::Plan revised = PlanOf("2026-jh-1", 6);
  WHEN("the client expected another version") {
    auto result = RevisedDraft(current, revised, 2);
    THEN("it is FAILED_PRECONDITION: stale version") {
      CHECK(absl::IsFailedPrecondition(result.status()));
      CHECK(absl::StrContains(result.status().message(), "stale version"));
    }
  }
  WHEN("the client expected the current version") {
    auto result = RevisedDraft(current, revised, 3);
    THEN("the revision is a draft that keeps the creation time") {
      REQUIRE(result.ok());
      CHECK(result->name() == "plans/2026-jh-1");
      CHECK(result->state() == v1::PLAN_STATE_DRAFT);
      CHECK(result->frequency_months() == 6);
      CHECK(result->create_time().seconds() == 1000);
    }
  }
}

// The frequency rule of PlanOf with its inspection date moved to `iso_date`.
FrequencyRule RuleAt(const std::string& iso_date, int frequency_months) {
  v1::Plan plan = PlanOf("p", frequency_months);
  plan.mutable_inspection_date()->set_year(std::stoi(iso_date.substr(0, 4)));
  plan.mutable_inspection_date()->set_month(std::stoi(iso_date.substr(5, 2)));
  plan.mutable_inspection_date()->set_day(std::stoi(iso_date.substr(8, 2)));
  return FrequencyRule(plan);
}

// A history with one visit for `item` on `iso_date`, recorded as a draw records it.
v1::SubjectHistory VisitedOn(const std::string& iso_date, const std::string& item = "JG-2") {
  v1::SubjectHistory history;
  AddVisit(history, item, iso_date);
  return history;
}

SCENARIO("calendar months move the day of the month, clamped to the month's end") {
  CHECK(MonthsBefore("2026-06-15", 3) == "2026-03-15");
  CHECK(MonthsAfter("2026-06-15", 3) == "2026-09-15");
  CHECK(MonthsBefore("2026-02-15", 3) == "2025-11-15");
  CHECK(MonthsAfter("2026-11-30", 3) == "2027-02-28");
  CHECK(MonthsAfter("2026-01-31", 1) == "2026-02-28");
  CHECK(MonthsAfter("2024-01-31", 1) == "2024-02-29");
  CHECK(MonthsBefore("2026-03-31", 1) == "2026-02-28");
  CHECK(MonthsBefore("2026-05-31", 3) == "2026-02-28");
  CHECK(MonthsAfter("2026-05-31", 3) == "2026-08-31");
  CHECK(MonthsBefore("2026-06-15", 0) == "2026-06-15");
  CHECK(MonthsAfter("2026-06-15", 120) == "2036-06-15");
}

SCENARIO("a subject visited for a plan item less than the months before or after is recent") {
  GIVEN("a plan inspected on 2026-06-15 with a frequency of 3 months") {
    const FrequencyRule rule = RuleAt("2026-06-15", 3);
    THEN("a visit exactly 3 months before does not count: not again *within* 3 months") {
      CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-03-15")));
    }
    THEN("one day later it does") { CHECK(rule.DrawnRecently(VisitedOn("2026-03-16"))); }
    THEN("a visit on the inspection date counts") {
      CHECK(rule.DrawnRecently(VisitedOn("2026-06-15")));
    }
    THEN("a visit one day before the window's end counts") {
      CHECK(rule.DrawnRecently(VisitedOn("2026-09-14")));
    }
    THEN("a visit exactly 3 months after does not") {
      CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-09-15")));
    }
    THEN("a visit far later does not") {
      CHECK_FALSE(rule.DrawnRecently(VisitedOn("2027-06-15")));
    }
    THEN("a visit for an item the plan does not name never counts") {
      CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-06-15", "JG-9")));
    }
    THEN("an earlier visit inside the window counts although a later one lies outside") {
      v1::SubjectHistory history = VisitedOn("2026-12-01");
      AddVisit(history, "JG-2", "2026-05-01");
      CHECK(history.last_drawn().at("JG-2") == "2026-12-01");
      CHECK(rule.DrawnRecently(history));
    }
    THEN("a record with last_drawn only (written before visit days) is read as one visit") {
      v1::SubjectHistory legacy;
      (*legacy.mutable_last_drawn())["JG-1"] = "2026-04-01";
      CHECK(rule.DrawnRecently(legacy));
      (*legacy.mutable_last_drawn())["JG-1"] = "2026-03-15";
      CHECK_FALSE(rule.DrawnRecently(legacy));
    }
  }
  GIVEN("a plan of 2026-02-15 with 3 months, and a subject drawn for 2026-12-01 (issue #18)") {
    THEN("the later draw is outside the window") {
      CHECK_FALSE(RuleAt("2026-02-15", 3).DrawnRecently(VisitedOn("2026-12-01")));
    }
    THEN("a draw for 2026-05-14 is inside it and one for 2026-05-15 is not") {
      CHECK(RuleAt("2026-02-15", 3).DrawnRecently(VisitedOn("2026-05-14")));
      CHECK_FALSE(RuleAt("2026-02-15", 3).DrawnRecently(VisitedOn("2026-05-15")));
    }
  }
  GIVEN("a plan of 2026-05-31 with 3 months: the window is 2026-02-28 … 2026-08-31, open") {
    const FrequencyRule rule = RuleAt("2026-05-31", 3);
    CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-02-28")));
    CHECK(rule.DrawnRecently(VisitedOn("2026-03-01")));
    CHECK(rule.DrawnRecently(VisitedOn("2026-08-30")));
    CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-08-31")));
  }
  GIVEN("a plan with a frequency of 0 months") {
    const FrequencyRule rule = RuleAt("2026-06-15", 0);
    THEN("nobody is recent, not even visited on the same day") {
      CHECK_FALSE(rule.DrawnRecently(VisitedOn("2026-06-15")));
    }
  }
}

SCENARIO("a subject's visit days are kept per item, ascending and unique") {
  v1::SubjectHistory history;
  AddVisit(history, "JG-1", "2026-03-01");
  AddVisit(history, "JG-1", "2025-03-01");
  AddVisit(history, "JG-1", "2026-03-01");
  AddVisit(history, "JG-1", "2025-09-01");
  const auto& dates = history.visits().at("JG-1").dates();
  CHECK(std::vector<std::string>(dates.begin(), dates.end()) ==
        std::vector<std::string>{"2025-03-01", "2025-09-01", "2026-03-01"});
  CHECK(history.last_drawn().at("JG-1") == "2026-03-01");
}

SCENARIO("a subject's draws and published inspections make one history") {
  v1::SubjectHistory drawn;
  (*drawn.mutable_last_drawn())["JG-1"] = "2026-03-01";
  drawn.add_last_inspectors("SC-1");
  drawn.add_last_inspectors("SC-3");
  drawn.set_last_plan("2026-jh-1");  // written before last_visit existed
  v1::SubjectHistory inspected;

  WHEN("a result of an earlier day is recorded") {
    RecordInspection(inspected, {"JG-1", "JG-3"}, "2026-02-10", {"WS-2", "WS-1"}, "");
    const v1::SubjectHistory merged = MergedHistory(drawn, inspected);
    THEN("each item keeps its later visit, and the drawn inspectors stay the last ones") {
      CHECK(merged.last_drawn().at("JG-1") == "2026-03-01");
      CHECK(merged.last_drawn().at("JG-3") == "2026-02-10");
      CHECK(merged.visits().at("JG-1").dates_size() == 1);  // the draw wrote no visit days
      CHECK(merged.visits().at("JG-1").dates(0) == "2026-02-10");
      CHECK(std::vector<std::string>(merged.last_inspectors().begin(),
                                     merged.last_inspectors().end()) ==
            std::vector<std::string>{"SC-1", "SC-3"});
      CHECK(merged.last_plan() == "2026-jh-1");
    }
  }
  WHEN("a result of the drawn day is recorded, then an older result arrives") {
    RecordInspection(inspected, {"JG-1"}, "2026-03-01", {"SC-2", "SC-1"}, "2026-jh-1");
    RecordInspection(inspected, {"JG-1"}, "2025-12-01", {"SC-9", "SC-8"}, "");
    const v1::SubjectHistory merged = MergedHistory(drawn, inspected);
    THEN("those who signed on the drawn day are the last inspectors, sorted") {
      CHECK(inspected.last_drawn().at("JG-1") == "2026-03-01");
      CHECK(std::vector<std::string>(merged.last_inspectors().begin(),
                                     merged.last_inspectors().end()) ==
            std::vector<std::string>{"SC-1", "SC-2"});
      CHECK(merged.last_visit() == "2026-03-01");
    }
  }
  WHEN("a later result is recorded twice") {
    RecordInspection(inspected, {"JG-2"}, "2026-05-20", {"SC-3", "SC-2"}, "");
    const v1::SubjectHistory once = inspected;
    RecordInspection(inspected, {"JG-2"}, "2026-05-20", {"SC-3", "SC-2"}, "");
    THEN("the replay changes nothing and the later visit wins the merge") {
      CHECK(google::protobuf::util::MessageDifferencer::Equals(inspected, once));
      const v1::SubjectHistory merged = MergedHistory(drawn, inspected);
      CHECK(merged.last_drawn().at("JG-2") == "2026-05-20");
      CHECK(merged.last_inspectors(0) == "SC-2");
      CHECK(merged.last_plan().empty());
    }
  }
}

SCENARIO("a draw's result becomes tasks, histories and TaskDrawn events") {
  const v1::Plan plan = PlanOf("2026-jh-1", 12);
  const SamplingPlan draw_plan = testing::TestPlan();
  CandidateProjection candidates;
  for (uint64_t n = 1; n <= 3; ++n) {
    REQUIRE(candidates.Append(TestUscc(n), CreditGrade::kB, RiskLevel::kGeneral, {}).ok());
  }
  const InspectorPool pool = TestPool(1, 3);
  const DrawInput input = testing::TestInput(draw_plan, candidates, pool);
  DrawResult result;
  result.tasks.push_back({.candidate = 2, .inspectors = {2, 0}});
  // The tasks go through the store's packing, as the recorder reads them.
  const std::vector<std::string> chunks = PackTasks(input, result);
  REQUIRE(chunks.size() == 1);
  const absl::StatusOr<std::vector<DrawnTask>> drawn = UnpackTasks(chunks[0], pool.size());
  REQUIRE(drawn.ok());
  REQUIRE(drawn->size() == 1);
  const DrawOutcome outcome(plan, pool);

  WHEN("the task is built") {
    const v1::Task task = outcome.Task(1, (*drawn)[0]);
    THEN("it is number 1, for the drawn candidate, with its inspectors in slot order") {
      CHECK(task.task_number() == 1);
      CHECK(task.uscc() == TestUscc(3));
      REQUIRE(task.inspectors_size() == 2);
      CHECK(task.inspectors(0).inspector_id() == pool[2].id);
      CHECK(task.inspectors(0).certificate_no() == pool[2].certificate_no);
      CHECK(task.inspectors(1).department().code() == pool[0].department_id);
    }
    AND_WHEN("the subject's history is recorded over an older one") {
      v1::SubjectHistory before;
      (*before.mutable_last_drawn())["JG-9"] = "2024-01-01";
      before.add_last_inspectors("OLD");
      const v1::SubjectHistory after = outcome.HistoryAfter(task, before);
      THEN("every plan item is drawn on the inspection date, other items stay") {
        CHECK(after.last_drawn().at("JG-1") == "2026-06-15");
        CHECK(after.last_drawn().at("JG-2") == "2026-06-15");
        CHECK(after.last_drawn().at("JG-9") == "2024-01-01");
        CHECK(after.visits().at("JG-1").dates(0) == "2026-06-15");
      }
      THEN("the task's inspectors, sorted, are the last ones, of this plan") {
        REQUIRE(after.last_inspectors_size() == 2);
        CHECK(after.last_inspectors(0) == pool[0].id);
        CHECK(after.last_inspectors(1) == pool[2].id);
        CHECK(after.last_plan() == "2026-jh-1");
      }
    }
    AND_WHEN("the subject already has a visit after this plan's inspection date") {
      v1::SubjectHistory before;
      AddVisit(before, "JG-1", "2026-09-01");
      before.add_last_inspectors("LATER");
      before.set_last_plan("2026-jh-9");
      before.set_last_visit("2026-09-01");
      const v1::SubjectHistory after = outcome.HistoryAfter(task, before);
      THEN("the visit is added but the later visit's inspectors stay the last ones") {
        CHECK(after.visits().at("JG-1").dates_size() == 2);
        CHECK(after.last_drawn().at("JG-1") == "2026-09-01");
        CHECK(after.last_drawn().at("JG-2") == "2026-06-15");
        REQUIRE(after.last_inspectors_size() == 1);
        CHECK(after.last_inspectors(0) == "LATER");
        CHECK(after.last_plan() == "2026-jh-9");
      }
    }
    AND_WHEN("its event is built") {
      const v1::TaskDrawn event = outcome.TaskDrawn(task);
      THEN("it names the plan, the task, the departments and the inspection date") {
        CHECK(event.plan() == "plans/2026-jh-1");
        CHECK(event.task_number() == 1);
        CHECK(event.uscc() == TestUscc(3));
        CHECK(event.departments_size() == 1);
        CHECK(event.inspectors_size() == 2);
        CHECK(event.inspection_date().day() == 15);
      }
    }
  }
}

SCENARIO("a drawn plan's tasks are packed in chunks and read back exactly") {
  const v1::Plan plan = PlanOf("2026-jh-2", 12);
  const SamplingPlan draw_plan = testing::TestPlan();
  CandidateProjection candidates;
  const uint64_t n = kTasksPerChunk + 5;  // one full chunk and a short one
  for (uint64_t i = 1; i <= n; ++i) {
    REQUIRE(candidates.Append(TestUscc(i), CreditGrade::kB, RiskLevel::kGeneral, {}).ok());
  }
  const InspectorPool pool = TestPool(1, 3);
  const DrawInput input = testing::TestInput(draw_plan, candidates, pool);
  DrawResult result;
  for (uint32_t i = 0; i < n; ++i) {
    // Tasks in reverse candidate order, one to three inspectors each.
    std::vector<uint32_t> inspectors{i % 3};
    for (uint32_t k = 1; k <= i % 3; ++k) inspectors.push_back((i + k) % 3);
    result.tasks.push_back({.candidate = static_cast<uint32_t>(n - 1 - i),
                            .inspectors = std::move(inspectors)});
  }
  const std::vector<std::string> chunks = PackTasks(input, result);
  REQUIRE(chunks.size() == 2);
  std::vector<DrawnTask> read;
  for (const std::string& chunk : chunks) {
    auto tasks = UnpackTasks(chunk, pool.size());
    REQUIRE(tasks.ok());
    read.insert(read.end(), tasks->begin(), tasks->end());
  }
  REQUIRE(read.size() == n);
  for (size_t t = 0; t < n; ++t) {
    CHECK(read[t].uscc == TestUscc(n - t));
    CHECK(read[t].inspectors == result.tasks[t].inspectors);
  }
  CHECK(ChunkOfTask(static_cast<int64_t>(kTasksPerChunk)) == 0);
  CHECK(ChunkOfTask(static_cast<int64_t>(kTasksPerChunk) + 1) == 1);
  CHECK(PlaceInChunk(static_cast<int64_t>(kTasksPerChunk) + 1) == 0);

  // Damage is DATA_LOSS, never a crash or a task made up.
  CHECK(absl::IsDataLoss(UnpackTasks(chunks[1].substr(0, 20), pool.size()).status()));
  CHECK(absl::IsDataLoss(UnpackTasks(chunks[1], 1).status()));  // inspector beyond the pool
  CHECK(UnpackTasks("", pool.size())->empty());
}

SCENARIO("a draw that cannot be staffed is reported with the exclusions that happened") {
  DrawFailure failure{.reason = "no eligible inspector", .task = 4, .uscc = TestUscc(1),
                      .slot = "DEPT-1", .message = "task 4: nobody left"};
  failure.excluded[static_cast<int>(Exclusion::kConflictDeclared)] = 2;
  const v1::DrawFailureReport report = FailureReportOf(failure);
  CHECK(report.reason() == "no eligible inspector");
  CHECK(report.task_number() == 4);
  CHECK(report.slot() == "DEPT-1");
  CHECK(report.excluded_size() == 1);
  CHECK(report.excluded().at(ExclusionName(Exclusion::kConflictDeclared)) == 2);
}

}  // namespace
}  // namespace jianguan::sampling
