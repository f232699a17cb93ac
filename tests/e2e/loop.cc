#include "tests/e2e/loop.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "jianguan/catalogue/v1/catalogue.grpc.pb.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "jianguan/risk/v1/risk.grpc.pb.h"
#include "jianguan/sampling/v1/sampling.grpc.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/topics.h"
#include "libs/testing/uscc_series.h"

namespace jianguan::e2e {
namespace {

namespace catalogue = ::jianguan::catalogue::v1;
namespace subject = ::jianguan::subject::v1;
namespace sampling = ::jianguan::sampling::v1;
namespace insp = ::jianguan::inspection::v1;
namespace cases = ::jianguan::cases::v1;
namespace credit = ::jianguan::credit::v1;
namespace risk = ::jianguan::risk::v1;

constexpr char kScjg[] = "330700-SCJG";  // 金华市市场监督管理局, leads the joint plan
constexpr char kXfjy[] = "330700-XFJY";  // 金华市消防救援支队
constexpr char kTag[] = "e2e-loop";
constexpr char kReviewer[] = "e2e.reviewer";  // the lead department's reviewer, no inspector
constexpr char kLegal[] = "e2e.legal";        // the legal staff (法制审核), no case officer
constexpr int64_t kFineFen = 20'000'000;      // 200 000 元: an organisation's fine ≥ 10 万

struct DepartmentSetup {
  const char* code;
  const char* name;
  const char* item;
  const char* item_name;
  const char* field;
  const char* form;
  const char* question;
  const char* law;
  const char* article;
};

const DepartmentSetup kDepartments[] = {
    {kScjg, "金华市市场监督管理局", "E2E-SCJG-01", "产品质量监督检查", "product-quality",
     "E2E-F-SCJG", "销售的产品是否符合保障人体健康和人身、财产安全的标准", "《中华人民共和国产品质量法》",
     "第十三条"},
    {kXfjy, "金华市消防救援支队", "E2E-XFJY-01", "消防安全检查", "fire-safety", "E2E-F-XFJY",
     "疏散通道、安全出口是否畅通", "《中华人民共和国消防法》", "第二十八条"},
};

const DepartmentSetup& SetupOf(const std::string& code) {
  for (const DepartmentSetup& d : kDepartments) {
    if (code == d.code) return d;
  }
  FAIL("no department " << code);
  return kDepartments[0];
}

std::unique_ptr<grpc::ClientContext> As(const std::string& department,
                                        const std::string& user = "e2e.officer",
                                        const std::string& role = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!department.empty()) context->AddMetadata("x-jg-department", department);
  if (!user.empty()) context->AddMetadata("x-jg-user", user);
  if (!role.empty()) context->AddMetadata("x-jg-role", role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

void Ok(const std::string& what, const grpc::Status& status) {
  INFO(what << ": " << status.error_message());
  REQUIRE(status.ok());
}

void Eventually(const std::string& what, const std::function<bool()>& ready,
                absl::Duration within = absl::Seconds(180)) {
  const absl::Time deadline = absl::Now() + within;
  while (!ready()) {
    INFO("waiting for " << what);
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(250));
  }
}

// Beijing's calendar: the law's days are Beijing days.
absl::CivilDay BeijingToday() { return absl::ToCivilDay(absl::Now(), BeijingTime()); }

class Phases {
 public:
  Phases(Suite& suite, const FaultPlan& faults) : suite_(suite), faults_(faults) {}
  // Ends the phase `name`: the fault planned for it, if any, happens now, while what the
  // phase wrote is still on its way between the services.
  void End(const std::string& name) {
    const absl::Duration took = absl::Now() - phase_start_;
    std::printf("[loop] phase %-18s done in %5.1f s\n", name.c_str(), absl::ToDoubleSeconds(took));
    auto it = faults_.after_phase.find(name);
    if (it != faults_.after_phase.end()) {
      const absl::Time start = absl::Now();
      if (it->second == "kafka") {
        suite_.RestartBroker();
      } else {
        suite_.Kill9AndRestart(it->second);
      }
      std::printf("[loop] fault after %s: %s %s, back in %.1f s\n", name.c_str(),
                  it->second == "kafka" ? "broker restarted" : "kill -9 of",
                  it->second == "kafka" ? "" : it->second.c_str(),
                  absl::ToDoubleSeconds(absl::Now() - start));
    }
    std::fflush(stdout);
    phase_start_ = absl::Now();
  }

