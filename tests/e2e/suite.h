// The whole suite as a user runs it: a broker of its own (so that a test may restart it and
// read topics holding only its own events) and the seven real service binaries on loopback,
// each on its own data directory, started in the order their consumers need nothing of. A
// service can be killed with SIGKILL and restarted on the same ports and data; the broker
// restarted on the same port and data.
//
//   e2e::Suite suite(dir.Sub("suite"));
//   auto stub = sampling::v1::Sampling::NewStub(suite.channel("sampling"));
//   suite.Kill9AndRestart("inspection");
//   suite.AwaitQuiet();  // every outbox relayed, every consumer caught up
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "libs/testing/kafka_broker.h"
#include "libs/testing/service_binary.h"

namespace jianguan::e2e {

class Suite {
 public:
  /// The seven services in start order.
  static const std::vector<std::string>& Names();

  /// Starts the broker under `dir`/kafka (and points every client of this process at it
  /// through JG_KAFKA_BROKERS), then the seven binaries under `dir`/<name>.
  explicit Suite(const std::string& dir);
  ~Suite();

  testing::ServiceBinary& service(const std::string& name);
  const std::shared_ptr<grpc::Channel>& channel(const std::string& name) {
    return service(name).channel();
  }
  const std::string& brokers() const { return broker_.address(); }

  /// SIGKILL, then the binary again on its ports and data directory (ready when it returns).
  void Kill9AndRestart(const std::string& name);
  /// The broker stopped and started again on its port and data.
  void RestartBroker();

  /// Stops the seven with SIGTERM, consumers first, and prints how long each took; the
  /// names of those that did not exit by themselves with status 0. The destructor stops
  /// what is still running.
  std::vector<std::string> Stop();

  /// Waits until every service's outbox is relayed and every consumer group shows no lag and
  /// has applied nothing more for three seconds; REQUIRE-fails after `within`.
  void AwaitQuiet(absl::Duration within = absl::Seconds(240));

 private:
  testing::KafkaBroker broker_;
  std::map<std::string, std::unique_ptr<testing::ServiceBinary>> services_;
};

}  // namespace jianguan::e2e
