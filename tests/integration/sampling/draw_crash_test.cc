// The real sampling binary killed with kill -9 in the middle of a draw (issue #19), on the
// test broker, over a province built in its store beforehand (province.h):
//   (a) while the DrawPlan call runs: after the restart the plan is either still approved,
//       with no task and no event, or drawn with every task recorded;
//   (b) while a committed draw's tasks are being recorded (each subject's history and one
//       TaskDrawn a task, written in batches after the commit): the restarted binary
//       resumes from the recording mark, and in the end every task has exactly one TaskDrawn
//       in effect on Kafka (a copy republished after the kill has the same ce_id), the draw
//       one DrawCompleted, and each drawn subject the plan's visit in its history once.
// Size: JG_DRAW_CRASH_SUBJECTS subjects (default 60,000, about 4,200 tasks a plan, so the
// task list spans two packed chunks; the full size is 1,000,000, about 71,000 tasks).
#include <stdlib.h>

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/sampling/v1/sampling.grpc.pb.h"
#include "libs/events/event.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/topics.h"
#include "libs/testing/dates.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"
#include "services/sampling/sampling_service.h"
#include "tests/integration/sampling/province.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

constexpr char kDepartment[] = "330700-SCJG";

uint64_t SubjectCount() {
  const char* size = std::getenv("JG_DRAW_CRASH_SUBJECTS");
  return size != nullptr && std::atoll(size) > 0 ? std::strtoull(size, nullptr, 10) : 60'000;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", kDepartment);
  context->AddMetadata("x-jg-user", "crash-test");
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return context;
}

// Builds the province, with plans `a` and `b` approved (frozen), in a store at `path`.
void BuildStore(const std::string& path, uint64_t n) {
  auto db = store::Store::Open({.path = path, .families = PlanStore::Families()});
  REQUIRE(db.ok());
  ProjectProvince(**db, n);
  AddProvinceCatalogue(**db, n);
  jianguan::testing::FakeClock clock(
      absl::FromCivil(absl::CivilSecond(2026, 2, 1, 9, 0, 0), absl::UTCTimeZone()));
  SamplingService service(**db, clock);
  const Caller caller{.department = kDepartment, .user_id = "crash-test"};
  for (const auto& [plan_id, day] : {std::pair<std::string, int>{"2026-jh-crash-a", 1},
                                     std::pair<std::string, int>{"2026-jh-crash-b", 2}}) {
    REQUIRE(service.DoCreatePlan(caller, CreateProvincePlan(plan_id, n, DateOf(2026, 4, day)))
                .ok());
    v1::PlanTransitionRequest approve;
    approve.set_request_id("approve-" + plan_id);
    approve.set_name("plans/" + plan_id);
    auto approved = service.DoApprovePlan(caller, approve);
    INFO(approved.status().ToString());
    REQUIRE(approved.ok());
  }
}

std::unique_ptr<testing::ServiceBinary> StartSampling(const std::string& data_dir) {
  setenv("JG_INSECURE_DEV", "1", 1);
  // Small recording batches, so that a kill falls between two of them.
  return std::make_unique<testing::ServiceBinary>(
      JG_SAMPLING, data_dir,
      std::vector<std::string>{"--draw_record_batch", "16", "--log_level", "warning"});
}

// A stub to the (re)started binary once it answers: the first call on a channel to a
// killed process may fail with UNAVAILABLE while gRPC learns the connection is gone.
std::unique_ptr<v1::Sampling::Stub> AnsweringStub(const testing::ServiceBinary& sampling) {
  auto stub = v1::Sampling::NewStub(sampling.channel());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (;;) {
    v1::GetPlanRequest request;
    request.set_name("plans/2026-jh-crash-a");
    v1::Plan out;
    const grpc::Status status = stub->GetPlan(Context().get(), request, &out);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return stub;
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(100));
  }
}