 private:
  Suite& suite_;
  const FaultPlan& faults_;
  absl::Time phase_start_ = absl::Now();
};

// --- the catalogue ------------------------------------------------------------------------

catalogue::RegulatoryItem ItemOf(const DepartmentSetup& d) {
  catalogue::RegulatoryItem item;
  item.set_code(d.item);
  item.set_name(d.item_name);
  item.add_owning_departments()->set_code(d.code);
  item.set_level(catalogue::LEVEL_CITY);
  item.set_category(catalogue::ITEM_CATEGORY_INSPECTION);
  item.set_field(d.field);
  item.add_legal_basis()->set_law(d.law);
  catalogue::CheckPoint* point = item.add_check_points();
  point->set_code("C01");
  point->set_question(d.question);
  point->mutable_legal_basis()->set_law(d.law);
  point->mutable_legal_basis()->set_article(d.article);
  const struct {
    const char* code;
    const char* label;
    bool finding;
  } answers[] = {{"Y", "符合", false}, {"N", "不符合", true}, {"NA", "无法核查", false}};
  for (const auto& a : answers) {
    catalogue::AllowedAnswer* answer = point->add_allowed_answers();
    answer->set_code(a.code);
    answer->set_label(a.label);
    answer->set_finding(a.finding);
  }
  return item;
}

// Two departments, an item, a published form and three inspectors each; returns the
// inspectors' ids by department.
std::map<std::string, std::vector<std::string>> LoadCatalogue(Suite& suite) {
  auto stub = catalogue::Catalogue::NewStub(suite.channel("catalogue"));
  std::map<std::string, std::vector<std::string>> inspectors;
  for (const DepartmentSetup& d : kDepartments) {
    catalogue::CreateDepartmentRequest department;
    department.set_request_id(absl::StrCat("e2e-department-", d.code));
    department.mutable_department()->set_code(d.code);
    department.mutable_department()->set_name(d.name);
    department.mutable_department()->set_level(catalogue::LEVEL_CITY);
    department.mutable_department()->mutable_region()->set_code("330700");
    department.mutable_department()->set_status(catalogue::DEPARTMENT_STATUS_ACTIVE);
    catalogue::Department created;
    Ok("CreateDepartment", stub->CreateDepartment(As(d.code).get(), department, &created));

    catalogue::CreateItemRequest item;
    item.set_request_id(absl::StrCat("e2e-item-", d.item));
    *item.mutable_item() = ItemOf(d);
    catalogue::ItemView item_view;
    Ok("CreateItem", stub->CreateItem(As(d.code).get(), item, &item_view));
    catalogue::PublishItemRequest publish_item;
    publish_item.set_request_id(absl::StrCat("e2e-publish-", d.item));
    publish_item.set_name(absl::StrCat("items/", d.item));
    Ok("PublishItem", stub->PublishItem(As(d.code).get(), publish_item, &item_view));

    catalogue::CreateFormRequest form;
    form.set_request_id(absl::StrCat("e2e-form-", d.form));
    form.mutable_form()->set_code(d.form);
    form.mutable_form()->set_name(absl::StrCat(d.item_name, "表"));
    form.mutable_form()->add_departments()->set_code(d.code);
    form.mutable_form()->add_sections()->set_item_code(d.item);
    catalogue::FormView form_view;
    Ok("CreateForm", stub->CreateForm(As(d.code).get(), form, &form_view));
    catalogue::PublishFormRequest publish_form;
    publish_form.set_request_id(absl::StrCat("e2e-publish-", d.form));
    publish_form.set_name(absl::StrCat("forms/", d.form));
    Ok("PublishForm", stub->PublishForm(As(d.code).get(), publish_form, &form_view));

    for (int i = 1; i <= 3; ++i) {
      catalogue::RegisterInspectorRequest request;
      request.set_request_id(absl::StrCat("e2e-inspector-", d.code, "-", i));
      catalogue::Inspector* inspector = request.mutable_inspector();
      inspector->set_name(absl::StrCat(d.code == std::string(kScjg) ? "市监执法员" : "消防监督员", i));
      inspector->mutable_department()->set_code(d.code);
      inspector->mutable_certificate()->set_number(absl::StrCat("E2E-", d.code, "-", i));
      inspector->mutable_certificate()->set_issuer("浙江省人民政府");
      *inspector->mutable_certificate()->mutable_valid_from() = DateOf(absl::CivilDay(2025, 1, 1));
      *inspector->mutable_certificate()->mutable_valid_until() =
          DateOf(absl::CivilDay(BeijingToday().year() + 2, 12, 31));
      inspector->add_authorised_items(d.item);
      catalogue::Inspector registered;
      Ok("RegisterInspector", stub->RegisterInspector(As(d.code).get(), request, &registered));
      inspectors[d.code].push_back(registered.id());
    }
  }
  return inspectors;
}

// --- the registry -------------------------------------------------------------------------

std::vector<subject::Subject> Enterprises(int count) {
  std::vector<subject::Subject> out;
  for (int i = 0; i < count; ++i) {
    subject::Subject s;
    s.set_uscc(testing::SeriesUscc("91330702", 700'000 + i));
    s.set_name(absl::StrCat("金华市闭环测试", i + 1, "号有限公司"));
    s.set_type(subject::SUBJECT_TYPE_ENTERPRISE);
    s.mutable_legal_representative()->set_name(absl::StrCat("赵", i + 1, "号"));
    s.mutable_legal_representative()->set_id_number("330702198001011234");
    s.mutable_industry()->set_code("5212");
    s.mutable_registration_region()->set_code("330702");
    s.mutable_business_address()->mutable_region()->set_code("330702");
    s.mutable_business_address()->set_detail(absl::StrCat("金华市婺城区八一南街", 100 + i, "号"));
    s.add_tags(kTag);
    out.push_back(std::move(s));
  }
  return out;
}

void ImportEnterprises(Suite& suite, const std::vector<subject::Subject>& enterprises) {
  auto stub = subject::SubjectRegistry::NewStub(suite.channel("subject-registry"));
  auto context = As(kScjg);
  auto stream = stub->ImportSubjects(context.get());
  subject::ImportSubjectsRequest request;
  for (size_t i = 0; i < enterprises.size(); ++i) {
    subject::ImportRow* row = request.add_rows();
    row->set_row_number(static_cast<int64_t>(i + 1));
    *row->mutable_subject() = enterprises[i];
  }
  REQUIRE(stream->Write(request));
  subject::ImportSubjectsResponse answer;
  REQUIRE(stream->Read(&answer));
  INFO(answer.DebugString());
  REQUIRE(answer.errors_size() == 0);
  REQUIRE(answer.accepted() == request.rows_size());
  REQUIRE(stream->WritesDone());
  Ok("ImportSubjects", stream->Finish());
}

// 告知承诺: kBreached promised, for its food business licence, premises it does not have.
std::string RecordCommitment(Suite& suite, const std::string& uscc) {
  auto stub = subject::SubjectRegistry::NewStub(suite.channel("subject-registry"));
  subject::RecordCommitmentRequest request;
  request.set_request_id("e2e-commitment");
  request.set_uscc(uscc);
  subject::Commitment* c = request.mutable_commitment();
  c->set_kind(subject::COMMITMENT_KIND_LICENCE_ITEM);
  c->set_licence_item("食品经营许可");
  c->set_content("承诺经营场所、设施设备符合食品经营许可条件");
  c->mutable_department()->set_code(kScjg);
  *c->mutable_made_on() = DateOf(BeijingToday());
  *c->mutable_verify_by() = DateOf(BeijingToday() + 60);
  subject::RecordCommitmentResponse out;
  Ok("RecordCommitment", stub->RecordCommitment(As(kScjg).get(), request, &out));
  return out.commitment().id();
}

// --- sampling -----------------------------------------------------------------------------

// A joint plan of both departments over the run's enterprises; `ratio` gives each class's
// rule (ppm, full coverage).
sampling::Plan MakePlan(const std::string& id, const std::string& title,
                        const std::function<std::pair<int64_t, bool>(char, const std::string&)>& ratio) {
  sampling::Plan plan;
  plan.set_plan_id(id);
  plan.set_title(title);
  const absl::CivilDay today = BeijingToday();
  plan.set_year(static_cast<int32_t>(today.year()));
  plan.mutable_initiating_department()->set_code(kScjg);
  for (const DepartmentSetup& d : kDepartments) {
    sampling::PlanDepartment* department = plan.add_departments();
    department->mutable_department()->set_code(d.code);
    sampling::PlanItem* item = department->add_items();
    item->set_code(d.item);
    item->set_version(1);
  }
  for (const char grade : {'A', 'B', 'C', 'D'}) {
    for (const std::string risk : {"low", "general", "medium", "high"}) {
      const auto [ppm, full] = ratio(grade, risk);
      sampling::ClassRule* rule = plan.add_class_rules();
      rule->set_class_name(absl::StrCat(std::string(1, grade), "-", risk));
      rule->set_ppm(ppm);
      rule->set_round_up(true);
      rule->set_max(-1);
      rule->set_full_coverage(full);
    }
  }
  plan.set_frequency_months(0);
  plan.set_max_tasks_per_inspector(100'000);
  plan.mutable_target()->add_region_prefixes("3307");
  plan.mutable_target()->add_tags(kTag);
  *plan.mutable_period_start() = DateOf(today);
  *plan.mutable_period_end() = DateOf(absl::CivilDay(today.year(), 12, 31));
  return plan;
}

const std::string kInitiator = "wang.li";

sampling::Plan CreateAndApprove(Suite& suite, const sampling::Plan& plan) {
  auto stub = sampling::Sampling::NewStub(suite.channel("sampling"));
  sampling::CreatePlanRequest create;
  create.set_request_id("e2e-create-" + plan.plan_id());
  *create.mutable_plan() = plan;
  sampling::Plan created;
  Ok("CreatePlan " + plan.plan_id(), stub->CreatePlan(As(kScjg, kInitiator).get(), create, &created));
  sampling::PlanTransitionRequest approve;
  approve.set_request_id("e2e-approve-" + plan.plan_id());
  approve.set_name("plans/" + plan.plan_id());
  sampling::Plan approved;
  Ok("ApprovePlan " + plan.plan_id(),
     stub->ApprovePlan(As(kScjg, kInitiator).get(), approve, &approved));
  return approved;
}

// Drawn with the public entropy, and the result published.
sampling::Plan Draw(Suite& suite, const std::string& name, const std::string& entropy) {
  auto stub = sampling::Sampling::NewStub(suite.channel("sampling"));
  sampling::DrawPlanRequest request;
  request.set_request_id("e2e-draw-" + name.substr(6));
  request.set_name(name);
  request.set_entropy(entropy);
  request.set_entropy_source("中国福利彩票3D开奖公告（端到端测试）");
  sampling::Plan drawn;
  Ok("DrawPlan " + name, stub->DrawPlan(As(kScjg, kInitiator).get(), request, &drawn));
  // 一公开: the draw's result is published at once.
  sampling::PlanTransitionRequest publish;
  publish.set_request_id("e2e-publish-" + name.substr(6));
  publish.set_name(name);
  sampling::Plan published;
  Ok("PublishPlan " + name, stub->PublishPlan(As(kScjg, kInitiator).get(), publish, &published));
  return drawn;
}

// USCC → task number of a drawn plan, as sampling lists it to the initiating department.
std::map<std::string, int64_t> DrawnTasks(Suite& suite, const std::string& plan) {
  auto stub = sampling::Sampling::NewStub(suite.channel("sampling"));
  std::map<std::string, int64_t> drawn;
  std::string token;
  do {
    sampling::ListTasksRequest request;
    request.set_name(plan);
    request.mutable_page()->set_page_size(1000);
    request.mutable_page()->set_page_token(token);
    sampling::ListTasksResponse response;
    Ok("ListTasks " + plan, stub->ListTasks(As(kScjg, kInitiator).get(), request, &response));
    for (const sampling::Task& task : response.tasks()) drawn[task.uscc()] = task.task_number();
    token = response.page().next_page_token();
  } while (!token.empty());
  return drawn;
}

// The candidate lines of a drawn plan's verification package (draw auditors only), by USCC.
std::map<std::string, std::string> CandidateLines(Suite& suite, const std::string& plan) {
  auto stub = sampling::Sampling::NewStub(suite.channel("sampling"));
  sampling::ExportRequest request;
  request.set_name(plan);
  auto context = As(kScjg, "e2e.auditor", "draw-auditor");
  auto reader = stub->ExportVerificationPackage(context.get(), request);
  std::string document;
  sampling::ExportChunk chunk;
  while (reader->Read(&chunk)) document += chunk.data();
  Ok("ExportVerificationPackage " + plan, reader->Finish());
  const std::string key = "\"candidates\":[";
  const size_t begin = document.find(key);
  REQUIRE(begin != std::string::npos);
  const size_t end = document.find(']', begin);
  REQUIRE(end != std::string::npos);
  std::map<std::string, std::string> lines;
  // The lines are quoted strings holding commas themselves: split on the quotes.
  const std::string list = document.substr(begin + key.size(), end - begin - key.size());
  size_t at = 0;
  while ((at = list.find('"', at)) != std::string::npos) {
    const size_t close = list.find('"', at + 1);
    REQUIRE(close != std::string::npos);
    const std::string line = list.substr(at + 1, close - at - 1);
    lines[line.substr(0, line.find(','))] = line;
    at = close + 1;
  }
  return lines;
}

// --- inspection ---------------------------------------------------------------------------

insp::Task GetTask(Suite& suite, const std::string& name, const std::string& department = kScjg) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  insp::GetTaskRequest request;
  request.set_name(name);
  insp::Task task;
  Ok("GetTask " + name, stub->GetTask(As(department).get(), request, &task));
  return task;
}

size_t CountTasks(Suite& suite, const std::string& plan) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  size_t count = 0;
  std::string token;
  do {
    insp::ListTasksRequest request;
    request.set_plan(plan);
    request.mutable_page()->set_page_size(1000);
    request.mutable_page()->set_page_token(token);
    insp::ListTasksResponse response;
    Ok("ListTasks", stub->ListTasks(As(kScjg).get(), request, &response));
    count += response.tasks_size();
    token = response.page().next_page_token();
  } while (!token.empty());
  return count;
}

bool TaskExists(Suite& suite, const std::string& name) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  insp::GetTaskRequest request;
  request.set_name(name);
  insp::Task task;
  const grpc::Status status = stub->GetTask(As(kScjg).get(), request, &task);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return false;
  Ok("GetTask " + name, status);
  return true;
}

// The task moved by one of its inspectors from ASSIGNED to ON_SITE.
void Visit(Suite& suite, const insp::Task& task, const std::string& inspector) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  const std::string department = task.lead_department().code();
  insp::Task moved;
  insp::TaskTransitionRequest accept;
  accept.set_request_id("e2e-accept-" + task.name());
  accept.set_name(task.name());
  Ok("AcceptTask " + task.name(), stub->AcceptTask(As(department, inspector).get(), accept, &moved));
  insp::ArriveOnSiteRequest arrive;
  arrive.set_request_id("e2e-arrive-" + task.name());
  arrive.set_name(task.name());
  Ok("ArriveOnSite " + task.name(),
     stub->ArriveOnSite(As(department, inspector).get(), arrive, &moved));
}

// What each department found at enterprise `role`: (category, answer, measures).
struct Finding {
  std::string category = "1";  // 未发现问题
  std::string answer = "Y";
  std::string note;
  std::vector<insp::FollowUpMeasure> measures = {insp::FOLLOW_UP_MEASURE_NONE};
};

Finding FindingOf(int role, const std::string& department) {
  Finding f;
  if (role == kViolator && department == kScjg) {
    f.category = "4";  // 发现违反产品质量监管规定的行为
    f.answer = "N";
    f.note = "销售的电动自行车充电器未经强制性产品认证（CCC）";
    f.measures = {insp::FOLLOW_UP_MEASURE_ORDER_RECTIFICATION,
                  insp::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE};
  } else if (role == kFireFinding && department == kXfjy) {
    f.category = "5";  // 发现违反其他部门监管规定的行为
    f.answer = "N";
    f.note = "二层疏散通道堆放纸箱";
    f.measures = {insp::FOLLOW_UP_MEASURE_ROUTINE_SUPERVISION};
  } else if (role == kUnreachable) {
    f.category = "6";  // 通过登记的住所（经营场所）无法联系
    f.answer = "NA";
  }
  return f;
}

// The drawn task of enterprise `role` inspected, its result submitted, reviewed and
// published.
void Inspect(Suite& suite, const std::string& task_name, int role) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  const insp::Task task = GetTask(suite, task_name);
  REQUIRE(task.inspectors_size() >= 2);
  const std::string inspector = task.inspectors(0).inspector_id();
  Visit(suite, task, inspector);

