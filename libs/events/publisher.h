// Where the outbox relay sends events: Kafka in production (kafka_publisher.h), an
// in-process bus in unit tests of domain logic (in_process_bus.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "jianguan/common/v1/records.pb.h"

namespace jianguan::events {

/// Called once per published event with its outbox sequence and the outcome.
using DeliveryCallback = std::function<void(uint64_t sequence, absl::Status status)>;

/// Publishes outbox events. Not thread-safe: one relay thread drives it.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  /// Hands `event` over for delivery; `on_delivery` runs later, from Poll() or Flush().
  /// An error here (e.g. message too large) means the event was not accepted and
  /// `on_delivery` will not run.
  virtual absl::Status Publish(const common::v1::OutboxEvent& event, std::string_view producer_id,
                               DeliveryCallback on_delivery) = 0;

  /// Serves delivery reports, waiting at most `timeout`.
  virtual void Poll(absl::Duration timeout) = 0;

  /// Waits until every accepted event has its delivery report, at most `timeout`.
  /// DEADLINE_EXCEEDED when some are still in flight.
  virtual absl::Status Flush(absl::Duration timeout) = 0;
};

}  // namespace jianguan::events
