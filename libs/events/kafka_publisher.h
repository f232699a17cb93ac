// The real EventPublisher: an idempotent Kafka producer (enable.idempotence=true,
// acks=all, no delivery timeout), so events of one partition arrive in outbox order and a
// broker retry never duplicates one. librdkafka stays inside kafka_publisher.cc.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/events/publisher.h"

namespace jianguan::events {

struct KafkaPublisherOptions {
  /// Bootstrap brokers, e.g. "127.0.0.1:9092".
  std::string brokers;
  /// client.id, normally the service name.
  std::string client_id = "jianguan";
  /// Extra librdkafka properties; they may not switch idempotence or acks off.
  std::map<std::string, std::string> properties;
};

/// What the producer reports about its idempotence (from librdkafka's statistics).
struct IdempotenceState {
  std::string state;         // "Assigned" once the broker gave a producer id
  int64_t producer_id = -1;  // the broker-assigned producer id
  int64_t epoch = -1;
};

class KafkaPublisher final : public EventPublisher {
 public:
  /// INVALID_ARGUMENT for a bad option. Connecting happens in the background.
  static absl::StatusOr<std::unique_ptr<KafkaPublisher>> Create(KafkaPublisherOptions options);
  ~KafkaPublisher() override;

  absl::Status Publish(const common::v1::OutboxEvent& event, std::string_view producer_id,
                       DeliveryCallback on_delivery) override;
  void Poll(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;

  /// Waits up to `timeout` for the broker to assign a producer id, proving idempotence is
  /// on against this broker. UNAVAILABLE when it is not assigned in time.
  absl::StatusOr<IdempotenceState> AwaitIdempotence(absl::Duration timeout);

  /// The librdkafka version string, e.g. "2.0.2".
  static std::string ClientVersion();

 private:
  struct Impl;
  explicit KafkaPublisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jianguan::events
