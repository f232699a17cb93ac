// The inspection domain's rules: the task state machine, result checks, the category
// mapping, deadlines, task assembly, and what the loop KPIs count of a completed task.
#include <set>

#include <catch2/catch.hpp>

#include "libs/core/clock.h"
#include "libs/core/timestamps.h"
#include "libs/testing/dates.h"
#include "services/inspection/domain/assignment.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/inspection_report.h"
#include "services/inspection/domain/rectification.h"
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

// Noon of a Beijing day.
google::protobuf::Timestamp TimestampOf(int year, int month, int day) {
  return ToTimestamp(
      absl::FromCivil(absl::CivilSecond(year, month, day, 12, 0, 0), BeijingTime()));
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

// The catalogue as a map of inspectors and items.
struct Catalogue {
  std::map<std::string, catalogue::v1::Inspector> inspectors;
  std::map<std::string, catalogue::v1::RegulatoryItem> items;
  CatalogueView View() const {
    return {.inspector = [this](std::string_view id) -> std::optional<catalogue::v1::Inspector> {
              auto it = inspectors.find(std::string(id));
              if (it == inspectors.end()) return std::nullopt;
              return it->second;
            },
            .item = [this](std::string_view code) -> std::optional<catalogue::v1::RegulatoryItem> {
              auto it = items.find(std::string(code));
              if (it == items.end()) return std::nullopt;
              return it->second;
            }};
  }
};

google::protobuf::RepeatedPtrField<std::string> Ids(std::initializer_list<const char*> ids) {
  google::protobuf::RepeatedPtrField<std::string> out;
  for (const char* id : ids) *out.Add() = id;
  return out;
}

SCENARIO("an assignment needs two certified, authorised inspectors (行政处罚法 第四十二条)") {
  GIVEN("a joint task of SCJG (ITEM-1) and WJW (ITEM-2), due 2026-12-31") {
    const v1::Task task = DrawnTask();
    const absl::CivilDay today(2026, 9, 21);
    Catalogue c;
    for (const auto& i : {Inspector("A", kScjg, "ITEM-1"), Inspector("B", kWjw, "ITEM-2"),
                          Inspector("C", kScjg, "ITEM-1")}) {
      c.inspectors[i.id()] = i;
    }
    WHEN("one inspector of each department is named") {
      auto assigned = AssignmentOf(task, Ids({"A", "B"}), "inspector_ids", c.View(), today);
      THEN("both are on the task in slot order, with name, certificate and department") {
        REQUIRE(assigned.ok());
        REQUIRE(assigned->size() == 2);
        CHECK((*assigned)[0].inspector_id() == "A");
        CHECK((*assigned)[0].certificate_no() == "ZJA");
        CHECK((*assigned)[1].department().code() == kWjw);
      }
    }
    WHEN("only one inspector is named") {
      auto assigned = AssignmentOf(task, Ids({"A"}), "inspector_ids", c.View(), today);
      THEN("the list is refused") {
        CHECK(Fields(assigned.status()) == std::set<std::string>{"inspector_ids"});
      }
    }
    WHEN("two inspectors of one department are named") {
      auto assigned = AssignmentOf(task, Ids({"A", "C"}), "inspector_ids", c.View(), today);
      THEN("the list is refused: WJW has nobody to answer its check points") {
        CHECK(Fields(assigned.status()) == std::set<std::string>{"inspector_ids"});
      }
    }
    WHEN("the second inspector is suspended, unknown, unauthorised, expired or in conflict") {
      auto refused = [&](const catalogue::v1::Inspector& second) {
        Catalogue copy = c;
        copy.inspectors[second.id()] = second;
        return Fields(AssignmentOf(task, Ids({"A", second.id().c_str()}), "inspector_ids",
                                   copy.View(), today).status());
      };
      catalogue::v1::Inspector suspended = Inspector("S", kWjw, "ITEM-2");
      suspended.set_status(catalogue::v1::INSPECTOR_STATUS_SUSPENDED);
      catalogue::v1::Inspector expiring = Inspector("E", kWjw, "ITEM-2");
      *expiring.mutable_certificate()->mutable_valid_until() = DateOf(2026, 12, 30);
      catalogue::v1::Inspector conflicted = Inspector("X", kWjw, "ITEM-2");
      conflicted.add_conflicts(kUscc);
      THEN("inspector_ids[1] is named each time") {
        const std::set<std::string> second{"inspector_ids[1]"};
        CHECK(refused(suspended) == second);
        CHECK(refused(expiring) == second);
        CHECK(refused(conflicted) == second);
        CHECK(refused(Inspector("U", kWjw, "ITEM-9")) == second);
        CHECK(refused(Inspector("O", "330700-GA", "ITEM-2")) == second);
        CHECK(Fields(AssignmentOf(task, Ids({"A", "nobody"}), "inspector_ids", c.View(), today)
                         .status()) == second);
        CHECK(Fields(AssignmentOf(task, Ids({"A", "A"}), "inspector_ids", c.View(), today)
                         .status()) == second);
      }
    }
    WHEN("an inspector is authorised by field, or by the main item of a sub-item") {
      catalogue::v1::RegulatoryItem item2;
      item2.set_code("ITEM-2");
      item2.set_parent_code("ITEM-MAIN");
      item2.set_field("public-health");
      c.items["ITEM-2"] = item2;
      catalogue::v1::Inspector by_field = Inspector("F", kWjw, "");
      by_field.add_authorised_fields("public-health");
      c.inspectors["F"] = by_field;
      c.inspectors["M"] = Inspector("M", kWjw, "ITEM-MAIN");
      THEN("either may be assigned") {
        CHECK(AssignmentOf(task, Ids({"A", "F"}), "inspector_ids", c.View(), today).ok());
        CHECK(AssignmentOf(task, Ids({"A", "M"}), "inspector_ids", c.View(), today).ok());
      }
    }
  }
}

SCENARIO("reassignment is the lead department's, before the result") {
  v1::Task task = DrawnTask();
  Caller lead{.department = kScjg, .user_id = "LEAD"};
  Caller other{.department = kWjw, .user_id = "OTHER"};
  CHECK(*NextState(task, Action::kReassign, lead) == v1::TASK_STATE_ASSIGNED);
  CHECK(NextState(task, Action::kReassign, other).status().code() ==
        absl::StatusCode::kPermissionDenied);
  task.set_state(v1::TASK_STATE_RESULT_SUBMITTED);
  CHECK(NextState(task, Action::kReassign, lead).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

// The drawn task reviewed with a result whose SCJG finding is ordered rectified
// (`ordering`) or only fed back to routine supervision.
v1::Task ReviewedTask(bool ordering) {
  v1::Task task = DrawnTask();
  task.set_state(v1::TASK_STATE_ON_SITE);
  v1::Result submitted = PassingResult(false);
  if (ordering) {
    submitted.mutable_departments(0)->mutable_actions(0)->set_measure(
        v1::FOLLOW_UP_MEASURE_ORDER_RECTIFICATION);
  }
  const ResultContext context = ContextFor(task);
  const v1::Result result = *CheckResult(submitted, context);
  *task.mutable_result_digest() = DigestOf(result, context);
  *task.mutable_result() = result;
  task.set_state(v1::TASK_STATE_REVIEWED);
  return task;
}

SCENARIO("an order to rectify covers the ordered findings, and its follow-up only those") {
  GIVEN("a reviewed joint task whose SCJG finding is ordered rectified") {
    const v1::Task task = ReviewedTask(true);
    WHEN("no check point is named") {
      auto findings = FindingsToRectify(task, {});
      THEN("every finding the ordering measure concerns is covered") {
        REQUIRE(findings.ok());
        REQUIRE(findings->size() == 1);
        CHECK((*findings)[0].check_point().item_code() == "ITEM-1");
      }
      AND_THEN("the follow-up carries SCJG's item, form and that check point only") {
        const v1::Task follow_up =
            FollowUpTaskOf(task, *findings, DateOf(2026, 11, 13),
                           ActorOf(As(kScjg, "LEAD")), absl::FromUnixSeconds(1'790'000'000));
        CHECK(follow_up.name() == "tasks/f-d-2026-jinhua-q4-1");
        CHECK(follow_up.state() == v1::TASK_STATE_CREATED);
        CHECK(follow_up.origin().follow_up_of() == task.name());
        REQUIRE(follow_up.departments_size() == 1);
        CHECK(follow_up.departments(0).forms(0).code() == "FORM-A");
        REQUIRE(follow_up.check_points_size() == 1);
        CHECK(follow_up.check_points(0).check_point_code() == "CP-1");
      }
    }
    WHEN("a check point that is no ordered finding is named") {
      google::protobuf::RepeatedPtrField<v1::CheckPointRef> named;
      v1::CheckPointRef& ref = *named.Add();
      ref.set_form_code("FORM-B");
      ref.set_item_code("ITEM-2");
      ref.set_check_point_code("CP-1");
      THEN("check_points[0] is refused") {
        CHECK(Fields(FindingsToRectify(task, named).status()) ==
              std::set<std::string>{"check_points[0]"});
      }
    }
    WHEN("an order exists already") {
      v1::Task ordered = task;
      ordered.mutable_rectification()->set_follow_up_task("tasks/f-d-2026-jinhua-q4-1");
      THEN("a second is FAILED_PRECONDITION") {
        CHECK(FindingsToRectify(ordered, {}).status().code() ==
              absl::StatusCode::kFailedPrecondition);
      }
    }
  }
  GIVEN("a reviewed task whose result orders no rectification") {
    THEN("no order may be issued") {
      CHECK(FindingsToRectify(ReviewedTask(false), {}).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
  }
}

SCENARIO("a follow-up is RECTIFIED only without findings, and completes instead of submitting") {
  v1::ResultDigest clean;
  v1::ResultDigest failing;
  failing.add_findings()->set_answer_code("N");
  CHECK(CheckFollowUpOutcome(v1::RECTIFICATION_OUTCOME_RECTIFIED, clean).ok());
  CHECK(Fields(CheckFollowUpOutcome(v1::RECTIFICATION_OUTCOME_RECTIFIED, failing)) ==
        std::set<std::string>{"outcome"});
  CHECK(CheckFollowUpOutcome(v1::RECTIFICATION_OUTCOME_NOT_RECTIFIED, failing).ok());
  CHECK(Fields(CheckFollowUpOutcome(v1::RECTIFICATION_OUTCOME_UNSPECIFIED, clean)) ==
        std::set<std::string>{"outcome"});

  v1::Task follow_up = DrawnTask();
  follow_up.mutable_origin()->set_source(v1::TASK_SOURCE_FOLLOW_UP);
  follow_up.set_state(v1::TASK_STATE_ON_SITE);
  const Caller inspector = As(kScjg, "INS-1");
  CHECK(*NextState(follow_up, Action::kCompleteFollowUp, inspector) == v1::TASK_STATE_COMPLETED);
  CHECK(NextState(follow_up, Action::kSubmitResult, inspector).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  v1::Task ordinary = DrawnTask();
  ordinary.set_state(v1::TASK_STATE_ON_SITE);
  CHECK(NextState(ordinary, Action::kCompleteFollowUp, inspector).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

SCENARIO("a correction's departments are checked as a result's, named under departments") {
  v1::Task task = ReviewedTask(false);
  task.set_state(v1::TASK_STATE_PUBLISHED);
  const ResultContext context = ContextFor(task);
  DepartmentResults corrected = PassingResult(false).departments();
  corrected[0].mutable_category()->set_code("1");
  auto checked = CheckCorrectedDepartments(corrected, context);
  REQUIRE(checked.ok());
  CHECK((*checked)[0].category().outcome() == v1::RESULT_OUTCOME_NO_PROBLEM);
  corrected[1].mutable_category()->set_code("no-such-code");
  CHECK(Fields(CheckCorrectedDepartments(corrected, context).status()).count(
            "departments[1].category.code") == 1);
  corrected.RemoveLast();
  CHECK(Fields(CheckCorrectedDepartments(corrected, context).status()) ==
        std::set<std::string>{"departments"});
  CHECK(*NextState(task, Action::kCorrectPublication, As(kScjg, "LEAD")) ==
        v1::TASK_STATE_PUBLISHED);
}

SCENARIO("a completed joint task saves departments − 1 visits; each department's outcome counts") {
  GIVEN("the joint task of two departments with its result: 330700-SCJG found a problem, "
        "330700-WJW none") {
    v1::Task task = DrawnTask();
    auto checked = CheckResult(PassingResult(), ContextFor(task));
    REQUIRE(checked.ok());
    *task.mutable_result() = *checked;
    *task.mutable_result_digest() = DigestOf(*checked, ContextFor(task));
    *task.mutable_result()->mutable_submit_time() = TimestampOf(2026, 9, 18);
    *task.mutable_create_time() = TimestampOf(2026, 9, 1);
    THEN("it saved one visit (进一次门、查多项事) and counts one outcome per department") {
      CHECK(VisitsSaved(task) == 1);
      CHECK(DepartmentOutcomes(task) ==
            std::vector<v1::ResultOutcome>{v1::RESULT_OUTCOME_PROBLEM_PENDING,
                                           v1::RESULT_OUTCOME_NO_PROBLEM});
    }
    THEN("the report of September agrees: 1 visit saved, and for 330700-SCJG 1 problem in 1 "
         "completed task, for 330700-WJW none") {
      const v1::InspectionReport scjg =
          ReportOf({task}, kScjg, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30));
      CHECK(scjg.visits_saved() == 1);
      CHECK(scjg.joint_tasks() == 1);
      CHECK(scjg.tasks_completed() == 1);
      CHECK(scjg.problems_found() == 1);
      CHECK(scjg.problem_discovery_ppm() == 1'000'000);
      const v1::InspectionReport wjw =
          ReportOf({task}, kWjw, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30));
      CHECK(wjw.visits_saved() == 1);
      CHECK(wjw.problems_found() == 0);
      CHECK(wjw.problem_discovery_ppm() == 0);
    }
    WHEN("the task had one department only") {
      task.mutable_departments()->RemoveLast();
      THEN("it saved no visit") { CHECK(VisitsSaved(task) == 0); }
    }
  }
}

}  // namespace
}  // namespace jianguan::inspection
