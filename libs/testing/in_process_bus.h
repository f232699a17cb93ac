// An EventPublisher that keeps events in memory and hands them to subscribers in the same
// process. For unit tests of domain logic and of the relay only: integration and end-to-end
// tests use the real broker.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "libs/events/event.h"
#include "libs/events/publisher.h"

namespace jianguan::events {

/// Thread-safe. Events get consecutive offsets per topic (one partition per topic).
class InProcessBus final : public EventPublisher {
 public:
  using Subscriber = std::function<void(const ConsumedEvent&)>;

  absl::Status Publish(const common::v1::OutboxEvent& event, std::string_view producer_id,
                       DeliveryCallback on_delivery) override;
  /// Runs the delivery callbacks of everything published so far.
  void Poll(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;

  /// `subscriber` sees every later event of `topic`, synchronously in Publish.
  void Subscribe(const std::string& topic, Subscriber subscriber);
  /// Everything published on `topic`, in order.
  std::vector<ConsumedEvent> Events(const std::string& topic) const;
  /// The next `count` publishes fail: accepted, then reported undelivered and not kept.
  void FailNextDeliveries(int count);
  /// The next `count` publishes are refused outright.
  void RefuseNextPublishes(int count);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<ConsumedEvent>> topics_;
  std::map<std::string, std::vector<Subscriber>> subscribers_;
  std::vector<std::pair<DeliveryCallback, std::pair<uint64_t, absl::Status>>> reports_;
  int fail_deliveries_ = 0;
  int refuse_publishes_ = 0;
};

}  // namespace jianguan::events
