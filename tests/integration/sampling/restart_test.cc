// The real sampling binary killed with kill -9 while its subject consumer is in the middle of
// 100,000 registry events, then restarted on the same data directory, ends with exactly the
// registry's set of subjects: the same USCCs, each with the registry's type, industry,
// business region, tags and status. Every event is applied once: the consumer's stored
// positions add up to the number of events the registry published.
//
// The shared test broker's jianguan.subject.v1 holds other tests' subjects, and the
// projection takes every subject of the topic, so this test runs a broker of its own
// (tools/kafka/kafka on free ports, stopped at the end even when a check fails).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/uscc.h"
#include "libs/events/consumer.h"
#include "libs/events/topics.h"
#include "libs/testing/child_process.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/ports.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {
namespace {

namespace subject = ::jianguan::subject::v1;

constexpr char kDepartment[] = "330700-SCJG";
constexpr char kSubjectGroup[] = "sampling-subjects";
constexpr int kSubjects = 100'000;
constexpr int kBatch = 1'000;
// Kill once the consumer has reported this many applied events (the import still runs).
constexpr double kKillAfterApplied = 20'000;
constexpr int kPartitions = 6;

constexpr const char* kRegions[] = {"330702", "330703", "330723", "330726", "330727",
                                    "330781", "330782", "330783", "330784"};
constexpr const char* kIndustries[] = {"5212", "5221", "6210", "6291", "8010", "1811", "5191"};

std::string SourceRoot() {
  const char* root = std::getenv("JG_SOURCE_ROOT");
  REQUIRE(root != nullptr);
  return root;
}

// A broker of this test's own, started in `dir` and stopped when the guard goes.
class OwnBroker {
 public:
  explicit OwnBroker(const std::string& dir) : dir_(dir) {
    port_ = jianguan::testing::FreeLoopbackPort();
    int controller = jianguan::testing::FreeLoopbackPort();
    while (controller == port_) controller = jianguan::testing::FreeLoopbackPort();
    const std::string command =
        absl::StrCat("'", SourceRoot(), "/tools/kafka/kafka' start --port ", port_,
                     " --controller-port ", controller, " --dir '", dir_, "'");
    const absl::Time start = absl::Now();
    started_ = std::system(command.c_str()) == 0;
    std::printf("own broker on 127.0.0.1:%d started in %.1f s\n", port_,
                absl::ToDoubleSeconds(absl::Now() - start));
  }
  ~OwnBroker() {
    const std::string command =
        absl::StrCat("'", SourceRoot(), "/tools/kafka/kafka' stop --dir '", dir_, "'");
    [[maybe_unused]] int ignored = std::system(command.c_str());
  }
  OwnBroker(const OwnBroker&) = delete;
  OwnBroker& operator=(const OwnBroker&) = delete;