  insp::SubmitResultRequest submit;
  submit.set_request_id("e2e-submit-" + task.name());
  submit.set_name(task.name());
  insp::Result& result = *submit.mutable_result();
  for (const insp::TaskDepartment& part : task.departments()) {
    const std::string& code = part.department().code();
    const Finding finding = FindingOf(role, code);
    insp::DepartmentResult& department = *result.add_departments();
    department.mutable_department()->set_code(code);
    department.mutable_category()->set_code(finding.category);
    department.add_verification_methods(insp::VERIFICATION_METHOD_ON_SITE);
    for (const insp::FollowUpMeasure measure : finding.measures) {
      insp::FollowUpAction& action = *department.add_actions();
      action.set_measure(measure);
      if (measure == insp::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE) action.add_departments()->set_code(code);
    }
    insp::CheckPointAnswer& answer = *result.add_answers();
    answer.mutable_check_point()->set_form_code(SetupOf(code).form);
    answer.mutable_check_point()->set_item_code(SetupOf(code).item);
    answer.mutable_check_point()->set_check_point_code("C01");
    answer.set_answer_code(finding.answer);
    answer.set_note(finding.note);
  }
  for (const insp::TaskInspector& signer : task.inspectors()) {
    insp::InspectorSignature& signature = *result.add_inspector_signatures();
    signature.set_inspector_id(signer.inspector_id());
    signature.set_signature_sha256(std::string(64, 'a'));
  }
  if (role != kUnreachable) {
    result.mutable_representative()->set_name("钱经理");
    result.mutable_representative()->set_signature_sha256(std::string(64, 'b'));
  }
  *result.mutable_inspection_date() = DateOf(BeijingToday());
  insp::Task moved;
  Ok("SubmitResult " + task.name(),
     stub->SubmitResult(As(kScjg, inspector).get(), submit, &moved));

