// Benchmark of the inspection binary (DESIGN §6) on the real broker:
// 1. intake: 1,000,000 TaskDrawn events published on jianguan.sampling.v1 while inspection is
//    stopped, then inspection started on its data directory and timed until its
//    inspection-tasks consumer has turned every one into a task (budget ≥ 20,000 tasks/s);
// 2. SubmitResult of a 30-check-point form at a steady 500 requests/s for 20 s, open loop,
//    on tasks accepted and arrived on site beforehand (budget p99 ≤ 20 ms).
// Prints the figures for BENCHMARKS.md and who used the CPU meanwhile; fails only if a step
// fails. Sizes through the environment: JG_INSPECTION_BENCH_TASKS (1000000),
// JG_INSPECTION_BENCH_RATE (500 requests/s), JG_INSPECTION_BENCH_SECONDS (20).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "libs/events/event.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/testing/child_process.h"
#include "libs/testing/dates.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/open_loop.h"
#include "libs/testing/ports.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/process_stats.h"

namespace jianguan::inspection {
namespace {

using jianguan::testing::DateOf;

constexpr int kCheckPoints = 30;

int64_t EnvOr(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  const int64_t n = value != nullptr ? std::atoll(value) : 0;
  return n > 0 ? n : fallback;
}

uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}


common::v1::Date Today() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  return DateOf(static_cast<int>(day.year()), day.month(), day.day());
}

