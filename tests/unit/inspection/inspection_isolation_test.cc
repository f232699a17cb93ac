// Department isolation in inspection (docs/security.md), over a real in-process gRPC server: a
// drawn joint task of Jinhua's market regulation (lead) and health commission is read and
// listed by both, answered to the ecology bureau as if it did not exist (NOT_FOUND, the words
// of an absent task) and left out of its lists; the role oversight reads and lists it, reads
// the lead's report, and changes nothing.
#include <catch2/catch.hpp>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
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
using testing::CallAs;

constexpr char kTaskName[] = "tasks/d-2026-jinhua-q4-1";
constexpr char kSthj[] = "330700-STHJ";  // takes no part in the joint task

// A refusal that says no more than an absent task would.
void CheckHidden(const grpc::Status& status, const std::string& name) {
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "resource not found: " + name);
}

struct Fixture {
  testing::TempDir dir{"jg-inspection-isolation"};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = InspectionStore::Families(), .sync_writes = false});
  testing::FakeClock clock;  // 2026-09-21, Beijing
  WorkingDayCalendar calendar = *WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv");
  ResultCategories categories =
      *ResultCategories::Load(DataRoot() + "/inspection/result-categories-zj.csv", "zj");
  InspectionStore tasks{*db};
  EventEmitter emitter{topics::kInspection, kServiceName, clock};
  TaskIntake intake{tasks, emitter, calendar, clock, 20};
  InspectionService service{*db, clock, {.calendar = &calendar, .categories = &categories},
                            nullptr};
  testing::InProcessServer server{{&service}};
  std::unique_ptr<v1::Inspection::Stub> stub = server.Stub<v1::Inspection>();

  // The joint draw of SCJG (lead) and WJW, applied as the consumer applies it.
  Fixture() {
    store::UnitOfWork work;
    REQUIRE(intake.ApplyTaskSource(testing::AsConsumed(topics::kSampling, kUscc, JointDraw(),
                                                       "test", 0),
                                   work).ok());
    REQUIRE(db->Commit(work).ok());
  }

  grpc::Status Get(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetTaskRequest request;
    request.set_name(name);
    v1::Task task;
    return stub->GetTask(as.get(), request, &task);
  }

  grpc::Status List(std::unique_ptr<grpc::ClientContext> as, const std::string& department,
                    std::vector<std::string>* names) {
    v1::ListTasksRequest request;
    request.mutable_department()->set_code(department);
    v1::ListTasksResponse response;
    const grpc::Status status = stub->ListTasks(as.get(), request, &response);
    for (const v1::Task& task : response.tasks()) names->push_back(task.name());
    return status;
  }

  std::vector<std::string> Listed(std::unique_ptr<grpc::ClientContext> as,
                                  const std::string& department = "") {
    std::vector<std::string> names;
    const grpc::Status status = List(std::move(as), department, &names);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return names;
  }

  grpc::Status Suspend(std::unique_ptr<grpc::ClientContext> as) {
    v1::ReasonedTransitionRequest request;
    request.set_request_id("suspend-1");
    request.set_name(kTaskName);
    request.set_reason("企业停业整顿");
    v1::Task task;
    return stub->SuspendTask(as.get(), request, &task);
  }

  v1::TaskState State() {
    auto task = tasks.LoadTask("d-2026-jinhua-q4-1");
    REQUIRE(task.ok());
    return task->state();
  }
};

using Names = std::vector<std::string>;

TEST_CASE("a joint task is read and listed by its departments and by no other") {
  Fixture f;
  CHECK(f.Get(kTaskName, CallAs(kScjg)).ok());
  CHECK(f.Get(kTaskName, CallAs(kWjw)).ok());  // the joint department
  CHECK(f.Listed(CallAs(kScjg)) == Names{kTaskName});
  CHECK(f.Listed(CallAs(kWjw)) == Names{kTaskName});

  CheckHidden(f.Get(kTaskName, CallAs(kSthj)), kTaskName);
  CheckHidden(f.Get("tasks/m-none", CallAs(kScjg)), "tasks/m-none");  // the same words
  CHECK(f.Listed(CallAs(kSthj)).empty());
  Names names;
  const grpc::Status refused = f.List(CallAs(kSthj), kScjg, &names);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(refused) == std::set<std::string>{"department.code"});
  CHECK(names.empty());

  // A change by a department that takes no part is refused as a read is.
  const v1::TaskState before = f.State();
  CheckHidden(f.Suspend(CallAs(kSthj)), kTaskName);
  CHECK(f.State() == before);
}

TEST_CASE("the role oversight reads and lists another department's task and changes nothing") {
  Fixture f;
  CHECK(f.Get(kTaskName, CallAs(kSthj, {roles::kOversight})).ok());
  CHECK(f.Listed(CallAs(kSthj, {roles::kOversight}), kScjg) == Names{kTaskName});
  CHECK(f.Listed(CallAs(kSthj, {roles::kOversight})).empty());  // its own, by default

  const v1::TaskState before = f.State();
  const grpc::Status refused = f.Suspend(CallAs(kSthj, {roles::kOversight}));
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find("oversight") != std::string::npos);
  CHECK(f.State() == before);

  v1::GetInspectionReportRequest request;
  request.mutable_department()->set_code(kScjg);
  *request.mutable_period_start() = testing::DateOf(2026, 9, 1);
  *request.mutable_period_end() = testing::DateOf(2026, 9, 30);
  v1::InspectionReport report;
  CHECK(f.stub->GetInspectionReport(CallAs(kSthj, {roles::kOversight}).get(), request, &report)
            .ok());
  const grpc::Status others = f.stub->GetInspectionReport(CallAs(kSthj).get(), request, &report);
  CHECK(others.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(others) == std::set<std::string>{"department.code"});
}

}  // namespace
}  // namespace jianguan::inspection