  bool started() const { return started_; }
  std::string brokers() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

// Every fifth subject an enterprise ("91…"), the others individual businesses ("92…").
std::string Uscc(int n) {
  std::string first17 = absl::StrFormat("9%c%sB%08d", n % 5 == 0 ? '1' : '2', kRegions[n % 9], n);
  return first17 + UsccCheckCharacter(first17);
}

void Fill(subject::ImportRow& row, int n) {
  row.set_row_number(n + 1);
  subject::Subject* s = row.mutable_subject();
  s->set_uscc(Uscc(n));
  s->set_name(absl::StrCat("金华市重启测试", n, "号商行"));
  s->set_type(n % 5 == 0 ? subject::SUBJECT_TYPE_ENTERPRISE
                         : subject::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s->mutable_legal_representative()->set_name("张三");
  s->mutable_legal_representative()->set_id_number(absl::StrFormat("3307021980%08d", n));
  s->mutable_industry()->set_code(kIndustries[n % 7]);
  s->mutable_registration_region()->set_code(kRegions[n % 9]);
  s->mutable_business_address()->mutable_region()->set_code(kRegions[(n + 4) % 9]);
  s->mutable_business_address()->set_detail(absl::StrCat("人民路", n % 999, "号"));
  if (n % 3 == 0) s->add_tags("food-business");
}

// The registry binary on `brokers`.
struct Registry {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<subject::SubjectRegistry::Stub> stub;
  int metrics_port = jianguan::testing::FreeLoopbackPort();

  Registry(const std::string& data_dir, const std::string& brokers) {
    const int port = jianguan::testing::FreeLoopbackPort();
    process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        JG_SUBJECT_REGISTRY, "--grpc_port", std::to_string(port), "--metrics_port",
        std::to_string(metrics_port), "--data_dir", data_dir, "--kafka_brokers", brokers});
    stub = subject::SubjectRegistry::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    for (;;) {
      grpc::ClientContext context;
      context.AddMetadata("x-jg-department", kDepartment);
      subject::GetSubjectRequest request;
      request.set_uscc(Uscc(0));
      subject::Subject out;
      if (stub->GetSubject(&context, request, &out).error_code() != grpc::StatusCode::UNAVAILABLE) {
        break;
      }
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
};

// The sampling binary on `brokers`; ready once its /metrics answers.
struct Sampling {
  std::unique_ptr<testing::ChildProcess> process;
  int metrics_port = jianguan::testing::FreeLoopbackPort();

  Sampling(const std::string& data_dir, const std::string& brokers) {
    process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        JG_SAMPLING, "--grpc_port", std::to_string(jianguan::testing::FreeLoopbackPort()), "--metrics_port",
        std::to_string(metrics_port), "--data_dir", data_dir, "--kafka_brokers", brokers});
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (testing::HttpGet(metrics_port, "/metrics").empty()) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  // The subject consumer's figure `outcome` (applied, duplicate, …) since this start; -1
  // before the first report.
  double Consumed(const std::string& outcome) const {
    return testing::SampleValue(testing::HttpGet(metrics_port, "/metrics"),
                                "jianguan_consumer_events_total",
                                {absl::StrCat("group=\"", kSubjectGroup, "\""),
                                 absl::StrCat("outcome=\"", outcome, "\"")});
  }
  double Lag() const {
    return testing::SampleValue(testing::HttpGet(metrics_port, "/metrics"),
                                "jianguan_consumer_lag",
                                {absl::StrCat("group=\"", kSubjectGroup, "\"")});
  }
};

// What the comparison looks at, as one line per subject.
std::string Facts(int type, const std::string& industry, const std::string& business_region,
                  std::vector<std::string> tags, int status) {
  std::sort(tags.begin(), tags.end());
  return absl::StrCat("type=", type, " industry=", industry, " business_region=", business_region,
                      " tags=", absl::StrJoin(tags, ";"), " status=", status);
}

SCENARIO("sampling killed with kill -9 mid-consumption ends with exactly the registry's subjects") {
  testing::TempDir dir("jg-sampling-restart");
  OwnBroker broker(dir.Sub("kafka"));
  REQUIRE(broker.started());
  const std::string brokers = broker.brokers();

  Registry registry(dir.Sub("registry"), brokers);
  auto sampling = std::make_unique<Sampling>(dir.Sub("sampling"), brokers);

  // 1. Import while sampling consumes; kill it -9 once it has applied a good part.
  int64_t events = 0;
  double applied_at_kill = -1;
  const absl::Time import_start = absl::Now();
  {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", kDepartment);
    auto stream = registry.stub->ImportSubjects(&context);
    // Batches are written ahead by one thread while this one reads the answers.
    std::atomic<bool> written{true};
    std::thread writer([&] {
      for (int first = 0; first < kSubjects; first += kBatch) {
        subject::ImportSubjectsRequest request;
        for (int n = first; n < first + kBatch; ++n) Fill(*request.add_rows(), n);
        if (!stream->Write(request)) {
          written = false;
          break;
        }
      }
      if (!stream->WritesDone()) written = false;
    });
    subject::ImportSubjectsResponse answer;
    int answers = 0;
    while (stream->Read(&answer)) {
      ++answers;
      if (answer.errors_size() > 0 && answer.errors(0).violations_size() > 0) {
        UNSCOPED_INFO("row " << answer.errors(0).row_number() << ": "
                             << answer.errors(0).violations(0).field() << ": "
                             << answer.errors(0).violations(0).description());
      }
      CHECK(answer.errors_size() == 0);
      CHECK(answer.accepted() == kBatch);
      events += answer.accepted();
      if (sampling && sampling->Consumed("applied") >= kKillAfterApplied) {
        applied_at_kill = sampling->Consumed("applied");
        sampling->process->Kill(SIGKILL);
        CHECK(sampling->process->Wait(absl::Seconds(10)).has_value());
        sampling.reset();
        std::printf("sampling killed -9 after %lld of %d subjects imported (%.0f applied)\n",
                    static_cast<long long>(events), kSubjects, applied_at_kill);
      }
    }
    writer.join();
    REQUIRE(written);
    REQUIRE(answers == kSubjects / kBatch);
    REQUIRE(events == kSubjects);
    REQUIRE(stream->Finish().ok());
  }
  const absl::Duration import_time = absl::Now() - import_start;
  if (sampling) {
    // It consumed slower than the import ran: kill it now, still short of the end.
    applied_at_kill = sampling->Consumed("applied");
    sampling->process->Kill(SIGKILL);
    REQUIRE(sampling->process->Wait(absl::Seconds(10)).has_value());
    sampling.reset();
    std::printf("sampling killed -9 after the import (%.0f applied)\n", applied_at_kill);
  }
  REQUIRE(applied_at_kill > 0);
  REQUIRE(applied_at_kill < kSubjects);

  // 2. Updates and status changes while sampling is down, so the set is not only inserts.
  int64_t updates = 0, status_changes = 0;
  for (int n = 0; n < kSubjects; n += 100) {
    subject::UpdateSubjectRequest request;
    request.set_request_id(absl::StrCat("update-", n));
    subject::Subject* s = request.mutable_subject();
    s->set_uscc(Uscc(n));
    s->mutable_industry()->set_code("6513");
    s->add_tags("key-supervision");
    s->add_tags("a-tag");
    s->mutable_business_address()->mutable_region()->set_code("330782");
    s->mutable_business_address()->set_detail("稠州北路1号");
    for (const char* path : {"industry", "tags", "business_address"}) {
      request.mutable_update_mask()->add_paths(path);
    }
    request.set_expected_version(1);
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", kDepartment);
    subject::Subject out;
    const grpc::Status status = registry.stub->UpdateSubject(&context, request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    ++updates;
  }
  for (int n = 1; n < kSubjects; n += 199) {
    subject::ChangeSubjectStatusRequest request;
    request.set_request_id(absl::StrCat("status-", n));
    request.set_uscc(Uscc(n));
    if (n % 2 == 0) {
      request.set_action(subject::STATUS_ACTION_DEREGISTER);
    } else {
      request.set_action(subject::STATUS_ACTION_LIST_ABNORMAL);
      request.set_reason(subject::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    }
    request.set_note("金市监处字〔2026〕1号");
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", kDepartment);
    subject::ChangeSubjectStatusResponse out;
    const grpc::Status status = registry.stub->ChangeSubjectStatus(&context, request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    ++status_changes;
  }
  events += updates + status_changes;

  // Every event is on the broker before the restart, so the catch-up is measured alone. The
  // registry publishes more than the subjects' own events on the topic (dual notifications
  // for licensed industries, its clock batches' summaries), so what it published is read
  // from its outbox once that is empty.
  double published = 0;
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    for (;;) {
      const std::string text = testing::HttpGet(registry.metrics_port, "/metrics");
      published = testing::SampleValue(text, "jianguan_outbox_published_total", {});
      if (published >= static_cast<double>(events) &&
          testing::SampleValue(text, "jianguan_outbox_backlog", {}) == 0) {
        break;
      }
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  // 3. Restart on the same data directory and wait until it has caught up: lag 0 and the
  // applied count unchanged for three seconds.
  const absl::Time restart = absl::Now();
  sampling = std::make_unique<Sampling>(dir.Sub("sampling"), brokers);
  double applied_after_restart = -1;
  absl::Time caught_up;
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(180);
    double last = -1;
    absl::Time stable_since = absl::Now();
    for (;;) {
      const double applied = sampling->Consumed("applied");
      const double lag = sampling->Lag();
      if (applied != last) {
        last = applied;
        stable_since = absl::Now();
        caught_up = absl::Now();
      } else if (applied > 0 && lag == 0 && absl::Now() - stable_since > absl::Seconds(3)) {
        applied_after_restart = applied;
        break;
      }
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  const double duplicates = sampling->Consumed("duplicate");
  const double dead_lettered = sampling->Consumed("dead_lettered");
  sampling->process->Kill(SIGTERM);
  const std::optional<int> exit = sampling->process->Wait(absl::Seconds(30));
  REQUIRE(exit.has_value());
  CHECK(WIFEXITED(*exit));
  sampling.reset();

  std::printf(
      "restart test: %lld subject events (%d registered, %lld updated, %lld status changes), "
      "%.0f published in all; import "
      "%.1f s; killed at %.0f applied; after the restart %.0f applied, %.0f duplicates, %.0f "
      "dead-lettered; caught up %.1f s after the restart\n",
      static_cast<long long>(events), kSubjects, static_cast<long long>(updates),
      static_cast<long long>(status_changes), published, absl::ToDoubleSeconds(import_time),
      applied_at_kill,
      applied_after_restart, duplicates, dead_lettered,
      absl::ToDoubleSeconds(caught_up - restart));
  CHECK(dead_lettered == 0);

  // 4. The registry's set, as it exports it.
  std::map<std::string, std::string> expected;
  {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", kDepartment);
    subject::ExportSubjectsRequest request;
    auto reader = registry.stub->ExportSubjects(&context, request);
    subject::ExportSubjectsResponse batch;
    while (reader->Read(&batch)) {
      for (const subject::Subject& s : batch.subjects()) {
        expected[s.uscc()] = Facts(s.type(), s.industry().code(), s.business_address().region().code(),
                                   {s.tags().begin(), s.tags().end()}, s.status());
      }
    }
    REQUIRE(reader->Finish().ok());
  }
  REQUIRE(expected.size() == static_cast<size_t>(kSubjects));

  // 5. The projection, read from the stopped service's store.
  auto db = store::Store::Open({.path = dir.Sub("sampling"), .families = PlanStore::Families()});
  REQUIRE(db.ok());
  int64_t positions = 0;
  for (int partition = 0; partition < kPartitions; ++partition) {
    const int64_t next =
        events::EventConsumer::StoredPosition(**db, kSubjectGroup, topics::kSubject, partition);
    if (next > 0) positions += next;
  }
  // Offsets of the idempotent, non-transactional producer are dense from 0: the positions
  // add up to the events published, each applied once.
  CHECK(positions == static_cast<int64_t>(published));

  std::map<std::string, std::string> projected;
  REQUIRE(ProjectionReader(**db).ForEachSubject([&](const ProjectedRow& row) {
    const v1::ProjectedSubject& f = *row.facts;
    projected[std::string(row.uscc)] = Facts(f.type(), f.industry(), f.business_region(),
                                             {f.tags().begin(), f.tags().end()}, f.status());
    return true;
  }).ok());

  int missing = 0, extra = 0, different = 0;
  for (const auto& [uscc, facts] : expected) {
    auto found = projected.find(uscc);
    if (found == projected.end()) {
      if (++missing <= 3) UNSCOPED_INFO("missing " << uscc);
    } else if (found->second != facts) {
      if (++different <= 3) {
        UNSCOPED_INFO("different " << uscc << ": registry " << facts << ", projection "
                                   << found->second);
      }
    }
  }
  for (const auto& [uscc, facts] : projected) {
    if (!expected.count(uscc) && ++extra <= 3) UNSCOPED_INFO("extra " << uscc);
  }
  CHECK(missing == 0);
  CHECK(extra == 0);
  CHECK(different == 0);
  CHECK(projected.size() == expected.size());
}

}  // namespace
}  // namespace jianguan::sampling
