// Everything a service binary wires the same way: its store, the outbox relay to Kafka, its
// consumers, the gRPC host, and the metrics of all of them. A service's main.cc becomes:
//
//   int main(int argc, char** argv) {
//     absl::SetFlag(&FLAGS_grpc_port, 7102);
//     absl::SetFlag(&FLAGS_metrics_port, 9102);
//     ParseCommandLine(argc, argv, "subject-registry: ...");
//     auto runtime = ServiceRuntime::Open(RuntimeOptionsFromFlags("subject-registry",
//                                                                 SubjectStore::Families()));
//     if (!runtime.ok()) return DieAtStart(runtime.status());
//     SubjectRegistryService service((*runtime)->store(), (*runtime)->clock());
//     (*runtime)->host().AddService(&service);
//     (*runtime)->AddConsumer({.group = "subject-registry", .topics = {...}}, apply);
//     if (auto s = (*runtime)->Start(); !s.ok()) return DieAtStart(s);
//     (*runtime)->WaitForTermination();
//   }
//
// Shutdown order: gRPC calls finish, consumers stop, the relay flushes what it can (the rest
// stays in the outbox for the next start), the store closes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/events/consumer.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/server/grpc_server.h"
#include "libs/store/store.h"

namespace jianguan {

struct RuntimeOptions {
  /// The service's name (DESIGN.md §2); client.id, consumer-group default, log field.
  std::string service_name;
  /// The service's own column families.
  std::vector<std::string> families;
  /// Where the store lives.
  std::string data_dir;
  /// Kafka bootstrap servers.
  std::string kafka_brokers;
  /// librdkafka properties of every Kafka client of the service (TLS: security.protocol,
  /// ssl.*), below a consumer's own.
  std::map<std::string, std::string> kafka_properties;
  /// fsync each commit (see store::StoreOptions).
  bool sync_writes = true;
  /// For tests only: store::StoreOptions::wal_sync_hook (a failing WAL sync on demand).
  std::function<absl::Status()> wal_sync_hook;
  /// For tests only: the clock reads this file (libs/runtime/file_clock.h) instead of the
  /// real time; empty: the system clock. --fake_clock_file, which needs --insecure_dev.
  std::string fake_clock_file;
  ServiceHostOptions host;
};

/// The common flags (libs/server/flags.h) as runtime options.
RuntimeOptions RuntimeOptionsFromFlags(std::string service_name, std::vector<std::string> families);

/// Logs a start-up failure and returns exit status 1, for main.
int DieAtStart(const absl::Status& status);

class ServiceRuntime {
 public:
  /// Opens the store and creates the Kafka producer. INVALID_ARGUMENT for bad options,
  /// UNAVAILABLE when the store cannot be opened (e.g. another process holds it).
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Open(RuntimeOptions options);
  ~ServiceRuntime();

  store::Store& store() { return *store_; }
  ServiceHost& host() { return *host_; }
  /// The system clock, or the fake clock file's when RuntimeOptions::fake_clock_file is set.
  const Clock& clock() const {
    if (clock_) return *clock_;
    return SystemClock::Instance();
  }
  prometheus::Registry& registry();

  /// A consumer started by Start. Empty brokers/group/source default to the runtime's.
  void AddConsumer(events::ConsumerOptions options, events::ApplyFunction apply);

  /// Starts the relay, the consumers, the metrics poller and the gRPC host.
  absl::Status Start();
  /// Blocks until SIGTERM/SIGINT, then shuts everything down in order.
  void WaitForTermination();
  /// Shuts down in order (tests; WaitForTermination does the same on a signal).
  void Shutdown(absl::Time deadline);

 private:
  struct Metrics;
  explicit ServiceRuntime(RuntimeOptions options);
  void PollMetrics();
  void StopBackground();

  RuntimeOptions options_;
  std::unique_ptr<Clock> clock_;  // null: the system clock
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::KafkaPublisher> publisher_;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::vector<std::unique_ptr<events::EventConsumer>> consumers_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<Metrics> metrics_;
  std::atomic<bool> stopping_{false};
  std::thread metrics_thread_;
};

}  // namespace jianguan
