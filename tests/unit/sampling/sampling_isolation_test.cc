// Department isolation in sampling (docs/security.md), over a real in-process gRPC server: a
// joint plan of Jinhua's market regulation (initiator) and health commission is read and
// listed by both; to the ecology bureau a draft is absent (NOT_FOUND, the words of an absent
// plan) and the internal view of an approved or drawn plan refused (PERMISSION_DENIED naming
// the public API, which stays open); lists keep their pages full while leaving plans out; the
// role oversight reads everything and moves nothing; the verification package needs the role
// draw-auditor, whatever the department.
#include <catch2/catch.hpp>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/dates.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/projection.h"
#include "services/sampling/sampling_service.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::CallAs;
using jianguan::testing::DateOf;
using testing::TestUscc;

constexpr char kScjg[] = "330700-SCJG";  // initiates the joint plans
constexpr char kWsj[] = "330700-WSJ";    // takes part in them
constexpr char kSthj[] = "330700-STHJ";  // takes part in none; initiates its own

// A refusal that says no more than an absent plan would.
void CheckHidden(const grpc::Status& status, const std::string& name) {
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "resource not found: " + name);
}

struct Fixture {
  jianguan::testing::TempDir dir{"jg-sampling-isolation"};
  jianguan::testing::FakeClock clock{
      absl::FromCivil(absl::CivilSecond(2026, 2, 1, 9, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = PlanStore::Families(), .sync_writes = false});
  SamplingService service{*db, clock, nullptr};
  SamplingPublicService public_service{*db};
  jianguan::testing::InProcessServer server{{&service, &public_service}};
  std::unique_ptr<v1::Sampling::Stub> stub = server.Stub<v1::Sampling>();
  std::unique_ptr<v1::SamplingPublic::Stub> public_stub = server.Stub<v1::SamplingPublic>();
  int requests = 0;

  // The catalogue of the three departments, ten Jinhua subjects and two inspectors each of
  // SCJG and WSJ.
  Fixture() {
    for (const char* code : {kScjg, kWsj, kSthj}) {
      catalogue::v1::DepartmentChanged event;
      event.set_created(true);
      event.mutable_department()->set_code(code);
      event.mutable_department()->set_name(std::string("部门") + code);
      event.mutable_department()->set_status(catalogue::v1::DEPARTMENT_STATUS_ACTIVE);
      event.mutable_department()->set_version(1);
      Consume(topics::kCatalogue, std::string("departments/") + code, event);
    }
    for (const char* code : {"JG-1", "JG-3", "JG-9"}) {
      catalogue::v1::ItemPublished event;
      event.mutable_item()->set_code(code);
      event.mutable_item()->set_version(1);
      event.mutable_item()->set_field("market-regulation");
      Consume(topics::kCatalogue, std::string("items/") + code, event);
    }
    for (int i = 0; i < 10; ++i) {
      subject::v1::SubjectRegistered event;
      subject::v1::SubjectFacts& facts = *event.mutable_facts();
      facts.set_uscc(TestUscc(i));
      facts.set_name("金华测试商行" + std::to_string(i));
      facts.set_type(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
      facts.mutable_industry()->set_code("5221");
      facts.mutable_registration_region()->set_code("330702");
      facts.mutable_business_region()->set_code("330702");
      facts.set_status(subject::v1::SUBJECT_STATUS_NORMAL);
      facts.set_version(1);
      Consume(topics::kSubject, TestUscc(i), event);
    }
    for (const auto& [id, department, item] :
         {std::tuple{"SC-1", kScjg, "JG-1"}, std::tuple{"SC-2", kScjg, "JG-1"},
          std::tuple{"WS-1", kWsj, "JG-3"}, std::tuple{"WS-2", kWsj, "JG-3"}}) {
      catalogue::v1::InspectorRegistered event;
      catalogue::v1::Inspector& inspector = *event.mutable_inspector();
      inspector.set_id(id);
      inspector.set_name(std::string("执法员") + id);
      inspector.mutable_department()->set_code(department);
      inspector.mutable_certificate()->set_number(std::string("ZJ-") + id);
      *inspector.mutable_certificate()->mutable_valid_from() = DateOf(2025, 1, 1);
      *inspector.mutable_certificate()->mutable_valid_until() = DateOf(2028, 12, 31);
      inspector.add_authorised_items(item);
      inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
      inspector.set_version(1);
      Consume(topics::kCatalogue, std::string("inspectors/") + id, event);
    }
  }

  void Consume(const std::string& topic, const std::string& key,
               const google::protobuf::Message& message) {
    const events::ConsumedEvent event =
        jianguan::testing::AsConsumed(topic, key, message, "test", 0, clock.Now());
    store::UnitOfWork work;
    REQUIRE((topic == topics::kSubject ? ApplySubjectEvent(*db, event, work)
                                       : ApplyCatalogueEvent(*db, event, work))
                .ok());
    REQUIRE(db->Commit(work).ok());
  }

  std::string Id() { return "iso-" + std::to_string(++requests); }

  // A plan of `initiator` over Jinhua: with WSJ (joint) for SCJG, alone for STHJ.
  v1::Plan Create(const std::string& plan_id, const std::string& initiator = kScjg) {
    v1::Plan plan;
    plan.set_plan_id(plan_id);
    plan.set_title("2026年金华市双随机抽查");
    plan.set_year(2026);
    plan.mutable_initiating_department()->set_code(initiator);
    const auto add = [&](const std::string& department, const std::string& item) {
      v1::PlanDepartment* d = plan.add_departments();
      d->mutable_department()->set_code(department);
      v1::PlanItem* i = d->add_items();
      i->set_code(item);
      i->set_version(1);
    };
    if (initiator == kScjg) {
      add(kScjg, "JG-1");
      add(kWsj, "JG-3");
    } else {
      add(initiator, "JG-9");
    }
    plan.mutable_target()->add_region_prefixes("3307");
    *plan.mutable_period_start() = DateOf(2026, 3, 1);
    *plan.mutable_period_end() = DateOf(2026, 6, 30);
    v1::ClassRule* rule = plan.add_class_rules();
    rule->set_class_name("B-general");
    rule->set_ppm(500000);
    rule->set_round_up(true);
    rule->set_max(-1);
    v1::CreatePlanRequest request;
    request.set_request_id(Id());
    *request.mutable_plan() = plan;
    auto created = service.DoCreatePlan(Caller{.department = initiator, .user_id = "wang.li"},
                                        request);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    return *created;
  }

  grpc::Status Approve(const std::string& plan_id, std::unique_ptr<grpc::ClientContext> as) {
    v1::PlanTransitionRequest request;
    request.set_request_id(Id());
    request.set_name("plans/" + plan_id);
    v1::Plan plan;
    return stub->ApprovePlan(as.get(), request, &plan);
  }

  void Draw(const std::string& plan_id) {
    REQUIRE(Approve(plan_id, CallAs(kScjg)).ok());
    v1::DrawPlanRequest request;
    request.set_request_id(Id());
    request.set_name("plans/" + plan_id);
    request.set_entropy("福彩3D 2026061 4 7 1");
    v1::Plan plan;
    const grpc::Status drawn = stub->DrawPlan(CallAs(kScjg).get(), request, &plan);
    INFO(drawn.error_message());
    REQUIRE(drawn.ok());
  }

  grpc::Status Get(const std::string& plan_id, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetPlanRequest request;
    request.set_name("plans/" + plan_id);
    v1::Plan plan;
    return stub->GetPlan(as.get(), request, &plan);
  }

  grpc::Status Tasks(const std::string& plan_id, std::unique_ptr<grpc::ClientContext> as) {
    v1::ListTasksRequest request;
    request.set_name("plans/" + plan_id);
    v1::ListTasksResponse tasks;
    return stub->ListTasks(as.get(), request, &tasks);
  }

  // Every plan `as` lists, page by page of `page_size`; each page but the last full.
  std::vector<std::string> Listed(std::string_view department,
                                  std::initializer_list<std::string_view> roles = {},
                                  int page_size = 50) {
    std::vector<std::string> ids;
    std::string token;
    do {
      v1::ListPlansRequest request;
      request.mutable_page()->set_page_size(page_size);
      request.mutable_page()->set_page_token(token);
      v1::ListPlansResponse page;
      const grpc::Status status = stub->ListPlans(CallAs(department, roles).get(), request, &page);
      INFO(status.error_message());
      REQUIRE(status.ok());
      for (const v1::Plan& plan : page.plans()) ids.push_back(plan.plan_id());
      token = page.page().next_page_token();
      if (!token.empty()) CHECK(page.plans_size() == page_size);
    } while (!token.empty());
    return ids;
  }

  // The verification package's stream, read to its end.
  grpc::Status Export(const std::string& plan_id, std::unique_ptr<grpc::ClientContext> as,
                      std::string* document) {
    v1::ExportRequest request;
    request.set_name("plans/" + plan_id);
    auto stream = stub->ExportVerificationPackage(as.get(), request);
    v1::ExportChunk chunk;
    while (stream->Read(&chunk)) document->append(chunk.data());
    return stream->Finish();
  }
};

using Ids = std::vector<std::string>;

TEST_CASE("a draft plan is its departments': absent to any other, and moved by none") {
  Fixture f;
  f.Create("2026-jh-01");
  CHECK(f.Get("2026-jh-01", CallAs(kScjg)).ok());
  CHECK(f.Get("2026-jh-01", CallAs(kWsj)).ok());  // the joint department
  CHECK(f.Listed(kWsj) == Ids{"2026-jh-01"});

  CheckHidden(f.Get("2026-jh-01", CallAs(kSthj)), "plans/2026-jh-01");
  CheckHidden(f.Get("2026-jh-99", CallAs(kScjg)), "plans/2026-jh-99");  // the same words
  CHECK(f.Listed(kSthj).empty());
  CheckHidden(f.Approve("2026-jh-01", CallAs(kSthj)), "plans/2026-jh-01");
  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-01");
  v1::PublicPlan shown;
  CHECK(f.public_stub->GetPublicPlan(CallAs(kSthj).get(), get, &shown).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  // The role oversight reads and lists it, and moves nothing; nor does the joint department.
  CHECK(f.Get("2026-jh-01", CallAs(kSthj, {roles::kOversight})).ok());
  CHECK(f.Listed(kSthj, {roles::kOversight}) == Ids{"2026-jh-01"});
  CHECK(f.Approve("2026-jh-01", CallAs(kSthj, {roles::kOversight})).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.Approve("2026-jh-01", CallAs(kWsj)).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  v1::Plan plan;
  REQUIRE(f.stub->GetPlan(CallAs(kScjg).get(), get, &plan).ok());
  CHECK(plan.state() == v1::PLAN_STATE_DRAFT);
  CHECK(plan.version() == 1);
}

TEST_CASE("a drawn plan's internal view is refused to another department, its public view not") {
  Fixture f;
  f.Create("2026-jh-02");
  f.Draw("2026-jh-02");
  CHECK(f.Tasks("2026-jh-02", CallAs(kScjg)).ok());
  CHECK(f.Tasks("2026-jh-02", CallAs(kWsj)).ok());
  CHECK(f.Tasks("2026-jh-02", CallAs(kSthj, {roles::kOversight})).ok());

  const grpc::Status refused = f.Get("2026-jh-02", CallAs(kSthj));
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find("SamplingPublic.GetPublicPlan") != std::string::npos);
  CHECK(f.Tasks("2026-jh-02", CallAs(kSthj)).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.Listed(kSthj).empty());
  v1::GetPlanRequest get;
  get.set_name("plans/2026-jh-02");
  v1::PublicPlan shown;
  CHECK(f.public_stub->GetPublicPlan(CallAs(kSthj).get(), get, &shown).ok());
}

TEST_CASE("the verification package needs the role draw-auditor, not a department of the plan") {
  Fixture f;
  f.Create("2026-jh-03");
  f.Draw("2026-jh-03");
  std::string document;
  const grpc::Status refused = f.Export("2026-jh-03", CallAs(kScjg), &document);
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find(roles::kDrawAuditor) != std::string::npos);
  CHECK(document.empty());
  // An auditor (notary, discipline inspection) is outside the plan's departments.
  CHECK(f.Export("2026-jh-03", CallAs(kSthj, {roles::kDrawAuditor}), &document).ok());
  CHECK(!document.empty());
}

TEST_CASE("a list leaves out the plans the caller may not read and keeps its pages full") {
  Fixture f;
  // Interleaved in key order: SCJG's joint plans and STHJ's own.
  for (const char* id : {"2026-a", "2026-c", "2026-e"}) f.Create(id);
  for (const char* id : {"2026-b", "2026-d", "2026-f"}) f.Create(id, kSthj);
  CHECK(f.Listed(kWsj, {}, 1) == Ids{"2026-a", "2026-c", "2026-e"});
  CHECK(f.Listed(kWsj, {}, 2) == Ids{"2026-a", "2026-c", "2026-e"});
  CHECK(f.Listed(kSthj, {}, 1) == Ids{"2026-b", "2026-d", "2026-f"});
  CHECK(f.Listed(kSthj, {roles::kOversight}, 4) ==
        Ids{"2026-a", "2026-b", "2026-c", "2026-d", "2026-e", "2026-f"});
}

}  // namespace
}  // namespace jianguan::sampling
