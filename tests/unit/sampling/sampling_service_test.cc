// The sampling handlers over a real store in a temp dir, fed by the events of the registry,
// the catalogue and credit as the consumers would apply them: the plan lifecycle with its
// events, refusals that change nothing, the frequency rule across two plans, an infeasible
// draw's report, and what the public may and may not see.
#include "services/sampling/sampling_service.h"

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/text_checks.h"
#include "libs/events/topics.h"
#include "libs/testing/dates.h"
#include "libs/testing/fake_clock.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/inspection_history.h"
#include "services/sampling/sampling_metrics.h"
#include "tests/unit/sampling/draw_fixtures.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/field_names.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

using testing::TestUscc;


struct Fixture {
  Fixture()
      : db(*store::Store::Open(
            {.path = dir.path(), .families = PlanStore::Families(), .sync_writes = false})),
        metrics(registry),
        service(*db, clock, &metrics),
        public_service(*db) {}

  std::string Id() { return "req-" + std::to_string(++requests); }

  // Applies `message` as if consumed from `topic`.
  void Consume(const std::string& topic, const std::string& key,
               const google::protobuf::Message& message) {
    const events::ConsumedEvent event =
        jianguan::testing::AsConsumed(topic, key, message, "test", 0, clock.Now());
    store::UnitOfWork work;
    absl::Status applied;
    if (topic == topics::kSubject) {
      applied = ApplySubjectEvent(*db, event, work);
    } else if (topic == topics::kCatalogue) {
      applied = ApplyCatalogueEvent(*db, event, work);
    } else if (topic == topics::kInspection) {
      applied = ApplyInspectionEvent(PlanStore(*db), event, work);
    } else {
      applied = ApplyClassEvent(*db, event, work);
    }
    REQUIRE(applied.ok());
    REQUIRE(db->Commit(work).ok());
  }

