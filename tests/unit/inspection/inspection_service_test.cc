// The inspection handlers on a real in-process gRPC server: a drawn task's way to
// publication, the refusals of the acceptance list (each naming its field and changing
// nothing), replays of the source event, a risk alert's task, the public API without
// credentials, and the loop KPI counters (counted once, when the final result commits).
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/text_checks.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "services/inspection/inspection_metrics.h"
#include "services/inspection/inspection_service.h"
#include "services/inspection/task_intake.h"
#include "tests/unit/inspection/inspection_fixtures.h"

namespace jianguan::inspection {
namespace {

using namespace fixtures;
using testing::FieldNames;

constexpr char kTaskName[] = "tasks/d-2026-jinhua-q4-1";

// A call by `user` of `department`, as the loopback authenticator reads it.
std::unique_ptr<grpc::ClientContext> CallBy(const std::string& department,
                                            const std::string& user) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", department);
  context->AddMetadata("x-jg-user", user);
  return context;
}

struct Fixture {
  testing::TempDir dir{"jg-inspection"};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = InspectionStore::Families(), .sync_writes = false});
  testing::FakeClock clock;  // 2026-09-21, Beijing
  WorkingDayCalendar calendar = *WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv");
  ResultCategories categories =
      *ResultCategories::Load(DataRoot() + "/inspection/result-categories-zj.csv", "zj");
  InspectionStore tasks{*db};
  EventEmitter emitter{topics::kInspection, kServiceName, clock};
  TaskIntake intake{tasks, emitter, calendar, clock, 20};
  prometheus::Registry registry;
  InspectionMetrics metrics{registry};
  InspectionService service{*db, clock, {.calendar = &calendar, .categories = &categories},
                            &metrics};
  InspectionPublicService public_service{*db};
  testing::InProcessServer server{{&service, &public_service}};
  std::unique_ptr<v1::Inspection::Stub> stub = server.Stub<v1::Inspection>();
  int64_t offset = 0;

  void Apply(const std::string& topic, const google::protobuf::Message& event, bool catalogue) {
    store::UnitOfWork work;
    const auto consumed = testing::AsConsumed(topic, kUscc, event, "test", offset++);
    REQUIRE((catalogue ? intake.ApplyCatalogue(consumed, work)
                       : intake.ApplyTaskSource(consumed, work)).ok());
    if (!work.empty()) REQUIRE(db->Commit(work).ok());
  }

  void PublishForms() {
    for (const auto& form : {Form("FORM-A", kScjg, "ITEM-1"), Form("FORM-B", kWjw, "ITEM-2")}) {
      catalogue::v1::FormPublished published;
      *published.mutable_form() = form;
      Apply(topics::kCatalogue, published, true);
    }
  }

  void Project(const catalogue::v1::Inspector& inspector, bool changed = false) {
    if (changed) {
      catalogue::v1::InspectorChanged event;
      *event.mutable_inspector() = inspector;
      Apply(topics::kCatalogue, event, true);
    } else {
      catalogue::v1::InspectorRegistered event;
      *event.mutable_inspector() = inspector;
      Apply(topics::kCatalogue, event, true);
    }
  }

  // AssignTask, or ReassignTask when `reason` is given, by the lead department.
  grpc::Status Assign(const std::string& task, std::vector<std::string> ids,
                      const std::string& request_id, const std::string& reason = "",
                      bool reassign = false, v1::Task* out = nullptr) {
    v1::AssignTaskRequest request;
    request.set_request_id(request_id);
    request.set_name(task);
    for (const std::string& id : ids) request.add_inspector_ids(id);
    request.set_reason(reason);
    v1::Task ignored;
    auto context = CallBy(kScjg, "LEAD");
    return reassign ? stub->ReassignTask(context.get(), request, out ? out : &ignored)
                    : stub->AssignTask(context.get(), request, out ? out : &ignored);
  }

  template <typename Event>
  std::vector<Event> Events() {
    std::vector<Event> found;
    const auto outbox = db->ReadOutbox(0, 1000);
    for (const auto& e : *outbox) {
      if (e.type() != Event::descriptor()->full_name()) continue;
      REQUIRE(found.emplace_back().ParseFromString(e.payload()));
    }
    return found;
  }

  v1::Task Get() {
    v1::GetTaskRequest request;
    request.set_name(kTaskName);
    v1::Task task;
    REQUIRE(stub->GetTask(CallBy(kScjg, "x").get(), request, &task).ok());
    return task;
  }

  grpc::Status Move(const std::string& rpc, const std::string& user, const std::string& id) {
    v1::TaskTransitionRequest request;
    request.set_request_id(id);
    request.set_name(kTaskName);
    v1::Task task;
    auto context = CallBy(kScjg, user);
    if (rpc == "accept") return stub->AcceptTask(context.get(), request, &task);
    if (rpc == "publish") return stub->PublishResult(context.get(), request, &task);
    v1::ArriveOnSiteRequest arrive;
    arrive.set_request_id(id);
    arrive.set_name(kTaskName);
    return stub->ArriveOnSite(context.get(), arrive, &task);
  }

  grpc::Status Submit(const v1::Result& result, const std::string& id) {
    v1::SubmitResultRequest request;
    request.set_request_id(id);
    request.set_name(kTaskName);
    *request.mutable_result() = result;
    v1::Task task;
    return stub->SubmitResult(CallBy(kScjg, "INS-1").get(), request, &task);
  }

  grpc::Status Upload(const std::string& content, const std::string& declared_sha) {
    v1::UploadEvidenceResponse response;
    auto context = CallBy(kScjg, "INS-1");
    auto writer = stub->UploadEvidence(context.get(), &response);
    v1::UploadEvidenceRequest header;
    header.mutable_header()->set_request_id("upload-" + declared_sha.substr(0, 8));
    header.mutable_header()->set_task(kTaskName);
    auto& e = *header.mutable_header()->mutable_evidence();
    e.set_sha256(declared_sha);
    e.set_media_type("image/jpeg");
    e.set_size_bytes(static_cast<int64_t>(content.size()));
    writer->Write(header);
    v1::UploadEvidenceRequest chunk;
    chunk.set_chunk(content);
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  }

  // The drawn task's way to publication with `result` (accept, arrive, submit, approve,
  // publish).
  void Publish(const v1::Result& result) {
    REQUIRE(Move("accept", "INS-1", "p-accept").ok());
    REQUIRE(Move("arrive", "INS-1", "p-arrive").ok());
    REQUIRE(Submit(result, "p-submit").ok());
    v1::ReviewResultRequest review;
    review.set_request_id("p-review");
    review.set_name(kTaskName);
    review.set_decision(v1::REVIEW_DECISION_APPROVE);
    v1::Task reviewed;
    REQUIRE(stub->ReviewResult(CallBy(kScjg, "REVIEWER").get(), review, &reviewed).ok());
    REQUIRE(Move("publish", "LEAD", "p-publish").ok());
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    const auto outbox = db->ReadOutbox(0, 1000);
    for (const auto& e : *outbox) types.push_back(e.type());
    return types;
  }
};

