// The inspection domain's rules: the task state machine, result checks, the category
// mapping, deadlines and task assembly.
#include <set>

#include <catch2/catch.hpp>

#include "libs/testing/dates.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/result_categories.h"
#include "services/inspection/domain/result_rules.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/domain/task_lifecycle.h"
#include "tests/unit/inspection/inspection_fixtures.h"

namespace jianguan::inspection {
namespace {

using namespace fixtures;
using testing::DateOf;

std::set<std::string> Fields(const absl::Status& status) {
  std::set<std::string> fields;
  for (const auto& v : FieldViolationsOf(status)) fields.insert(v.field);
  return fields;
}

const ResultCategories& Categories() {
  static const ResultCategories categories =
      *ResultCategories::Load(DataRoot() + "/inspection/result-categories-zj.csv", "zj");
  return categories;
}

v1::Task DrawnTask() {
  return TaskFromDraw(JointDraw(), {Form("FORM-A", kScjg, "ITEM-1"), Form("FORM-B", kWjw, "ITEM-2")},
                      absl::FromUnixSeconds(1'790'000'000));
}

ResultContext ContextFor(const v1::Task& task) {
  ResultContext context{.task = &task, .categories = &Categories(),
                        .today = DateOf(2026, 9, 21)};
  context.forms.emplace("FORM-A", Form("FORM-A", kScjg, "ITEM-1"));
  context.forms.emplace("FORM-B", Form("FORM-B", kWjw, "ITEM-2"));
  return context;
}

Caller As(std::string department, std::string user = "") {
  return Caller{.department = std::move(department), .user_id = std::move(user)};
}

SCENARIO("a joint draw makes one task carrying every department's items and forms") {
  GIVEN("a TaskDrawn for two departments and a published form for each") {
    const v1::Task task = DrawnTask();
    THEN("the task id comes from plan and task number, so a replay finds it") {
      CHECK(task.name() == "tasks/d-2026-jinhua-q4-1");
    }
    THEN("it is assigned to the drawn inspectors, led by the first department") {
      CHECK(task.state() == v1::TASK_STATE_ASSIGNED);
      CHECK(task.inspectors_size() == 2);
      CHECK(task.lead_department().code() == kScjg);
      CHECK(task.history_size() == 2);
      CHECK(task.version() == 2);
    }
    THEN("each department carries the form covering its item (进一次门、查多项事)") {
      REQUIRE(task.departments_size() == 2);
      REQUIRE(task.departments(0).forms_size() == 1);
      CHECK(task.departments(0).forms(0).code() == "FORM-A");
      REQUIRE(task.departments(1).forms_size() == 1);
      CHECK(task.departments(1).forms(0).code() == "FORM-B");
    }
  }
}

SCENARIO("the state machine allows only the named transitions, by the named actors") {
  GIVEN("an assigned drawn task") {
    v1::Task task = DrawnTask();
    WHEN("one of its inspectors accepts it") {
      auto next = NextState(task, Action::kAccept, As(kScjg, "INS-1"));
      THEN("it moves to ACCEPTED") { CHECK(*next == v1::TASK_STATE_ACCEPTED); }
    }
    WHEN("someone who is not its inspector accepts it") {
      auto next = NextState(task, Action::kAccept, As(kScjg, "OTHER"));
      THEN("PERMISSION_DENIED") { CHECK(absl::IsPermissionDenied(next.status())); }
    }
    WHEN("a result is submitted before acceptance") {
      auto next = NextState(task, Action::kSubmitResult, As(kScjg, "INS-1"));
      THEN("FAILED_PRECONDITION naming the state") {
        CHECK(absl::IsFailedPrecondition(next.status()));
        CHECK_THAT(std::string(next.status().message()), Catch::Contains("TASK_STATE_ASSIGNED"));
      }
    }
    WHEN("it is suspended and resumed by the lead department") {
      RecordTransition(task, *NextState(task, Action::kSuspend, As(kScjg)), "SuspendTask", {},
                       absl::Now(), "对象暂时无法联系");
      THEN("resume returns it to the state it was suspended from") {
        CHECK(task.suspended_from() == v1::TASK_STATE_ASSIGNED);
        CHECK(*NextState(task, Action::kResume, As(kScjg)) == v1::TASK_STATE_ASSIGNED);
      }
    }
    WHEN("a result of its own task is reviewed by one of its inspectors") {
      task.set_state(v1::TASK_STATE_RESULT_SUBMITTED);
      auto next = NextState(task, Action::kApprove, As(kScjg, "INS-1"));
      THEN("it is refused: review is separate from inspection (行政处罚法 第五十八条)") {
        CHECK(absl::IsPermissionDenied(next.status()));
      }
    }
  }
}

SCENARIO("a result is checked against the task's forms, inspectors and the category mapping") {
  GIVEN("a task on site and a complete result") {
    v1::Task task = DrawnTask();
    task.set_state(v1::TASK_STATE_ON_SITE);
    const ResultContext context = ContextFor(task);
    WHEN("it is complete") {
      auto checked = CheckResult(PassingResult(), context);
      THEN("it is accepted with the category filled from the mapping") {
        REQUIRE(checked.ok());
        CHECK(checked->departments(0).category().outcome() == v1::RESULT_OUTCOME_PROBLEM_PENDING);
        CHECK(checked->departments(0).category().scheme() == "zj");
      }
      THEN("its digest lists the finding with question and answer label") {
        const v1::ResultDigest digest = DigestOf(*checked, context);
        REQUIRE(digest.findings_size() == 1);
        CHECK(digest.findings(0).answer_label() == "不符合");
        CHECK(digest.findings(0).department().code() == kScjg);
      }
    }
    WHEN("only one inspector signs (行政处罚法 第四十二条: 不得少于两人)") {
      v1::Result result = PassingResult();
      result.mutable_inspector_signatures()->RemoveLast();
      THEN("result.inspector_signatures is named") {
        CHECK(Fields(CheckResult(result, context).status()) ==
              std::set<std::string>{"result.inspector_signatures"});
      }
    }
    WHEN("an answer is outside the check point's allowed answers") {
      v1::Result result = PassingResult();
      result.mutable_answers(1)->set_answer_code("MAYBE");
      THEN("result.answers[1].answer_code is named") {
        CHECK(Fields(CheckResult(result, context).status()) ==
              std::set<std::string>{"result.answers[1].answer_code"});
      }
    }
    WHEN("an answer names another form version than the task's") {
      v1::Result result = PassingResult();
      result.mutable_answers(0)->mutable_check_point()->set_form_version(2);
      THEN("its form_version is named") {
        CHECK(Fields(CheckResult(result, context).status()).count(
                  "result.answers[0].check_point.form_version") == 1);
      }
    }
    WHEN("a category code is not in the mapping and a finding has no note") {
      v1::Result result = PassingResult();
      result.mutable_departments(1)->mutable_category()->set_code("Z");
      result.mutable_answers(0)->clear_note();
      THEN("both fields are named") {
        CHECK(Fields(CheckResult(result, context).status()) ==
              std::set<std::string>{"result.departments[1].category.code",
                                    "result.answers[0].note"});
      }
    }
  }
}

SCENARIO("the Zhejiang category mapping is data, with its detail codes") {
  GIVEN("the mapping file") {
    const ResultCategories& categories = Categories();
    THEN("every code of the contract maps to its outcome") {
      CHECK(categories.Find("1")->outcome == v1::RESULT_OUTCOME_NO_PROBLEM);
      CHECK(categories.Find("G")->outcome == v1::RESULT_OUTCOME_VIOLATION);
      CHECK(categories.Find("6")->outcome == v1::RESULT_OUTCOME_UNREACHABLE);
      CHECK(categories.Find("12")->outcome == v1::RESULT_OUTCOME_NO_LONGER_REGISTERED);
      CHECK(categories.Find("F")->outcome == v1::RESULT_OUTCOME_NOT_ENGAGED);
    }
    THEN("B goes with A only") {
      FieldViolations v;
      v1::ResultCategory category;
      category.set_code("1");
      category.add_detail_codes("B");
      categories.Resolve(category, "c", v);
      CHECK(v.violations().size() == 1);
      CHECK(v.violations()[0].field == "c.detail_codes[0]");
    }
  }
}

SCENARIO("deadlines count working days (企业信息公示暂行条例 第六条: 20个工作日)") {
  GIVEN("the working-day calendar") {
    const auto calendar =
        *WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv");
    THEN("a result inspected on Friday 18 September 2026 is public by 23 October (国庆 off)") {
      auto due = PublishDueDate(calendar, DateOf(2026, 9, 18));
      REQUIRE(due.ok());
      CHECK(DayOf(*due) > absl::CivilDay(2026, 10, 16));
    }
    THEN("a commitment's verification is never due after its verify_by") {
      auto due = CommitmentDueDate(calendar, absl::CivilDay(2026, 9, 1), 20, DateOf(2026, 9, 10));
      CHECK(DayOf(*due) == absl::CivilDay(2026, 9, 10));
    }
  }
  GIVEN("a task whose due date has passed") {
    v1::Task task = DrawnTask();
    THEN("it is overdue after its due date, not on it") {
      CHECK_FALSE(IsOverdue(task, absl::CivilDay(2026, 12, 31)));
      CHECK(IsOverdue(task, absl::CivilDay(2027, 1, 1)));
    }
  }
}

SCENARIO("a transfer to case handling carries the findings and the evidence") {
  GIVEN("a reviewed result whose SCJG measure is TRANSFER_TO_CASE") {
    v1::Task task = DrawnTask();
    task.set_state(v1::TASK_STATE_ON_SITE);
    const ResultContext context = ContextFor(task);
    v1::Result result = *CheckResult(PassingResult(), context);
    *task.mutable_result_digest() = DigestOf(result, context);
    *task.mutable_result() = result;
    const auto leads = LeadTransfersOf(task);
    THEN("one lead, numbered, from SCJG to the receiving department, with the finding") {
      REQUIRE(leads.size() == 1);
      CHECK(leads[0].transfer() == "tasks/d-2026-jinhua-q4-1/transfers/1");
      CHECK(leads[0].to_department().code() == "330700-ZHZF");
      CHECK(leads[0].findings_size() == 1);
    }
  }
}

}  // namespace
}  // namespace jianguan::inspection
