// Benchmark of the sampling draw (DESIGN §6: 1 million subjects ≤ 300 ms, 10 million ≤ 3 s,
// the 10-million projection ≤ 1.5 GB) with the 16 classes and 2,000 inspectors. Prints the
// figures for BENCHMARKS.md ("## sampling draw"). Not a timed test: it fails only if a draw
// fails. Other sizes through the environment: JG_SAMPLING_BENCH_SIZES=1000000,10000000.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "libs/testing/process_stats.h"
#include "libs/testing/uscc_series.h"
#include "services/sampling/domain/draw.h"

namespace jianguan::sampling {
namespace {

std::string Uscc(uint64_t n) { return testing::SeriesUscc("91330100", n); }

// A province-like population: mostly good credit and low risk (A 60 %, B 30 %, C 8 %, D 2 %;
// low 70 %, general 20 %, medium 8 %, high 2 %), 10 % outside the filter, 5 % drawn
// recently, 1 % with a last inspector. The generator only makes test data; the draw has its
// own stream.
CandidateProjection Population(uint64_t n, std::mt19937_64& random) {
  CandidateProjection candidates;
  candidates.Reserve(n);
  std::discrete_distribution<int> grade({60, 30, 8, 2});
  std::discrete_distribution<int> risk({70, 20, 8, 2});
  std::uniform_int_distribution<int> percent(0, 99);
  for (uint64_t i = 0; i < n; ++i) {
    CandidateMarks marks{.filtered_out = percent(random) < 10, .recent = percent(random) < 5};
    if (percent(random) == 0) {
      char id[16];
      std::snprintf(id, sizeof id, "D%d-%04d", 1 + percent(random) % 2,
                    1 + static_cast<int>(i % 1000));
      marks.last_inspectors = {id};
    }
    const absl::Status appended =
        candidates.Append(Uscc(i * 3 + 7), static_cast<CreditGrade>(grade(random)),
                          static_cast<RiskLevel>(risk(random)), marks);
    if (!appended.ok()) std::abort();
  }
  return candidates;
}

InspectorPool Inspectors(uint64_t subjects, std::mt19937_64& random) {
  std::vector<Inspector> inspectors;
  std::uniform_int_distribution<uint64_t> subject(0, subjects - 1);
  for (int d = 1; d <= 2; ++d) {
    const std::string dept = "DEPT-" + std::to_string(d);
    for (int i = 1; i <= 1000; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "D%d-%04d", d, i);
      Inspector inspector{.id = id, .name = std::string("检查员") + id,
                          .certificate_no = std::string("61010020240") + id,
                          .department_id = dept, .items = {dept + "-ITEM-1", dept + "-ITEM-2"},
                          .valid_from = "2023-01-01", .valid_until = "2026-12-31"};
      for (int c = 0; c < 5; ++c) inspector.conflicts.push_back(Uscc(subject(random) * 3 + 7));
      inspectors.push_back(std::move(inspector));
    }
  }
  return *InspectorPool::Create(std::move(inspectors));
}

void Run(uint64_t subjects) {
  std::mt19937_64 random(20240601);
  const double rss_before = testing::ProcessStatusMiB("VmRSS");
  auto started = std::chrono::steady_clock::now();
  const CandidateProjection candidates = Population(subjects, random);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double projection_mib = testing::ProcessStatusMiB("VmRSS") - rss_before;
  const InspectorPool pool = Inspectors(subjects, random);

  SamplingPlan plan{.plan_id = "bench", .name = "部门联合抽查 benchmark"};
  plan.departments = {{"DEPT-1", {{"DEPT-1-ITEM-1", 1}, {"DEPT-1-ITEM-2", 1}}},
                      {"DEPT-2", {{"DEPT-2-ITEM-1", 1}, {"DEPT-2-ITEM-2", 1}}}};
  plan.inspection_date = "2024-06-01";
  plan.max_tasks_per_inspector = 1'000'000;
  Digest secret{};
  secret[0] = 42;
  plan.commitment = HexOf(CommitmentOf(secret));

  std::vector<double> times;
  DrawResult result;
  for (int run = 0; run < 3; ++run) {
    DrawInput input{.plan = &plan, .candidates = &candidates, .inspectors = &pool,
                    .secret = secret, .entropy = "run " + std::to_string(run)};
    started = std::chrono::steady_clock::now();
    absl::StatusOr<DrawResult> drawn = Draw(input);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    REQUIRE(drawn.ok());
    result = std::move(*drawn);
  }
  std::sort(times.begin(), times.end());
  const auto [low, high] = std::minmax_element(result.loads.begin(), result.loads.end());
  std::printf(
      "sampling draw: %llu subjects, 16 classes, 2000 inspectors (2 departments), 2 a task: "
      "draw min %.0f ms, median %.0f ms, max %.0f ms; %zu tasks, %lld visits saved, "
      "%llu random words, loads %lld–%lld; projection %.0f MiB (built in %.1f s), "
      "peak RSS %.0f MiB\n",
      static_cast<unsigned long long>(subjects), times[0], times[1], times[2],
      result.tasks.size(), static_cast<long long>(result.visits_saved),
      static_cast<unsigned long long>(result.words_used), static_cast<long long>(*low),
      static_cast<long long>(*high), projection_mib, build_s, testing::ProcessStatusMiB("VmHWM"));
  std::fflush(stdout);
}

TEST_CASE("sampling draw over 1 million and 10 million subjects") {
  const char* sizes = std::getenv("JG_SAMPLING_BENCH_SIZES");
  if (sizes != nullptr) {
    for (const char* p = sizes; *p != '\0';) {
      char* end = nullptr;
      Run(std::strtoull(p, &end, 10));
      p = *end == ',' ? end + 1 : end;
    }
  } else {
    Run(1'000'000);
    Run(10'000'000);
  }
}

}  // namespace
}  // namespace jianguan::sampling
