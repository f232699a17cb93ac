// The whole draw on the shared test broker with the real binaries: departments, items and
// inspectors registered in the catalogue, subjects in the registry, credit grades published
// on jianguan.credit.v1; the sampling service projects them, a joint plan is approved, drawn
// with a public entropy and published. Then what each audience may see: TaskDrawn events for
// inspection keyed by USCC, the public API without credentials (names and certificate
// numbers only), the departments' API refusing anonymous calls, the verification package for
// auditors only, checked by tools/verify-draw, which also catches a forged subject and a
// forged inspector.
//
// The shared topics hold other tests' subjects, so this run's subjects carry a tag of their
// own and the plan is filtered by it: only they can be drawn.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/catalogue/v1/catalogue.grpc.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/sampling/v1/sampling.grpc.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/uscc.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/store/store.h"
#include "libs/testing/catalogue_items.h"
#include "libs/testing/child_process.h"
#include "libs/testing/command_run.h"
#include "libs/testing/dates.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/ports.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

namespace catalogue = ::jianguan::catalogue::v1;
namespace subject = ::jianguan::subject::v1;

constexpr int kSubjects = 300;
constexpr int kGradedD = 20;   // subjects 0 … 19: D, drawn in full
constexpr int kGradedA = 30;   // subjects 20 … 49: A (A-general, 5 % rounded up)
constexpr int kInspectorsPerDepartment = 6;

using Binary = testing::ServiceBinary;