SCENARIO_METHOD(Fixture, "a drawn joint task is created once, with every department's forms") {
  GIVEN("published forms and a TaskDrawn for two departments") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    const uint64_t backlog = db->OutboxBacklog();
    THEN("one assigned task carries both departments' forms (进一次门、查多项事)") {
      const v1::Task task = Get();
      CHECK(task.state() == v1::TASK_STATE_ASSIGNED);
      REQUIRE(task.departments_size() == 2);
      CHECK(task.departments(0).forms(0).code() == "FORM-A");
      CHECK(task.departments(1).forms(0).code() == "FORM-B");
      CHECK(EventTypes() == std::vector<std::string>{"jianguan.inspection.v1.TaskCreated",
                                                     "jianguan.inspection.v1.TaskAssigned"});
    }
    WHEN("the same TaskDrawn is delivered again") {
      Apply(topics::kSampling, JointDraw(), false);
      THEN("nothing is created twice") {
        CHECK(db->OutboxBacklog() == backlog);
        CHECK(tasks.AllTasks()->size() == 1);
        CHECK(Get().version() == 2);
      }
    }
  }
  GIVEN("published forms and two copies of one TaskDrawn in one consumer batch") {
    PublishForms();
    store::UnitOfWork batch;  // as the consumer builds it: one unit for both events
    for (int copy = 0; copy < 2; ++copy) {
      const auto consumed =
          testing::AsConsumed(topics::kSampling, kUscc, JointDraw(), "republisher", offset++);
      REQUIRE(intake.ApplyTaskSource(consumed, batch).ok());
    }
    REQUIRE(db->Commit(batch).ok());
    THEN("the second copy sees the task the first one makes, and one task is created") {
      CHECK(tasks.AllTasks()->size() == 1);
      CHECK(EventTypes() == std::vector<std::string>{"jianguan.inspection.v1.TaskCreated",
                                                     "jianguan.inspection.v1.TaskAssigned"});
    }
  }
}

SCENARIO_METHOD(Fixture, "a dispatched risk alert becomes one verification task of its department") {
  risk::v1::AlertDispatched dispatched;
  risk::v1::AlertSummary& alert = *dispatched.mutable_alert();
  alert.set_name("alerts/01JALERT0000000000000000AB");
  alert.set_uscc(kUscc);
  alert.set_subject_name("金华某污水处理有限公司");
  alert.set_rule("ammonia-nitrogen-exceedance");
  alert.set_level(risk::v1::ALERT_LEVEL_ORANGE);
  alert.set_state(risk::v1::ALERT_STATE_DISPATCHED);
  alert.mutable_department()->set_code(kScjg);
  alert.set_version(2);
  auto* item = dispatched.add_items();
  item->set_code("ITEM-1");
  item->set_version(1);
  dispatched.set_reason("氨氮 12.4 mg/L > 8 mg/L，连续 3 次");
  *dispatched.mutable_close_due_date() = testing::DateOf(2026, 10, 9);
  const std::string name = "tasks/a-01JALERT0000000000000000AB";
  GIVEN("published forms") {
    PublishForms();
    const size_t backlog = db->OutboxBacklog();
    Apply(topics::kRisk, dispatched, false);
    THEN("a created task of the alert, with the forms of its items, due on the alert's day") {
      v1::GetTaskRequest get;
      get.set_name(name);
      v1::Task task;
      REQUIRE(stub->GetTask(CallBy(kScjg, "x").get(), get, &task).ok());
      CHECK(task.state() == v1::TASK_STATE_CREATED);
      CHECK(task.origin().source() == v1::TASK_SOURCE_RISK_ALERT);
      CHECK(task.origin().alert() == alert.name());
      CHECK(task.lead_department().code() == kScjg);
      REQUIRE(task.departments_size() == 1);
      REQUIRE(task.departments(0).forms_size() == 1);
      CHECK(task.departments(0).forms(0).code() == "FORM-A");
      CHECK(task.due_date().day() == 9);
      CHECK(task.uscc() == kUscc);
      CHECK(db->OutboxBacklog() == backlog + 1);  // TaskCreated
    }
    WHEN("the alert is dispatched again") {
      dispatched.mutable_alert()->set_version(3);
      Apply(topics::kRisk, dispatched, false);
      THEN("its task stays the one task") {
        CHECK(tasks.AllTasks()->size() == 1);
        CHECK(db->OutboxBacklog() == backlog + 1);
      }
    }
  }
  GIVEN("a dispatch without items, or without a department") {
    for (int broken = 0; broken < 3; ++broken) {
      risk::v1::AlertDispatched bad = dispatched;
      if (broken == 0) bad.clear_items();
      if (broken == 1) bad.mutable_alert()->clear_department();
      if (broken == 2) bad.mutable_alert()->set_name("alerts/");
      store::UnitOfWork work;
      const auto consumed = testing::AsConsumed(topics::kRisk, kUscc, bad, "test", offset++);
      const absl::Status status = intake.ApplyTaskSource(consumed, work);
      INFO(status.ToString());
      CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      CHECK(work.empty());
    }
    CHECK(tasks.AllTasks()->empty());
  }
}

