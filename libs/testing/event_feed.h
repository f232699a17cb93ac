// Events published straight to the test broker as one producing service would (CloudEvents
// headers, jg_producer and a rising jg_seq), for integration tests and benches of a consumer
// whose producer is not running, or not built yet.
//
//   testing::EventFeed feed("credit-test-" + run);
//   feed.Send(topics::kCases, uscc, penalty_decided);
//   feed.Resend();            // the last event again, as a relay republishes after a crash
//   feed.Flush();
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "jianguan/common/v1/records.pb.h"
#include "libs/events/kafka_publisher.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::testing {

class EventFeed {
 public:
  /// `producer` is the jg_producer of every event (unique per run, so that consumers' copy
  /// check sees a new producer).
  explicit EventFeed(std::string producer);

  /// Publishes `message` keyed `key` on `topic`, ce_time `time` (default now); returns its
  /// ce_id.
  std::string Send(const std::string& topic, const std::string& key,
                   const google::protobuf::Message& message, absl::Time time = absl::Now());
  /// Publishes the last event again with the same ce_id and jg_seq.
  void Resend();
  /// Waits until every event is acknowledged; REQUIRE-fails on a failed delivery.
  void Flush();

  uint64_t sent() const { return sequence_; }

 private:
  void Publish(const common::v1::OutboxEvent& event);

  std::string producer_;
  std::unique_ptr<events::KafkaPublisher> publisher_;
  common::v1::OutboxEvent last_;
  uint64_t sequence_ = 0;
  std::atomic<int> failed_{0};
};

}  // namespace jianguan::testing
