// Benchmark of the sampling service around the draw: projecting a province's subject events
// into the store, the service's start (its candidate index loaded), approval's freeze (candidate list and inspector pool built from the
// projection, digested and stored), the draw from the frozen inputs committed with its tasks
// (the answer), the recording of each task's history and TaskDrawn that follows it, and the
// auditors' verification package. Real RocksDB in a temp dir,
// the handlers called in-process (no gRPC, no Kafka: the consumer and gRPC paths are
// measured elsewhere). Prints figures for BENCHMARKS.md; fails only if a step fails.
// Size through the environment: JG_SAMPLING_SERVICE_BENCH_SIZE (default 1000000).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "libs/testing/dates.h"
#include "libs/testing/process_stats.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/sampling_service.h"
#include "tests/integration/sampling/province.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST_CASE("sampling service: projection, freeze, draw and package over a province") {
  const char* size_env = std::getenv("JG_SAMPLING_SERVICE_BENCH_SIZE");
  const uint64_t n = size_env != nullptr ? std::strtoull(size_env, nullptr, 10) : 1000000;
  jianguan::testing::TempDir dir("jg-sampling-bench");
  // Every commit fsynced, as the service's store does (the projection's commits excepted,
  // as the consumers make them).
  auto db = store::Store::Open({.path = dir.path(), .families = PlanStore::Families()});
  REQUIRE(db.ok());
  const double rss_start = testing::ProcessStatusMiB("VmRSS");

  // 1. Subject events (70 % individual businesses, 5 Jinhua counties), 40 % graded, 30 %
  //    assessed, applied in batches of 500 as the consumer does; 2. the catalogue: two
  //    departments, 3 items, 2,000 inspectors (tests/integration/sampling/province.h).
  auto started = std::chrono::steady_clock::now();
  const uint64_t applied = ProjectProvince(**db, n);
  const double project_seconds = Seconds(started);
  AddProvinceCatalogue(**db, n);
  const double disk_projection = testing::DirectoryMiB(dir.path());
  const double rss_projection = testing::ProcessStatusMiB("VmRSS");

  // 3. A joint plan over Jinhua with the default class rules: create, approve, draw.
  // The service loads its candidate index from the projection as it starts.
  started = std::chrono::steady_clock::now();
  SamplingService service(**db, SystemClock::Instance());
  const double start_seconds = Seconds(started);
  const double rss_started = testing::ProcessStatusMiB("VmRSS");
  const Caller caller{.department = "330700-SCJG", .user_id = "bench"};
  const v1::CreatePlanRequest create =
      CreateProvincePlan("2026-jh-bench", n, DateOf(2026, 3, 1));
  REQUIRE(service.DoCreatePlan(caller, create).ok());

  v1::PlanTransitionRequest approve;
  approve.set_request_id("bench-approve");
  approve.set_name("plans/2026-jh-bench");
  started = std::chrono::steady_clock::now();
  auto approved = service.DoApprovePlan(caller, approve);
  const double approve_seconds = Seconds(started);
  REQUIRE(approved.ok());
  const double rss_after_approve = testing::ProcessStatusMiB("VmRSS");
  const double peak_after_approve = testing::ProcessStatusMiB("VmHWM");

  v1::DrawPlanRequest draw;
  draw.set_request_id("bench-draw");
  draw.set_name("plans/2026-jh-bench");
  draw.set_entropy("福彩3D 2026061期 4 7 1");
  // As the binary runs: the draw answered once committed, the recorder's thread writing
  // each task's history and TaskDrawn after it; then the time until it has finished.
  service.StartRecordingDraws();
  started = std::chrono::steady_clock::now();
  auto drawn = service.DoDrawPlan(caller, draw);
  const double draw_seconds = Seconds(started);
  REQUIRE(drawn.ok());
  const double peak_after_draw = testing::ProcessStatusMiB("VmHWM");
  REQUIRE(service.RecordDraws().ok());
  const double recorded_seconds = Seconds(started);
  const double peak_after_recording = testing::ProcessStatusMiB("VmHWM");

  started = std::chrono::steady_clock::now();
  // Streamed as ExportVerificationPackage does: pieces counted and dropped.
  size_t package_bytes = 0;
  const absl::Status package = WriteRecomputedDocument(
      PlanStore(**db), *drawn, false,
      [&](std::string_view piece) { package_bytes += piece.size(); });
  const double package_seconds = Seconds(started);
  REQUIRE(package.ok());

  std::printf(
      "subjects %llu, events applied %llu in %.1f s (%.0f events/s)\n"
      "store after projection: %.0f MiB on disk; RSS %.0f MiB (%.0f MiB at start)\n"
      "service started (candidate index loaded): %.2f s, RSS %.0f MiB\n"
      "approve (freeze %lld candidates, %lld inspectors): %.2f s, RSS after %.0f MiB, "
      "peak so far %.0f MiB\n"
      "draw answered (plan drawn, %lld tasks packed, committed): %.3f s, peak so far %.0f MiB\n"
      "draw recorded (histories and %lld events written in batches): %.2f s after the call, "
      "peak so far %.0f MiB\n"
      "verification package recomputed and streamed: %.2f s, %.1f MiB; peak RSS %.0f MiB\n",
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(applied),
      project_seconds, applied / project_seconds, disk_projection, rss_projection, rss_start,
      start_seconds, rss_started,
      static_cast<long long>(approved->frozen().candidate_count()),
      static_cast<long long>(approved->frozen().inspector_count()), approve_seconds,
      rss_after_approve, peak_after_approve, static_cast<long long>(drawn->draw().task_count()),
      draw_seconds, peak_after_draw, static_cast<long long>(drawn->draw().task_count() + 1),
      recorded_seconds, peak_after_recording,
      package_seconds,
      package_bytes / 1048576.0, testing::ProcessStatusMiB("VmHWM"));
}

}  // namespace
}  // namespace jianguan::sampling