v1::Plan GetPlan(v1::Sampling::Stub& stub, const std::string& plan_id) {
  v1::GetPlanRequest request;
  request.set_name("plans/" + plan_id);
  v1::Plan plan;
  const grpc::Status status = stub.GetPlan(Context().get(), request, &plan);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return plan;
}

v1::DrawPlanRequest DrawRequest(const std::string& plan_id) {
  v1::DrawPlanRequest request;
  request.set_request_id("draw-" + plan_id);
  request.set_name("plans/" + plan_id);
  request.set_entropy("福彩3D 2026095期 3 1 8");
  request.set_entropy_source("福利彩票3D开奖公告");
  return request;
}

double Recorded(const testing::ServiceBinary& sampling) {
  return testing::SampleValue(sampling.Metrics(), "jianguan_sampling_tasks_recorded_total", {});
}

// The sampling topic from the test's start on.
struct SamplingTopic {
  std::unique_ptr<events::TopicReader> reader;
  std::vector<events::ConsumedEvent> seen;

  SamplingTopic() {
    const std::string brokers = testing::KafkaBrokers();
    REQUIRE(events::CreateTopics(brokers, {topics::kSampling}, 6).ok());
    auto opened =
        events::TopicReader::Open(brokers, topics::kSampling, events::TopicReader::From::kEnd);
    REQUIRE(opened.ok());
    reader = std::move(*opened);
    reader->Next(absl::Seconds(2));  // takes its partitions at their end
  }
  // Reads until DrawCompleted of `plan_id` has arrived, then what else comes within 3 s.
  void ReadUntilCompleted(const std::string& plan_id) {
    const std::string resource = "plans/" + plan_id;
    const auto completed = [&] {
      for (const auto& event : seen) {
        if (event.type() == "jianguan.sampling.v1.DrawCompleted" && event.key == resource) {
          return true;
        }
      }
      return false;
    };
    const absl::Time deadline = absl::Now() + absl::Seconds(180);
    while (!completed()) {
      REQUIRE(absl::Now() < deadline);
      if (auto event = reader->Next(absl::Milliseconds(500))) seen.push_back(std::move(*event));
    }
    for (auto& event : reader->ReadAtLeast(1'000'000, absl::Seconds(3))) {
      seen.push_back(std::move(event));
    }
  }
  // The distinct ce_ids of the plan's TaskDrawn events, by task number.
  std::map<int64_t, std::set<std::string>> TaskEvents(const std::string& plan_id) const {
    std::map<int64_t, std::set<std::string>> ids;
    for (const auto& event : seen) {
      if (event.type() != "jianguan.sampling.v1.TaskDrawn") continue;
      auto decoded = events::Decode<v1::TaskDrawn>(event);
      REQUIRE(decoded.ok());
      if (decoded->plan() != "plans/" + plan_id) continue;
      ids[decoded->task_number()].insert(std::string(event.id()));
    }
    return ids;
  }
  size_t Of(const std::string& type, const std::string& key) const {
    std::set<std::string> ids;
    for (const auto& event : seen) {
      if (event.type() == type && event.key == key) ids.insert(std::string(event.id()));
    }
    return ids.size();
  }
};

// Every task of a drawn plan announced exactly once in effect, and its draw closed once.
void CheckEventsOnce(const SamplingTopic& topic, const v1::Plan& plan) {
  const std::map<int64_t, std::set<std::string>> tasks = topic.TaskEvents(plan.plan_id());
  const int64_t count = plan.draw().task_count();
  REQUIRE(count > 0);
  CHECK(static_cast<int64_t>(tasks.size()) == count);
  int64_t twice = 0;
  for (const auto& [number, ids] : tasks) {
    CHECK(number >= 1);
    CHECK(number <= count);
    if (ids.size() != 1) ++twice;
  }
  CHECK(twice == 0);
  CHECK(topic.Of("jianguan.sampling.v1.DrawCompleted", "plans/" + plan.plan_id()) == 1);
}

