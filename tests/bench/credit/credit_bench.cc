// The credit budgets of DESIGN §6 on a release build and the real broker:
// 1. events applied through Kafka ≥ 20,000/s (aim 100,000/s): JG_CREDIT_BENCH_EVENTS
//    prepared penalty decisions (default 1,000,000) over JG_CREDIT_BENCH_SUBJECTS subjects
//    (default 100,000) on jianguan.cases.v1, published before the service starts; measured
//    from the process's start until every one is applied;
// 2. ExplainScore p99 ≤ 5 ms at JG_CREDIT_BENCH_RATE requests/s (default 2,000) for
//    JG_CREDIT_BENCH_SECONDS (default 20), open loop, over random subjects of the run (each
//    with its ledger of events/subjects entries).
// The figures go to BENCHMARKS.md by hand, with the command.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "libs/events/topics.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/open_loop.h"
#include "libs/testing/process_stats.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan::credit {
namespace {

int64_t EnvOr(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoll(value) : fallback;
}

TEST_CASE("credit: 1,000,000 events applied through Kafka, ExplainScore at 2,000 req/s") {
  const int64_t events = EnvOr("JG_CREDIT_BENCH_EVENTS", 1'000'000);
  const int64_t subjects = std::min(events, EnvOr("JG_CREDIT_BENCH_SUBJECTS", 100'000));
  const int rate = static_cast<int>(EnvOr("JG_CREDIT_BENCH_RATE", 2000));
  const int seconds = static_cast<int>(EnvOr("JG_CREDIT_BENCH_SECONDS", 20));
  testing::TempDir dir("jg-credit-bench");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100'000'000);
  const uint64_t base = static_cast<uint64_t>(std::stoll(run)) * 10'000'000;
  const auto uscc = [&](int64_t n) { return testing::SeriesUscc("91330782", base + n); };

  // --- the prepared topic: small fines on organisations, round robin over the subjects ----
  absl::Time started = absl::Now();
  {
    testing::EventFeed feed("credit-bench-" + run);
    cases::v1::PenaltyDecided decided;
    decided.mutable_summary()->set_party_kind(cases::v1::PARTY_KIND_ORGANISATION);
    decided.mutable_summary()->mutable_department()->set_code("330700-SCJG");
    decided.mutable_summary()->set_procedure(cases::v1::PROCEDURE_GENERAL);
    decided.mutable_summary()->set_version(5);
    decided.add_kinds(cases::v1::PENALTY_KIND_FINE);
    decided.mutable_fine()->set_fen(200'000);
    decided.set_legal_basis("《食品安全法》第一百二十六条");
    for (int64_t n = 0; n < events; ++n) {
      const std::string subject = uscc(n % subjects);
      decided.mutable_summary()->set_name(absl::StrCat("cases/b", run, "-", n));
      decided.mutable_summary()->set_uscc(subject);
      decided.set_document_number(absl::StrCat("金市监罚〔2026〕", n + 1, "号"));
      feed.Send(topics::kCases, subject, decided);
    }
    feed.Flush();
  }
  const double publish_s = absl::ToDoubleSeconds(absl::Now() - started);

  // --- intake: from the process's start until every event is applied ----------------------
  started = absl::Now();
  testing::ServiceBinary credit(JG_CREDIT, dir.Sub("credit"), {"--log_level", "warning"},
                                absl::Seconds(120));
  const testing::CpuSample cpu_start = testing::SampleCpu(credit.pid());
  double applied = 0;
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(3600);
    for (;;) {
      applied = credit.Applied("credit");
      if (applied >= static_cast<double>(events) && credit.Lag("credit") == 0) break;
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  const double intake_s = absl::ToDoubleSeconds(absl::Now() - started);
  const std::string intake_cpu =
      testing::CpuUse(cpu_start, testing::SampleCpu(credit.pid()), "credit");
  const long rss = testing::RssKiB(credit.pid());
  // Its own events (CreditScoreChanged per entry) are published after; wait for them, so the
  // reads below do not share the cores with the relay.
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(3600);
    while (testing::SampleValue(credit.Metrics(), "jianguan_outbox_backlog", {}) != 0) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(500));
    }
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - started) - intake_s;

  // The store's compaction backlog as the reads start (a large intake leaves one that
  // competes with them for the two cores).
  const double pending_compaction_mib =
      testing::SampleValue(credit.Metrics(), "jianguan_rocksdb",
                           {"rocksdb.estimate-pending-compaction-bytes"}) /
      (1024.0 * 1024.0);

  // --- ExplainScore at a steady rate, open loop ------------------------------------------
  auto stub = v1::Credit::NewStub(credit.channel());
  struct Call {
    grpc::ClientContext context;
    v1::ExplainScoreRequest request;
    v1::ScoreExplanation response;
  };
  std::mt19937_64 random(20261203);
  const int64_t calls = int64_t{rate} * seconds;
  const testing::CpuSample read_cpu_start = testing::SampleCpu(credit.pid());
  const testing::OpenLoop load = testing::RunOpenLoop(
      rate, calls, [&](int64_t, std::function<void(grpc::Status)> done) {
        auto* call = new Call;
        call->context.AddMetadata("x-jg-department", "330700-SCJG");
        call->request.set_name("subjects/" + uscc(static_cast<int64_t>(random() % subjects)));
        stub->async()->ExplainScore(&call->context, &call->request, &call->response,
                                    [call, done](grpc::Status status) {
                                      if (status.ok() && call->response.entries().empty()) {
                                        status = grpc::Status(grpc::StatusCode::DATA_LOSS,
                                                              "an explanation without entries");
                                      }
                                      delete call;
                                      done(status);
                                    });
      });
  const std::string read_cpu =
      testing::CpuUse(read_cpu_start, testing::SampleCpu(credit.pid()), "credit");

  std::printf("credit bench: published %lld PenaltyDecided over %lld subjects in %.1f s\n",
              static_cast<long long>(events), static_cast<long long>(subjects), publish_s);
  std::printf("credit bench: applied %.0f events in %.1f s from the process's start = %.0f "
              "events/s (target >= 20000, aim 100000)\n",
              applied, intake_s, events / intake_s);
  std::printf("credit bench: their CreditScoreChanged/CreditGradeChanged published %.1f s later\n",
              drain_s);
  std::printf("credit bench: after intake RSS %.0f MiB; RocksDB pending compaction as the reads "
              "start %.0f MiB\n",
              rss / 1024.0, pending_compaction_mib);
  std::printf("credit bench: ExplainScore (%lld entries each) %lld calls at %d/s: p50 %.2f ms, "
              "p99 %.2f ms, max %.2f ms (target p99 <= 5 ms)\n",
              static_cast<long long>(events / subjects), static_cast<long long>(calls), rate,
              load.Percentile(0.5), load.Percentile(0.99), load.latencies_ms.back());
  std::printf("credit bench: CPU during the intake: %s\n", intake_cpu.c_str());
  std::printf("credit bench: CPU during the reads: %s\n", read_cpu.c_str());
  INFO(load.first_error);
  CHECK(load.failures == 0);
}

}  // namespace
}  // namespace jianguan::credit
