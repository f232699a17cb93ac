// Department isolation in case handling (docs/security.md), over a real in-process gRPC server:
// Jinhua's case, its documents and trail, an on-site decision and a lead are answered to
// Yiwu as if they did not exist (NOT_FOUND, the words of an absent record) and left out of
// its lists; a lead handed to the province is read by both ends of the hand-over; the role
// oversight reads everything and changes nothing.
#include <catch2/catch.hpp>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "libs/core/civil_date.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "services/cases/cases_service.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using fixtures::kScjg;
using fixtures::kUscc;
using jianguan::testing::CallAs;

constexpr char kYiwu[] = "330782-SCJG";      // reads none of Jinhua's records
constexpr char kProvince[] = "330000-SCJG";  // offered one of Jinhua's leads

common::v1::Date D(int year, int month, int day) { return DateOf(absl::CivilDay(year, month, day)); }

Caller Officer(const std::string& department) {
  return Caller{.department = department, .user_id = "OFF-1"};
}

// A refusal that says no more than an absent record would.
void CheckHidden(const grpc::Status& status, const std::string& name) {
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "resource not found: " + name);
}

struct Fixture {
  jianguan::testing::TempDir dir;
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = CaseStore::Families(), .sync_writes = false});
  jianguan::testing::FakeClock clock{
      absl::FromCivil(absl::CivilSecond(2026, 3, 2, 12, 0, 0), BeijingTime())};
  Departments departments = *Departments::Load(fixtures::DataRoot() + "/cases/departments.csv");
  CasesService service{*db, departments, fixtures::Calendar(), clock, {}, nullptr};
  jianguan::testing::InProcessServer server{{&service}};
  std::unique_ptr<v1::Cases::Stub> stub = server.Stub<v1::Cases>();
  int requests = 0;

  std::string Id() { return "iso-" + std::to_string(++requests); }

  v1::Lead Lead(const std::string& department) {
    v1::RegisterLeadRequest request;
    request.set_request_id(Id());
    request.set_uscc(kUscc);
    request.set_source(v1::LEAD_SOURCE_COMPLAINT);
    request.set_source_ref("12315-" + Id());
    request.set_summary("群众投诉：超市销售过期食品");
    *request.mutable_violation()->mutable_committed_date() = D(2026, 2, 20);
    auto lead = service.DoRegisterLead(Officer(department), request);
    REQUIRE(lead.ok());
    return *lead;
  }

  v1::Case File(const v1::Lead& lead) {
    v1::FileCaseRequest request;
    request.set_request_id(Id());
    request.set_lead(lead.name());
    request.set_party_name("金华市某某超市有限公司");
    request.set_party_kind(v1::PARTY_KIND_ORGANISATION);
    request.add_item_codes("JG-330700-001");
    request.add_officer_ids("OFF-1");
    request.add_officer_ids("OFF-2");
    auto filed = service.DoFileCase(Officer(lead.department().code()), request);
    INFO(filed.status().ToString());
    REQUIRE(filed.ok());
    return filed->case_record();
  }

  grpc::Status GetCase(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetCaseRequest request;
    request.set_name(name);
    v1::CaseView view;
    return stub->GetCase(as.get(), request, &view);
  }

  grpc::Status GetLead(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetLeadRequest request;
    request.set_name(name);
    v1::Lead lead;
    return stub->GetLead(as.get(), request, &lead);
  }

  grpc::Status GetDocument(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetDocumentRequest request;
    request.set_name(name);
    v1::Document document;
    return stub->GetDocument(as.get(), request, &document);
  }

  std::vector<std::string> ListCases(std::unique_ptr<grpc::ClientContext> as,
                                     const std::string& department = "") {
    v1::ListCasesRequest request;
    request.mutable_department()->set_code(department);
    v1::ListCasesResponse response;
    const grpc::Status status = stub->ListCases(as.get(), request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    std::vector<std::string> names;
    for (const v1::CaseView& view : response.cases()) names.push_back(view.case_record().name());
    return names;
  }

  std::vector<std::string> ListLeads(std::unique_ptr<grpc::ClientContext> as,
                                     const std::string& department = "") {
    v1::ListLeadsRequest request;
    request.mutable_department()->set_code(department);
    v1::ListLeadsResponse response;
    const grpc::Status status = stub->ListLeads(as.get(), request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    std::vector<std::string> names;
    for (const v1::Lead& lead : response.leads()) names.push_back(lead.name());
    return names;
  }
};

using Names = std::vector<std::string>;

TEST_CASE("another department neither reads nor lists a case, its documents or its trail") {
  Fixture f;
  const v1::Case c = f.File(f.Lead(kScjg));
  const std::string document = c.documents(0).name();

  REQUIRE(f.GetCase(c.name(), CallAs(kScjg)).ok());
  REQUIRE(f.GetDocument(document, CallAs(kScjg)).ok());
  CHECK(f.ListCases(CallAs(kScjg)) == Names{c.name()});

  CheckHidden(f.GetCase(c.name(), CallAs(kYiwu)), c.name());
  const std::string absent = "cases/" + std::string(25, '0') + "Z";
  CheckHidden(f.GetCase(absent, CallAs(kScjg)), absent);  // the same words
  CheckHidden(f.GetDocument(document, CallAs(kYiwu)), c.name());
  {
    v1::GetCaseTrailRequest request;
    request.set_name(c.name());
    v1::CaseTrail trail;
    CheckHidden(f.stub->GetCaseTrail(CallAs(kYiwu).get(), request, &trail), c.name());
    CHECK(f.stub->GetCaseTrail(CallAs(kScjg).get(), request, &trail).ok());
  }
  CHECK(f.ListCases(CallAs(kYiwu)).empty());
  // Naming Jinhua in the list needs the role oversight.
  v1::ListCasesRequest others;
  others.mutable_department()->set_code(kScjg);
  v1::ListCasesResponse listed;
  const grpc::Status refused = f.stub->ListCases(CallAs(kYiwu).get(), others, &listed);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(jianguan::testing::FieldNames(refused) ==
        std::set<std::string>{"department.code"});

  // A step by Yiwu is refused as a read is, and changes nothing.
  v1::ActRequest start;
  start.set_request_id(f.Id());
  start.set_case_name(c.name());
  start.set_action(v1::CASE_ACTION_START_INVESTIGATION);
  start.add_officer_ids("OFF-1");
  start.add_officer_ids("OFF-2");
  v1::CaseView after;
  CheckHidden(f.stub->Act(CallAs(kYiwu).get(), start, &after), c.name());
  v1::GetCaseRequest get;
  get.set_name(c.name());
  CHECK(f.service.DoGetCase(Officer(kScjg), get)->case_record().version() == 1);
}

TEST_CASE("the role oversight reads another department's case, lists it and changes nothing") {
  Fixture f;
  const v1::Case c = f.File(f.Lead(kScjg));
  CHECK(f.GetCase(c.name(), CallAs(kYiwu, {roles::kOversight})).ok());
  CHECK(f.GetDocument(c.documents(0).name(), CallAs(kYiwu, {roles::kOversight})).ok());
  CHECK(f.ListCases(CallAs(kYiwu, {roles::kOversight}), kScjg) == Names{c.name()});
  CHECK(f.ListCases(CallAs(kYiwu, {roles::kOversight})).empty());  // its own, by default

  v1::ActRequest start;
  start.set_request_id(f.Id());
  start.set_case_name(c.name());
  start.set_action(v1::CASE_ACTION_START_INVESTIGATION);
  start.add_officer_ids("OFF-1");
  start.add_officer_ids("OFF-2");
  v1::CaseView after;
  const grpc::Status refused = f.stub->Act(CallAs(kYiwu, {roles::kOversight}).get(), start, &after);
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find("oversight") != std::string::npos);
  v1::GetCaseRequest get;
  get.set_name(c.name());
  CHECK(f.service.DoGetCase(Officer(kScjg), get)->case_record().version() == 1);

  // Another department's case report too.
  v1::GetCaseReportRequest report;
  report.mutable_department()->set_code(kScjg);
  *report.mutable_period_start() = D(2026, 3, 1);
  *report.mutable_period_end() = D(2026, 3, 31);
  v1::CaseReport figures;
  REQUIRE(f.stub->GetCaseReport(CallAs(kYiwu, {roles::kOversight}).get(), report, &figures).ok());
  CHECK(figures.cases_filed() == 1);
  CHECK(f.stub->GetCaseReport(CallAs(kYiwu).get(), report, &figures).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("a lead is read by the departments it was handed between, and by no other") {
  Fixture f;
  const v1::Lead lead = f.Lead(kScjg);
  CheckHidden(f.GetLead(lead.name(), CallAs(kProvince)), lead.name());
  CHECK(f.ListLeads(CallAs(kProvince)).empty());

  v1::TransferLeadRequest transfer;
  transfer.set_request_id(f.Id());
  transfer.set_lead(lead.name());
  transfer.mutable_to_department()->set_code(kProvince);
  transfer.set_reason("案情重大，报请省局管辖");
  REQUIRE(f.service.DoTransferLead(Officer(kScjg), transfer).ok());
  // Offered: the province reads and lists it; Yiwu still does neither.
  CHECK(f.GetLead(lead.name(), CallAs(kProvince)).ok());
  CHECK(f.ListLeads(CallAs(kProvince)) == Names{lead.name()});
  CheckHidden(f.GetLead(lead.name(), CallAs(kYiwu)), lead.name());
  CHECK(f.ListLeads(CallAs(kYiwu)).empty());

  v1::AnswerTransferRequest accept;
  accept.set_request_id(f.Id());
  accept.set_lead(lead.name());
  accept.set_accept(true);
  REQUIRE(f.service.DoAnswerTransfer(Officer(kProvince), accept).ok());
  // Accepted: the sender keeps reading what it handed over, though it left its list, and
  // cannot move it any more.
  CHECK(f.GetLead(lead.name(), CallAs(kScjg)).ok());
  CHECK(f.ListLeads(CallAs(kScjg)).empty());
  v1::DeclineLeadRequest decline;
  decline.set_request_id(f.Id());
  decline.set_lead(lead.name());
  decline.set_reason("证据不足");
  v1::Lead out;
  CHECK(f.stub->DeclineLead(CallAs(kScjg).get(), decline, &out).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  CheckHidden(f.stub->DeclineLead(CallAs(kYiwu).get(), decline, &out), lead.name());
  CheckHidden(f.GetLead(lead.name(), CallAs(kYiwu)), lead.name());

  // The role oversight reads and lists any department's leads, and moves none.
  CHECK(f.GetLead(lead.name(), CallAs(kYiwu, {roles::kOversight})).ok());
  CHECK(f.ListLeads(CallAs(kYiwu, {roles::kOversight}), kProvince) == Names{lead.name()});
  decline.set_request_id(f.Id());
  const grpc::Status refused =
      f.stub->DeclineLead(CallAs(kYiwu, {roles::kOversight}).get(), decline, &out);
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find("oversight") != std::string::npos);
  v1::GetLeadRequest get;
  get.set_name(lead.name());
  CHECK(f.service.DoGetLead(Officer(kProvince), get)->state() == v1::LEAD_STATE_REGISTERED);
}

TEST_CASE("an on-site decision's document is its department's") {
  Fixture f;
  v1::DecideOnSpotRequest request;
  request.set_request_id(f.Id());
  request.set_uscc(kUscc);
  request.set_party_name("金华市某某超市有限公司");
  request.set_party_kind(v1::PARTY_KIND_ORGANISATION);
  *request.mutable_penalty() = fixtures::Warning();
  request.set_facts("未按规定公示");
  request.add_officer_ids("OFF-1");
  request.add_officer_ids("OFF-2");
  auto decided = f.service.DoDecideOnSpot(Officer(kScjg), request);
  REQUIRE(decided.ok());
  const std::string document = decided->name() + "/documents/1";
  CHECK(f.GetDocument(document, CallAs(kScjg)).ok());
  CheckHidden(f.GetDocument(document, CallAs(kYiwu)), document);
  CHECK(f.GetDocument(document, CallAs(kYiwu, {roles::kOversight})).ok());
}

}  // namespace
}  // namespace jianguan::cases
