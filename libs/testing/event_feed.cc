#include "libs/testing/event_feed.h"

#include <catch2/catch.hpp>

#include "libs/events/event.h"
#include "libs/testing/kafka.h"

namespace jianguan::testing {

EventFeed::EventFeed(std::string producer) : producer_(std::move(producer)) {
  auto publisher =
      events::KafkaPublisher::Create({.brokers = KafkaBrokers(), .client_id = producer_});
  REQUIRE(publisher.ok());
  publisher_ = *std::move(publisher);
}

std::string EventFeed::Send(const std::string& topic, const std::string& key,
                            const google::protobuf::Message& message, absl::Time time) {
  last_ = events::MakeEvent(
      {.topic = topic, .key = key, .source = producer_, .subject = key, .time = time}, message);
  last_.set_sequence(++sequence_);
  Publish(last_);
  return last_.id();
}

void EventFeed::Resend() { Publish(last_); }

void EventFeed::Publish(const common::v1::OutboxEvent& event) {
  REQUIRE(publisher_
              ->Publish(event, producer_,
                        [this](uint64_t, absl::Status status) {
                          if (!status.ok()) failed_.fetch_add(1);
                        })
              .ok());
  if (sequence_ % 10000 == 0) publisher_->Poll(absl::ZeroDuration());
}

void EventFeed::Flush() {
  REQUIRE(publisher_->Flush(absl::Seconds(300)).ok());
  REQUIRE(failed_.load() == 0);
}

}  // namespace jianguan::testing
