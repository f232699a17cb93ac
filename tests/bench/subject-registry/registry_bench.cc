// Benchmark (DESIGN §6, #19): import 1,000,000 subjects over the streaming call into the real
// subject-registry binary (budget ≥ 100,000 subjects/s), then GetSubject open loop for 20 s
// at 5,000 and then at 10,000 requests/s (budgets p99 ≤ 1 ms and ≤ 2 ms on an idle machine);
// RSS and size on disk after the import. Then, in the same run, PostgreSQL 15 loads the same
// generated rows with COPY into a table with a primary key and a region index
// (postgres_copy.h), and the bench prints both rates and their ratio. Between the two, the
// same lookups against a server that is gRPC alone, and the same sizes over bare TCP
// (floor_server.cc), give the floors under the lookup budgets on this machine. Each phase prints the load average as it starts
// and who used the cores during it, since the machine is shared.
//
// Environment: JG_BENCH_SUBJECTS overrides the count. JG_BENCH_POSTGRES_BIN is the directory
// of PostgreSQL's programs (tools/jg bench sets /usr/lib/postgresql/15/bin, installing
// postgresql-15 when missing); without it the comparison is not run, and the bench says so.
// JG_BENCH_POSTGRES_LOCALE is the cluster's locale (default C). JG_BENCH_REGISTRY_PRELOAD is
// put in the registry's LD_PRELOAD (e.g. /usr/lib/x86_64-linux-gnu/libjemalloc.so.2), to
// measure another allocator in its place.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
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
#include "libs/testing/open_loop.h"
#include "libs/testing/process_stats.h"
#include "tests/bench/subject-registry/postgres_copy.h"
#include "tests/bench/subject-registry/tcp_floor.h"

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

std::string Preloaded() {
  const char* env = std::getenv("JG_BENCH_REGISTRY_PRELOAD");
  return env ? env : "";
}

// The registry's command line; under `env LD_PRELOAD=…` when another allocator is measured
// (env execs the registry, so the child's pid is the registry's).
std::vector<std::string> RegistryCommand(int port, int metrics_port, const std::string& data_dir) {
  std::vector<std::string> argv;
  if (!Preloaded().empty()) argv = {"/usr/bin/env", "LD_PRELOAD=" + Preloaded()};
  for (std::string arg : {std::string(JG_SUBJECT_REGISTRY), std::string("--grpc_port"),
                          std::to_string(port), std::string("--metrics_port"),
                          std::to_string(metrics_port), std::string("--data_dir"), data_dir,
                          std::string("--kafka_brokers"), testing::KafkaBrokers(),
                          std::string("--log_level"), std::string("warning")}) {
    argv.push_back(std::move(arg));
  }
  return argv;
}

bool Maps(pid_t pid, const std::string& library) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/maps"));
  const std::string name = std::filesystem::path(library).filename();
  for (std::string line; std::getline(in, line);) {
    if (line.find(name) != std::string::npos) return true;
  }
  return false;
}

// GetSubject at `rate` calls a second for 20 s, open loop (libs/testing/open_loop.h): one
// thread starts each call at its scheduled time, whether or not earlier calls have been
// answered, and the latency of a call counts from its scheduled start, so a stall is neither
// hidden nor allowed to hold back the calls behind it. The answers are taken by one thread
// from one completion queue: of the client forms measured (BENCHMARKS.md, "The lookup
// floor"), the one that adds least of its own, in CPU and in latency, to what is measured.
// (Synchronous client threads would each wait for their previous answer and, on a 2-core
// machine, add their own wake-ups.) Prints the percentiles under `label` and who used the
// cores, `server` being the process answering; every call must be answered.
void LookupsAt(v1::SubjectRegistry::Stub& stub, const std::string& department, int count,
               int rate, pid_t server, const char* server_name, const char* label) {
  struct Lookup {
    grpc::ClientContext context;
    v1::GetSubjectRequest request;
    v1::Subject subject;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Subject>> reader;
    std::function<void(grpc::Status)> done;
  };
  constexpr int kSeconds = 20;
  std::mt19937 random(1);
  grpc::CompletionQueue answers;
  std::thread taker([&] {
    void* tag = nullptr;
    bool ok = false;
    while (answers.Next(&tag, &ok)) {
      std::unique_ptr<Lookup> call(static_cast<Lookup*>(tag));
      call->done(call->status);
    }
  });
  const std::string load_before = LoadAverage();
  const testing::CpuSample cpu_start = testing::SampleCpu(server);
  const testing::OpenLoop load = testing::RunOpenLoop(
      rate, int64_t{rate} * kSeconds, [&](int64_t, std::function<void(grpc::Status)> done) {
        auto* call = new Lookup;
        call->done = std::move(done);
        if (!department.empty()) call->context.AddMetadata("x-jg-department", department);
        call->request.set_uscc(Uscc(static_cast<int>(random() % count)));
        call->reader = stub.AsyncGetSubject(&call->context, call->request, &answers);
        call->reader->Finish(&call->subject, &call->status, call);
      });
  const std::string cpu = testing::CpuUse(cpu_start, testing::SampleCpu(server), server_name);
  answers.Shutdown();  // every call is answered: RunOpenLoop returned
  taker.join();
  std::printf("subject-registry bench: %s %zu calls at %d/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (load average %s as it started)\n",
              label, load.latencies_ms.size(), rate, load.Percentile(0.5), load.Percentile(0.99),
              load.latencies_ms.back(), load_before.c_str());
  std::printf("subject-registry bench: CPU during the %s calls at %d/s: %s\n", label, rate,
              cpu.c_str());
  CHECK(load.failures == 0);  // every lookup answered
  if (load.failures) std::printf("first failed lookup: %s\n", load.first_error.c_str());
}