  insp::ReviewResultRequest review;
  review.set_request_id("e2e-review-" + task.name());
  review.set_name(task.name());
  review.set_decision(insp::REVIEW_DECISION_APPROVE);
  Ok("ReviewResult " + task.name(), stub->ReviewResult(As(kScjg, kReviewer).get(), review, &moved));
  insp::TaskTransitionRequest publish;
  publish.set_request_id("e2e-publish-" + task.name());
  publish.set_name(task.name());
  Ok("PublishResult " + task.name(),
     stub->PublishResult(As(kScjg, kReviewer).get(), publish, &moved));
}

// 责令限期改正 of the violator's failed check point, fifteen days from today.
void OrderRectification(Suite& suite, const std::string& task_name) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  insp::OrderRectificationRequest request;
  request.set_request_id("e2e-rectify-" + task_name);
  request.set_name(task_name);
  *request.mutable_rectify_by() = DateOf(BeijingToday() + 15);
  request.set_notice_number("金市监责改〔E2E〕1号");
  insp::CheckPointRef& point = *request.add_check_points();
  point.set_form_code(SetupOf(kScjg).form);
  point.set_item_code(SetupOf(kScjg).item);
  point.set_check_point_code("C01");
  insp::OrderRectificationResponse out;
  Ok("OrderRectification", stub->OrderRectification(As(kScjg, kReviewer).get(), request, &out));
}

