// The ResolveCommitment calls inspection owes the registry, against the REAL subject-registry
// service in-process (tests may link several services; the services never include each
// other): a commitment recorded in the registry becomes a verification task in inspection,
// whose approved BREACHED result the dispatcher resolves in the registry — once in effect,
// however often the call is repeated.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/code_table.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "services/inspection/inspection_service.h"
#include "services/inspection/registry_dispatch.h"
#include "services/inspection/task_intake.h"
#include "services/subject-registry/subject_service.h"
#include "tests/unit/inspection/inspection_fixtures.h"

namespace jianguan::inspection {
namespace {

using namespace fixtures;

std::unique_ptr<grpc::ClientContext> CallBy(const std::string& department,
                                            const std::string& user) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", department);
  context->AddMetadata("x-jg-user", user);
  return context;
}

// An individual business in Yiwu with a valid USCC.
subject::v1::Subject YiwuShop() {
  const std::string first17 = "92330782MA0000001";
  subject::v1::Subject s;
  s.set_uscc(first17 + UsccCheckCharacter(first17));
  s.set_name("义乌市稠城1号小吃店");
  s.set_type(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number("330702199001011234");
  s.mutable_registered_capital()->set_fen(5'000'000);
  *s.mutable_established_on() = testing::DateOf(2019, 5, 20);
  s.mutable_industry()->set_code("6210");
  s.mutable_registration_region()->set_code("330782");
  s.mutable_business_address()->mutable_region()->set_code("330782");
  s.mutable_business_address()->set_detail("稠城街道工人西路1号");
  s.mutable_location()->set_latitude(29.31);
  s.mutable_location()->set_longitude(120.07);
  return s;
}

struct Suite {
  testing::FakeClock clock;  // 2026-09-21, Beijing
  // The registry, as it runs on its own.
  testing::TempDir registry_dir{"jg-dispatch-registry"};
  std::unique_ptr<store::Store> registry_db = *store::Store::Open(
      {.path = registry_dir.path(), .families = subject::SubjectStore::Families(),
       .sync_writes = false});
  CodeTable regions = *CodeTable::Load(DataRoot() + "/regions.csv");
  CodeTable industries = *CodeTable::Load(DataRoot() + "/industries.csv");
  subject::SubjectRegistryService registry{*registry_db, clock, regions, industries};
  testing::InProcessServer registry_server{{&registry}, "registry-test"};
  std::unique_ptr<subject::v1::SubjectRegistry::Stub> registry_stub =
      registry_server.Stub<subject::v1::SubjectRegistry>();
  // Inspection.
  testing::TempDir dir{"jg-dispatch-inspection"};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = InspectionStore::Families(), .sync_writes = false});
  WorkingDayCalendar calendar = *WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv");
  ResultCategories categories =
      *ResultCategories::Load(DataRoot() + "/inspection/result-categories-zj.csv", "zj");
  InspectionStore tasks{*db};
  EventEmitter emitter{topics::kInspection, kServiceName, clock};
  TaskIntake intake{tasks, emitter, calendar, clock, 20};
  InspectionService service{*db, clock, {.calendar = &calendar, .categories = &categories}};
  testing::InProcessServer server{{&service}};
  std::unique_ptr<v1::Inspection::Stub> stub = server.Stub<v1::Inspection>();
  RegistryDispatcher dispatcher{*db, clock, registry_server.Stub<subject::v1::SubjectRegistry>(),
                                nullptr};
  int64_t offset = 0;

  void Apply(const std::string& topic, const google::protobuf::Message& event, bool catalogue) {
    store::UnitOfWork work;
    const auto consumed = testing::AsConsumed(topic, kUscc, event, "test", offset++);
    REQUIRE((catalogue ? intake.ApplyCatalogue(consumed, work)
                       : intake.ApplyTaskSource(consumed, work)).ok());
    if (!work.empty()) REQUIRE(db->Commit(work).ok());
  }

  // The registry's events of type `Event`, oldest first.
  template <typename Event>
  std::vector<Event> RegistryEvents() {
    std::vector<Event> found;
    const auto outbox = registry_db->ReadOutbox(0, 1000);
    REQUIRE(outbox.ok());
    for (const auto& e : *outbox) {
      if (e.type() == Event::descriptor()->full_name()) {
        REQUIRE(found.emplace_back().ParseFromString(e.payload()));
      }
    }
    return found;
  }

  grpc::Status Move(const std::string& rpc, const std::string& task, const std::string& user) {
    v1::TaskTransitionRequest r;
    r.set_request_id(rpc + "-" + task);
    r.set_name(task);
    v1::ArriveOnSiteRequest a;
    a.set_request_id(rpc + "-" + task);
    a.set_name(task);
    v1::Task t;
    return rpc == "accept" ? stub->AcceptTask(CallBy(kScjg, user).get(), r, &t)
                           : stub->ArriveOnSite(CallBy(kScjg, user).get(), a, &t);
  }
};

v1::Result BreachedVerdict() {
  v1::Result result;
  auto& d = *result.add_departments();
  d.mutable_department()->set_code(kScjg);
  d.mutable_category()->set_code("A");
  d.add_verification_methods(v1::VERIFICATION_METHOD_ON_SITE);
  d.add_actions()->set_measure(v1::FOLLOW_UP_MEASURE_ROUTINE_SUPERVISION);
  for (const char* id : {"INS-1", "INS-3"}) {
    auto& s = *result.add_inspector_signatures();
    s.set_inspector_id(id);
    s.set_signature_sha256(std::string(64, 'a'));
  }
  result.mutable_representative()->set_name("王小明");
  result.mutable_representative()->set_signature_sha256(std::string(64, 'b'));
  *result.mutable_inspection_date() = testing::DateOf(2026, 9, 21);
  result.set_commitment_outcome(subject::v1::COMMITMENT_STATE_BREACHED);
  result.set_commitment_note("现场核查: 经营场所与承诺不符");
  return result;
}