// The same open loop over one TCP connection to floor_server's TCP form, without gRPC:
// requests of 32 bytes, answers of 200 in the order sent, taken by one thread. What is left
// of the latency is the kernel's loopback and the machine's scheduling of two processes.
void TcpLookupsAt(int port, int rate, pid_t server) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  int connection = -1;  // the server may not listen yet: tried for up to 30 s
  for (const absl::Time limit = absl::Now() + absl::Seconds(30); connection < 0;) {
    connection = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connection >= 0);
    if (::connect(connection, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
    ::close(connection);
    connection = -1;
    REQUIRE(absl::Now() < limit);
    absl::SleepFor(absl::Milliseconds(50));
  }
  const int one = 1;
  ::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  constexpr int kSeconds = 20;
  const int64_t calls = int64_t{rate} * kSeconds;
  // The calls sent and not yet answered, in the order sent. Once the connection has broken,
  // every call waiting and every later one fails at once.
  absl::Mutex mu;
  std::deque<std::function<void(grpc::Status)>> waiting;
  bool broken = false;
  const grpc::Status closed(grpc::StatusCode::UNAVAILABLE, "the TCP connection closed");
  std::thread taker([&] {
    char answer[tcp_floor::kAnswerBytes];
    for (int64_t i = 0; i < calls; ++i) {
      if (!tcp_floor::Transfer(connection, answer, sizeof answer, true)) {
        absl::MutexLock lock(&mu);
        broken = true;
        for (auto& done : waiting) done(closed);
        waiting.clear();
        return;
      }
      std::function<void(grpc::Status)> done;
      {
        absl::MutexLock lock(&mu);
        done = std::move(waiting.front());  // an answer comes only after its request
        waiting.pop_front();
      }
      done(grpc::Status::OK);
    }
  });
  const std::string load_before = LoadAverage();
  const testing::CpuSample cpu_start = testing::SampleCpu(server);
  const testing::OpenLoop load =
      testing::RunOpenLoop(rate, calls, [&](int64_t n, std::function<void(grpc::Status)> done) {
        char request[tcp_floor::kRequestBytes] = {};
        std::memcpy(request, &n, sizeof n);
        {
          absl::MutexLock lock(&mu);
          if (broken) {
            done(closed);
            return;
          }
          waiting.push_back(std::move(done));
        }
        // A failed write leaves the connection broken: the taker's read fails the call.
        tcp_floor::Transfer(connection, request, sizeof request, false);
      });
  const std::string cpu =
      testing::CpuUse(cpu_start, testing::SampleCpu(server), "floor server");
  taker.join();
  ::close(connection);
  std::printf("subject-registry bench: floor (TCP alone) %zu calls at %d/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (load average %s as it started)\n",
              load.latencies_ms.size(), rate, load.Percentile(0.5), load.Percentile(0.99),
              load.latencies_ms.back(), load_before.c_str());
  std::printf("subject-registry bench: CPU during the floor (TCP alone) calls at %d/s: %s\n",
              rate, cpu.c_str());
  CHECK(load.failures == 0);
}

