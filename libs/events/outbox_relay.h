// The outbox relay: a background thread that publishes the store's outbox in sequence order
// and removes each entry once the broker has acknowledged it (DESIGN.md §4).
//
// A crash between commit and publish only delays an event: the next relay publishes it.
// A crash between publish and removal republishes it with the same jg_producer/jg_seq, and
// consumers drop the copy (libs/events/consumer.h), so every event takes effect once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/events/publisher.h"
#include "libs/store/store.h"

namespace jianguan::events {

struct OutboxRelayOptions {
  /// Entries read from the store per round.
  size_t batch_size = 1000;
  /// How long the thread sleeps when the outbox is empty (a commit wakes it sooner).
  absl::Duration idle_wait = absl::Milliseconds(200);
  /// Pause after a failed publish before starting again from the oldest entry.
  absl::Duration retry_backoff = absl::Seconds(1);
};

/// Counters for metrics; read from any thread.
struct OutboxRelayCounters {
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> failed{0};
};

/// Owns one thread. `store` and `publisher` must outlive the relay; nothing else may drive
/// `publisher`. Start/Stop are not thread-safe with each other.
class OutboxRelay {
 public:
  OutboxRelay(store::Store& store, EventPublisher& publisher, OutboxRelayOptions options = {});
  ~OutboxRelay();

  void Start();
  /// Stops reading new entries, waits up to `flush_timeout` for outstanding deliveries and
  /// removes what was delivered. What remains is published by the next relay.
  void Stop(absl::Duration flush_timeout = absl::Seconds(10));

  /// Blocks until the outbox is empty or `timeout` passes; true when empty.
  bool AwaitDrained(absl::Duration timeout) const;

  const OutboxRelayCounters& counters() const { return counters_; }

 private:
  void Run();
  void OnDelivery(uint64_t sequence, absl::Status status);
  void RemoveDelivered();

  store::Store& store_;
  EventPublisher& publisher_;
  const OutboxRelayOptions options_;
  OutboxRelayCounters counters_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool signalled_ = false;
  std::vector<uint64_t> delivered_;  // guarded by mu_
  bool delivery_failed_ = false;     // guarded by mu_
  size_t in_flight_ = 0;             // guarded by mu_

  std::thread thread_;
};

}  // namespace jianguan::events