// The commitment's verification task: assigned to two of the bureau's inspectors, visited,
// found BREACHED and approved (which resolves the registry's commitment).
void VerifyCommitment(Suite& suite, const std::string& task_name,
                      const std::vector<std::string>& inspectors) {
  auto stub = insp::Inspection::NewStub(suite.channel("inspection"));
  insp::AssignTaskRequest assign;
  assign.set_request_id("e2e-assign-" + task_name);
  assign.set_name(task_name);
  assign.add_inspector_ids(inspectors[0]);
  assign.add_inspector_ids(inspectors[1]);
  insp::Task moved;
  Ok("AssignTask " + task_name, stub->AssignTask(As(kScjg, kReviewer).get(), assign, &moved));
  Visit(suite, moved, inspectors[0]);
  insp::SubmitResultRequest submit;
  submit.set_request_id("e2e-submit-" + task_name);
  submit.set_name(task_name);
  insp::Result& result = *submit.mutable_result();
  insp::DepartmentResult& department = *result.add_departments();
  department.mutable_department()->set_code(kScjg);
  department.mutable_category()->set_code("A");  // 发现问题待后续处理
  department.add_verification_methods(insp::VERIFICATION_METHOD_ON_SITE);
  department.add_actions()->set_measure(insp::FOLLOW_UP_MEASURE_ROUTINE_SUPERVISION);
  for (int i = 0; i < 2; ++i) {
    insp::InspectorSignature& signature = *result.add_inspector_signatures();
    signature.set_inspector_id(inspectors[i]);
    signature.set_signature_sha256(std::string(64, 'a'));
  }
  result.mutable_representative()->set_name("孙经理");
  result.mutable_representative()->set_signature_sha256(std::string(64, 'b'));
  *result.mutable_inspection_date() = DateOf(BeijingToday());
  result.set_commitment_outcome(subject::COMMITMENT_STATE_BREACHED);
  result.set_commitment_note("现场核查：无食品贮存场所，与承诺不符");
  Ok("SubmitResult " + task_name, stub->SubmitResult(As(kScjg, inspectors[0]).get(), submit, &moved));
  insp::ReviewResultRequest review;
  review.set_request_id("e2e-review-" + task_name);
  review.set_name(task_name);
  review.set_decision(insp::REVIEW_DECISION_APPROVE);
  Ok("ReviewResult " + task_name, stub->ReviewResult(As(kScjg, kReviewer).get(), review, &moved));
}

subject::Subject GetSubject(Suite& suite, const std::string& uscc) {
  auto stub = subject::SubjectRegistry::NewStub(suite.channel("subject-registry"));
  subject::GetSubjectRequest request;
  request.set_uscc(uscc);
  subject::Subject out;
  Ok("GetSubject " + uscc, stub->GetSubject(As(kScjg).get(), request, &out));
  return out;
}

