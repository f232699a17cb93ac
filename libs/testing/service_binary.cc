#include "libs/testing/service_binary.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/ports.h"

namespace jianguan::testing {

ServiceBinary::ServiceBinary(std::string path, std::string data_dir,
                             std::vector<std::string> extra, absl::Duration ready_within,
                             std::shared_ptr<grpc::ChannelCredentials> credentials)
    : path_(std::move(path)),
      data_dir_(std::move(data_dir)),
      extra_(std::move(extra)),
      ready_within_(ready_within),
      credentials_(credentials != nullptr ? std::move(credentials)
                                          : grpc::InsecureChannelCredentials()) {
  Start();
}

ServiceBinary::~ServiceBinary() { Stop(); }

void ServiceBinary::Start() {
  REQUIRE(process_ == nullptr);
  grpc_port_ = FreeLoopbackPort();
  metrics_port_ = FreeLoopbackPort();
  Launch();
}

void ServiceBinary::Restart() {
  REQUIRE(process_ == nullptr);
  REQUIRE(grpc_port_ != 0);
  Launch();
}

void ServiceBinary::Launch() {
  std::vector<std::string> argv = {path_,
                                   "--grpc_port",
                                   std::to_string(grpc_port_),
                                   "--metrics_port",
                                   std::to_string(metrics_port_),
                                   "--data_dir",
                                   data_dir_,
                                   "--kafka_brokers",
                                   KafkaBrokers()};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  process_ = std::make_unique<ChildProcess>(argv);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port_), credentials_);
  const absl::Time deadline = absl::Now() + ready_within_;
  while (Metrics().empty() ||
         !channel_->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)))) {
    INFO(path_ << " is not ready within " << absl::FormatDuration(ready_within_));
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

bool ServiceBinary::Stop() {
  if (!process_) return true;
  channel_.reset();
  process_->Kill(SIGTERM);
  const std::optional<int> status = process_->Wait(absl::Seconds(20));
  if (!status.has_value()) {
    std::printf("[service] %s did not stop within 20 s of SIGTERM: killed\n", path_.c_str());
    std::fflush(stdout);
    process_->Kill(SIGKILL);
  }
  process_.reset();
  return status.has_value() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

void ServiceBinary::Kill9() {
  REQUIRE(process_ != nullptr);
  process_->Kill(SIGKILL);
  const std::optional<int> status = process_->Wait(absl::Seconds(20));
  REQUIRE(status.has_value());
  CHECK(WIFSIGNALED(*status));
  process_.reset();
}

std::string ServiceBinary::Metrics() const { return HttpGet(metrics_port_, "/metrics"); }

double ServiceBinary::Applied(const std::string& group) const {
  const std::string metrics = Metrics();
  double total = 0;
  for (const char* outcome : {"outcome=\"applied\"", "outcome=\"restored\""}) {
    total += std::max(0.0, SampleValue(metrics, "jianguan_consumer_events_total",
                                       {absl::StrCat("group=\"", group, "\""), outcome}));
  }
  return total;
}

double ServiceBinary::Lag(const std::string& group) const {
  return SampleValue(Metrics(), "jianguan_consumer_lag", {absl::StrCat("group=\"", group, "\"")});
}

void ServiceBinary::AwaitCaughtUp(const std::string& group, double at_least,
                                  absl::Duration within) const {
  const absl::Time deadline = absl::Now() + within;
  for (;;) {
    const double applied = Applied(group);
    const double lag = Lag(group);
    if (applied >= at_least && lag == 0) return;
    INFO(group << ": applied " << applied << " of at least " << at_least << ", lag " << lag);
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(100));
  }
}

}  // namespace jianguan::testing
