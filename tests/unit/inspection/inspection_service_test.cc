// The inspection handlers on a real in-process gRPC server: a drawn task's way to
// publication, the refusals of the acceptance list (each naming its field and changing
// nothing), replays of the source event, and the public API without credentials.
#include <set>

#include <catch2/catch.hpp>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/calendar.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
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
  InspectionService service{*db, clock, {.calendar = &calendar, .categories = &categories}};
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
    WHEN("the result is published before it is submitted") {
      const grpc::Status status = Move("publish", "LEAD", "r-4");
      THEN("FAILED_PRECONDITION and nothing changes") {
        CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        unchanged();
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a result goes to review and publication; the public sees no evidence") {
  GIVEN("a drawn task on site with evidence uploaded") {
    PublishForms();
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

}  // namespace
}  // namespace jianguan::inspection