  void AddSubject(const std::string& uscc, const std::string& region = "330702",
                  subject::v1::SubjectStatus status = subject::v1::SUBJECT_STATUS_NORMAL,
                  int64_t version = 1) {
    subject::v1::SubjectRegistered event;
    subject::v1::SubjectFacts& facts = *event.mutable_facts();
    facts.set_uscc(uscc);
    facts.set_name("金华测试商行" + uscc.substr(12));
    facts.set_type(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
    facts.mutable_industry()->set_code("5221");
    facts.mutable_registration_region()->set_code(region);
    facts.mutable_business_region()->set_code(region);
    facts.set_status(status);
    facts.set_version(version);
    Consume(topics::kSubject, uscc, event);
  }

  void Grade(const std::string& uscc, credit::v1::CreditGrade grade, int64_t version = 1) {
    credit::v1::CreditGradeChanged event;
    event.set_uscc(uscc);
    event.set_grade(grade);
    event.set_version(version);
    Consume(topics::kCredit, uscc, event);
  }

  void AddDepartment(const std::string& code,
                     catalogue::v1::DepartmentStatus status = catalogue::v1::DEPARTMENT_STATUS_ACTIVE) {
    catalogue::v1::DepartmentChanged event;
    event.set_created(true);
    event.mutable_department()->set_code(code);
    event.mutable_department()->set_name("部门" + code);
    event.mutable_department()->set_status(status);
    event.mutable_department()->set_version(1);
    Consume(topics::kCatalogue, "departments/" + code, event);
  }

  void AddItem(const std::string& code) {
    catalogue::v1::ItemPublished event;
    event.mutable_item()->set_code(code);
    event.mutable_item()->set_version(1);
    event.mutable_item()->set_field("market-regulation");
    Consume(topics::kCatalogue, "items/" + code, event);
  }

  void AddInspector(const std::string& id, const std::string& department,
                    const std::vector<std::string>& items,
                    const std::vector<std::string>& conflicts = {}, bool dated = true) {
    catalogue::v1::InspectorRegistered event;
    catalogue::v1::Inspector& inspector = *event.mutable_inspector();
    inspector.set_id(id);
    inspector.set_name("执法员" + id);
    inspector.mutable_department()->set_code(department);
    inspector.mutable_certificate()->set_number("ZJ-" + id);
    if (dated) {
      *inspector.mutable_certificate()->mutable_valid_from() = DateOf(2025, 1, 1);
      *inspector.mutable_certificate()->mutable_valid_until() = DateOf(2028, 12, 31);
    }
    for (const std::string& item : items) inspector.add_authorised_items(item);
    for (const std::string& uscc : conflicts) inspector.add_conflicts(uscc);
    inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
    inspector.set_version(1);
    Consume(topics::kCatalogue, "inspectors/" + id, event);
  }

  // A published result of a task that was not drawn (专项检查): `uscc` inspected for `item`
  // of `department` on 2026-01-15, signed by `signers`.
  void PublishResult(const std::string& uscc, const std::string& department,
                     const std::string& item, const std::vector<std::string>& signers) {
    inspection::v1::ResultPublished event;
    inspection::v1::TaskSummary& task = *event.mutable_task();
    task.set_name("tasks/m-" + uscc);
    task.set_uscc(uscc);
    task.mutable_origin()->set_source(inspection::v1::TASK_SOURCE_SPECIAL_INSPECTION);
    inspection::v1::TaskDepartment& d = *task.add_departments();
    d.mutable_department()->set_code(department);
    d.add_items()->set_code(item);
    *event.mutable_result()->mutable_inspection_date() = DateOf(2026, 1, 15);
    for (const std::string& id : signers) event.mutable_result()->add_signed_by(id);
    Consume(topics::kInspection, uscc, event);
  }

  // A joint plan of SCJG (items JG-1, JG-2) and WSJ (JG-3) over Jinhua.
  v1::Plan JointPlan(const std::string& plan_id) {
    v1::Plan plan;
    plan.set_plan_id(plan_id);
    plan.set_title("2026年金华市部门联合双随机抽查");
    plan.set_year(2026);
    plan.mutable_initiating_department()->set_code("330700-SCJG");
    v1::PlanDepartment* scjg = plan.add_departments();
    scjg->mutable_department()->set_code("330700-SCJG");
    for (const char* code : {"JG-1", "JG-2"}) {
      v1::PlanItem* item = scjg->add_items();
      item->set_code(code);
      item->set_version(1);
    }
    v1::PlanDepartment* wsj = plan.add_departments();
    wsj->mutable_department()->set_code("330700-WSJ");
    v1::PlanItem* item = wsj->add_items();
    item->set_code("JG-3");
    item->set_version(1);
    plan.mutable_target()->add_region_prefixes("3307");
    *plan.mutable_period_start() = DateOf(2026, 3, 1);
    *plan.mutable_period_end() = DateOf(2026, 6, 30);
    // B-general: 50 % so that small tests draw a visible share.
    v1::ClassRule* rule = plan.add_class_rules();
    rule->set_class_name("B-general");
    rule->set_ppm(500000);
    rule->set_round_up(true);
    rule->set_max(-1);
    plan.set_max_tasks_per_inspector(100);
    return plan;
  }

  // The two departments of JointPlan and their items.
  void AddCatalogue() {
    for (const char* code : {"330700-SCJG", "330700-WSJ"}) AddDepartment(code);
    for (const char* code : {"JG-1", "JG-2", "JG-3"}) AddItem(code);
  }

  // 40 Jinhua subjects (4 graded D), 2 outside Jinhua, 1 deregistered; the catalogue; 3 + 3
  // inspectors.
  void Populate() {
    AddCatalogue();
    for (int i = 0; i < 40; ++i) AddSubject(TestUscc(i));
    for (int i = 0; i < 4; ++i) Grade(TestUscc(i * 10), credit::v1::CREDIT_GRADE_D);
    AddSubject(TestUscc(100), "330102");
    AddSubject(TestUscc(101), "110101");
    AddSubject(TestUscc(102), "330702", subject::v1::SUBJECT_STATUS_DEREGISTERED);
    for (int i = 1; i <= 3; ++i) {
      AddInspector("SC-" + std::to_string(i), "330700-SCJG", {"JG-1", "JG-2"});
      AddInspector("WS-" + std::to_string(i), "330700-WSJ", {"JG-3"});
    }
    // One whose certificate carries no dates: left out of every pool.
    AddInspector("SC-9", "330700-SCJG", {"JG-1", "JG-2"}, {}, false);
  }

  absl::StatusOr<v1::Plan> Create(const v1::Plan& plan) {
    v1::CreatePlanRequest request;
    request.set_request_id(Id());
    *request.mutable_plan() = plan;
    return service.DoCreatePlan(initiator, request);
  }
  absl::StatusOr<v1::Plan> Approve(const std::string& plan_id, const Caller& who) {
    v1::PlanTransitionRequest request;
    request.set_request_id(Id());
    request.set_name("plans/" + plan_id);
    return service.DoApprovePlan(who, request);
  }
  absl::StatusOr<v1::Plan> DrawIt(const std::string& plan_id, const std::string& entropy) {
    v1::DrawPlanRequest request;
    request.set_request_id(Id());
    request.set_name("plans/" + plan_id);
    request.set_entropy(entropy);
    request.set_entropy_source("福利彩票3D开奖公告");
    return service.DoDrawPlan(initiator, request);
  }
  absl::StatusOr<v1::Plan> Publish(const std::string& plan_id) {
    v1::PlanTransitionRequest request;
    request.set_request_id(Id());
    request.set_name("plans/" + plan_id);
    return service.DoPublishPlan(initiator, request);
  }

  std::vector<common::v1::OutboxEvent> Outbox() { return *db->ReadOutbox(0, 100000); }

  std::vector<v1::Task> Tasks(const std::string& plan_id) {
    auto page = PlanStore(*db).ListTasks(plan_id, 1000, "", ProjectionReader(*db));
    REQUIRE(page.ok());
    return page->first;
  }

  jianguan::testing::TempDir dir{"jg-sampling"};
  jianguan::testing::FakeClock clock{absl::FromCivil(absl::CivilSecond(2026, 2, 1, 9, 0, 0),
                                           absl::UTCTimeZone())};
  std::unique_ptr<store::Store> db;
  prometheus::Registry registry;
  SamplingMetrics metrics;
  SamplingService service;
  SamplingPublicService public_service;
  Caller initiator{.department = "330700-SCJG", .user_id = "wang.li"};
  int requests = 0;
};

int CountType(const std::vector<common::v1::OutboxEvent>& events, const std::string& type) {
  int n = 0;
  for (const auto& event : events) n += event.type() == type ? 1 : 0;
  return n;
}

TEST_CASE("a joint plan goes from draft to published with its commitment, tasks and events") {
  Fixture f;
  f.Populate();
  auto created = f.Create(f.JointPlan("2026-jh-01"));
  REQUIRE(created.ok());
  CHECK(created->state() == v1::PLAN_STATE_DRAFT);
  CHECK(created->class_rules_size() == 16);
  CHECK(created->frequency_months() == 12);
  CHECK(IsoDate(created->inspection_date()) == "2026-03-01");

  auto approved = f.Approve("2026-jh-01", f.initiator);
  REQUIRE(approved.ok());
  const v1::FrozenInputs& frozen = approved->frozen();
  CHECK(approved->state() == v1::PLAN_STATE_APPROVED);
  // The 40 subjects of 3307…; not Hangzhou's, not Beijing's, not the deregistered one.
  CHECK(frozen.candidate_count() == 40);
  CHECK(frozen.inspector_count() == 6);
  CHECK(frozen.commitment().size() == 64);
  CHECK(frozen.plan_hash() == HexOf(Sha256(PublicView(*approved).plan_json())));
  CHECK(CountType(f.Outbox(), "jianguan.sampling.v1.PlanApproved") == 1);

  // Before the draw the public sees the commitment and digests, not the secret.
  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-01");
  v1::PublicPlan shown;
  REQUIRE(f.public_service.GetPublicPlan(nullptr, &get, &shown).ok());
  CHECK(shown.commitment() == frozen.commitment());
  CHECK(shown.candidates_digest() == frozen.candidates_digest());
  CHECK(shown.secret().empty());
  // … and the per-class proof roots (§10): 16 classes whose sizes add up to the list, the
  // 4 D-general and 36 B-general subjects (the class rows say which is which).
  REQUIRE(shown.strata_size() == 16);
  int64_t listed = 0;
  for (int s = 0; s < 16; ++s) {
    CHECK(shown.strata(s).class_name() == StratumName(s));
    CHECK(shown.strata(s).root() == frozen.strata(s).root());
    CHECK(shown.strata(s).root().size() == 64);
    listed += shown.strata(s).size();
  }
  CHECK(listed == 40);
  CHECK(shown.strata(13).size() == 4);   // D-general
  CHECK(shown.strata(5).eligible() == 36);  // B-general
  CHECK(shown.strata(0).root() == HexOf(Sha256("")));  // A-low: empty
  CHECK(shown.pool_root().size() == 64);

  auto drawn = f.DrawIt("2026-jh-01", "3D 2026061 4 7 1");
  REQUIRE(drawn.ok());
  const v1::DrawSummary& draw = drawn->draw();
  CHECK(drawn->state() == v1::PLAN_STATE_DRAWN);
  // 4 D-general subjects in full, 50 % of the 36 B-general ones rounded up.
  CHECK(draw.task_count() == 4 + 18);
  CHECK(draw.visits_saved() == draw.task_count());  // two departments: one visit saved each
  CHECK(HexOf(CommitmentOf(*DigestFromHex(draw.secret()))) == frozen.commitment());
  const std::vector<v1::Task> tasks = f.Tasks("2026-jh-01");
  REQUIRE(tasks.size() == 22);
  for (int d = 0; d < 4; ++d) {
    CHECK(std::any_of(tasks.begin(), tasks.end(),
                      [&](const v1::Task& t) { return t.uscc() == TestUscc(d * 10); }));
  }
  for (const v1::Task& task : tasks) {
    REQUIRE(task.inspectors_size() == 2);
    CHECK(task.inspectors(0).department().code() == "330700-SCJG");
    CHECK(task.inspectors(1).department().code() == "330700-WSJ");
    CHECK(!task.subject_name().empty());
  }
  const auto outbox = f.Outbox();
  CHECK(CountType(outbox, "jianguan.sampling.v1.TaskDrawn") == 22);
  CHECK(CountType(outbox, "jianguan.sampling.v1.DrawCompleted") == 1);
  CHECK(f.metrics.draws_drawn.Value() == 1);
  CHECK(f.metrics.tasks_drawn.Value() == 22);
  CHECK(f.metrics.frozen_candidates.Value() == 40);
  for (const auto& event : outbox) {
    if (event.type() != "jianguan.sampling.v1.TaskDrawn") continue;
    v1::TaskDrawn task;
    REQUIRE(task.ParseFromString(event.payload()));
    CHECK(event.key() == task.uscc());
    CHECK(task.departments_size() == 2);
  }

  // Not public until published; then tasks show name and certificate number only.
  v1::ListTasksRequest list;
  list.set_name("plans/2026-jh-01");
  v1::ListPublicTasksResponse public_tasks;
  CHECK(f.public_service.ListPublicTasks(nullptr, &list, &public_tasks).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(f.Publish("2026-jh-01").ok());
  REQUIRE(f.public_service.ListPublicTasks(nullptr, &list, &public_tasks).ok());
  REQUIRE(public_tasks.tasks_size() == 22);
  CHECK(public_tasks.tasks(0).inspectors(0).certificate_no().rfind("ZJ-", 0) == 0);
  REQUIRE(f.public_service.GetPublicPlan(nullptr, &get, &shown).ok());
  CHECK(shown.secret() == draw.secret());
  CHECK(shown.result_digest() == draw.result_digest());
  CHECK(CountType(f.Outbox(), "jianguan.sampling.v1.PlanPublished") == 1);

  // The public result recomputed from the frozen inputs hashes to the published digest,
  // and it names no class and no inspector id.
  auto plan = PlanStore(*f.db).FindPlan("2026-jh-01");
  REQUIRE(plan.ok());
  auto result = RecomputeDocument(PlanStore(*f.db), (*plan)->plan, true);
  REQUIRE(result.ok());
  CHECK(HexOf(Sha256(*result)) == draw.result_digest());
  CHECK(result->find("B-general") == std::string::npos);
  CHECK(result->find("\"SC-1\"") == std::string::npos);
  auto package = RecomputeDocument(PlanStore(*f.db), (*plan)->plan, false);
  REQUIRE(package.ok());
  CHECK(package->find("D-general") != std::string::npos);
  // The auditors' package carries the proof key and the roots published at approval.
  CHECK(package->find("\"proof_key\":\"") != std::string::npos);
  CHECK(package->find(frozen.strata(5).root()) != std::string::npos);
}

TEST_CASE("bad plans are refused naming every field and change nothing") {
  Fixture f;
  f.Populate();
  const size_t events_before = f.Outbox().size();
  v1::Plan plan = f.JointPlan("bad plan id");
  plan.set_title("");
  plan.set_year(1999);
  plan.mutable_departments(1)->mutable_items(0)->set_code("JG-404");
  plan.set_inspectors_per_task(1);
  plan.mutable_target()->add_types(static_cast<subject::v1::SubjectType>(42));
  plan.mutable_target()->add_industry_prefixes("C");
  plan.mutable_class_rules(0)->set_ppm(2000000);
  *plan.mutable_period_end() = DateOf(2026, 2, 30);
  auto refused = f.Create(plan);
  REQUIRE(absl::IsInvalidArgument(refused.status()));
  const std::set<std::string> fields = jianguan::testing::FieldNames(refused.status());
  for (const char* field :
       {"plan.plan_id", "plan.title", "plan.year", "plan.inspectors_per_task",
        "plan.target.types[0]", "plan.target.industry_prefixes[0]", "plan.period_end"}) {
    INFO(field);
    CHECK(fields.count(field) == 1);
  }
  // The class rule named B-general sits at stratum 5 once defaulted.
  CHECK(fields.count("plan.class_rules[5].ppm") == 1);

  // An unknown item is caught against the catalogue projection once the shape is right.
  v1::Plan unknown_item = f.JointPlan("2026-jh-02");
  unknown_item.mutable_departments(1)->mutable_items(0)->set_code("JG-404");
  auto no_item = f.Create(unknown_item);
  REQUIRE(absl::IsInvalidArgument(no_item.status()));
  CHECK(jianguan::testing::FieldNames(no_item.status())
            .count("plan.departments[1].items[0].code") == 1);

  // So is a department the catalogue does not know, or one it dissolved; a known one in
  // office passes (departments[0] in every refusal above).
  f.AddDepartment("330700-JYJ", catalogue::v1::DEPARTMENT_STATUS_DISSOLVED);
  for (const char* code : {"330700-NOPE", "330700-JYJ"}) {
    INFO(code);
    v1::Plan unknown_department = f.JointPlan("2026-jh-02");
    unknown_department.mutable_departments(1)->mutable_department()->set_code(code);
    auto no_department = f.Create(unknown_department);
    REQUIRE(absl::IsInvalidArgument(no_department.status()));
    CHECK(jianguan::testing::FieldNames(no_department.status()) ==
          std::set<std::string>{"plan.departments[1].department.code"});
    CHECK(absl::StrContains(no_department.status().message(), code));
  }

  auto listed = PlanStore(*f.db).ListPlans(100, "", [](const v1::Plan&) { return true; });
  REQUIRE(listed.ok());
  CHECK(listed->first.empty());
  CHECK(f.Outbox().size() == events_before);

  // The same plan with both departments known is accepted.
  REQUIRE(f.Create(f.JointPlan("2026-jh-02")).ok());

  v1::DrawPlanRequest draw;
  draw.set_request_id(f.Id());
  draw.set_name("plans/2026-jh-01");
  draw.set_entropy(std::string("\xff\xfe", 2));
  auto bad_entropy = f.service.DoDrawPlan(f.initiator, draw);
  REQUIRE(absl::IsInvalidArgument(bad_entropy.status()));
  CHECK(jianguan::testing::FieldNames(bad_entropy.status()) == std::set<std::string>{"entropy"});
}

TEST_CASE("text that is not UTF-8 is refused over gRPC naming the field, and draws nothing") {
  // proto3 refuses such a request before the handler runs; gRPC alone answered INTERNAL (#15).
  Fixture f;
  f.Populate();
  REQUIRE(f.Create(f.JointPlan("2026-jh-01")).ok());
  auto approved = f.Approve("2026-jh-01", f.initiator);
  REQUIRE(approved.ok());
  const size_t events_before = f.Outbox().size();
  jianguan::testing::InProcessServer server({&f.service, &f.public_service});

  v1::DrawPlanRequest draw;
  draw.set_request_id(f.Id());
  draw.set_name("plans/2026-jh-01");
  draw.set_entropy("福彩3D \xff\xfe 5 8 2");
  draw.set_entropy_source("福利彩票3D开奖公告");
  const grpc::Status refused = jianguan::testing::RawUnaryCall(
      *server.channel(), "/jianguan.sampling.v1.Sampling/DrawPlan", draw.SerializeAsString(),
      *jianguan::testing::CallAs("330700-SCJG"));
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(jianguan::testing::FieldNames(refused) == std::set<std::string>{"entropy"});
  CHECK(IsValidUtf8(refused.error_message()));

  // A server stream of the public API: refused before anything is streamed.
  v1::ExportRequest exported;
  exported.set_name("plans/2026-jh-01\xc0\xaf");
  std::vector<std::string> chunks;
  const grpc::Status export_refused = jianguan::testing::RawServerStreamCall(
      *server.channel(), "/jianguan.sampling.v1.SamplingPublic/ExportPublicResult",
      exported.SerializeAsString(), *jianguan::testing::CallAs(""), &chunks);
  CHECK(export_refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(jianguan::testing::FieldNames(export_refused) == std::set<std::string>{"name"});
  CHECK(chunks.empty());

  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-01");
  v1::Plan after;
  REQUIRE(server.Stub<v1::Sampling>()
              ->GetPlan(jianguan::testing::CallAs("330700-SCJG").get(), get, &after)
              .ok());
  CHECK(after.state() == v1::PLAN_STATE_APPROVED);
  CHECK(after.version() == approved->version());
  CHECK(f.Tasks("2026-jh-01").empty());
  CHECK(f.Outbox().size() == events_before);
}

TEST_CASE("transitions follow draft, approved, drawn, published, completed, by the initiator") {
  Fixture f;
  f.Populate();
  REQUIRE(f.Create(f.JointPlan("2026-jh-03")).ok());
  CHECK(absl::IsFailedPrecondition(f.DrawIt("2026-jh-03", "42").status()));
  CHECK(absl::IsFailedPrecondition(f.Publish("2026-jh-03").status()));
  CHECK(absl::IsPermissionDenied(
      f.Approve("2026-jh-03", Caller{.department = "330700-WSJ"}).status()));
  REQUIRE(f.Approve("2026-jh-03", f.initiator).ok());
  CHECK(absl::IsFailedPrecondition(f.Approve("2026-jh-03", f.initiator).status()));

  v1::UpdateDraftPlanRequest update;
  update.set_request_id(f.Id());
  *update.mutable_plan() = f.JointPlan("2026-jh-03");
  update.set_expected_version(2);
  CHECK(absl::IsFailedPrecondition(f.service.DoUpdateDraftPlan(f.initiator, update).status()));

  REQUIRE(f.DrawIt("2026-jh-03", "42").ok());
  CHECK(absl::IsFailedPrecondition(f.DrawIt("2026-jh-03", "43").status()));
  REQUIRE(f.Publish("2026-jh-03").ok());
  v1::PlanTransitionRequest complete;
  complete.set_request_id(f.Id());
  complete.set_name("plans/2026-jh-03");
  auto completed = f.service.DoCompletePlan(f.initiator, complete);
  REQUIRE(completed.ok());
  CHECK(completed->state() == v1::PLAN_STATE_COMPLETED);

  // A retried request gets the first answer and changes nothing.
  auto again = f.service.DoCompletePlan(f.initiator, complete);
  REQUIRE(again.ok());
  CHECK(again->version() == completed->version());
}

TEST_CASE("an infeasible draw fails with its report, draws nothing, records the attempt publicly "
          "and leaves the plan approved") {
  Fixture f;
  f.AddCatalogue();
  for (int i = 0; i < 10; ++i) f.AddSubject(TestUscc(i));
  // One SCJG inspector, and WSJ's only inspector declared a conflict with the first subject.
  f.AddInspector("SC-1", "330700-SCJG", {"JG-1", "JG-2"});
  f.AddInspector("WS-1", "330700-WSJ", {"JG-3"}, {TestUscc(0)});
  v1::Plan plan = f.JointPlan("2026-jh-04");
  plan.mutable_class_rules(0)->set_full_coverage(true);  // B-general: every subject
  REQUIRE(f.Create(plan).ok());
  REQUIRE(f.Approve("2026-jh-04", f.initiator).ok());
  const size_t events_before = f.Outbox().size();

  auto failed = f.DrawIt("2026-jh-04", "lottery 7");
  REQUIRE(absl::IsFailedPrecondition(failed.status()));
  CHECK(std::string(failed.status().message()).find("conflict") != std::string::npos);
  auto payload = failed.status().GetPayload(
      "type.googleapis.com/jianguan.sampling.v1.DrawFailureReport");
  REQUIRE(payload.has_value());
  v1::DrawFailureReport report;
  REQUIRE(report.ParseFromString(std::string(*payload)));
  CHECK(report.reason() == "no eligible inspector");
  CHECK(report.uscc() == TestUscc(0));
  CHECK(report.slot() == "330700-WSJ");
  CHECK(report.excluded().at("conflict_declared") == 1);
  CHECK(f.metrics.draws_infeasible.Value() == 1);
  CHECK(f.metrics.draws_drawn.Value() == 0);

  auto stored = PlanStore(*f.db).FindPlan("2026-jh-04");
  REQUIRE(stored.ok());
  CHECK((*stored)->plan.state() == v1::PLAN_STATE_APPROVED);
  CHECK(f.Tasks("2026-jh-04").empty());
  // The attempt, and only it, is written and published (§9): DrawFailed with its entropy.
  const auto outbox = f.Outbox();
  REQUIRE(outbox.size() == events_before + 1);
  CHECK(outbox.back().type() == "jianguan.sampling.v1.DrawFailed");
  v1::DrawFailed event;
  REQUIRE(event.ParseFromString(outbox.back().payload()));
  CHECK(event.plan() == "plans/2026-jh-04");
  CHECK(event.attempt().entropy() == "lottery 7");
  CHECK(event.report().uscc() == TestUscc(0));
  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-04");
  v1::PublicPlan shown;
  REQUIRE(f.public_service.GetPublicPlan(nullptr, &get, &shown).ok());
  REQUIRE(shown.failed_draws_size() == 1);
  CHECK(shown.failed_draws(0).entropy() == "lottery 7");
  CHECK(shown.failed_draws(0).entropy_source() == "福利彩票3D开奖公告");
  CHECK(shown.failed_draws(0).reason() == report.message());

  // Trying the same entropy again records nothing new; another entropy is recorded too.
  REQUIRE(absl::IsFailedPrecondition(f.DrawIt("2026-jh-04", "lottery 7").status()));
  CHECK(f.Outbox().size() == events_before + 1);
  REQUIRE(absl::IsFailedPrecondition(f.DrawIt("2026-jh-04", "lottery 8").status()));
  CHECK(f.Outbox().size() == events_before + 2);
  REQUIRE(f.public_service.GetPublicPlan(nullptr, &get, &shown).ok());
  REQUIRE(shown.failed_draws_size() == 2);
  CHECK(shown.failed_draws(1).entropy() == "lottery 8");
  CHECK(f.metrics.draws_drawn.Value() == 0);
}

TEST_CASE("a subject drawn for an item is not drawn again within the frequency period") {
  Fixture f;
  f.Populate();
  REQUIRE(f.Create(f.JointPlan("2026-jh-05")).ok());
  REQUIRE(f.Approve("2026-jh-05", f.initiator).ok());
  REQUIRE(f.DrawIt("2026-jh-05", "first").ok());
  std::set<std::string> first;
  std::map<std::string, std::set<std::string>> first_inspectors;
  for (const v1::Task& task : f.Tasks("2026-jh-05")) {
    first.insert(task.uscc());
    for (const auto& inspector : task.inspectors()) {
      first_inspectors[task.uscc()].insert(inspector.inspector_id());
    }
  }

  REQUIRE(f.Create(f.JointPlan("2026-jh-06")).ok());
  auto approved = f.Approve("2026-jh-06", f.initiator);
  REQUIRE(approved.ok());
  auto drawn = f.DrawIt("2026-jh-06", "second");
  REQUIRE(drawn.ok());
  // B-general: 18 of 36 were drawn, so 18 remain eligible and 9 are drawn now; the four
  // D subjects need full coverage and are drawn again.
  CHECK(drawn->draw().classes(5).eligible() == 18);
  CHECK(drawn->draw().task_count() == 4 + 9);
  for (const v1::Task& task : f.Tasks("2026-jh-06")) {
    const bool full_coverage_class =
        task.uscc() == TestUscc(0) || task.uscc() == TestUscc(10) ||
        task.uscc() == TestUscc(20) || task.uscc() == TestUscc(30);
    if (!full_coverage_class) CHECK(first.count(task.uscc()) == 0);
    if (full_coverage_class) {
      // Never by the inspectors who were sent last time.
      for (const auto& inspector : task.inspectors()) {
        CHECK(first_inspectors[task.uscc()].count(inspector.inspector_id()) == 0);
      }
      auto history = PlanStore(*f.db).FindHistory(task.uscc());
      REQUIRE(history.ok());
      CHECK((*history)->last_plan() == "2026-jh-06");
    }
  }
}

TEST_CASE("a published inspection result is a visit: the next plan treats it as one") {
  Fixture f;
  f.Populate();
  // B-general TestUscc(1) inspected for JG-1; TestUscc(0), a D subject (full coverage),
  // inspected for JG-3 by two of the three WSJ inspectors. Neither task was drawn.
  f.PublishResult(TestUscc(1), "330700-SCJG", "JG-1", {"SC-2", "SC-1"});
  f.PublishResult(TestUscc(0), "330700-WSJ", "JG-3", {"WS-1", "WS-2"});
  REQUIRE(f.Create(f.JointPlan("2026-jh-08")).ok());
  REQUIRE(f.Approve("2026-jh-08", f.initiator).ok());
  auto drawn = f.DrawIt("2026-jh-08", "after inspections");
  REQUIRE(drawn.ok());
  // 36 B-general subjects, less the one inspected within the 12 months.
  CHECK(drawn->draw().classes(5).eligible() == 35);
  bool saw_d_subject = false;
  for (const v1::Task& task : f.Tasks("2026-jh-08")) {
    CHECK(task.uscc() != TestUscc(1));
    if (task.uscc() != TestUscc(0)) continue;
    saw_d_subject = true;
    for (const auto& inspector : task.inspectors()) {
      CHECK(inspector.inspector_id() != "WS-1");  // not who signed the last visit
      CHECK(inspector.inspector_id() != "WS-2");
    }
  }
  CHECK(saw_d_subject);
}

TEST_CASE("a copy of an older state never overwrites a newer one in the projections") {
  Fixture f;
  const std::string uscc = TestUscc(7);
  f.AddSubject(uscc, "330702", subject::v1::SUBJECT_STATUS_DEREGISTERED, 3);
  f.AddSubject(uscc, "330702", subject::v1::SUBJECT_STATUS_NORMAL, 2);  // stale copy
  f.Grade(uscc, credit::v1::CREDIT_GRADE_D, 5);
  f.Grade(uscc, credit::v1::CREDIT_GRADE_A, 4);  // stale copy
  std::vector<std::pair<int, CreditGrade>> seen;
  REQUIRE(ProjectionReader(*f.db)
              .ForEachSubject([&](const ProjectedRow& row) {
                seen.emplace_back(row.facts->status(), row.grade);
                return true;
              })
              .ok());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == subject::v1::SUBJECT_STATUS_DEREGISTERED);
  CHECK(seen[0].second == CreditGrade::kD);

  f.Grade(uscc, credit::v1::CREDIT_GRADE_B, 6);  // a newer one applies
  seen.clear();
  REQUIRE(ProjectionReader(*f.db)
              .ForEachSubject([&](const ProjectedRow& r) {
                seen.emplace_back(r.facts->status(), r.grade);
                return true;
              })
              .ok());
  CHECK(seen[0].second == CreditGrade::kB);
}

TEST_CASE("the public lists approved plans only") {
  Fixture f;
  f.Populate();
  REQUIRE(f.Create(f.JointPlan("2026-jh-07")).ok());
  REQUIRE(f.Create(f.JointPlan("2026-jh-08")).ok());
  REQUIRE(f.Approve("2026-jh-08", f.initiator).ok());
  v1::ListPublicPlansRequest request;
  v1::ListPublicPlansResponse response;
  REQUIRE(f.public_service.ListPublicPlans(nullptr, &request, &response).ok());
  REQUIRE(response.plans_size() == 1);
  CHECK(response.plans(0).plan_id() == "2026-jh-08");
  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-07");
  v1::PublicPlan shown;
  CHECK(f.public_service.GetPublicPlan(nullptr, &get, &shown).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("a store from before the departments projection replays the catalogue group once") {
  Fixture f;
  const auto put = [&](std::string_view key, std::string_view value) {
    store::UnitOfWork work;
    work.Put(std::string(store::kConsumerFamily), std::string(key), std::string(value));
    REQUIRE(f.db->Commit(work).ok());
  };
  const auto has = [&](std::string_view key) {
    auto value = f.db->Get(store::kConsumerFamily, key);
    REQUIRE(value.ok());
    return value->has_value();
  };
  // What an older sampling left: the catalogue group well into its topic, no departments.
  put("pos/sampling-catalogue/jianguan.catalogue.v1/0", "812");
  put("hwm/sampling-catalogue/jianguan.catalogue.v1/0/producer-1", "900");
  put("pos/sampling-subjects/jianguan.subject.v1/0", "5000");

  REQUIRE(UpgradeProjections(*f.db).ok());
  CHECK_FALSE(has("pos/sampling-catalogue/jianguan.catalogue.v1/0"));
  CHECK_FALSE(has("hwm/sampling-catalogue/jianguan.catalogue.v1/0/producer-1"));
  CHECK(has("pos/sampling-subjects/jianguan.subject.v1/0"));  // other groups keep theirs

  // Once only: the group's new positions survive the next start.
  put("pos/sampling-catalogue/jianguan.catalogue.v1/0", "813");
  REQUIRE(UpgradeProjections(*f.db).ok());
  CHECK(has("pos/sampling-catalogue/jianguan.catalogue.v1/0"));
}

TEST_CASE("a store that already projects departments keeps its catalogue positions") {
  Fixture f;
  f.Populate();  // departments, inspectors, items, subjects
  store::UnitOfWork work;
  work.Put(std::string(store::kConsumerFamily), "pos/sampling-catalogue/jianguan.catalogue.v1/0",
           "40");
  REQUIRE(f.db->Commit(work).ok());
  REQUIRE(UpgradeProjections(*f.db).ok());
  auto value = f.db->Get(store::kConsumerFamily, "pos/sampling-catalogue/jianguan.catalogue.v1/0");
  REQUIRE(value.ok());
  CHECK(value->has_value());
}

TEST_CASE("an approval's frozen list replaces whatever an unfinished approval left") {
  // The list is written before the approval's commit; an approval that failed or crashed
  // after writing it leaves it behind, and the next one must not read any of it.
  Fixture f;
  const PlanStore plans(*f.db);
  const auto write = [&](const CandidateProjection& list) {
    store::UnitOfWork work;
    REQUIRE(plans.PutFrozenList(work, "2026-left-001", list).ok());
    REQUIRE(f.db->Commit(work).ok());
  };
  CandidateProjection left;  // two chunks of 65,536 and inspectors on three candidates
  for (uint64_t i = 0; i < 70000; ++i) {
    CandidateMarks marks;
    if (i % 30000 == 7) marks.last_inspectors = {"INS-" + std::to_string(i)};
    REQUIRE(left.Append(TestUscc(i), CreditGrade::kB, RiskLevel::kLow, marks).ok());
  }
  write(left);
  CandidateProjection frozen;
  REQUIRE(frozen.Append(TestUscc(3), CreditGrade::kA, RiskLevel::kHigh, {.recent = true}).ok());
  REQUIRE(frozen.Append(TestUscc(8), CreditGrade::kD, RiskLevel::kGeneral,
                        {.last_inspectors = {"INS-2", "INS-5"}})
              .ok());
  write(frozen);

  const absl::StatusOr<CandidateProjection> loaded = plans.LoadCandidates("2026-left-001", 2);
  REQUIRE(loaded.ok());
  CHECK(loaded->CandidatesDigest() == frozen.CandidatesDigest());
  CHECK(loaded->Line(1) == frozen.Line(1));
  // A count that the stored list does not have is damage, not a shorter list.
  CHECK(plans.LoadCandidates("2026-left-001", 70000).status().code() ==
        absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace jianguan::sampling