// 列入经营异常名录 on the published result's proposal (企业信息公示暂行条例 第十七条).
void ListAbnormal(Suite& suite, const std::string& uscc, const std::string& task) {
  auto stub = subject::SubjectRegistry::NewStub(suite.channel("subject-registry"));
  subject::ChangeSubjectStatusRequest request;
  request.set_request_id("e2e-abnormal-" + uscc);
  request.set_uscc(uscc);
  request.set_action(subject::STATUS_ACTION_LIST_ABNORMAL);
  request.set_reason(subject::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
  request.set_note(absl::StrCat("依据 ", task, " 抽查结果：通过登记的住所无法联系"));
  subject::ChangeSubjectStatusResponse out;
  Ok("ChangeSubjectStatus", stub->ChangeSubjectStatus(As(kScjg).get(), request, &out));
}

// --- cases --------------------------------------------------------------------------------

std::optional<cases::Lead> LeadOf(Suite& suite, const std::string& uscc) {
  auto stub = cases::Cases::NewStub(suite.channel("cases"));
  cases::ListLeadsRequest request;
  request.mutable_page()->set_page_size(1000);
  cases::ListLeadsResponse page;
  Ok("ListLeads", stub->ListLeads(As(kScjg).get(), request, &page));
  for (const cases::Lead& lead : page.leads()) {
    if (lead.uscc() == uscc) return lead;
  }
  return std::nullopt;
}

// The lead filed (立案) and the case carried through the general procedure to a fine paid
// and the case closed; the party waives statement and hearing in writing, so the decision
// may follow the notice on the same day.
cases::CaseView CarryCase(Suite& suite, const cases::Lead& lead, const std::string& party,
                          const std::vector<std::string>& officers) {
  auto stub = cases::Cases::NewStub(suite.channel("cases"));
  const common::v1::Date today = DateOf(BeijingToday());
  cases::FileCaseRequest file;
  file.set_request_id("e2e-file");
  file.set_lead(lead.name());
  file.set_party_name(party);
  file.set_party_kind(cases::PARTY_KIND_ORGANISATION);
  file.add_item_codes(SetupOf(kScjg).item);
  file.set_legal_review_required(true);
  *file.mutable_date() = today;
  file.add_officer_ids(officers[0]);
  file.add_officer_ids(officers[1]);
  file.set_note("检查移送，违法事实初步成立，予以立案");
  cases::CaseView view;
  Ok("FileCase", stub->FileCase(As(kScjg, officers[0]).get(), file, &view));
  const std::string name = view.case_record().name();

  cases::Penalty penalty;
  penalty.add_kinds(cases::PENALTY_KIND_WARNING);
  penalty.add_kinds(cases::PENALTY_KIND_FINE);
  penalty.mutable_fine()->set_fen(kFineFen);
  penalty.set_legal_basis("《中华人民共和国产品质量法》第四十九条");
  struct Step {
    cases::CaseAction action;
    const char* note;
  };
  const Step steps[] = {
      {cases::CASE_ACTION_START_INVESTIGATION, "现场检查，调取进货台账"},
      {cases::CASE_ACTION_RECORD_EVIDENCE, "询问笔录一份、现场照片六张、产品样品两件"},
      {cases::CASE_ACTION_SUBMIT_FOR_REVIEW, "调查终结，提交法制审核"},
      {cases::CASE_ACTION_PASS_REVIEW, "事实清楚，证据确凿，适用依据正确"},
      {cases::CASE_ACTION_NOTICE, ""},
      {cases::CASE_ACTION_RECORD_STATEMENT, "当事人书面放弃陈述、申辩和听证"},
      {cases::CASE_ACTION_DECIDE, ""},
      {cases::CASE_ACTION_SERVE, "直接送达，当事人签收"},
      {cases::CASE_ACTION_EXECUTE, "当事人已缴纳罚款"},
      {cases::CASE_ACTION_CLOSE, ""},
  };
  for (const Step& step : steps) {
    cases::ActRequest act;
    act.set_request_id(absl::StrCat("e2e-act-", cases::CaseAction_Name(step.action)));
    act.set_case_name(name);
    act.set_action(step.action);
    *act.mutable_date() = today;
    act.set_note(step.note);
    switch (step.action) {
      case cases::CASE_ACTION_START_INVESTIGATION:
      case cases::CASE_ACTION_RECORD_EVIDENCE:
        act.add_officer_ids(officers[0]);
        act.add_officer_ids(officers[1]);
        break;
      case cases::CASE_ACTION_NOTICE:
      case cases::CASE_ACTION_DECIDE:
        *act.mutable_penalty() = penalty;
        act.add_officer_ids(officers[0]);
        act.add_officer_ids(officers[1]);
        break;
      case cases::CASE_ACTION_RECORD_STATEMENT:
        act.set_waives_rights(true);
        break;
      case cases::CASE_ACTION_EXECUTE:
        act.mutable_paid()->set_fen(kFineFen);
        break;
      default:
        break;
    }
    const std::string user =
        step.action == cases::CASE_ACTION_PASS_REVIEW ? kLegal : officers[0];
    Ok(absl::StrCat("Act ", cases::CaseAction_Name(step.action)),
       stub->Act(As(kScjg, user).get(), act, &view));
  }
  return view;
}

// --- reading the end state ----------------------------------------------------------------

std::vector<subject::TimelineEntry> Timeline(Suite& suite, const std::string& uscc) {
  auto stub = subject::SubjectRegistry::NewStub(suite.channel("subject-registry"));
  std::vector<subject::TimelineEntry> entries;
  std::string token;
  do {
    subject::GetSubjectProfileRequest request;
    request.set_uscc(uscc);
    request.mutable_page()->set_page_size(1000);
    request.mutable_page()->set_page_token(token);
    subject::GetSubjectProfileResponse response;
    Ok("GetSubjectProfile", stub->GetSubjectProfile(As(kScjg).get(), request, &response));
    for (const auto& entry : response.timeline()) entries.push_back(entry);
    token = response.page().next_page_token();
  } while (!token.empty());
  return entries;
}

// Every event of the run on the suite's topics (the broker is the suite's own) and the
// dead-letter topic: distinct ce_ids per topic, key and type.
void ReadTopics(Suite& suite, LoopRecord& record) {
  for (const char* topic : {topics::kCatalogue, topics::kSubject, topics::kSampling,
                            topics::kInspection, topics::kCases, topics::kCredit, topics::kRisk,
                            "jianguan.dlq.v1"}) {
    auto reader = events::TopicReader::Open(suite.brokers(), topic,
                                            events::TopicReader::From::kBeginning);
    INFO(topic << ": " << reader.status());
    REQUIRE(reader.ok());
    // To the partitions' ends as they are now: the suite is quiet when this runs.
    auto events = (*reader)->ReadToEnd(absl::Seconds(60));
    INFO(topic << ": " << events.status());
    REQUIRE(events.ok());
    for (const auto& event : *events) {
      ++record.copies_read;
      if (std::string(topic) == "jianguan.dlq.v1") {
        ++record.dead_letters;
        continue;
      }
      record.event_ids[absl::StrCat(topic, " ", event.key, " ", std::string(event.type()))].insert(
          std::string(event.id()));
    }
  }
}

}  // namespace

const std::vector<std::string>& FaultPlan::Phases() {
  static const auto* phases = new std::vector<std::string>{
      "catalogue", "registry",         "plan-1-approved", "plan-1-drawn",
      "inspected", "commitment-verified", "case-closed",  "plan-2-drawn"};
  return *phases;
}

FaultPlan FaultPlan::FromSeed(uint32_t seed, int kills) {
  FaultPlan plan;
  plan.seed = seed;
  std::mt19937 random(seed);
  std::vector<std::string> faults = Suite::Names();
  std::shuffle(faults.begin(), faults.end(), random);
  faults.resize(std::clamp<size_t>(kills, 0, faults.size()));
  faults.push_back("kafka");
  std::vector<std::string> phases = Phases();
  std::shuffle(phases.begin(), phases.end(), random);
  for (size_t i = 0; i < faults.size() && i < phases.size(); ++i) {
    plan.after_phase[phases[i]] = faults[i];
  }
  return plan;
}

std::string FaultPlan::Describe() const {
  std::vector<std::string> parts;
  for (const std::string& phase : Phases()) {
    auto it = after_phase.find(phase);
    if (it != after_phase.end()) parts.push_back(absl::StrCat(phase, "→", it->second));
  }
  return absl::StrCat("seed ", seed, ": ", parts.empty() ? "no faults" : absl::StrJoin(parts, ", "));
}

