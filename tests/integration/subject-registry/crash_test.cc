// The real subject-registry binary killed with kill -9 in the middle of an import keeps
// every subject it acknowledged, and each one's SubjectRegistered reaches a consumer (through
// the real broker) and is applied exactly once.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/uscc.h"
#include "libs/events/consumer.h"
#include "libs/testing/child_process.h"
#include "libs/testing/kafka.h"
#include "libs/testing/ports.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::subject {
namespace {

struct Registry {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<v1::SubjectRegistry::Stub> stub;

  Registry(const std::string& data_dir, int port) {
    process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        JG_SUBJECT_REGISTRY, "--grpc_port", std::to_string(port), "--metrics_port", "0",
        "--data_dir", data_dir, "--kafka_brokers", testing::KafkaBrokers()});
    stub = v1::SubjectRegistry::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    // Ready once a lookup is answered by the service itself.
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    for (;;) {
      grpc::ClientContext context;
      context.AddMetadata("x-jg-department", "330700-SCJG");
      v1::GetSubjectRequest request;
      request.set_uscc("91330782MA2EC8CX99");
      v1::Subject out;
      if (stub->GetSubject(&context, request, &out).error_code() != grpc::StatusCode::UNAVAILABLE) break;
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
};

v1::ImportRow Row(int n, uint32_t salt) {
  std::string first17 = absl::StrFormat("92330782%04X%05d", salt & 0xFFFF, n);
  for (char& c : first17) {
    if (c == 'I' || c == 'O' || c == 'S' || c == 'V' || c == 'Z') c = 'A';
  }
  v1::ImportRow row;
  row.set_row_number(n + 1);
  v1::Subject* s = row.mutable_subject();
  s->set_uscc(first17 + UsccCheckCharacter(first17));
  s->set_name(absl::StrCat("义乌市测试", n, "号商行"));
  s->set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s->mutable_legal_representative()->set_name("李四");
  s->mutable_legal_representative()->set_id_number("330782198001011234");
  s->mutable_industry()->set_code("5212");
  s->mutable_registration_region()->set_code("330782");
  return row;
}

SCENARIO("a registry killed with kill -9 mid-import keeps and publishes every acknowledged subject once") {
  testing::TempDir dir("jg-subject-crash");
  const int port = jianguan::testing::FreeLoopbackPort();
  const uint32_t salt = std::random_device{}();
  constexpr int kRows = 20000, kBatch = 500, kKillAfterBatches = 12;

  std::set<std::string> acknowledged;
  {
    Registry registry(dir.Sub("registry"), port);
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330700-SCJG");
    auto stream = registry.stub->ImportSubjects(&context);
    for (int batch = 0; batch * kBatch < kRows; ++batch) {
      v1::ImportSubjectsRequest request;
      for (int i = batch * kBatch; i < (batch + 1) * kBatch; ++i) *request.add_rows() = Row(i, salt);
      if (batch == kKillAfterBatches) {
        // One more batch in flight when the process dies: it may or may not be committed.
        stream->Write(request);
        registry.process->Kill(SIGKILL);
        break;
      }
      REQUIRE(stream->Write(request));
      v1::ImportSubjectsResponse answer;
      REQUIRE(stream->Read(&answer));
      REQUIRE(answer.accepted() == kBatch);
      for (const auto& row : request.rows()) acknowledged.insert(row.subject().uscc());
    }
    registry.process->Wait(absl::Seconds(10));
    context.TryCancel();
  }
  REQUIRE(acknowledged.size() == kKillAfterBatches * kBatch);

  Registry restarted(dir.Sub("registry"), port);
  for (const std::string& uscc : acknowledged) {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330700-SCJG");
    v1::GetSubjectRequest request;
    request.set_uscc(uscc);
    v1::Subject out;
    REQUIRE(restarted.stub->GetSubject(&context, request, &out).ok());
    CHECK(out.legal_representative().id_number() != "330782198001011234");
  }

  // A consumer of the real topic counts each of our subjects' SubjectRegistered applied.
  auto seen = store::Store::Open({.path = dir.Sub("consumer"), .families = {"applied"}});
  REQUIRE(seen.ok());
  std::atomic<int> ours{0};
  std::atomic<bool> leaked{false};
  events::EventConsumer consumer(
      **seen,
      {.brokers = testing::KafkaBrokers(), .group = testing::UniqueName("it-subject-crash"),
       .topics = {"jianguan.subject.v1"}, .source = "subject-crash-test"},
      [&](const events::ConsumedEvent& event, store::UnitOfWork& work) -> absl::Status {
        if (event.value.find("330782198001011234") != std::string::npos) leaked = true;
        if (event.type() != "jianguan.subject.v1.SubjectRegistered") return absl::OkStatus();
        const std::string uscc(event.subject());
        if (!acknowledged.count(uscc)) return absl::OkStatus();  // another run's subject
        auto count = (*seen)->Get("applied", uscc);
        if (!count.ok()) return count.status();
        work.Put("applied", uscc, (*count ? **count : "") + "x");
        ++ours;
        return absl::OkStatus();
      });
  REQUIRE(consumer.Start().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  auto all_applied = [&] {
    for (const auto& uscc : acknowledged) {
      auto count = (*seen)->Get("applied", uscc);
      if (!count.ok() || !*count) return false;
    }
    return true;
  };
  while (!all_applied() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(500));
  absl::SleepFor(absl::Seconds(3));  // late duplicates would arrive now
  consumer.Stop();
  CHECK(!leaked);
  int missing = 0, twice = 0;
  for (const auto& uscc : acknowledged) {
    auto count = (*seen)->Get("applied", uscc);
    REQUIRE(count.ok());
    if (!*count) ++missing;
    else if (**count != "x") ++twice;
  }
  CHECK(missing == 0);
  CHECK(twice == 0);
  INFO("duplicates dropped by the consumer: " << consumer.counters().duplicates.load());
}

}  // namespace
}  // namespace jianguan::subject
