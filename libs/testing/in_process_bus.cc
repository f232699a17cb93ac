#include "libs/testing/in_process_bus.h"

namespace jianguan::events {

absl::Status InProcessBus::Publish(const common::v1::OutboxEvent& event,
                                   std::string_view producer_id, DeliveryCallback on_delivery) {
  std::vector<Subscriber> subscribers;
  ConsumedEvent consumed;
  {
    std::lock_guard lock(mu_);
    if (refuse_publishes_ > 0) {
      --refuse_publishes_;
      return absl::InvalidArgumentError("refused by the in-process bus");
    }
    if (fail_deliveries_ > 0) {
      --fail_deliveries_;
      reports_.push_back({std::move(on_delivery),
                          {event.sequence(), absl::UnavailableError("delivery failed (injected)")}});
      return absl::OkStatus();
    }
    auto& log = topics_[event.topic()];
    consumed.topic = event.topic();
    consumed.partition = 0;
    consumed.offset = static_cast<int64_t>(log.size());
    consumed.key = event.key();
    consumed.value = event.payload();
    consumed.headers = CloudEventHeaders(event, producer_id);
    log.push_back(consumed);
    reports_.push_back({std::move(on_delivery), {event.sequence(), absl::OkStatus()}});
    subscribers = subscribers_[event.topic()];
  }
  for (const auto& subscriber : subscribers) subscriber(consumed);
  return absl::OkStatus();
}

void InProcessBus::Poll(absl::Duration) {
  decltype(reports_) reports;
  {
    std::lock_guard lock(mu_);
    reports.swap(reports_);
  }
  for (auto& [callback, outcome] : reports) callback(outcome.first, outcome.second);
}

absl::Status InProcessBus::Flush(absl::Duration timeout) {
  Poll(timeout);
  return absl::OkStatus();
}

void InProcessBus::Subscribe(const std::string& topic, Subscriber subscriber) {
  std::lock_guard lock(mu_);
  subscribers_[topic].push_back(std::move(subscriber));
}

std::vector<ConsumedEvent> InProcessBus::Events(const std::string& topic) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  return it == topics_.end() ? std::vector<ConsumedEvent>() : it->second;
}

void InProcessBus::FailNextDeliveries(int count) {
  std::lock_guard lock(mu_);
  fail_deliveries_ = count;
}

void InProcessBus::RefuseNextPublishes(int count) {
  std::lock_guard lock(mu_);
  refuse_publishes_ = count;
}

}  // namespace jianguan::events
