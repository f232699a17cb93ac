// The consume path (DESIGN.md §4): a Kafka consumer group member that applies each event
// to the service's own state in one WriteBatch together with its position, so a restart
// neither applies an event twice nor skips one.
//
//   EventConsumer consumer(store, {.brokers = flags.brokers, .group = "credit",
//                                  .topics = {"jianguan.inspection.v1"}, .source = "credit"},
//                          [&](const ConsumedEvent& event, store::UnitOfWork& work) {
//                            return ledger.Apply(event, work);   // adds its writes to work
//                          });
//   RETURN_IF_ERROR(consumer.Start());
//
// Positions live in the store's "consumer" family, never in Kafka's group offsets (those
// are committed too, but only so lag shows in Kafka's tools). Copies of an event that its
// producer republished after a crash carry a jg_seq no higher than one already applied
// from that producer on that partition and are skipped. An event the handler refuses
// (any error but UNAVAILABLE/ABORTED/RESOURCE_EXHAUSTED/DEADLINE_EXCEEDED) goes to
// jianguan.dlq.v1 through the store's outbox, in the same batch as the position, and the
// partition moves on; transient errors are retried.
//
// Several members of one group (replicas of a service, each with its own store, or threads
// of one process) split the partitions. A member that loses a partition commits the
// position it stored to the group's offsets; one that gains a partition reads it from its
// own stored position (the beginning if it never held it) and restores the events up to
// the group's offset: applied to its state, with the events they would publish dropped,
// since the member before it published them. So a partition's events reach each store
// once, and what follows from them is published once, across hand-overs (docs/operations.md,
// "Scaling out").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "libs/events/event.h"
#include "libs/store/store.h"

namespace jianguan::events {

struct ConsumerOptions {
  /// Bootstrap brokers, e.g. "127.0.0.1:9092".
  std::string brokers;
  /// The consumer group: the service's name, shared by its replicas.
  std::string group;
  /// Topic names, or librdkafka regular expressions starting with '^' (topics created
  /// later are picked up, e.g. "^jianguan\\..*\\.v1$").
  std::vector<std::string> topics;
  /// ce_source of dead-letter events: the consuming service.
  std::string source;
  /// Extra librdkafka properties.
  std::map<std::string, std::string> properties;
  /// Events applied per commit, at most. With more than 1, the events already waiting are
  /// applied together in one WriteBatch, and the store does not show a handler what earlier
  /// events of the same batch wrote: a handler that reads state it also writes either reads
  /// the key through `work.Pending(family, key)` first (the batch so far), or keeps 1.
  size_t max_batch = 1;
};

/// Applies one event by adding writes to `work`: the batch being built, holding what the
/// events before this one in the batch wrote (see max_batch). Must not commit on its own,
/// nor set an audit or idempotency record. When it returns an error, what it added is taken
/// back.
using ApplyFunction = std::function<absl::Status(const ConsumedEvent&, store::UnitOfWork&)>;

struct ConsumerCounters {
  std::atomic<uint64_t> applied{0};
  /// Events applied to the state without publishing what followed from them: events
  /// another member of the group had applied and published before this one took the
  /// partition over (its committed offset), or before this member's store was rebuilt.
  std::atomic<uint64_t> restored{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> retries{0};
  /// Events on the assigned partitions not applied yet: the partitions' ends as the broker
  /// gives them, less the stored positions, refreshed about once a second by a thread of
  /// its own (the event thread never waits for it). -1 when there is no figure: no
  /// partition is assigned (starting, or in a rebalance), or the broker did not answer
  /// within 2 s. So 0 always means caught up.
  std::atomic<int64_t> lag{-1};
};

/// One consumer thread. `store` must outlive it and be opened by this process.
class EventConsumer {
 public:
  EventConsumer(store::Store& store, ConsumerOptions options, ApplyFunction apply);
  ~EventConsumer();

  /// Creates the Kafka consumer, subscribes and starts the thread. INVALID_ARGUMENT for
  /// bad options.
  absl::Status Start();
  /// Stops after the event in hand; what was not applied is read again next time.
  void Stop();

  const ConsumerCounters& counters() const { return counters_; }
  const std::string& group() const { return options_.group; }

  /// The stored next offset of a partition, for tests and lag metrics (-1 when none).
  static int64_t StoredPosition(const store::Store& store, std::string_view group,
                                std::string_view topic, int32_t partition);

  /// Forgets every position and duplicate mark of `group`, so that it reads its topics again
  /// from the beginning: for a projection that gains a new kind of record and must see old
  /// events again. Only before the group's consumer starts; its apply must be idempotent.
  static absl::Status ForgetPositions(store::Store& store, std::string_view group);

 private:
  struct Impl;
  void Run();
  struct Batch;
  /// Applies `events` in batches of at most max_batch; returns when all are committed or
  /// the consumer stops.
  void Process(const std::vector<ConsumedEvent>& events);
  /// Adds one event to `batch`: a copy is skipped, an applied one taken in, a refused one
  /// dead-lettered. A transient handler error is returned and leaves `batch` unchanged.
  absl::Status Stage(Batch& batch, const ConsumedEvent& event);
  /// Commits `batch` with the positions and marks it moved; counts its outcomes.
  absl::Status CommitBatch(Batch& batch);
  void UpdateLag();
  /// The lag thread: UpdateLag about once a second until Stop.
  void WatchLag();
  class HandOver;

  store::Store& store_;
  const ConsumerOptions options_;
  const ApplyFunction apply_;
  ConsumerCounters counters_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::thread lag_thread_;
};

}  // namespace jianguan::events