TEST_CASE("inspection: 1,000,000 drawn tasks through Kafka, SubmitResult at 500 req/s") {
  const int64_t tasks = EnvOr("JG_INSPECTION_BENCH_TASKS", 1'000'000);
  const int rate = static_cast<int>(EnvOr("JG_INSPECTION_BENCH_RATE", 500));
  const int seconds = static_cast<int>(EnvOr("JG_INSPECTION_BENCH_SECONDS", 20));
  const int64_t submits = std::min<int64_t>(tasks, int64_t{rate} * seconds);
  testing::TempDir dir("jg-inspection-bench");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string department = "BENCH" + run + "-SCJG";
  const std::string item = "BENCH" + run + "-01";
  const std::string form_code = "BENCH" + run + "-F30";
  const std::string plan = "plans/bench-" + run;
  const std::string inspector_a = "bench-" + run + "-a", inspector_b = "bench-" + run + "-b";
  testing::EventFeed feed("inspection-bench-" + run);

  // --- the form first: 30 check points of one item, projected by a running inspection ------
  testing::ServiceBinary inspection(JG_INSPECTION, dir.Sub("inspection"),
                                    {"--log_level", "warning"}, absl::Seconds(120));
  {
    catalogue::v1::FormPublished published;
    catalogue::v1::FormTemplate* form = published.mutable_form();
    form->set_code(form_code);
    form->set_version(1);
    form->set_name("食品经营监督检查表（基准）");
    form->add_departments()->set_code(department);
    form->add_sections()->set_item_code(item);
    form->set_version_state(catalogue::v1::LIFECYCLE_STATE_PUBLISHED);
    for (int i = 1; i <= kCheckPoints; ++i) {
      catalogue::v1::FormCheckPoint* point = form->add_check_points();
      point->set_item_code(item);
      point->set_item_version(1);
      point->mutable_department()->set_code(department);
      catalogue::v1::CheckPoint* check = point->mutable_check_point();
      check->set_code(absl::StrFormat("C%02d", i));
      check->set_question(absl::StrCat("检查要点", i));
      check->mutable_legal_basis()->set_law("《中华人民共和国食品安全法》");
      catalogue::v1::AllowedAnswer* yes = check->add_allowed_answers();
      yes->set_code("Y");
      yes->set_label("符合");
      catalogue::v1::AllowedAnswer* no = check->add_allowed_answers();
      no->set_code("N");
      no->set_label("不符合");
      no->set_finding(true);
    }
    feed.Send(topics::kCatalogue, "forms/" + form_code, published);
    feed.Flush();
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (inspection.Applied("inspection-catalogue") < 1 ||
           inspection.Lag("inspection-catalogue") != 0) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(200));
    }
  }
  inspection.Stop();

  // --- the draw's events, published while inspection is stopped ----------------------------
  absl::Time started = absl::Now();
  for (int64_t n = 0; n < tasks; ++n) {
    sampling::v1::TaskDrawn drawn;
    drawn.set_plan(plan);
    drawn.set_task_number(n + 1);
    drawn.set_uscc(testing::SeriesUscc("92330702", static_cast<uint64_t>(n)));
    drawn.set_subject_name("金华市某某商行");
    sampling::v1::PlanDepartment* d = drawn.add_departments();
    d->mutable_department()->set_code(department);
    sampling::v1::PlanItem* i = d->add_items();
    i->set_code(item);
    i->set_version(1);
    for (const std::string& id : {inspector_a, inspector_b}) {
      sampling::v1::AssignedInspector* person = drawn.add_inspectors();
      person->set_inspector_id(id);
      person->set_name("执法员");
      person->set_certificate_no("ZJ-" + id);
      person->mutable_department()->set_code(department);
    }
    *drawn.mutable_period_start() = DateOf(2026, 1, 1);
    *drawn.mutable_period_end() = DateOf(2026, 12, 31);
    *drawn.mutable_inspection_date() = DateOf(2026, 1, 1);
    feed.Send(topics::kSampling, drawn.uscc(), drawn);
  }
  feed.Flush();
  const double publish_s = absl::ToDoubleSeconds(absl::Now() - started);

  // --- intake: from the process's start until every event is applied -----------------------
  started = absl::Now();
  inspection.Start();
  const testing::CpuSample intake_cpu_start = testing::SampleCpu(inspection.pid());
  double applied = 0;
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(3600);
    for (;;) {
      applied = inspection.Applied("inspection-tasks");
      if (applied >= static_cast<double>(tasks) && inspection.Lag("inspection-tasks") == 0) break;
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  const double intake_s = absl::ToDoubleSeconds(absl::Now() - started);
  const std::string intake_cpu =
      testing::CpuUse(intake_cpu_start, testing::SampleCpu(inspection.pid()), "inspection");
  const long rss = testing::RssKiB(inspection.pid());
  const uint64_t disk = DiskBytes(dir.Sub("inspection"));
  // Until the tasks' own events are published, the broker and the relay share the cores.
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(3600);
    while (testing::SampleValue(inspection.Metrics(), "jianguan_outbox_backlog", {}) != 0) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(500));
    }
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - started) - intake_s;

  // --- the tasks to submit: accepted and on site (not measured) -----------------------------
  auto stub = v1::Inspection::NewStub(inspection.channel());
  const auto task_name = [&](int64_t n) {
    return absl::StrCat("tasks/d-bench-", run, "-", n + 1);
  };
  const auto as_inspector = [&](grpc::ClientContext& context) {
    context.AddMetadata("x-jg-department", department);
    context.AddMetadata("x-jg-user", inspector_a);
  };
  {
    std::atomic<int64_t> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&] {
        for (int64_t n = next++; n < submits; n = next++) {
          v1::TaskTransitionRequest accept;
          accept.set_request_id(absl::StrCat("accept-", n));
          accept.set_name(task_name(n));
          v1::Task task;
          grpc::ClientContext a;
          as_inspector(a);
          if (!stub->AcceptTask(&a, accept, &task).ok()) ++failures;
          v1::ArriveOnSiteRequest arrive;
          arrive.set_request_id(absl::StrCat("arrive-", n));
          arrive.set_name(task_name(n));
          grpc::ClientContext b;
          as_inspector(b);
          if (!stub->ArriveOnSite(&b, arrive, &task).ok()) ++failures;
        }
      });
    }
    for (std::thread& w : workers) w.join();
    REQUIRE(failures.load() == 0);
  }

  // The store's compaction backlog as the submissions start (a large intake leaves one that
  // competes with them for the two cores and can stall writes).
  std::printf("inspection bench: before the submissions, RocksDB pending compaction %.0f MiB\n",
              testing::SampleValue(inspection.Metrics(), "jianguan_rocksdb",
                                   {"rocksdb.estimate-pending-compaction-bytes"}) /
                  (1024.0 * 1024.0));

  // --- SubmitResult at a steady rate, open loop (as tests/bench/subject-registry) -----------
  // One thread starts each call at its scheduled time on the callback API whether or not the
  // earlier ones were answered; a call's latency counts from its scheduled start.
  v1::Result result;
  {
    v1::DepartmentResult* d = result.add_departments();
    d->mutable_department()->set_code(department);
    d->mutable_category()->set_code("1");  // 未发现问题
    d->add_verification_methods(v1::VERIFICATION_METHOD_ON_SITE);
    d->add_actions()->set_measure(v1::FOLLOW_UP_MEASURE_NONE);
    for (int i = 1; i <= kCheckPoints; ++i) {
      v1::CheckPointAnswer* answer = result.add_answers();
      answer->mutable_check_point()->set_form_code(form_code);
      answer->mutable_check_point()->set_item_code(item);
      answer->mutable_check_point()->set_check_point_code(absl::StrFormat("C%02d", i));
      answer->set_answer_code("Y");
      answer->set_answered_by(inspector_a);
    }
    const std::string signature = store::Sha256Hex("signature");
    for (const std::string& id : {inspector_a, inspector_b}) {
      v1::InspectorSignature* s = result.add_inspector_signatures();
      s->set_inspector_id(id);
      s->set_signature_sha256(signature);
    }
    result.mutable_representative()->set_name("张三");
    result.mutable_representative()->set_position("负责人");
    result.mutable_representative()->set_signature_sha256(signature);
    *result.mutable_inspection_date() = Today();
    result.set_summary("现场检查未发现问题");
  }
  struct Submit {
    grpc::ClientContext context;
    v1::SubmitResultRequest request;
    v1::Task task;
  };
  const testing::CpuSample submit_cpu_start = testing::SampleCpu(inspection.pid());
  const testing::OpenLoop load = testing::RunOpenLoop(
      rate, submits, [&](int64_t n, std::function<void(grpc::Status)> done) {
        auto* call = new Submit;
        call->context.AddMetadata("x-jg-department", department);
        call->context.AddMetadata("x-jg-user", inspector_a);
        call->request.set_request_id(absl::StrCat("submit-", n));
        call->request.set_name(task_name(n));
        *call->request.mutable_result() = result;
        stub->async()->SubmitResult(&call->context, &call->request, &call->task,
                                    [call, done](grpc::Status status) {
                                      delete call;
                                      done(status);
                                    });
      });
  const std::string submit_cpu =
      testing::CpuUse(submit_cpu_start, testing::SampleCpu(inspection.pid()), "inspection");

  std::printf("inspection bench: published %lld TaskDrawn in %.1f s\n",
              static_cast<long long>(tasks), publish_s);
  std::printf("inspection bench: intake %.0f events into %lld tasks in %.1f s = %.0f tasks/s "
              "(target >= 20000)\n",
              applied, static_cast<long long>(tasks), intake_s, tasks / intake_s);
  std::printf("inspection bench: their TaskCreated/TaskAssigned published %.1f s later\n",
              drain_s);
  std::printf("inspection bench: after intake RSS %.0f MiB, on disk %.0f MiB\n", rss / 1024.0,
              disk / 1048576.0);
  std::printf("inspection bench: SubmitResult (%d check points) %lld calls at %d/s: p50 %.2f ms, "
              "p99 %.2f ms, max %.2f ms (target p99 <= 20 ms)\n",
              kCheckPoints, static_cast<long long>(submits), rate, load.Percentile(0.5),
              load.Percentile(0.99), load.latencies_ms.back());
  std::printf("inspection bench: CPU during the intake: %s\n", intake_cpu.c_str());
  std::printf("inspection bench: CPU during the submissions: %s\n", submit_cpu.c_str());
  INFO(load.first_error);
  CHECK(load.failures == 0);
}

}  // namespace
}  // namespace jianguan::inspection