SCENARIO_METHOD(Fixture, "overdue tasks are counted from the deadline index, kept by every write") {
  GIVEN("a drawn task due on 2026-12-31") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    THEN("it is overdue after that day, not on it") {
      CHECK(*tasks.CountOverdue(absl::CivilDay(2026, 12, 31)) == 0);
      CHECK(*tasks.CountOverdue(absl::CivilDay(2027, 1, 1)) == 1);
    }
    WHEN("it is cancelled") {
      v1::ReasonedTransitionRequest cancel;
      cancel.set_request_id("cancel-1");
      cancel.set_name(kTaskName);
      cancel.set_reason("经营者已注销");
      v1::Task cancelled;
      REQUIRE(stub->CancelTask(CallBy(kScjg, "LEAD").get(), cancel, &cancelled).ok());
      THEN("no deadline runs any more") {
        CHECK(*tasks.CountOverdue(absl::CivilDay(2027, 1, 1)) == 0);
      }
    }
    WHEN("the index is lost, as in a store written before it existed") {
      store::UnitOfWork wipe;
      REQUIRE(db->ForEach(kDeadlines, "", [&](std::string_view key, std::string_view) {
                  wipe.Delete(kDeadlines, std::string(key));
                  return true;
                }).ok());
      wipe.Delete(kMarkers, "deadlines_indexed");
      REQUIRE(db->Commit(wipe).ok());
      REQUIRE(*tasks.CountOverdue(absl::CivilDay(2027, 1, 1)) == 0);
      THEN("IndexDeadlines puts the task back, once") {
        REQUIRE(tasks.IndexDeadlines().ok());
        CHECK(*tasks.CountOverdue(absl::CivilDay(2027, 1, 1)) == 1);
        REQUIRE(tasks.IndexDeadlines().ok());
        CHECK(*tasks.CountOverdue(absl::CivilDay(2027, 1, 1)) == 1);
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a drawn task consumed before its forms takes them when accepted") {
  GIVEN("a TaskDrawn applied before any FormPublished") {
    Apply(topics::kSampling, JointDraw(), false);
    REQUIRE(Get().departments_size() == 2);
    CHECK(Get().departments(0).forms_size() == 0);
    WHEN("the forms are published, then an inspector accepts the task") {
      PublishForms();
      CHECK(Get().departments(0).forms_size() == 0);  // nothing changes by itself
      REQUIRE(Move("accept", "INS-1", "late-accept").ok());
      THEN("each department holds the form published for its items") {
        const v1::Task task = Get();
        REQUIRE(task.departments(0).forms_size() == 1);
        CHECK(task.departments(0).forms(0).code() == "FORM-A");
        REQUIRE(task.departments(1).forms_size() == 1);
        CHECK(task.departments(1).forms(0).code() == "FORM-B");
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "refused results and transitions name the field and change nothing") {
  GIVEN("a drawn task its inspectors accepted and reached") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    REQUIRE(Move("accept", "INS-1", "r-accept").ok());
    REQUIRE(Move("arrive", "INS-2", "r-arrive").ok());
    const v1::Task before = Get();
    const uint64_t backlog = db->OutboxBacklog();
    const auto unchanged = [&] {
      CHECK(Get().version() == before.version());
      CHECK(db->OutboxBacklog() == backlog);
    };
    WHEN("a result signed by one inspector only is submitted") {
      v1::Result result = PassingResult();
      result.mutable_inspector_signatures()->RemoveLast();
      const grpc::Status status = Submit(result, "r-1");
      THEN("INVALID_ARGUMENT names result.inspector_signatures") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"result.inspector_signatures"});
        unchanged();
      }
    }
    WHEN("an answer is outside the allowed answers") {
      v1::Result result = PassingResult();
      result.mutable_answers(0)->set_answer_code("X");
      const grpc::Status status = Submit(result, "r-2");
      THEN("result.answers[0].answer_code is named") {
        CHECK(FieldNames(status) == std::set<std::string>{"result.answers[0].answer_code"});
        unchanged();
      }
    }
    WHEN("an answer names a form version other than the task's") {
      v1::Result result = PassingResult();
      result.mutable_answers(1)->mutable_check_point()->set_form_version(3);
      const grpc::Status status = Submit(result, "r-3");
      THEN("result.answers[1].check_point.form_version is named") {
        CHECK(FieldNames(status).count("result.answers[1].check_point.form_version") == 1);
        unchanged();
      }
    }
    WHEN("evidence is uploaded whose bytes do not match the declared SHA-256") {
      const grpc::Status status = Upload("photo bytes", std::string(64, 'c'));
      THEN("header.evidence.sha256 is named and nothing is stored") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"header.evidence.sha256"});
        CHECK_FALSE(*tasks.HasEvidence(std::string(64, 'c')));
        CHECK(tasks.TaskEvidence("d-2026-jinhua-q4-1")->empty());
      }
    }
    WHEN("a result's summary is not UTF-8") {
      // proto3 refuses the request before the handler runs; gRPC alone answered INTERNAL.
      v1::Result result = PassingResult();
      result.set_summary("现场检查\xe5\x90");
      const grpc::Status status = Submit(result, "r-5");
      THEN("INVALID_ARGUMENT names result.summary, in valid UTF-8") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"result.summary"});
        CHECK(IsValidUtf8(status.error_message()));
        unchanged();
      }
    }
    WHEN("an evidence upload's header is not UTF-8") {
      // A client stream: gRPC reads its messages inside the handler, where a message that
      // does not parse looks like the end of the stream (libs/server/internal/
      // unparsable_requests.h), so the handler finds no header.
      v1::UploadEvidenceResponse response;
      auto context = CallBy(kScjg, "INS-1");
      auto writer = stub->UploadEvidence(context.get(), &response);
      v1::UploadEvidenceRequest header;
      header.mutable_header()->set_request_id("upload-utf8");
      header.mutable_header()->set_task(kTaskName);
      header.mutable_header()->mutable_evidence()->set_sha256(std::string(64, 'd'));
      header.mutable_header()->mutable_evidence()->set_media_type("image/\xff");
      header.mutable_header()->mutable_evidence()->set_size_bytes(5);
      writer->Write(header);
      v1::UploadEvidenceRequest chunk;
      chunk.set_chunk("bytes");
      writer->Write(chunk);
      writer->WritesDone();
      const grpc::Status status = writer->Finish();
      THEN("it is refused as a stream without a header and nothing is stored") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"header"});
        CHECK_FALSE(*tasks.HasEvidence(std::string(64, 'd')));
        unchanged();
      }
    }
    WHEN("the result is published before it is submitted") {
      const grpc::Status status = Move("publish", "LEAD", "r-4");
      THEN("FAILED_PRECONDITION and nothing changes") {
        CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        unchanged();
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a result too large for the events that carry it is refused naming "
                         "result.answers") {
  GIVEN("a task whose market-regulation form asks 120 check points") {
    // Every finding repeats its question (500 four-byte characters at most) beside a note of
    // up to 2,000: 120 findings at their longest come to over a megabyte, which no Kafka
    // message carries; let into the outbox, ResultSubmitted would hold it for good.
    std::string question, note;
    for (int i = 0; i < 500; ++i) question += "\U00020000";
    for (int i = 0; i < 2000; ++i) note += "\U00020000";
    catalogue::v1::FormTemplate big = Form("FORM-A", kScjg, "ITEM-1");
    for (int p = 2; p <= 120; ++p) {
      catalogue::v1::FormCheckPoint& point = *big.add_check_points();
      point = big.check_points(0);
      point.mutable_check_point()->set_code(absl::StrCat("CP-", p));
    }
    for (auto& point : *big.mutable_check_points()) point.mutable_check_point()->set_question(question);
    for (const auto& form : {big, Form("FORM-B", kWjw, "ITEM-2")}) {
      catalogue::v1::FormPublished published;
      *published.mutable_form() = form;
      Apply(topics::kCatalogue, published, true);
    }
    Apply(topics::kSampling, JointDraw(), false);
    REQUIRE(Move("accept", "INS-1", "big-accept").ok());
    REQUIRE(Move("arrive", "INS-1", "big-arrive").ok());
    const v1::Task before = Get();
    const uint64_t backlog = db->OutboxBacklog();
    // Every point answered N (a finding) with a note.
    const auto answered = [&](const std::string& text) {
      v1::Result result = PassingResult();
      result.mutable_answers(0)->set_note(text);
      for (int p = 2; p <= 120; ++p) {
        v1::CheckPointAnswer& answer = *result.add_answers();
        answer = result.answers(0);
        answer.mutable_check_point()->set_check_point_code(absl::StrCat("CP-", p));
      }
      return result;
    };

    WHEN("each note is at its longest") {
      const grpc::Status status = Submit(answered(note), "big-submit");
      THEN("INVALID_ARGUMENT names result.answers with the size, and nothing changes") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"result.answers"});
        CHECK_THAT(status.error_message(), Catch::Contains("bytes, over the 700000"));
        CHECK(Get().version() == before.version());
        CHECK(db->OutboxBacklog() == backlog);
      }
    }
    WHEN("each note is short") {
      THEN("the same 120 findings are submitted") {
        CHECK(Submit(answered("未在显著位置公示营业执照"), "big-submit").ok());
        CHECK(db->OutboxBacklog() > backlog);
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a result goes to review and publication; the public sees no evidence") {
  GIVEN("a drawn task on site with evidence uploaded") {
    PublishForms();
    catalogue::v1::ItemPublished item;  // named, so the public sees what was inspected
    item.mutable_item()->set_code("ITEM-1");
    item.mutable_item()->set_name("食品销售者经营条件检查");
    item.mutable_item()->set_version(1);
    Apply(topics::kCatalogue, item, true);
    Apply(topics::kSampling, JointDraw(), false);
    REQUIRE(Move("accept", "INS-1", "r-accept").ok());
    REQUIRE(Move("arrive", "INS-1", "r-arrive").ok());
    const std::string photo = "jpeg bytes of the kitchen";
    const std::string sha = store::Sha256Hex(photo);
    REQUIRE(Upload(photo, sha).ok());
    v1::Result result = PassingResult();
    auto& evidence = *result.add_evidence();
    evidence.set_sha256(sha);
    evidence.set_media_type("image/jpeg");
    evidence.set_size_bytes(static_cast<int64_t>(photo.size()));
    result.mutable_answers(0)->add_evidence_sha256(sha);
    REQUIRE(Submit(result, "r-submit").ok());
    WHEN("the lead department's reviewer approves it") {
      v1::ReviewResultRequest review;
      review.set_request_id("r-review");
      review.set_name(kTaskName);
      review.set_decision(v1::REVIEW_DECISION_APPROVE);
      v1::Task reviewed;
      REQUIRE(stub->ReviewResult(CallBy(kScjg, "REVIEWER").get(), review, &reviewed).ok());
      THEN("LeadTransferred carries the finding and the evidence") {
        v1::LeadTransferred lead;
        const auto outbox = db->ReadOutbox(0, 1000);
        for (const auto& e : *outbox) {
          if (e.type() == "jianguan.inspection.v1.LeadTransferred") {
            REQUIRE(lead.ParseFromString(e.payload()));
          }
        }
        CHECK(lead.findings_size() == 1);
        CHECK(lead.findings(0).answer_code() == "N");
        REQUIRE(lead.evidence_size() == 1);
        CHECK(lead.evidence(0).sha256() == sha);
      }
      AND_WHEN("it is published and read without credentials") {
        REQUIRE(Move("publish", "LEAD", "r-publish").ok());
        auto public_stub = server.Stub<v1::InspectionPublic>();
        grpc::ClientContext anonymous;
        v1::ListPublishedResultsRequest list;
        list.set_plan("plans/2026-jinhua-q4");
        v1::ListPublishedResultsResponse listed;
        REQUIRE(public_stub->ListPublishedResults(&anonymous, list, &listed).ok());
        THEN("the result shows categories but no evidence, inspectors or personal data") {
          REQUIRE(listed.results_size() == 1);
          CHECK(listed.results(0).departments(0).category().code() == "A");
          REQUIRE(listed.results(0).departments(0).items_size() == 1);
          CHECK(listed.results(0).departments(0).items(0).name() == "食品销售者经营条件检查");
          CHECK(listed.results(0).departments(1).items(0).name().empty());  // never projected
          const std::string bytes = listed.results(0).SerializeAsString();
          for (const std::string& secret : {sha, std::string("INS-1"), std::string("张三"),
                                             std::string("未在显著位置")}) {
            CHECK(bytes.find(secret) == std::string::npos);
          }
        }
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a task is reassigned to certified inspectors of the catalogue") {
  GIVEN("a drawn task and four inspectors projected from the catalogue") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    for (const auto& i : {Inspector("INS-3", kScjg, "ITEM-1"), Inspector("INS-4", kWjw, "ITEM-2"),
                          Inspector("INS-5", kWjw, "ITEM-2")}) {
      Project(i);
    }
    const v1::Task before = Get();
    const uint64_t backlog = db->OutboxBacklog();
    const auto unchanged = [&] {
      CHECK(Get().version() == before.version());
      CHECK(db->OutboxBacklog() == backlog);
    };
    WHEN("it is reassigned without a reason") {
      const grpc::Status status = Assign(kTaskName, {"INS-3", "INS-4"}, "re-1", "", true);
      THEN("reason is named") {
        CHECK(FieldNames(status) == std::set<std::string>{"reason"});
        unchanged();
      }
    }
    WHEN("the second inspector was retired (and a stale copy of them arrives later)") {
      catalogue::v1::Inspector retired = Inspector("INS-5", kWjw, "ITEM-2", 2);
      retired.set_status(catalogue::v1::INSPECTOR_STATUS_RETIRED);
      Project(retired, true);
      Project(Inspector("INS-5", kWjw, "ITEM-2", 1));
      const grpc::Status status = Assign(kTaskName, {"INS-3", "INS-5"}, "re-2", "改派", true);
      THEN("inspector_ids[1] is named and nothing changes") {
        CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(FieldNames(status) == std::set<std::string>{"inspector_ids[1]"});
        unchanged();
      }
    }
    WHEN("it is assigned again with AssignTask") {
      const grpc::Status status = Assign(kTaskName, {"INS-3", "INS-4"}, "re-3");
      THEN("FAILED_PRECONDITION: a drawn task is assigned already") {
        CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        unchanged();
      }
    }
    WHEN("it is reassigned to two certified inspectors with a reason") {
      v1::Task after;
      REQUIRE(Assign(kTaskName, {"INS-3", "INS-4"}, "re-4", "原执法人员回避", true, &after).ok());
      THEN("the task has them and TaskAssigned names the previous inspectors and the reason") {
        CHECK(after.state() == v1::TASK_STATE_ASSIGNED);
        REQUIRE(after.inspectors_size() == 2);
        CHECK(after.inspectors(0).inspector_id() == "INS-3");
        CHECK(after.history().rbegin()->trigger() == "ReassignTask");
        const auto assigned = Events<v1::TaskAssigned>();
        REQUIRE(assigned.size() == 2);
        CHECK(assigned[1].previous_inspectors(0).inspector_id() == "INS-1");
        CHECK(assigned[1].previous_inspectors(1).inspector_id() == "INS-2");
        CHECK(assigned[1].reason() == "原执法人员回避");
        CHECK(assigned[1].task().inspectors(1).inspector_id() == "INS-4");
      }
    }
  }
}

// The fixture's result with SCJG's finding ordered rectified instead of transferred.
v1::Result OrderingResult() {
  v1::Result result = PassingResult(false);
  result.mutable_departments(0)->mutable_actions(0)->set_measure(
      v1::FOLLOW_UP_MEASURE_ORDER_RECTIFICATION);
  return result;
}

// A follow-up's result for SCJG's check point: `answer` Y (rectified) or N (still failing,
// transferred to case handling).
v1::Result FollowUpResult(const std::string& answer) {
  v1::Result result;
  auto& d = *result.add_departments();
  d.mutable_department()->set_code(kScjg);
  d.mutable_category()->set_code(answer == "N" ? "A" : "1");
  d.add_verification_methods(v1::VERIFICATION_METHOD_ON_SITE);
  auto& action = *d.add_actions();
  if (answer == "N") {
    action.set_measure(v1::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE);
    action.add_departments()->set_code("330700-ZHZF");
  } else {
    action.set_measure(v1::FOLLOW_UP_MEASURE_NONE);
  }
  auto& a = *result.add_answers();
  a.mutable_check_point()->set_form_code("FORM-A");
  a.mutable_check_point()->set_item_code("ITEM-1");
  a.mutable_check_point()->set_check_point_code("CP-1");
  a.set_answer_code(answer);
  if (answer == "N") a.set_note("仍未公示营业执照");
  for (const char* id : {"INS-1", "INS-3"}) {
    auto& s = *result.add_inspector_signatures();
    s.set_inspector_id(id);
    s.set_signature_sha256(std::string(64, 'a'));
  }
  result.mutable_representative()->set_name("张三");
  result.mutable_representative()->set_signature_sha256(std::string(64, 'b'));
  *result.mutable_inspection_date() = testing::DateOf(2026, 9, 21);
  return result;
}

SCENARIO_METHOD(Fixture, "an order to rectify makes a follow-up for the failed check point only") {
  GIVEN("a published joint task whose SCJG result orders rectification") {
    PublishForms();
    Project(Inspector("INS-1", kScjg, "ITEM-1"));
    Project(Inspector("INS-3", kScjg, "ITEM-1"));
    Apply(topics::kSampling, JointDraw(), false);
    Publish(OrderingResult());
    v1::OrderRectificationRequest order;
    order.set_request_id("order-1");
    order.set_name(kTaskName);
    *order.mutable_rectify_by() = testing::DateOf(2026, 10, 30);
    order.set_notice_number("金市监责改〔2026〕12号");
    order.add_inspector_ids("INS-1");
    order.add_inspector_ids("INS-3");
    WHEN("the lead department orders it with two inspectors for the follow-up") {
      v1::OrderRectificationResponse ordered;
      REQUIRE(stub->OrderRectification(CallBy(kScjg, "LEAD").get(), order, &ordered).ok());
      const v1::Task& follow_up = ordered.follow_up();
      THEN("the follow-up checks SCJG's failed check point, assigned, due after rectify_by") {
        CHECK(follow_up.origin().source() == v1::TASK_SOURCE_FOLLOW_UP);
        CHECK(follow_up.origin().follow_up_of() == kTaskName);
        CHECK(follow_up.state() == v1::TASK_STATE_ASSIGNED);
        REQUIRE(follow_up.departments_size() == 1);
        CHECK(follow_up.departments(0).department().code() == kScjg);
        REQUIRE(follow_up.check_points_size() == 1);
        CHECK(follow_up.check_points(0).item_code() == "ITEM-1");
        CHECK(follow_up.due_date().month() == 11);  // 10 working days after 2026-10-30
        CHECK(ordered.task().rectification().follow_up_task() == follow_up.name());
        const std::vector<std::string> types = EventTypes();
        REQUIRE(types.size() >= 3);
        CHECK(std::vector<std::string>(types.end() - 3, types.end()) ==
              std::vector<std::string>{"jianguan.inspection.v1.RectificationOrdered",
                                       "jianguan.inspection.v1.TaskCreated",
                                       "jianguan.inspection.v1.TaskAssigned"});
        CHECK(Events<v1::RectificationOrdered>()[0].findings_size() == 1);
      }
      AND_WHEN("it is ordered again") {
        order.set_request_id("order-2");
        v1::OrderRectificationResponse again;
        const grpc::Status status =
            stub->OrderRectification(CallBy(kScjg, "LEAD").get(), order, &again);
        THEN("FAILED_PRECONDITION: one order per task") {
          CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        }
      }
      AND_WHEN("the follow-up is visited") {
        const auto move = [&](const std::string& rpc) {
          v1::TaskTransitionRequest r;
          r.set_request_id("fu-" + rpc);
          r.set_name(follow_up.name());
          v1::ArriveOnSiteRequest a;
          a.set_request_id("fu-" + rpc);
          a.set_name(follow_up.name());
          v1::Task t;
          return rpc == "accept" ? stub->AcceptTask(CallBy(kScjg, "INS-1").get(), r, &t)
                                 : stub->ArriveOnSite(CallBy(kScjg, "INS-1").get(), a, &t);
        };
        REQUIRE(move("accept").ok());
        REQUIRE(move("arrive").ok());
        const auto complete = [&](const std::string& answer, v1::RectificationOutcome outcome,
                                  v1::Task* out) {
          v1::CompleteFollowUpRequest r;
          r.set_request_id("complete-" + answer + std::to_string(outcome));
          r.set_name(follow_up.name());
          r.set_outcome(outcome);
          *r.mutable_result() = FollowUpResult(answer);
          return stub->CompleteFollowUp(CallBy(kScjg, "INS-1").get(), r, out);
        };
        v1::Task done;
        THEN("RECTIFIED with a finding is refused naming outcome") {
          CHECK(FieldNames(complete("N", v1::RECTIFICATION_OUTCOME_RECTIFIED, &done)) ==
                std::set<std::string>{"outcome"});
        }
        THEN("RECTIFIED completes it and records the outcome on the original") {
          REQUIRE(complete("Y", v1::RECTIFICATION_OUTCOME_RECTIFIED, &done).ok());
          CHECK(done.state() == v1::TASK_STATE_COMPLETED);
          CHECK(Get().rectification().outcome() == v1::RECTIFICATION_OUTCOME_RECTIFIED);
          REQUIRE(Events<v1::FollowUpCompleted>().size() == 1);
          CHECK(Events<v1::FollowUpCompleted>()[0].findings_size() == 0);
          CHECK(Events<v1::LeadTransferred>().empty());
        }
        THEN("NOT_RECTIFIED with a transfer sends the lead to case handling") {
          REQUIRE(complete("N", v1::RECTIFICATION_OUTCOME_NOT_RECTIFIED, &done).ok());
          CHECK(Get().rectification().outcome() == v1::RECTIFICATION_OUTCOME_NOT_RECTIFIED);
          CHECK(Events<v1::FollowUpCompleted>()[0].outcome() ==
                v1::RECTIFICATION_OUTCOME_NOT_RECTIFIED);
          const auto leads = Events<v1::LeadTransferred>();
          REQUIRE(leads.size() == 1);
          CHECK(leads[0].task().name() == follow_up.name());
          CHECK(leads[0].findings(0).note() == "仍未公示营业执照");
        }
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a correction is a new linked publication; the public sees the latest") {
  GIVEN("a published joint task") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    Publish(OrderingResult());
    v1::CorrectPublicationRequest correct;
    correct.set_request_id("correct-1");
    correct.set_publication(std::string(kTaskName) + "/publications/1");
    for (const char* department : {kScjg, kWjw}) {
      auto& d = *correct.add_departments();
      d.mutable_department()->set_code(department);
      d.mutable_category()->set_code("1");
      d.add_verification_methods(v1::VERIFICATION_METHOD_ON_SITE);
      d.add_actions()->set_measure(v1::FOLLOW_UP_MEASURE_NONE);
    }
    correct.set_reason("复核后更正检查结果");
    auto public_stub = server.Stub<v1::InspectionPublic>();
    const auto listed = [&](bool include_corrected) {
      grpc::ClientContext anonymous;
      v1::ListPublishedResultsRequest list;
      list.set_uscc(kUscc);
      list.set_include_corrected(include_corrected);
      v1::ListPublishedResultsResponse response;
      REQUIRE(public_stub->ListPublishedResults(&anonymous, list, &response).ok());
      return response;
    };
    WHEN("it is corrected without a reason") {
      correct.set_reason("");
      v1::Task task;
      THEN("reason is named") {
        CHECK(FieldNames(stub->CorrectPublication(CallBy(kScjg, "LEAD").get(), correct, &task)) ==
              std::set<std::string>{"reason"});
      }
    }
    WHEN("the lead department corrects the first publication") {
      v1::Task task;
      REQUIRE(stub->CorrectPublication(CallBy(kScjg, "LEAD").get(), correct, &task).ok());
      THEN("publication 2 corrects 1, and the public list shows 2 only unless asked") {
        REQUIRE(task.publications_size() == 2);
        CHECK(task.publications(0).corrected_by() == std::string(kTaskName) + "/publications/2");
        CHECK(task.publications(1).corrects() == correct.publication());
        const auto standing = listed(false);
        REQUIRE(standing.results_size() == 1);
        CHECK(standing.results(0).name() == std::string(kTaskName) + "/publications/2");
        CHECK(standing.results(0).departments(0).category().code() == "1");
        CHECK(listed(true).results_size() == 2);
        const auto published = Events<v1::ResultPublished>();
        REQUIRE(published.size() == 2);
        CHECK(published[1].corrects() == correct.publication());
        CHECK(published[1].correction_reason() == "复核后更正检查结果");
      }
      AND_WHEN("the corrected publication is corrected again") {
        correct.set_request_id("correct-2");
        const grpc::Status status =
            stub->CorrectPublication(CallBy(kScjg, "LEAD").get(), correct, &task);
        THEN("FAILED_PRECONDITION: only the standing one may be corrected") {
          CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        }
      }
    }
  }
}

// A clock whose first `callers` readings each wait (at most 10 s) until all of them are
// taken: as many concurrent writes all pass the first reading in their decision (the
// transition's time) before any of them commits.
class BarrierClock final : public Clock {
 public:
  BarrierClock(absl::Time now, int callers) : now_(now), callers_(callers) {}
  absl::Time Now() const override {
    std::unique_lock lock(mu_);
    if (arrived_ < callers_) {
      ++arrived_;
      arrivals_.notify_all();
      arrivals_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= callers_; });
    }
    return now_;
  }

 private:
  const absl::Time now_;
  const int callers_;
  mutable int arrived_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable arrivals_;
};

SCENARIO_METHOD(Fixture, "a joint task's final result is counted once, when its write commits") {
  GIVEN("a joint task of 330700-SCJG (a problem found) and 330700-WJW (none), submitted") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    REQUIRE(Move("accept", "INS-1", "k-accept").ok());
    REQUIRE(Move("arrive", "INS-1", "k-arrive").ok());
    REQUIRE(Submit(PassingResult(), "k-submit").ok());
    const auto visits = [&] {
      return testing::SampleOf(registry, "jianguan_inspection_visits_saved_total").value;
    };
    const auto results = [&](const std::string& outcome, const std::string& problem) {
      return testing::SampleOf(registry, "jianguan_inspection_results_total",
                               {{"outcome", outcome}, {"problem_found", problem}})
          .value;
    };
    THEN("a submitted result is not counted yet") {
      CHECK(visits() == 0);
      CHECK(results("problem_pending", "true") == 0);
    }
    WHEN("review returns it, it is submitted again, and two reviewers approve it at once") {
      v1::ReviewResultRequest back;
      back.set_request_id("k-return");
      back.set_name(kTaskName);
      back.set_decision(v1::REVIEW_DECISION_RETURN);
      back.set_comment("现场照片不清晰，请补充");
      v1::Task returned;
      REQUIRE(stub->ReviewResult(CallBy(kScjg, "REVIEWER").get(), back, &returned).ok());
      REQUIRE(visits() == 0);
      REQUIRE(Submit(PassingResult(), "k-submit-2").ok());
      // Both approvals decide on the submitted task before either commits: the task's
      // compare-and-set lets one commit and fails the other.
      const BarrierClock together(clock.Now(), 2);
      InspectionService racing(*db, together, {.calendar = &calendar, .categories = &categories},
                               &metrics);
      absl::StatusOr<v1::Task> approvals[2];
      std::thread second([&] {
        v1::ReviewResultRequest r;
        r.set_request_id("k-approve-b");
        r.set_name(kTaskName);
        r.set_decision(v1::REVIEW_DECISION_APPROVE);
        approvals[1] = racing.DoReviewResult({.department = kScjg, .user_id = "REVIEWER-B"}, r);
      });
      v1::ReviewResultRequest approve;
      approve.set_request_id("k-approve-a");
      approve.set_name(kTaskName);
      approve.set_decision(v1::REVIEW_DECISION_APPROVE);
      approvals[0] = racing.DoReviewResult({.department = kScjg, .user_id = "REVIEWER-A"}, approve);
      second.join();
      THEN("one approval commits, the other is refused, and the result is counted once") {
        REQUIRE(approvals[0].ok() + approvals[1].ok() == 1);
        const absl::Status& refused = approvals[0].ok() ? approvals[1].status()
                                                        : approvals[0].status();
        CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
        CHECK(visits() == 1);
        CHECK(results("problem_pending", "true") == 1);
        CHECK(results("no_problem", "false") == 1);
        CHECK(Get().state() == v1::TASK_STATE_REVIEWED);
      }
      AND_WHEN("the committed approval is retried with its request_id") {
        const bool first_won = approvals[0].ok();
        v1::ReviewResultRequest again = approve;
        again.set_request_id(first_won ? "k-approve-a" : "k-approve-b");
        v1::Task replayed;
        REQUIRE(stub->ReviewResult(CallBy(kScjg, first_won ? "REVIEWER-A" : "REVIEWER-B").get(),
                                   again, &replayed).ok());
        THEN("the first answer comes back and nothing is counted again") {
          CHECK(replayed.version() == Get().version());
          CHECK(visits() == 1);
          CHECK(results("problem_pending", "true") == 1);
        }
      }
      AND_WHEN("the department reads its KPI report of September") {
        v1::GetInspectionReportRequest request;
        *request.mutable_period_start() = testing::DateOf(2026, 9, 1);
        *request.mutable_period_end() = testing::DateOf(2026, 9, 30);
        v1::InspectionReport report;
        REQUIRE(stub->GetInspectionReport(CallBy(kScjg, "x").get(), request, &report).ok());
        THEN("it agrees with the counters: one visit saved, one problem in one completed task") {
          CHECK(report.visits_saved() == 1);
          CHECK(report.tasks_completed() == 1);
          CHECK(report.problems_found() == 1);
          CHECK(report.problem_discovery_ppm() == 1'000'000);
        }
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a retried request_id answers the first answer; reused, it is refused") {
  GIVEN("a drawn task and inspectors in the catalogue") {
    PublishForms();
    Apply(topics::kSampling, JointDraw(), false);
    for (const auto& i : {Inspector("INS-3", kScjg, "ITEM-1"), Inspector("INS-4", kWjw, "ITEM-2"),
                          Inspector("INS-5", kWjw, "ITEM-2")}) {
      Project(i);
    }
    v1::Task first;
    REQUIRE(Assign(kTaskName, {"INS-3", "INS-4"}, "same-id", "改派", true, &first).ok());
    const uint64_t backlog = db->OutboxBacklog();
    WHEN("the same request is sent again") {
      v1::Task again;
      REQUIRE(Assign(kTaskName, {"INS-3", "INS-4"}, "same-id", "改派", true, &again).ok());
      THEN("the first answer comes back and nothing is written twice") {
        CHECK(again.SerializeAsString() == first.SerializeAsString());
        CHECK(db->OutboxBacklog() == backlog);
        CHECK(Get().version() == first.version());
      }
    }
    WHEN("the same request_id comes with another request") {
      const grpc::Status status = Assign(kTaskName, {"INS-3", "INS-5"}, "same-id", "改派", true);
      THEN("INVALID_ARGUMENT names request_id and nothing changes") {
        CHECK(FieldNames(status) == std::set<std::string>{"request_id"});
        CHECK(db->OutboxBacklog() == backlog);
        CHECK(Get().inspectors(1).inspector_id() == "INS-4");
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "without a caller every departments' RPC is UNAUTHENTICATED") {
  const auto anonymous = [] { return std::make_unique<grpc::ClientContext>(); };
  std::vector<grpc::Status> answers;
  v1::Task task;
  answers.push_back(stub->CreateTask(anonymous().get(), {}, &task));
  answers.push_back(stub->GetTask(anonymous().get(), {}, &task));
  v1::ListTasksResponse tasks_page;
  answers.push_back(stub->ListTasks(anonymous().get(), {}, &tasks_page));
  answers.push_back(stub->AssignTask(anonymous().get(), {}, &task));
  answers.push_back(stub->ReassignTask(anonymous().get(), {}, &task));
  answers.push_back(stub->AcceptTask(anonymous().get(), {}, &task));
  answers.push_back(stub->ArriveOnSite(anonymous().get(), {}, &task));
  answers.push_back(stub->SubmitResult(anonymous().get(), {}, &task));
  answers.push_back(stub->ReviewResult(anonymous().get(), {}, &task));
  answers.push_back(stub->PublishResult(anonymous().get(), {}, &task));
  answers.push_back(stub->CorrectPublication(anonymous().get(), {}, &task));
  answers.push_back(stub->SuspendTask(anonymous().get(), {}, &task));
  answers.push_back(stub->ResumeTask(anonymous().get(), {}, &task));
  answers.push_back(stub->CancelTask(anonymous().get(), {}, &task));
  v1::OrderRectificationResponse ordered;
  answers.push_back(stub->OrderRectification(anonymous().get(), {}, &ordered));
  answers.push_back(stub->CompleteFollowUp(anonymous().get(), {}, &task));
  v1::InspectionReport report;
  answers.push_back(stub->GetInspectionReport(anonymous().get(), {}, &report));
  {
    v1::UploadEvidenceResponse uploaded;
    auto context = anonymous();
    auto writer = stub->UploadEvidence(context.get(), &uploaded);
    writer->WritesDone();
    answers.push_back(writer->Finish());
  }
  REQUIRE(answers.size() == 18);
  for (size_t i = 0; i < answers.size(); ++i) {
    INFO("RPC #" << i);
    CHECK(answers[i].error_code() == grpc::StatusCode::UNAUTHENTICATED);
  }
  auto public_stub = server.Stub<v1::InspectionPublic>();
  v1::ListPublishedResultsRequest list;
  list.set_uscc(kUscc);
  v1::ListPublishedResultsResponse listed;
  CHECK(public_stub->ListPublishedResults(anonymous().get(), list, &listed).ok());
  v1::GetPublishedResultRequest get;
  get.set_name("tasks/none/publications/1");
  v1::PublicResult result;
  CHECK(public_stub->GetPublishedResult(anonymous().get(), get, &result).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace jianguan::inspection