LoopRecord RunLoop(Suite& suite, int subjects, const FaultPlan& faults) {
  REQUIRE(subjects >= kFirstClean + 1);
  LoopRecord record;
  Phases phases(suite, faults);

  const auto inspectors = LoadCatalogue(suite);
  phases.End("catalogue");

  record.subjects = Enterprises(subjects);
  ImportEnterprises(suite, record.subjects);
  const std::string& breached = record.subjects[kBreached].uscc();
  const std::string commitment = RecordCommitment(suite, breached);
  record.commitment_task = "tasks/c-" + commitment;
  phases.End("registry");

  // Plan 1: every class in full, so every enterprise of the run is inspected once.
  suite.AwaitQuiet();
  record.plan1 = "plans/e2e-loop-1";
  CreateAndApprove(suite, MakePlan("e2e-loop-1", "金华市市场监管与消防联合双随机抽查（闭环第一轮）",
                                   [](char, const std::string&) {
                                     return std::make_pair<int64_t, bool>(1'000'000, true);
                                   }));
  phases.End("plan-1-approved");
  const sampling::Plan drawn1 = Draw(suite, record.plan1, "福彩3D 2026320期 3 9 6");
  REQUIRE(drawn1.draw().task_count() == subjects);
  const std::map<std::string, int64_t> numbers1 = DrawnTasks(suite, record.plan1);
  REQUIRE(numbers1.size() == static_cast<size_t>(subjects));
  for (const auto& [uscc, number] : numbers1) {
    record.task_of[uscc] = absl::StrCat("tasks/d-e2e-loop-1-", number);
  }
  phases.End("plan-1-drawn");

  // Inspection: one task per drawn enterprise, with both departments' forms (inspection had
  // taken the catalogue in before plan 1 was approved: the suite was quiet then).
  Eventually("inspection holds every drawn task", [&] {
    return CountTasks(suite, record.plan1) == static_cast<size_t>(subjects);
  });
  for (int role = 0; role < subjects; ++role) {
    const std::string& uscc = record.subjects[role].uscc();
    Inspect(suite, record.task_of.at(uscc), role);
    if (role == kUnreachable) ListAbnormal(suite, uscc, record.task_of.at(uscc));
  }
  OrderRectification(suite, record.task_of.at(record.subjects[kViolator].uscc()));
  phases.End("inspected");

  Eventually("the commitment's verification task", [&] {
    return TaskExists(suite, record.commitment_task);
  });
  VerifyCommitment(suite, record.commitment_task, inspectors.at(kScjg));
  Eventually("the registry shows the commitment breached", [&] {
    const subject::Subject s = GetSubject(suite, breached);
    return s.commitments_size() == 1 &&
           s.commitments(0).state() == subject::COMMITMENT_STATE_BREACHED;
  });
  phases.End("commitment-verified");

  const std::string& violator = record.subjects[kViolator].uscc();
  std::optional<cases::Lead> lead;
  Eventually("cases registers the transferred lead", [&] {
    lead = LeadOf(suite, violator);
    return lead.has_value();
  });
  const insp::Task violator_task = GetTask(suite, record.task_of.at(violator));
  std::vector<std::string> officers;
  for (const insp::TaskInspector& inspector : violator_task.inspectors()) {
    if (inspector.department().code() == kScjg) officers.push_back(inspector.inspector_id());
  }
  for (const std::string& id : inspectors.at(kScjg)) {
    if (officers.size() < 2 && std::find(officers.begin(), officers.end(), id) == officers.end()) {
      officers.push_back(id);
    }
  }
  record.case_view = CarryCase(suite, *lead, record.subjects[kViolator].name(), officers);
  phases.End("case-closed");

  // Credit and risk have taken in everything; plan 2 is frozen from what they say now.
  suite.AwaitQuiet();
  record.plan2 = "plans/e2e-loop-2";
  CreateAndApprove(suite, MakePlan("e2e-loop-2", "金华市市场监管与消防联合双随机抽查（闭环第二轮）",
                                   [](char grade, const std::string& risk) {
                                     // 信用风险分类: the worse the class, the more inspected.
                                     if (grade == 'C' || grade == 'D' || risk == "medium" ||
                                         risk == "high") {
                                       return std::make_pair<int64_t, bool>(1'000'000, true);
                                     }
                                     return std::make_pair<int64_t, bool>(
                                         risk == "general" ? 500'000 : 100'000, false);
                                   }));
  Draw(suite, record.plan2, "福彩3D 2026321期 5 0 8");
  phases.End("plan-2-drawn");

  // --- the end state ------------------------------------------------------------------------
  suite.AwaitQuiet();
  auto sampling_stub = sampling::Sampling::NewStub(suite.channel("sampling"));
  for (const auto& [name, view] : {std::pair{record.plan1, &record.plan1_view},
                                    std::pair{record.plan2, &record.plan2_view}}) {
    sampling::GetPlanRequest request;
    request.set_name(name);
    Ok("GetPlan " + name, sampling_stub->GetPlan(As(kScjg, kInitiator).get(), request, view));
  }
  record.candidates1 = CandidateLines(suite, record.plan1);
  record.candidates2 = CandidateLines(suite, record.plan2);
  for (const auto& [uscc, number] : DrawnTasks(suite, record.plan2)) record.drawn2.insert(uscc);

  for (const auto& [uscc, name] : record.task_of) record.tasks[name] = GetTask(suite, name);
  record.tasks[record.commitment_task] = GetTask(suite, record.commitment_task);
  const std::string follow_up = "tasks/f-" + record.task_of.at(violator).substr(6);
  record.tasks[follow_up] = GetTask(suite, follow_up);
  {
    auto stub = cases::Cases::NewStub(suite.channel("cases"));
    cases::GetCaseRequest request;
    request.set_name(record.case_view.case_record().name());
    Ok("GetCase", stub->GetCase(As(kScjg).get(), request, &record.case_view));
  }
  auto credit_stub = credit::Credit::NewStub(suite.channel("credit"));
  auto risk_stub = risk::Risk::NewStub(suite.channel("risk"));
  for (const subject::Subject& s : record.subjects) {
    credit::ExplainScoreRequest explain;
    explain.set_name("subjects/" + s.uscc());
    Ok("ExplainScore", credit_stub->ExplainScore(As(kScjg).get(), explain,
                                                  &record.credit[s.uscc()]));
    credit::GetCreditRequest get;
    get.set_name("subjects/" + s.uscc());
    Ok("GetCredit", credit_stub->GetCredit(As(kScjg).get(), get, &record.standing[s.uscc()]));
    risk::GetSubjectRiskRequest level;
    level.set_uscc(s.uscc());
    // NOT_FOUND for an enterprise risk never assessed (sampling counts it as "general").
    risk::SubjectRisk assessed;
    const grpc::Status status = risk_stub->GetSubjectRisk(As(kScjg).get(), level, &assessed);
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
      Ok("GetSubjectRisk", status);
      record.risk[s.uscc()] = assessed;
    }
    record.timeline[s.uscc()] = Timeline(suite, s.uscc());
  }
  record.unreachable_after = GetSubject(suite, record.subjects[kUnreachable].uscc());
  record.breached_after = GetSubject(suite, breached);

  // 一公开, as anyone sees it: no credentials for the results of draws and inspections.
  {
    auto stub = sampling::SamplingPublic::NewStub(suite.channel("sampling"));
    sampling::ListTasksRequest request;
    request.set_name(record.plan1);
    request.mutable_page()->set_page_size(1000);
    Ok("ListPublicTasks", stub->ListPublicTasks(As("", "").get(), request, &record.public_tasks));
  }
  {
    auto stub = insp::InspectionPublic::NewStub(suite.channel("inspection"));
    insp::ListPublishedResultsRequest request;
    request.set_plan(record.plan1);
    request.mutable_page()->set_page_size(1000);
    Ok("ListPublishedResults",
       stub->ListPublishedResults(As("", "").get(), request, &record.public_results));
  }
  {
    auto stub = cases::PublicDecisions::NewStub(suite.channel("cases"));
    cases::ListPublicDecisionsRequest request;
    request.set_department(kScjg);
    request.mutable_page()->set_page_size(1000);
    // This one asks for a caller: the public portal's system account (cases.proto).
    Ok("ListPublicDecisions", stub->ListPublicDecisions(As("330700-ZWFW", "public-portal").get(),
                                                        request, &record.public_decisions));
  }
  ReadTopics(suite, record);
  return record;
}

