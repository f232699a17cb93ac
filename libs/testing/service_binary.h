// A real service binary as integration tests and benches run it: a child process on its own
// data directory and free loopback ports, speaking to the test broker; ready once its
// /metrics answers and a gRPC channel connects. Kill9 leaves the data directory as a crash
// would; Start again restarts it on the same directory (on new ports), Restart on the same
// ports.
//
//   testing::ServiceBinary inspection(JG_INSPECTION, dir.Sub("inspection"));
//   auto stub = v1::Inspection::NewStub(inspection.channel());
//   inspection.Kill9();
//   inspection.Start();
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/testing/child_process.h"

namespace jianguan::testing {

class ServiceBinary {
 public:
  /// Starts `path` with --grpc_port, --metrics_port, --data_dir `data_dir`, --kafka_brokers
  /// (the test broker) and then `extra`; REQUIRE-fails unless ready within `ready_within`.
  /// `credentials` (null: plaintext) is how channel() connects, e.g. mutual TLS.
  ServiceBinary(std::string path, std::string data_dir, std::vector<std::string> extra = {},
                absl::Duration ready_within = absl::Seconds(60),
                std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);
  /// SIGTERM, then SIGKILL after 20 seconds.
  ~ServiceBinary();
  ServiceBinary(const ServiceBinary&) = delete;
  ServiceBinary& operator=(const ServiceBinary&) = delete;

  /// (Re)starts the binary on new ports; it must not be running.
  void Start();
  /// Starts it again on the ports it had (after Kill9 or Stop), so that peers given its
  /// address reach it again.
  void Restart();
  /// SIGTERM and wait (SIGKILL after 20 seconds); nothing when not running. This process's
  /// channel to it is closed first: a gRPC server's graceful shutdown waits for its clients
  /// to answer the GOAWAY, and an idle client channel reads its socket only every 5 s.
  /// True when it exited by itself with status 0 (or was not running).
  bool Stop();
  /// SIGKILL and wait; CHECKs that the signal ended it.
  void Kill9();

  /// The /metrics text (empty when it does not answer).
  std::string Metrics() const;
  /// The events a consumer group applied to the store, from /metrics: new ones and restored
  /// ones (events another member of the group, or an earlier instance on another store, had
  /// applied and published: libs/events/consumer.h); 0 when absent.
  double Applied(const std::string& group) const;
  /// The group's lag, from /metrics (-1 when absent).
  double Lag(const std::string& group) const;
  /// Waits until `group` has applied at least `at_least` events and has no lag;
  /// REQUIRE-fails after `within`.
  void AwaitCaughtUp(const std::string& group, double at_least,
                     absl::Duration within = absl::Seconds(120)) const;

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return process_->pid(); }
  bool running() const { return process_ != nullptr; }

 private:
  void Launch();

  std::string path_;
  std::string data_dir_;
  std::vector<std::string> extra_;
  absl::Duration ready_within_;
  std::unique_ptr<ChildProcess> process_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace jianguan::testing
