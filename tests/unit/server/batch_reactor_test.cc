// RawBatchReactor (libs/server/wire_text.h), the two-stage stream of the registry's import and
// risk's readings, on a real ServiceHost on loopback: a batch is prepared while the one before
// it commits; answers come in order, each after its commit; an error of either stage ends the
// stream after the answers of the batches committed before it, and nothing behind a failed
// commit is committed. The test service stands in for ImportSubjects: a batch's "commit" is
// recorded, and its answer names the batch by its first row number.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/server/wire_text.h"
#include "libs/testing/service_fixture.h"

namespace jianguan {
namespace {

namespace v1 = jianguan::subject::v1;

// What the test service saw, in order: "prepare <n>", "commit <n> begins", "commit <n> ends".
class Journal {
 public:
  void Add(std::string line) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
    changed_.notify_all();
  }
  // Waits up to 10 s for `line`; true when it came.
  bool AwaitLine(const std::string& line) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
    });
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

class Batches final
    : public v1::SubjectRegistry::WithRawCallbackMethod_ImportSubjects<v1::SubjectRegistry::Service> {
 public:
  // The batch whose first row number is `fail_prepare_at` fails in prepare, `fail_commit_at`
  // in commit; each commit of batch n waits until batch n+1 has been prepared (or the client
  // is done), which holds only if the two stages overlap.
  int fail_prepare_at = -1;
  int fail_commit_at = -1;
  int batches = 0;
  Journal journal;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ImportSubjects(
      grpc::CallbackServerContext* context) override {
    return new RawBatchReactor(
        context, [this](const Caller&, std::string_view bytes) -> absl::StatusOr<RawBatchReactor::Commit> {
          v1::ImportSubjectsRequest batch;
          if (!batch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
              batch.rows_size() == 0) {
            return absl::InvalidArgumentError("rows: empty batch");
          }
          const int n = static_cast<int>(batch.rows(0).row_number());
          journal.Add("prepare " + std::to_string(n));
          if (n == fail_prepare_at) return absl::InvalidArgumentError("rows: refused in prepare");
          return RawBatchReactor::Commit([this, n]() -> absl::StatusOr<std::string> {
            journal.Add("commit " + std::to_string(n) + " begins");
            // The next batch is prepared while this one commits (the last has no next).
            if (n < batches) {
              if (!journal.AwaitLine("prepare " + std::to_string(n + 1))) {
                return absl::InternalError("the next batch was not prepared during this commit");
              }
            }
            if (n == fail_commit_at) return absl::FailedPreconditionError("refused in commit");
            journal.Add("commit " + std::to_string(n) + " ends");
            v1::ImportSubjectsResponse answer;
            answer.set_last_row_number(n);
            return answer.SerializeAsString();
          });
        });
  }
};

struct Streamed {
  std::vector<int64_t> answered;  // last_row_number of each answer, in order
  grpc::Status status;
};

// Batches 1..count, one row each (row number = batch number), written back to back by a
// thread of their own while this one reads the answers.
Streamed Stream(Batches& service, int count) {
  service.batches = count;
  testing::InProcessServer server({&service});
  auto stub = server.Stub<v1::SubjectRegistry>();
  auto context = testing::CallAs("330700-SCJG");
  auto stream = stub->ImportSubjects(context.get());
  std::thread writer([&] {
    for (int n = 1; n <= count; ++n) {
      v1::ImportSubjectsRequest batch;
      batch.add_rows()->set_row_number(n);
      if (!stream->Write(batch)) break;
    }
    stream->WritesDone();
  });
  Streamed out;
  for (v1::ImportSubjectsResponse answer; stream->Read(&answer);) {
    out.answered.push_back(answer.last_row_number());
  }
  writer.join();
  out.status = stream->Finish();
  return out;
}

TEST_CASE("batches are prepared while the one before commits and answered in order") {
  Batches service;
  const Streamed streamed = Stream(service, 12);
  REQUIRE(streamed.status.ok());
  CHECK(streamed.answered == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  // Commits one at a time, in order.
  std::vector<std::string> commits;
  for (const std::string& line : service.journal.Lines()) {
    if (line.rfind("commit", 0) == 0) commits.push_back(line);
  }
  REQUIRE(commits.size() == 24);
  for (int n = 1; n <= 12; ++n) {
    CHECK(commits[2 * (n - 1)] == "commit " + std::to_string(n) + " begins");
    CHECK(commits[2 * (n - 1) + 1] == "commit " + std::to_string(n) + " ends");
  }
}

TEST_CASE("a failed commit ends the stream after the answers before it; nothing behind it commits") {
  Batches service;
  service.fail_commit_at = 4;
  const Streamed streamed = Stream(service, 8);
  CHECK(streamed.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(streamed.answered == std::vector<int64_t>{1, 2, 3});
  for (const std::string& line : service.journal.Lines()) {
    INFO(line);
    CHECK(line.rfind("commit 5", 0) != 0);  // prepared behind the failure, never committed
    CHECK(line != "commit 4 ends");
  }
}

TEST_CASE("a batch refused in prepare ends the stream once the batch before it is answered") {
  Batches service;
  service.fail_prepare_at = 3;
  const Streamed streamed = Stream(service, 8);
  CHECK(streamed.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(streamed.status.error_message().find("refused in prepare") != std::string::npos);
  // Batch 2's commit waited for "prepare 3", which came (and failed): 1 and 2 are answered.
  CHECK(streamed.answered == std::vector<int64_t>{1, 2});
  for (const std::string& line : service.journal.Lines()) {
    INFO(line);
    CHECK(line.rfind("commit 3", 0) != 0);
    CHECK(line != "prepare 4");  // nothing is read after the refused batch
  }
}

}  // namespace
}  // namespace jianguan