std::vector<std::string> LoopRecord::Essence() const {
  std::map<std::string, std::string> role_of;  // USCC → "enterprise N"
  for (size_t i = 0; i < subjects.size(); ++i) {
    role_of[subjects[i].uscc()] = absl::StrCat("enterprise ", i);
  }
  const auto who = [&](const std::string& uscc) { return role_of.at(uscc); };
  std::vector<std::string> lines;
  for (const auto& [uscc, explanation] : credit) {
    // The entries as a set: events of two topics (an order to rectify, a penalty decided)
    // reach credit in either order, and the ledger keeps the order they came in.
    std::vector<std::string> entries;
    for (const auto& entry : explanation.entries()) {
      entries.push_back(absl::StrCat(entry.rule_id(), " ", entry.points(), " ", entry.source().type()));
    }
    std::sort(entries.begin(), entries.end());
    lines.push_back(absl::StrCat(who(uscc), " credit ", explanation.score(), " ",
                                 credit::CreditGrade_Name(standing.at(uscc).grade()), " [",
                                 absl::StrJoin(entries, "; "), "]"));
  }
  for (const auto& [uscc, level] : risk) {
    lines.push_back(absl::StrCat(who(uscc), " risk ", risk::RiskLevel_Name(level.level()), " ",
                                 level.score()));
  }
  for (const auto& [name, task] : tasks) {
    std::vector<std::string> outcomes;
    for (const auto& d : task.result_digest().departments()) {
      outcomes.push_back(absl::StrCat(d.department().code(), "=", d.category().code()));
    }
    lines.push_back(absl::StrCat(who(task.uscc()), " task ", task.name().substr(0, 8), " ",
                                 insp::TaskState_Name(task.state()), " ",
                                 absl::StrJoin(outcomes, ",")));
  }
  const cases::Case& c = case_view.case_record();
  std::vector<std::string> documents;
  for (const auto& d : c.documents()) documents.push_back(d.number());
  lines.push_back(absl::StrCat(who(c.uscc()), " case ", cases::CaseState_Name(c.state()), " fine ",
                               c.decided_penalty().fine().fen(), " paid ", c.paid().fen(), " [",
                               absl::StrJoin(documents, "; "), "]"));
  lines.push_back(absl::StrCat("unreachable enterprise ",
                               subject::SubjectStatus_Name(unreachable_after.status())));
  for (const auto& [uscc, line] : candidates2) {
    // The class fields of the line (grade, risk digit, filtered out): the USCC's position
    // and the inspectors who last came differ in nothing but naming.
    // Whether a subject of a class drawn in part was drawn depends on the draw's seed; of a
    // class drawn in full it does not.
    const std::vector<std::string> fields = absl::StrSplit(line, ',');
    const bool full = fields[1] == "C" || fields[1] == "D" || fields[2] == "2" || fields[2] == "3";
    lines.push_back(absl::StrCat(who(uscc), " plan 2 candidate ", fields[1], ",", fields[2], ",",
                                 fields[3], full && drawn2.count(uscc) ? " drawn" : ""));
  }
  for (const auto& count : plan2_view.draw().classes()) {
    lines.push_back(absl::StrCat("plan 2 class ", count.class_name(), " ", count.candidates(), "/",
                                 count.eligible(), "/", count.quota()));
  }
  // Topic contents: how many distinct events of each type about each enterprise. The grade
  // and level changes are left out: how many intermediate grades and levels an enterprise
  // passes through depends on the order in which credit and risk read several topics, which
  // no run fixes; their end values are compared above.
  // Which enterprises of a class drawn in part plan 2 drew depends on the draw's seed, so
  // the tasks of plan 2 (TaskDrawn and inspection's TaskCreated and TaskAssigned) are counted
  // over all enterprises together.
  const std::set<std::string> per_draw = {"jianguan.sampling.v1.TaskDrawn",
                                          "jianguan.inspection.v1.TaskCreated",
                                          "jianguan.inspection.v1.TaskAssigned"};
  std::map<std::string, size_t> counted;
  for (const auto& [key, ids] : event_ids) {
    const std::vector<std::string> parts = absl::StrSplit(key, ' ');
    if (parts[2] == "jianguan.credit.v1.CreditGradeChanged" ||
        parts[2] == "jianguan.risk.v1.RiskLevelChanged") {
      continue;
    }
    // Keys that are no enterprise of the run (departments, items, forms, inspectors, plans)
    // are counted together: some carry ids the services assign.
    std::string subject = role_of.count(parts[1]) ? role_of.at(parts[1]) : "reference";
    if (per_draw.count(parts[2]) && role_of.count(parts[1])) subject = "every enterprise";
    counted[absl::StrCat(parts[0], " ", subject, " ", parts[2])] += ids.size();
  }
  for (const auto& [key, n] : counted) lines.push_back(absl::StrCat("topic ", key, " ×", n));
  lines.push_back(absl::StrCat("dead letters ", dead_letters));
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace jianguan::e2e