// Each task's subject has the plan's visit once in its history, and nothing is left to record.
void CheckHistories(const std::string& data_dir, const v1::Plan& plan) {
  auto db = store::Store::Open({.path = data_dir, .families = PlanStore::Families()});
  REQUIRE(db.ok());
  const PlanStore plans(**db);
  auto pending = plans.PendingRecordings();
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  const std::string day = absl::StrFormat("%04d-%02d-%02d", plan.inspection_date().year(),
                                          plan.inspection_date().month(),
                                          plan.inspection_date().day());
  std::string token;
  int64_t seen = 0, wrong = 0;
  do {
    auto page = plans.ListTasks(plan.plan_id(), 1000, token, ProjectionReader(**db));
    REQUIRE(page.ok());
    for (const v1::Task& task : page->first) {
      ++seen;
      auto history = plans.FindHistory(task.uscc());
      REQUIRE(history.ok());
      REQUIRE(history->has_value());
      int visits = 0;
      for (const std::string& date : (*history)->visits().at("JG-1").dates()) {
        visits += date == day ? 1 : 0;
      }
      if (visits != 1) ++wrong;
    }
    token = page->second;
  } while (!token.empty());
  CHECK(seen == plan.draw().task_count());
  CHECK(wrong == 0);
}

TEST_CASE("a draw killed with kill -9 is, after the restart, complete or not made at all") {
  const uint64_t n = SubjectCount();
  testing::TempDir dir("jg-draw-crash");
  const std::string data_dir = dir.path() + "/sampling";
  BuildStore(data_dir, n);
  SamplingTopic topic;
  std::unique_ptr<testing::ServiceBinary> sampling = StartSampling(data_dir);

  // (a) Killed while the call runs.
  {
    auto stub = AnsweringStub(*sampling);
    std::thread call([&] {
      v1::Plan answer;
      stub->DrawPlan(Context().get(), DrawRequest("2026-jh-crash-a"), &answer);  // any outcome
    });
    absl::SleepFor(absl::Milliseconds(30));
    sampling->Kill9();
    call.join();
  }
  sampling->Restart();
  auto stub = AnsweringStub(*sampling);
  const v1::Plan a = GetPlan(*stub, "2026-jh-crash-a");
  if (a.state() == v1::PLAN_STATE_APPROVED) {
    WARN("(a) the kill came before the draw's commit: the plan is not drawn");
    CHECK(!a.has_draw());
    CHECK(topic.TaskEvents("2026-jh-crash-a").empty());
  } else {
    WARN("(a) the kill came after the draw's commit: the plan is drawn");
    REQUIRE(a.state() == v1::PLAN_STATE_DRAWN);
    topic.ReadUntilCompleted("2026-jh-crash-a");
    CheckEventsOnce(topic, a);
  }

  // (b) Killed while the committed draw's tasks are recorded.
  v1::Plan b;
  {
    const grpc::Status status =
        stub->DrawPlan(Context().get(), DrawRequest("2026-jh-crash-b"), &b);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  const double total = static_cast<double>(b.draw().task_count());
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  double recorded = 0;
  while ((recorded = Recorded(*sampling)) <= 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(2));
  }
  sampling->Kill9();
  if (recorded >= total) {
    WARN("(b) the recording finished (" << recorded << " of " << total
                                        << " tasks) before the kill: its resume was not run");
  } else {
    WARN("(b) killed with " << recorded << " of " << total << " tasks recorded");
  }
  sampling->Restart();
  topic.ReadUntilCompleted("2026-jh-crash-b");
  CheckEventsOnce(topic, b);
  stub = AnsweringStub(*sampling);
  CHECK(GetPlan(*stub, "2026-jh-crash-b").state() == v1::PLAN_STATE_DRAWN);
  sampling->Stop();
  CheckHistories(data_dir, b);
}

}  // namespace
}  // namespace jianguan::sampling