SCENARIO_METHOD(Suite, "an approved BREACHED verdict resolves the registry's commitment once") {
  GIVEN("a commitment recorded in the registry and its verification task in inspection") {
    subject::v1::RegisterSubjectRequest reg;
    reg.set_request_id("reg-1");
    *reg.mutable_subject() = YiwuShop();
    subject::v1::RegisterSubjectResponse registered;
    REQUIRE(registry_stub->RegisterSubject(CallBy(kScjg, "clerk").get(), reg, &registered).ok());
    subject::v1::RecordCommitmentRequest record;
    record.set_request_id("commit-1");
    record.set_uscc(reg.subject().uscc());
    auto& c = *record.mutable_commitment();
    c.set_kind(subject::v1::COMMITMENT_KIND_DOMICILE);
    c.set_content("承诺住所真实有效");
    c.mutable_department()->set_code(kScjg);
    *c.mutable_made_on() = testing::DateOf(2026, 9, 1);
    *c.mutable_verify_by() = testing::DateOf(2026, 12, 31);
    subject::v1::RecordCommitmentResponse recorded;
    REQUIRE(registry_stub->RecordCommitment(CallBy(kScjg, "clerk").get(), record, &recorded).ok());
    const auto commitment_events = RegistryEvents<subject::v1::CommitmentRecorded>();
    REQUIRE(commitment_events.size() == 1);
    Apply(topics::kSubject, commitment_events[0], false);
    for (const auto& i : {Inspector("INS-1", kScjg, ""), Inspector("INS-3", kScjg, "")}) {
      catalogue::v1::InspectorRegistered event;
      *event.mutable_inspector() = i;
      Apply(topics::kCatalogue, event, true);
    }
    const std::string task = "tasks/" + CommitmentTaskId(recorded.commitment().id());

    WHEN("it is assigned, visited, found BREACHED and approved") {
      v1::AssignTaskRequest assign;
      assign.set_request_id("assign-1");
      assign.set_name(task);
      assign.add_inspector_ids("INS-1");
      assign.add_inspector_ids("INS-3");
      v1::Task t;
      REQUIRE(stub->AssignTask(CallBy(kScjg, "LEAD").get(), assign, &t).ok());
      REQUIRE(Move("accept", task, "INS-1").ok());
      REQUIRE(Move("arrive", task, "INS-1").ok());
      v1::SubmitResultRequest submit;
      submit.set_request_id("submit-1");
      submit.set_name(task);
      *submit.mutable_result() = BreachedVerdict();
      const grpc::Status submitted = stub->SubmitResult(CallBy(kScjg, "INS-1").get(), submit, &t);
      INFO(submitted.error_message());
      REQUIRE(submitted.ok());
      v1::ReviewResultRequest review;
      review.set_request_id("review-1");
      review.set_name(task);
      review.set_decision(v1::REVIEW_DECISION_APPROVE);
      REQUIRE(stub->ReviewResult(CallBy(kScjg, "REVIEWER").get(), review, &t).ok());
      REQUIRE(tasks.PendingRegistryCalls()->size() == 1);

      AND_WHEN("the dispatcher runs until nothing is pending") {
        for (int round = 0; round < 5 && !tasks.PendingRegistryCalls()->empty(); ++round) {
          dispatcher.DispatchOnce();
        }
        const auto resolved_before = RegistryEvents<subject::v1::CommitmentResolved>();
        THEN("the registry's commitment is BREACHED, resolved once") {
          CHECK(tasks.PendingRegistryCalls()->empty());
          REQUIRE(resolved_before.size() == 1);
          CHECK(resolved_before[0].commitment().state() == subject::v1::COMMITMENT_STATE_BREACHED);
          subject::v1::GetSubjectRequest get;
          get.set_uscc(reg.subject().uscc());
          subject::v1::Subject shown;
          REQUIRE(registry_stub->GetSubject(CallBy(kScjg, "clerk").get(), get, &shown).ok());
          REQUIRE(shown.commitments_size() == 1);
          CHECK(shown.commitments(0).state() == subject::v1::COMMITMENT_STATE_BREACHED);
        }
        AND_WHEN("the same call is owed again (a crash before the delete) and dispatched") {
          const auto version_before = [&] {
            subject::v1::GetSubjectRequest get;
            get.set_uscc(reg.subject().uscc());
            subject::v1::Subject shown;
            REQUIRE(registry_stub->GetSubject(CallBy(kScjg, "clerk").get(), get, &shown).ok());
            return shown.version();
          };
          const int64_t version = version_before();
          subject::v1::ResolveCommitmentRequest call;
          call.set_request_id("verify-" + CommitmentTaskId(recorded.commitment().id()));
          call.set_uscc(reg.subject().uscc());
          call.set_commitment_id(recorded.commitment().id());
          call.set_outcome(subject::v1::COMMITMENT_STATE_BREACHED);
          call.set_note("现场核查: 经营场所与承诺不符");
          store::UnitOfWork owed;
          owed.Put(kRegistryCalls, CommitmentTaskId(recorded.commitment().id()),
                   call.SerializeAsString());
          REQUIRE(db->Commit(owed).ok());
          CHECK(dispatcher.DispatchOnce() == 1);
          dispatcher.DispatchOnce();
          THEN("the registry answers as before: still one resolution, nothing changed") {
            CHECK(tasks.PendingRegistryCalls()->empty());
            CHECK(RegistryEvents<subject::v1::CommitmentResolved>().size() == 1);
            CHECK(version_before() == version);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::inspection
