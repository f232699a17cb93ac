// Benchmark (DESIGN §6): import 1,000,000 subjects over the streaming call into the real
// subject-registry binary (budget ≥ 100,000 subjects/s), then GetSubject at a steady 5,000
// requests/s for 20 s, open loop (budget p99 ≤ 2 ms); RSS and size on disk after the
// import. Prints the figures for BENCHMARKS.md. JG_BENCH_SUBJECTS overrides the count.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/uscc.h"
#include "libs/testing/child_process.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/ports.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/process_stats.h"

namespace jianguan::subject {
namespace {

constexpr const char* kRegions[] = {"330702", "330703", "330723", "330726", "330727",
                                    "330781", "330782", "330783", "330784"};
constexpr const char* kIndustries[] = {"5212", "5221", "6210", "6291", "8010", "1811", "5191"};

std::string Uscc(int n) {
  std::string first17 = absl::StrFormat("92%sB%08d", kRegions[n % 9], n);
  return first17 + UsccCheckCharacter(first17);
}

void Fill(v1::ImportRow& row, int n) {
  row.set_row_number(n + 2);
  v1::Subject* s = row.mutable_subject();
  s->set_uscc(Uscc(n));
  s->set_name(absl::StrCat("金华市测试", n, "号商行"));
  s->set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s->mutable_legal_representative()->set_name("张三");
  s->mutable_legal_representative()->set_id_number(absl::StrFormat("3307021980%08d", n));
  s->mutable_registered_capital()->set_fen(1'000'000);
  s->mutable_industry()->set_code(kIndustries[n % 7]);
  s->mutable_registration_region()->set_code(kRegions[n % 9]);
  s->mutable_business_address()->mutable_region()->set_code(kRegions[n % 9]);
  s->mutable_business_address()->set_detail(absl::StrCat("人民路", n % 999, "号"));
  s->mutable_location()->set_latitude(29.1);
  s->mutable_location()->set_longitude(119.6);
}

uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

TEST_CASE("subject-registry: import 1,000,000 subjects, then GetSubject at 5,000 req/s") {
  const char* env = std::getenv("JG_BENCH_SUBJECTS");
  const int count = env ? std::atoi(env) : 1'000'000;
  testing::TempDir dir("jg-subject-bench");
  const int port = jianguan::testing::FreeLoopbackPort();
  const int metrics_port = jianguan::testing::FreeLoopbackPort();
  testing::ChildProcess registry({JG_SUBJECT_REGISTRY, "--grpc_port", std::to_string(port),
                                  "--metrics_port", std::to_string(metrics_port),
                                  "--data_dir", dir.Sub("data"),
                                  "--kafka_brokers", testing::KafkaBrokers(), "--log_level",
                                  "warning"});
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  REQUIRE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30)));
  auto stub = v1::SubjectRegistry::NewStub(channel);

  // Import: one thread writes batches of 2,000 rows ahead, this one reads the answers.
  constexpr int kBatch = 2000;
  grpc::ClientContext import_context;
  import_context.AddMetadata("x-jg-department", "330700-SCJG");
  auto stream = stub->ImportSubjects(&import_context);
  const absl::Time start = absl::Now();
  const testing::CpuSample import_cpu_start = testing::SampleCpu(registry.pid());
  std::thread writer([&] {
    v1::ImportSubjectsRequest request;
    for (int i = 0; i < count; i += kBatch) {
      request.clear_rows();
      for (int j = i; j < std::min(count, i + kBatch); ++j) Fill(*request.add_rows(), j);
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  int64_t accepted = 0;
  v1::ImportSubjectsResponse answer;
  while (stream->Read(&answer)) accepted += answer.accepted();
  writer.join();
  REQUIRE(stream->Finish().ok());
  const double import_s = absl::ToDoubleSeconds(absl::Now() - start);
  const std::string import_cpu =
      testing::CpuUse(import_cpu_start, testing::SampleCpu(registry.pid()), "registry");
  REQUIRE(accepted == count);
  const long rss = testing::RssKiB(registry.pid());
  const uint64_t disk = DiskBytes(dir.Sub("data"));

  // Until the events of the import are published and read back by the timeline consumer,
  // the machine is busy with Kafka; measure the lookups in the steady state after that, and
  // report how long the drain took.
  const absl::Time drain_start = absl::Now();
  for (const absl::Time limit = drain_start + absl::Seconds(600); absl::Now() < limit;) {
    const std::string metrics = testing::HttpGet(metrics_port, "/metrics");
    if (testing::SampleValue(metrics, "jianguan_outbox_backlog", {}) == 0 &&
        testing::SampleValue(metrics, "jianguan_consumer_lag", {}) == 0) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - drain_start);
  std::printf("drain after import (outbox published, timeline caught up): %.1f s\n", drain_s);

  // Lookups at a steady rate, open loop: one thread starts each call at its scheduled time
  // on the callback API, whether or not earlier calls have been answered, and the latency
  // of a call counts from its scheduled start, so a stall is neither hidden nor allowed to
  // hold back the calls behind it. (Synchronous client threads would each wait for their
  // previous answer and, on a 2-core machine, add their own wake-ups to what is measured.)
  constexpr int kRate = 5000, kSeconds = 20, kCalls = kRate * kSeconds;
  struct Lookup {
    grpc::ClientContext context;
    v1::GetSubjectRequest request;
    v1::Subject subject;
    absl::Time due;
  };
  std::vector<double> all(kCalls, 1e9);
  const testing::CpuSample lookup_cpu_start = testing::SampleCpu(registry.pid());
  absl::Mutex done_mu;
  int done = 0;
  {
    std::mt19937 random(1);
    const absl::Duration interval = absl::Seconds(1) / kRate;
    const absl::Time begin = absl::Now() + absl::Milliseconds(100);
    for (int i = 0; i < kCalls; ++i) {
      auto* call = new Lookup;
      call->due = begin + interval * i;
      call->context.AddMetadata("x-jg-department", "330700-SCJG");
      call->request.set_uscc(Uscc(static_cast<int>(random() % count)));
      absl::SleepFor(call->due - absl::Now());
      stub->async()->GetSubject(&call->context, &call->request, &call->subject,
                                [&, call, i](grpc::Status status) {
                                  const double ms = absl::ToDoubleMilliseconds(absl::Now() - call->due);
                                  if (status.ok()) all[i] = ms;
                                  delete call;
                                  absl::MutexLock lock(&done_mu);
                                  ++done;
                                });
    }
    absl::MutexLock lock(&done_mu);
    done_mu.Await(absl::Condition(+[](int* n) { return *n == kCalls; }, &done));
  }
  const std::string lookup_cpu =
      testing::CpuUse(lookup_cpu_start, testing::SampleCpu(registry.pid()), "registry");
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };

  std::printf("subject-registry bench: import %d subjects in %.1f s = %.0f subjects/s\n", count,
              import_s, count / import_s);
  std::printf("subject-registry bench: after import RSS %.0f MiB, on disk %.0f MiB\n", rss / 1024.0,
              disk / 1048576.0);
  std::printf("subject-registry bench: GetSubject %zu calls at %d/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
              all.size(), kRate, pct(0.5), pct(0.99), all.back());
  std::printf("subject-registry bench: CPU during the import: %s\n", import_cpu.c_str());
  std::printf("subject-registry bench: CPU during the lookups: %s\n", lookup_cpu.c_str());
  CHECK(all.back() < 1e9);  // every lookup answered
}

}  // namespace
}  // namespace jianguan::subject