TEST_CASE("subject-registry: import, GetSubject at 5,000 and 10,000 req/s, PostgreSQL COPY") {
  // Line by line, so that what was measured reaches CTest's log even if the run is killed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const char* env = std::getenv("JG_BENCH_SUBJECTS");
  const int count = env ? std::atoi(env) : 1'000'000;
  const char* postgres_bin = std::getenv("JG_BENCH_POSTGRES_BIN");
  testing::TempDir dir("jg-subject-bench");
  const int port = jianguan::testing::FreeLoopbackPort();
  const int metrics_port = jianguan::testing::FreeLoopbackPort();
  if (!Preloaded().empty()) REQUIRE(std::filesystem::exists(Preloaded()));
  auto registry = std::make_unique<testing::ChildProcess>(
      RegistryCommand(port, metrics_port, dir.Sub("data")));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  REQUIRE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30)));
  auto stub = v1::SubjectRegistry::NewStub(channel);
  // A library the loader cannot load is only a warning on stderr: make sure it is in use.
  if (!Preloaded().empty()) REQUIRE(Maps(registry->pid(), Preloaded()));
  const std::string allocator =
      Preloaded().empty() ? "as linked (jemalloc in builds without sanitizers)" : Preloaded();
  std::printf("subject-registry bench: registry allocator: %s\n", allocator.c_str());

  // Import: one thread writes batches of 2,000 rows ahead, this one reads the answers.
  constexpr int kBatch = 2000;
  const std::string import_load = LoadAverage();
  grpc::ClientContext import_context;
  import_context.AddMetadata("x-jg-department", "330700-SCJG");
  auto stream = stub->ImportSubjects(&import_context);
  const absl::Time start = absl::Now();
  const testing::CpuSample import_cpu_start = testing::SampleCpu(registry->pid());
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
  const testing::CpuSample import_cpu_end = testing::SampleCpu(registry->pid());
  const std::string import_cpu = testing::CpuUse(import_cpu_start, import_cpu_end, "registry");
  // The registry's own CPU a row: on a shared machine it moves less with the other load
  // than the rate does, so allocators and PostgreSQL can be compared by it as well.
  const double registry_us_a_row = (import_cpu_end.service - import_cpu_start.service) * 1e6 /
                                   ::sysconf(_SC_CLK_TCK) / count;
  REQUIRE(accepted == count);
  const long rss = testing::RssKiB(registry->pid());
  const uint64_t disk = DiskBytes(dir.Sub("data"));
  std::printf("subject-registry bench: import %d subjects in %.1f s = %.0f subjects/s (load average %s as it started)\n",
              count, import_s, count / import_s, import_load.c_str());
  std::printf("subject-registry bench: after import RSS %.0f MiB, on disk %.0f MiB\n", rss / 1024.0,
              disk / 1048576.0);
  std::printf("subject-registry bench: CPU during the import: %s; registry %.1f µs a subject\n",
              import_cpu.c_str(), registry_us_a_row);

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

  // Then until RocksDB has flushed and compacted what the import wrote: the lookup budgets
  // are for an idle machine, and a compaction of a million rows is a second busy core for
  // tens of seconds. How long that took is reported too.
  const absl::Time settle_start = absl::Now();
  for (const absl::Time limit = settle_start + absl::Seconds(300); absl::Now() < limit;) {
    const std::string metrics = testing::HttpGet(metrics_port, "/metrics");
    auto property = [&](const char* name) {
      return testing::SampleValue(metrics, "jianguan_rocksdb",
                                  {absl::StrCat("property=\"", name, "\"")});
    };
    if (property("rocksdb.num-running-compactions") == 0 &&
        property("rocksdb.num-running-flushes") == 0 &&
        property("rocksdb.estimate-pending-compaction-bytes") == 0) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  std::printf("subject-registry bench: store settled after the drain (no flush or compaction running or pending) in %.1f s\n",
              absl::ToDoubleSeconds(absl::Now() - settle_start));

  // Lookups at a steady rate, open loop: the two budgets are two rates, 5,000/s and then
  // 10,000/s (LookupsAt). Beside each, the registry's own view of the same calls, from its
  // handling-time histogram (grpc_server_handling_seconds, from the call's start in the
  // server to its finish): how many it handled within 0.5 and 1 ms, the lowest buckets.
  // Where the latency the client sees and the server's part differ, the rest is transport
  // and scheduling.
  for (const int rate : {5000, 10000}) {
    auto handled_within = [&](const char* le) {
      return testing::SampleValue(testing::HttpGet(metrics_port, "/metrics"),
                                  "grpc_server_handling_seconds_bucket",
                                  {"grpc_method=\"GetSubject\"", absl::StrCat("le=\"", le, "\"")});
    };
    const double handled_before[] = {handled_within("0.0005"), handled_within("0.001"),
                                     handled_within("+Inf")};
    LookupsAt(*stub, "330700-SCJG", count, rate, registry->pid(), "registry", "GetSubject");
    // The metrics are refreshed by the registry as calls finish; read once they are all in.
    const double handled = handled_within("+Inf") - handled_before[2];
    std::printf("subject-registry bench: in the registry at %d/s: %.2f %% of %.0f calls handled within 0.5 ms, %.2f %% within 1 ms\n",
                rate, 100.0 * (handled_within("0.0005") - handled_before[0]) / handled,
                handled, 100.0 * (handled_within("0.001") - handled_before[1]) / handled);
  }

  // The registry is done: stopped (as an operator would, SIGTERM) so that PostgreSQL gets
  // the machine as the import had it, the broker still running.
  registry->Kill(SIGTERM);
  if (!registry->Wait(absl::Seconds(60))) registry->Kill(SIGKILL);
  registry.reset();

  // The floors: the same lookups at the same rates against a process that answers them with
  // gRPC alone (floor_server.cc), first on the callback API as the registry serves them,
  // then on one completion queue and one thread, the fewest hand-offs gRPC allows. No store,
  // no interceptors: their latency is what gRPC and this machine cost a call.
  for (const char* form : {"callback", "queue"}) {
    const int floor_port = jianguan::testing::FreeLoopbackPort();
    testing::ChildProcess floor({JG_FLOOR_SERVER, std::to_string(floor_port), form});
    auto floor_channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", floor_port),
                                             grpc::InsecureChannelCredentials());
    REQUIRE(floor_channel->WaitForConnected(std::chrono::system_clock::now() +
                                            std::chrono::seconds(30)));
    auto floor_stub = v1::SubjectRegistry::NewStub(floor_channel);
    const std::string label = absl::StrCat("floor (gRPC alone, ", form, ") GetSubject");
    for (const int rate : {5000, 10000}) {
      LookupsAt(*floor_stub, "", count, rate, floor.pid(), "floor server", label.c_str());
    }
    floor.Kill(SIGTERM);
    REQUIRE(floor.Wait(absl::Seconds(30)).has_value());
  }
  // And below gRPC: the kernel and the machine alone, for a request and an answer of the size
  // of a GetSubject call.
  {
    const int floor_port = jianguan::testing::FreeLoopbackPort();
    testing::ChildProcess floor({JG_FLOOR_SERVER, std::to_string(floor_port), "tcp"});
    for (const int rate : {5000, 10000}) TcpLookupsAt(floor_port, rate, floor.pid());
    floor.Kill(SIGTERM);
    REQUIRE(floor.Wait(absl::Seconds(30)).has_value());
  }

  if (postgres_bin == nullptr || *postgres_bin == '\0') {
    std::printf(
        "subject-registry bench: PostgreSQL COPY comparison NOT RUN: JG_BENCH_POSTGRES_BIN is "
        "not set (tools/jg bench sets it to /usr/lib/postgresql/15/bin)\n");
    return;
  }
  // The same rows Fill() generated for the import, as CSV; written before and not timed.
  const absl::Time csv_start = absl::Now();
  const std::string csv_path = dir.Sub("subjects.csv");
  {
    std::ofstream csv(csv_path);
    v1::ImportRow row;
    for (int i = 0; i < count; ++i) {
      row.Clear();
      Fill(row, i);
      csv << SubjectCsvLine(row.subject());
    }
    REQUIRE(csv.good());
  }
  std::printf("subject-registry bench: CSV of the same %d rows written in %.1f s (%.0f MiB), not timed\n",
              count, absl::ToDoubleSeconds(absl::Now() - csv_start),
              std::filesystem::file_size(csv_path) / 1048576.0);
  // Locale C by default: PostgreSQL then compares text bytewise, as RocksDB compares the
  // registry's keys; JG_BENCH_POSTGRES_LOCALE (e.g. C.UTF-8, a Debian cluster's default
  // here) shows what a collation costs.
  const char* locale_env = std::getenv("JG_BENCH_POSTGRES_LOCALE");
  const std::string locale = locale_env && *locale_env ? locale_env : "C";
  const PostgresCopy copy = CopyIntoPostgres(postgres_bin, csv_path, locale);
  REQUIRE(copy.rows == count);
  const double ours = count / import_s, theirs = copy.rows / copy.seconds;
  std::printf("subject-registry bench: %s\n", copy.version.c_str());
  std::printf("subject-registry bench: PostgreSQL COPY of %lld rows (primary key + region index, fsync on, locale %s) in %.1f s = %.0f rows/s (load average %s as it started); table and indexes %.0f MiB\n",
              static_cast<long long>(copy.rows), locale.c_str(), copy.seconds, theirs, copy.load_before.c_str(),
              copy.size_mib);
  const double postgres_us_a_row = copy.server_cpu_s * 1e6 / copy.rows;
  std::printf("subject-registry bench: CPU during the COPY: %s; PostgreSQL %.1f µs a row\n",
              copy.cpu.c_str(), postgres_us_a_row);
  std::printf("subject-registry bench: ratio ours / PostgreSQL = import %.0f subjects/s / COPY %.0f rows/s = %.2f (registry allocator: %s)\n",
              ours, theirs, ours / theirs, allocator.c_str());
  std::printf("subject-registry bench: server CPU a row: registry %.1f µs, PostgreSQL %.1f µs = %.1f×\n",
              registry_us_a_row, postgres_us_a_row, registry_us_a_row / postgres_us_a_row);
}

}  // namespace
}  // namespace jianguan::subject