// Runs tools/verify-draw on `path`; its exit status.
int VerifyDraw(const std::string& path) {
  const std::string command =
      absl::StrCat("python3 '", JG_VERIFY_DRAW, "' '", path, "' > '", path, ".out' 2>&1");
  const int status = std::system(command.c_str());
  std::ifstream out(path + ".out");
  std::string line;
  while (std::getline(out, line)) std::printf("  verify-draw: %s\n", line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  REQUIRE(out.good());
}

// A streamed export read whole, with what its last chunk declared.
struct Exported {
  std::string document;
  std::string sha256;
  int64_t total_size = -1;
  bool offsets_ok = true;
  grpc::Status status;
};

Exported ReadExport(grpc::ClientReader<v1::ExportChunk>& reader) {
  Exported out;
  v1::ExportChunk chunk;
  while (reader.Read(&chunk)) {
    if (chunk.offset() != static_cast<int64_t>(out.document.size())) out.offsets_ok = false;
    out.document += chunk.data();
    if (!chunk.sha256().empty()) {
      out.sha256 = chunk.sha256();
      out.total_size = chunk.total_size();
    }
  }
  out.status = reader.Finish();
  return out;
}

std::string Uscc(int n, uint32_t salt) {
  std::string first17 = absl::StrFormat("92330702%04X%05d", salt & 0xFFFF, n);
  for (char& c : first17) {
    if (c == 'I' || c == 'O' || c == 'S' || c == 'V' || c == 'Z') c = 'A';
  }
  return first17 + UsccCheckCharacter(first17);
}

struct Person {
  std::string name;
  std::string certificate_no;
  std::string department;
};

TEST_CASE("a joint plan drawn by the real binaries is published, verifiable and tamper-evident") {
  const std::string brokers = testing::KafkaBrokers();
  testing::TempDir dir("jg-sampling-e2e");
  // Names unique to this run: earlier runs' departments, subjects and plans share the topics.
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const uint32_t salt = std::random_device{}();
  const std::string scjg = "IT" + run + "-SCJG";
  const std::string wsj = "IT" + run + "-WSJ";
  const std::string tag = "it-draw-" + run;
  const std::string plan_id = "it-draw-" + run;
  const std::string plan_name = "plans/" + plan_id;

  // Sampling first, so that its consumers follow the others' writes.
  const absl::Time start = absl::Now();
  Binary sampling(JG_SAMPLING, dir.Sub("sampling"));
  Binary catalogue_service(JG_CATALOGUE, dir.Sub("catalogue"));
  Binary registry(JG_SUBJECT_REGISTRY, dir.Sub("registry"));
  std::printf("three binaries up in %.1f s\n", absl::ToDoubleSeconds(absl::Now() - start));

  // --- the catalogue: two departments, three items, six inspectors each -------------------
  auto catalogue_stub = catalogue::Catalogue::NewStub(catalogue_service.channel());
  const auto call = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", scjg);
    const grpc::Status status = ((*catalogue_stub).*method)(&context, request, response);
    INFO(status.error_message());
    REQUIRE(status.ok());
  };
  for (const std::string& code : {scjg, wsj}) {
    catalogue::CreateDepartmentRequest request;
    request.set_request_id("dept-" + code);
    catalogue::Department* d = request.mutable_department();
    d->set_code(code);
    d->set_name(code == scjg ? "金华市市场监督管理局" : "金华市卫生健康委员会");
    d->set_level(catalogue::LEVEL_CITY);
    d->mutable_region()->set_code("330700");
    d->set_status(catalogue::DEPARTMENT_STATUS_ACTIVE);
    catalogue::Department created;
    call(&catalogue::Catalogue::Stub::CreateDepartment, request, &created);
  }
  const std::vector<std::pair<std::string, std::string>> items = {
      {"IT" + run + "-01", scjg}, {"IT" + run + "-02", scjg}, {"IT" + run + "-03", wsj}};
  for (const auto& [code, owner] : items) {
    catalogue::CreateItemRequest create;
    create.set_request_id("item-" + code);
    *create.mutable_item() = jianguan::testing::MetrologyItem(code, owner);
    catalogue::ItemView view;
    call(&catalogue::Catalogue::Stub::CreateItem, create, &view);
    catalogue::PublishItemRequest publish;
    publish.set_request_id("publish-" + code);
    publish.set_name("items/" + code);
    call(&catalogue::Catalogue::Stub::PublishItem, publish, &view);
  }
  std::vector<std::string> uscc;
  for (int n = 0; n < kSubjects; ++n) uscc.push_back(Uscc(n, salt));
  std::map<std::string, Person> inspectors;  // id → person
  std::string conflicted;                     // declared a conflict with subject 0 (graded D)
  for (const std::string& department : {scjg, wsj}) {
    for (int i = 1; i <= kInspectorsPerDepartment; ++i) {
      catalogue::RegisterInspectorRequest request;
      const std::string letter = department == scjg ? "S" : "W";
      request.set_request_id(absl::StrCat("inspector-", department, "-", i));
      catalogue::Inspector* inspector = request.mutable_inspector();
      inspector->set_name(absl::StrCat(department == scjg ? "市监执法员" : "卫健执法员", i));
      inspector->mutable_department()->set_code(department);
      inspector->mutable_certificate()->set_number(absl::StrCat("IT", run, "-", letter, i));
      inspector->mutable_certificate()->set_issuer("浙江省人民政府");
      *inspector->mutable_certificate()->mutable_valid_from() = DateOf(2025, 1, 1);
      *inspector->mutable_certificate()->mutable_valid_until() = DateOf(2028, 12, 31);
      for (const auto& [code, owner] : items) {
        if (owner == department) inspector->add_authorised_items(code);
      }
      if (department == scjg && i == 1) inspector->add_conflicts(uscc[0]);
      catalogue::Inspector registered;
      call(&catalogue::Catalogue::Stub::RegisterInspector, request, &registered);
      inspectors[registered.id()] = {registered.name(), registered.certificate().number(),
                                     department};
      if (department == scjg && i == 1) conflicted = registered.id();
    }
  }

  // --- the registry: this run's subjects, tagged -------------------------------------------
  auto registry_stub = subject::SubjectRegistry::NewStub(registry.channel());
  {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", scjg);
    auto stream = registry_stub->ImportSubjects(&context);
    subject::ImportSubjectsRequest request;
    for (int n = 0; n < kSubjects; ++n) {
      subject::ImportRow* row = request.add_rows();
      row->set_row_number(n + 1);
      subject::Subject* s = row->mutable_subject();
      s->set_uscc(uscc[n]);
      s->set_name(absl::StrCat("金华市抽查测试", n, "号商行"));
      s->set_type(subject::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
      s->mutable_legal_representative()->set_name("李四");
      s->mutable_legal_representative()->set_id_number("330702198001011234");
      s->mutable_industry()->set_code("5212");
      s->mutable_registration_region()->set_code("330702");
      s->mutable_business_address()->mutable_region()->set_code("330702");
      s->mutable_business_address()->set_detail(absl::StrCat("八一南街", n, "号"));
      s->add_tags(tag);
    }
    REQUIRE(stream->Write(request));
    subject::ImportSubjectsResponse answer;
    REQUIRE(stream->Read(&answer));
    REQUIRE(answer.errors_size() == 0);
    REQUIRE(answer.accepted() == kSubjects);
    REQUIRE(stream->WritesDone());
    REQUIRE(stream->Finish().ok());
  }

  // --- credit grades, as the credit service will publish them (through an outbox) ----------
  {
    auto outbox = store::Store::Open({.path = dir.Sub("credit"), .sync_writes = false});
    REQUIRE(outbox.ok());
    store::UnitOfWork work;
    for (int n = 0; n < kGradedD + kGradedA; ++n) {
      credit::v1::CreditGradeChanged changed;
      changed.set_uscc(uscc[n]);
      changed.set_grade(n < kGradedD ? credit::v1::CREDIT_GRADE_D : credit::v1::CREDIT_GRADE_A);
      changed.set_score(n < kGradedD ? 420 : 910);
      changed.set_reason("annual re-grading");
      changed.set_version(1);
      work.AddEvent(events::MakeEvent({.topic = "jianguan.credit.v1", .key = uscc[n],
                                       .source = "credit-test", .subject = uscc[n],
                                       .time = absl::Now()},
                                      changed));
    }
    REQUIRE((*outbox)->Commit(work).ok());
    auto publisher = events::KafkaPublisher::Create({.brokers = brokers, .client_id = "it-credit"});
    REQUIRE(publisher.ok());
    events::OutboxRelay relay(**outbox, **publisher);
    relay.Start();
    REQUIRE(relay.AwaitDrained(absl::Seconds(60)));
    relay.Stop();
  }

  // --- wait until sampling has projected everything: the producers' outboxes are empty, then
  // its three consumers show no lag and apply nothing more for three seconds ---------------
  const absl::Time projecting = absl::Now();
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(180);
    const auto backlog = [](const Binary& b) {
      return testing::SampleValue(b.Metrics(), "jianguan_outbox_backlog", {});
    };
    absl::SleepFor(absl::Milliseconds(1200));  // one metrics poll after the last write
    while (backlog(catalogue_service) != 0 || backlog(registry) != 0) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(200));
    }
    double last = -1;
    absl::Time stable_since = absl::Now();
    for (;;) {
      const std::string text = sampling.Metrics();
      double applied = 0, lag = 0;
      for (const char* group : {"sampling-subjects", "sampling-classes", "sampling-catalogue"}) {
        const std::string label = absl::StrCat("group=\"", group, "\"");
        applied += std::max(0.0, testing::SampleValue(text, "jianguan_consumer_events_total",
                                                      {label, "outcome=\"applied\""}));
        lag += std::abs(testing::SampleValue(text, "jianguan_consumer_lag", {label}));
      }
      if (applied != last || lag != 0) {
        last = applied;
        stable_since = absl::Now();
      } else if (absl::Now() - stable_since > absl::Seconds(3)) {
        break;
      }
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(200));
    }
  }
  std::printf("sampling projected the run in %.1f s\n",
              absl::ToDoubleSeconds(absl::Now() - projecting));

  // --- the plan: create, approve, draw, publish ---------------------------------------------
  auto sampling_stub = v1::Sampling::NewStub(sampling.channel());
  auto public_stub = v1::SamplingPublic::NewStub(sampling.channel());
  int request_number = 0;
  const auto as_initiator = [&](grpc::ClientContext& context) {
    context.AddMetadata("x-jg-department", scjg);
    context.AddMetadata("x-jg-user", "wang.li");
  };
  v1::Plan plan;
  plan.set_plan_id(plan_id);
  plan.set_title("2026年金华市部门联合双随机抽查（集成测试）");
  plan.set_year(2026);
  plan.mutable_initiating_department()->set_code(scjg);
  for (const std::string& department : {scjg, wsj}) {
    v1::PlanDepartment* d = plan.add_departments();
    d->mutable_department()->set_code(department);
    for (const auto& [code, owner] : items) {
      if (owner != department) continue;
      v1::PlanItem* item = d->add_items();
      item->set_code(code);
      item->set_version(1);
    }
  }
  plan.mutable_target()->add_region_prefixes("3307");
  plan.mutable_target()->add_tags(tag);
  *plan.mutable_period_start() = DateOf(2026, 3, 1);
  *plan.mutable_period_end() = DateOf(2026, 6, 30);
  {
    v1::CreatePlanRequest request;
    request.set_request_id(absl::StrCat("create-", run));
    *request.mutable_plan() = plan;
    grpc::ClientContext context;
    as_initiator(context);
    v1::Plan created;
    const grpc::Status status = sampling_stub->CreatePlan(&context, request, &created);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(created.state() == v1::PLAN_STATE_DRAFT);
  }
  const auto transition = [&](auto method, const std::string& what) {
    v1::PlanTransitionRequest request;
    request.set_request_id(absl::StrCat(what, "-", run, "-", ++request_number));
    request.set_name(plan_name);
    grpc::ClientContext context;
    as_initiator(context);
    v1::Plan out;
    const grpc::Status status = ((*sampling_stub).*method)(&context, request, &out);
    INFO(what << ": " << status.error_message());
    REQUIRE(status.ok());
    return out;
  };
  const v1::Plan approved = transition(&v1::Sampling::Stub::ApprovePlan, "approve");
  CHECK(approved.state() == v1::PLAN_STATE_APPROVED);
  CHECK(approved.frozen().inspector_count() == 2 * kInspectorsPerDepartment);
  CHECK(approved.frozen().candidate_count() >= kSubjects);
  CHECK(approved.frozen().commitment().size() == 64);

  auto reader = events::TopicReader::Open(brokers, "jianguan.sampling.v1",
                                          events::TopicReader::From::kEnd);
  REQUIRE(reader.ok());
  (*reader)->Next(absl::Seconds(2));  // let the reader take its partitions at the end

  v1::Plan drawn;
  {
    v1::DrawPlanRequest request;
    request.set_request_id(absl::StrCat("draw-", run));
    request.set_name(plan_name);
    request.set_entropy(absl::StrCat("福彩3D 2026061期 4 7 1 / ", run));
    request.set_entropy_source("中国福利彩票3D开奖公告");
    grpc::ClientContext context;
    as_initiator(context);
    const grpc::Status status = sampling_stub->DrawPlan(&context, request, &drawn);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  const v1::DrawSummary& draw = drawn.draw();
  CHECK(drawn.state() == v1::PLAN_STATE_DRAWN);
  // D in full (20), A-general 5 % of 30 rounded up (2), B-general 5 % of 250 rounded up (13).
  const int64_t expected_tasks = kGradedD + 2 + 13;
  CHECK(draw.task_count() == expected_tasks);
  CHECK(draw.visits_saved() == draw.task_count());
  CHECK(draw.secret().size() == 64);
  const v1::Plan published = transition(&v1::Sampling::Stub::PublishPlan, "publish");
  CHECK(published.state() == v1::PLAN_STATE_PUBLISHED);
  std::printf("plan %s: %lld candidates, %lld tasks, result %s\n", plan_name.c_str(),
              static_cast<long long>(approved.frozen().candidate_count()),
              static_cast<long long>(draw.task_count()), draw.result_digest().c_str());

  // --- internal view: only this run's subjects, every D subject, the conflict respected ------
  std::map<std::string, v1::Task> tasks;  // uscc → task
  {
    v1::ListTasksRequest request;
    request.set_name(plan_name);
    request.mutable_page()->set_page_size(1000);
    grpc::ClientContext context;
    as_initiator(context);
    v1::ListTasksResponse response;
    REQUIRE(sampling_stub->ListTasks(&context, request, &response).ok());
    for (const v1::Task& task : response.tasks()) tasks[task.uscc()] = task;
  }
  REQUIRE(tasks.size() == static_cast<size_t>(expected_tasks));
  const std::set<std::string> ours(uscc.begin(), uscc.end());
  for (const auto& [id, task] : tasks) {
    CHECK(ours.count(id) == 1);
    REQUIRE(task.inspectors_size() == 2);
    CHECK(task.inspectors(0).department().code() == scjg);
    CHECK(task.inspectors(1).department().code() == wsj);
  }
  for (int n = 0; n < kGradedD; ++n) CHECK(tasks.count(uscc[n]) == 1);
  for (const auto& inspector : tasks[uscc[0]].inspectors()) {
    CHECK(inspector.inspector_id() != conflicted);
  }

  // --- TaskDrawn for inspection: one per task, keyed by the USCC; then DrawCompleted --------
  {
    std::map<int64_t, std::string> seen;
    bool completed = false;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline &&
           (seen.size() < static_cast<size_t>(expected_tasks) || !completed)) {
      auto event = (*reader)->Next(absl::Seconds(1));
      if (!event) continue;
      if (event->type() == "jianguan.sampling.v1.TaskDrawn") {
        auto task = events::Decode<v1::TaskDrawn>(*event);
        REQUIRE(task.ok());
        if (task->plan() != plan_name) continue;
        CHECK(event->key == task->uscc());
        CHECK(event->subject() == task->uscc());
        CHECK(task->departments_size() == 2);
        CHECK(tasks.count(task->uscc()) == 1);
        seen[task->task_number()] = task->uscc();
      } else if (event->type() == "jianguan.sampling.v1.DrawCompleted" &&
                 event->key == plan_name) {
        auto summary = events::Decode<v1::DrawCompleted>(*event);
        REQUIRE(summary.ok());
        CHECK(summary->draw().result_digest() == draw.result_digest());
        completed = true;
      }
    }
    CHECK(seen.size() == static_cast<size_t>(expected_tasks));
    CHECK(completed);
  }

  // --- the public API, without any metadata --------------------------------------------------
  {
    v1::GetPlanRequest request;
    request.set_name(plan_name);
    grpc::ClientContext context;
    v1::PublicPlan shown;
    REQUIRE(public_stub->GetPublicPlan(&context, request, &shown).ok());
    CHECK(shown.state() == v1::PLAN_STATE_PUBLISHED);
    CHECK(shown.secret() == draw.secret());
    CHECK(shown.result_digest() == draw.result_digest());
    CHECK(shown.commitment() == approved.frozen().commitment());
    CHECK(shown.task_count() == expected_tasks);
  }
  {
    v1::ListTasksRequest request;
    request.set_name(plan_name);
    request.mutable_page()->set_page_size(1000);
    grpc::ClientContext context;
    v1::ListPublicTasksResponse response;
    REQUIRE(public_stub->ListPublicTasks(&context, request, &response).ok());
    REQUIRE(response.tasks_size() == expected_tasks);
    std::map<std::string, std::string> name_of;  // certificate → name
    for (const auto& [id, person] : inspectors) name_of[person.certificate_no] = person.name;
    for (const v1::PublicTask& task : response.tasks()) {
      REQUIRE(task.inspectors_size() == 2);
      const v1::Task& internal = tasks[task.uscc()];
      for (int slot = 0; slot < 2; ++slot) {
        const v1::PublicInspector& person = task.inspectors(slot);
        CHECK(name_of[person.certificate_no()] == person.name());
        CHECK(person.certificate_no() == internal.inspectors(slot).certificate_no());
      }
    }
    // Nothing internal: no inspector id, no department.
    const std::string wire = response.SerializeAsString();
    for (const auto& [id, person] : inspectors) CHECK(wire.find(id) == std::string::npos);
    CHECK(wire.find(wsj) == std::string::npos);
  }
  std::string public_result;
  {
    v1::ExportRequest request;
    request.set_name(plan_name);
    grpc::ClientContext context;
    auto stream = public_stub->ExportPublicResult(&context, request);
    const Exported exported = ReadExport(*stream);
    REQUIRE(exported.status.ok());
    CHECK(exported.offsets_ok);
    CHECK(exported.sha256 == draw.result_digest());
    CHECK(store::Sha256Hex(exported.document) == draw.result_digest());
    CHECK(exported.total_size == static_cast<int64_t>(exported.document.size()));
    public_result = exported.document;
  }

  // --- the departments' API needs a caller; the package needs the auditor role --------------
  {
    v1::GetPlanRequest request;
    request.set_name(plan_name);
    grpc::ClientContext context;
    v1::Plan out;
    CHECK(sampling_stub->GetPlan(&context, request, &out).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    v1::ExportRequest request;
    request.set_name(plan_name);
    grpc::ClientContext context;
    as_initiator(context);
    auto stream = sampling_stub->ExportVerificationPackage(&context, request);
    const Exported refused = ReadExport(*stream);
    CHECK(refused.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(refused.document.empty());
  }
  Exported package;
  {
    v1::ExportRequest request;
    request.set_name(plan_name);
    grpc::ClientContext context;
    as_initiator(context);
    context.AddMetadata("x-jg-role", "draw-auditor");
    auto stream = sampling_stub->ExportVerificationPackage(&context, request);
    package = ReadExport(*stream);
  }
  REQUIRE(package.status.ok());
  CHECK(package.offsets_ok);
  CHECK(package.total_size == static_cast<int64_t>(package.document.size()));
  CHECK(store::Sha256Hex(package.document) == package.sha256);
  CHECK(package.document.find(draw.result_digest()) != std::string::npos);

  // --- tools/verify-draw: the genuine package passes; a forged subject or inspector fails ----
  const std::string genuine = dir.Sub("package.json");
  WriteFile(genuine, package.document);
  CHECK(VerifyDraw(genuine) == 0);

  const std::string& doc = package.document;
  const size_t result = doc.find("\"result\":{");
  REQUIRE(result != std::string::npos);
  {
    // The first task's subject replaced by one of ours that was not drawn.
    const std::string key = "\"uscc\":\"";
    const size_t at = doc.find(key, result);
    REQUIRE(at != std::string::npos);
    std::string other;
    for (const std::string& candidate : uscc) {
      if (!tasks.count(candidate)) {
        other = candidate;
        break;
      }
    }
    REQUIRE(other.size() == 18);
    std::string forged = doc;
    forged.replace(at + key.size(), 18, other);
    const std::string path = dir.Sub("forged-subject.json");
    WriteFile(path, forged);
    CHECK(VerifyDraw(path) != 0);
  }
  {
    // The first task's first inspector replaced by one of the pool not on that task.
    const std::string key = "\"tasks\":[{\"inspectors\":[";
    const size_t list = doc.find(key, result);
    REQUIRE(list != std::string::npos);
    const size_t begin = list + key.size();
    const size_t end = doc.find('}', begin);
    REQUIRE(end != std::string::npos);
    const std::string original = doc.substr(begin, end + 1 - begin);
    const v1::Task& first = tasks.begin()->second;  // task 1: the smallest USCC
    REQUIRE(first.task_number() == 1);
    std::string replacement;
    for (const auto& [id, person] : inspectors) {
      if (id == first.inspectors(0).inspector_id() || id == first.inspectors(1).inspector_id()) {
        continue;
      }
      replacement = absl::StrCat("{\"certificate_no\":\"", person.certificate_no,
                                 "\",\"name\":\"", person.name, "\"}");
      break;
    }
    INFO("original inspector " << original << ", forged " << replacement);
    REQUIRE(original.find(first.inspectors(0).certificate_no()) != std::string::npos);
    std::string forged = doc;
    forged.replace(begin, original.size(), replacement);
    const std::string path = dir.Sub("forged-inspector.json");
    WriteFile(path, forged);
    CHECK(VerifyDraw(path) != 0);
  }

  // --- per-subject proofs (docs/draw-algorithm.md §10): an auditor proves, a subject checks
  // against what jgctl fetches from the public API, with no credentials -------------------
  {
    const std::string target = absl::StrCat("127.0.0.1:", sampling.grpc_port());
    const std::string public_plan = dir.Sub("public-plan.json");
    const std::string result_file = dir.Sub("public-result.json");
    const testing::CommandOutput shown =
        testing::RunCommand({JG_JGCTL, "plans", "public", plan_id, "--json", "--sampling", target});
    REQUIRE(shown.exit_code == 0);
    CHECK(shown.Says("\"pool_root\""));
    WriteFile(public_plan, shown.output);
    REQUIRE(testing::RunCommand({JG_JGCTL, "plans", "export-result", plan_id, "--out",
                                 result_file, "--sampling", target})
                .exit_code == 0);
    std::string not_drawn;
    for (const std::string& candidate : uscc) {
      if (!tasks.count(candidate)) {
        not_drawn = candidate;
        break;
      }
    }
    for (const std::string& subject : {uscc[0], not_drawn}) {
      const std::string proof = dir.Sub("proof-" + subject + ".json");
      REQUIRE(testing::RunCommand({"python3", JG_VERIFY_DRAW, "prove", genuine, subject, "--out",
                                   proof})
                  .exit_code == 0);
      const testing::CommandOutput verdict =
          testing::RunCommand({"python3", JG_VERIFY_DRAW, "verify-subject", proof, "--plan",
                               public_plan, "--result", result_file});
      CHECK(verdict.exit_code == 0);
      CHECK(verdict.Says(subject == uscc[0] ? "was drawn fairly" : "was eligible and not drawn"));
    }
  }
}

}  // namespace
}  // namespace jianguan::sampling
