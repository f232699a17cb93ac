#include "libs/events/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/events/internal/rdkafka.h"

namespace jianguan::events {
namespace {

std::string PositionKey(std::string_view group, std::string_view topic, int32_t partition) {
  return absl::StrCat("pos/", AbslView(group), "/", AbslView(topic), "/", partition);
}

std::string HighWaterKey(std::string_view group, std::string_view topic, int32_t partition,
                         std::string_view producer) {
  return absl::StrCat("hwm/", AbslView(group), "/", AbslView(topic), "/", partition, "/",
                      AbslView(producer));
}

int64_t ReadNumber(const store::Store& store, const std::string& key) {
  auto value = store.Get(store::kConsumerFamily, key);
  int64_t number = -1;
  if (value.ok() && value->has_value() && absl::SimpleAtoi(**value, &number)) return number;
  return -1;
}

bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Hands partitions over between the members of a group (replicas of one service, or the
// consumer threads of one process), each with the positions stored beside its own state.
//
// Assigned: every partition is read from the position stored with this member's state, so
// Kafka's committed offsets never decide what is applied to it. Where the group's committed
// offset is further on (another member applied those events to its own store and published
// what followed from them), the events in between are restored: applied to this member's
// state without publishing again (EventConsumer::Stage).
// Revoked: the positions this member stored are committed to the group before the
// partitions go, so the next owner knows exactly where this member stopped; events fetched
// for them and not applied yet are dropped (the next owner reads them).
//
// Called by librdkafka from consume() and close(), that is on the consumer's own thread,
// never while a batch is being applied.
class EventConsumer::HandOver final : public RdKafka::RebalanceCb {
 public:
  HandOver(const store::Store& store, std::string group) : store_(store), group_(std::move(group)) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      Assign(*consumer, partitions);
    } else {
      Revoke(*consumer, partitions);
    }
  }

  /// Whether `partition` of `topic` is assigned to this member now.
  bool Holds(const std::string& topic, int32_t partition) const {
    return assigned_.count({topic, partition}) != 0;
  }
  /// The first offset of `partition` that is not restored (-1: none is).
  int64_t RestoreUntil(const std::string& topic, int32_t partition) const {
    auto it = restore_until_.find({topic, partition});
    return it == restore_until_.end() ? -1 : it->second;
  }
  /// Counts revocations, so the consumer loop notices one happened while it fetched.
  uint64_t revocations() const { return revocations_; }

 private:
  void Assign(RdKafka::KafkaConsumer& consumer, std::vector<RdKafka::TopicPartition*>& partitions) {
    // How far the group got on each partition: the last owner's commit.
    std::vector<RdKafka::TopicPartition*> committed;
    for (const auto* tp : partitions) {
      committed.push_back(RdKafka::TopicPartition::create(tp->topic(), tp->partition()));
    }
    const RdKafka::ErrorCode asked = consumer.committed(committed, /*timeout_ms=*/10'000);
    for (size_t i = 0; i < partitions.size(); ++i) {
      RdKafka::TopicPartition* tp = partitions[i];
      const int64_t stored = EventConsumer::StoredPosition(store_, group_, tp->topic(), tp->partition());
      const int64_t group_offset = asked == RdKafka::ERR_NO_ERROR && committed[i]->err() == RdKafka::ERR_NO_ERROR
                                       ? committed[i]->offset()
                                       : -1;
      tp->set_offset(stored >= 0 ? stored : RdKafka::Topic::OFFSET_BEGINNING);
      assigned_.insert({tp->topic(), tp->partition()});
      if (group_offset > std::max<int64_t>(stored, 0)) {
        restore_until_[{tp->topic(), tp->partition()}] = group_offset;
      } else {
        restore_until_.erase({tp->topic(), tp->partition()});
      }
      LogInfo("partition assigned", {{"group", group_},
                                     {"topic", tp->topic()},
                                     {"partition", tp->partition()},
                                     {"offset", stored},
                                     {"group_offset", group_offset},
                                     {"restore_until", RestoreUntil(tp->topic(), tp->partition())}});
    }
    if (asked != RdKafka::ERR_NO_ERROR) {
      // Without the group's offsets every event is applied as new: a member that takes over
      // from another may publish again what that one published (same record versions).
      LogWarning("the group's committed offsets could not be read; nothing is restored",
                 {{"group", group_}, {"error", RdKafka::err2str(asked)}});
    }
    RdKafka::TopicPartition::destroy(committed);
    consumer.assign(partitions);
  }

  void Revoke(RdKafka::KafkaConsumer& consumer, std::vector<RdKafka::TopicPartition*>& partitions) {
    std::vector<RdKafka::TopicPartition*> positions;
    for (const auto* tp : partitions) {
      const int64_t stored = EventConsumer::StoredPosition(store_, group_, tp->topic(), tp->partition());
      if (stored >= 0) positions.push_back(RdKafka::TopicPartition::create(tp->topic(), tp->partition(), stored));
      assigned_.erase({tp->topic(), tp->partition()});
      restore_until_.erase({tp->topic(), tp->partition()});
    }
    if (!positions.empty()) {
      if (const RdKafka::ErrorCode code = consumer.commitSync(positions); code != RdKafka::ERR_NO_ERROR) {
        // The next owner then restores less and applies the rest as new.
        LogWarning("positions not handed over to the group", {{"group", group_}, {"error", RdKafka::err2str(code)}});
      }
    }
    RdKafka::TopicPartition::destroy(positions);
    ++revocations_;
    consumer.unassign();
  }

  const store::Store& store_;
  const std::string group_;
  std::set<std::pair<std::string, int32_t>> assigned_;
  std::map<std::pair<std::string, int32_t>, int64_t> restore_until_;
  uint64_t revocations_ = 0;
};


struct EventConsumer::Impl {
  std::unique_ptr<HandOver> rebalance;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  // Wakes the lag thread when the consumer stops.
  std::mutex lag_mu;
  std::condition_variable lag_wake;
};

EventConsumer::EventConsumer(store::Store& store, ConsumerOptions options, ApplyFunction apply)
    : store_(store), options_(std::move(options)), apply_(std::move(apply)) {}

EventConsumer::~EventConsumer() { Stop(); }

int64_t EventConsumer::StoredPosition(const store::Store& store, std::string_view group,
                                      std::string_view topic, int32_t partition) {
  return ReadNumber(store, PositionKey(group, topic, partition));
}

absl::Status EventConsumer::ForgetPositions(store::Store& store, std::string_view group) {
  store::UnitOfWork work;
  for (const std::string& prefix : {absl::StrCat("pos/", AbslView(group), "/"),
                                   absl::StrCat("hwm/", AbslView(group), "/")}) {
    RETURN_IF_ERROR(store.ForEach(store::kConsumerFamily, prefix,
                                  [&](std::string_view key, std::string_view) {
                                    work.Delete(std::string(store::kConsumerFamily),
                                                std::string(key));
                                    return true;
                                  }));
  }
  if (work.empty()) return absl::OkStatus();
  return store.Commit(work);
}

absl::Status EventConsumer::Start() {
  if (options_.brokers.empty()) return absl::InvalidArgumentError("kafka brokers are empty");
  if (options_.group.empty()) return absl::InvalidArgumentError("consumer group is empty");
  if (options_.topics.empty()) return absl::InvalidArgumentError("no topics to consume");
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.group},
      {"client.id", options_.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      // New topics matching a pattern are noticed within this time.
      {"topic.metadata.refresh.interval.ms", "10000"},
      {"enable.partition.eof", "false"},
      // A member that died (kill -9, a lost pod) holds its partitions until the broker
      // misses its heartbeats this long; Kafka's default of 45 s stalled a restarted
      // service's group for as long (the closed-loop fault test showed it). Heartbeats come
      // from librdkafka's own thread, so a long batch does not count against this (that is
      // max.poll.interval.ms); but on a loaded two-core machine 10 s once passed without the
      // coordinator's answer and cost a needless rebalance, hence 20 s.
      {"session.timeout.ms", "20000"},
      {"heartbeat.interval.ms", "3000"},
      // After a broker restart the client reconnects with a backoff that grows to this;
      // librdkafka's default of 10 s left a consumer idle that long after the broker was
      // back (its lag, then taken from the watermarks of its last fetch, read 0 meanwhile
      // and fooled the closed-loop fault test's quiet check; UpdateLag asks the broker
      // now). 1 s is the Java client's.
      {"reconnect.backoff.max.ms", "1000"},
  };
  for (const auto& [name, value] : options_.properties) properties[name] = value;

  impl_ = std::make_unique<Impl>();
  impl_->rebalance = std::make_unique<HandOver>(store_, options_.group);
  ASSIGN_OR_RETURN(auto conf, internal::MakeConf(properties));
  std::string error;
  if (conf->set("rebalance_cb", impl_->rebalance.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka rebalance callback: ", error));
  }
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl_->consumer) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", error));
  if (RdKafka::ErrorCode code = impl_->consumer->subscribe(options_.topics);
      code != RdKafka::ERR_NO_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat("subscribe: ", RdKafka::err2str(code)));
  }
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  lag_thread_ = std::thread([this] { WatchLag(); });
  return absl::OkStatus();
}

void EventConsumer::Stop() {
  if (impl_) {
    // Under the lag thread's lock, so that it cannot miss the wake-up.
    std::lock_guard lock(impl_->lag_mu);
    stopping_ = true;
    impl_->lag_wake.notify_all();
  }
  stopping_ = true;
  if (lag_thread_.joinable()) lag_thread_.join();
  if (thread_.joinable()) thread_.join();
  if (impl_ && impl_->consumer) {
    impl_->consumer->close();
    impl_->consumer.reset();
  }
}

void EventConsumer::UpdateLag() {
  std::vector<RdKafka::TopicPartition*> assigned;
  if (impl_->consumer->assignment(assigned) != RdKafka::ERR_NO_ERROR || assigned.empty()) {
    // Starting or in a rebalance: no figure, rather than a 0 that reads as "caught up".
    RdKafka::TopicPartition::destroy(assigned);
    counters_.lag.store(-1, std::memory_order_relaxed);
    return;
  }
  // The ends of the partitions are asked of the broker each time, in one ListOffsets request
  // per leader ("latest" is the timestamp -1). The client's cached watermarks would do only
  // while fetches keep coming back: a consumer reconnecting after a broker restart, or with
  // a fetch the broker holds open, read them as caught up while events waited, and
  // operations approve a plan on "lag 0" (docs/operations.md). The request shares the
  // connection with the fetches, so it waits behind a fetch the broker holds (up to
  // fetch.wait.max.ms, 500 ms by default).
  std::vector<int64_t> lows(assigned.size(), 0);
  std::vector<RdKafka::TopicPartition*> starts;  // asked of the broker, for starts_of[k]
  std::vector<size_t> starts_of;
  for (size_t i = 0; i < assigned.size(); ++i) {
    RdKafka::TopicPartition* tp = assigned[i];
    tp->set_offset(RdKafka::Topic::OFFSET_END);
    int64_t high = 0;
    // The start of a log only moves forward, so a cached one that is old counts a few
    // events retention removed as lag, never hides lag; a partition not fetched from yet
    // has none, and its start is asked too.
    if (impl_->consumer->get_watermark_offsets(tp->topic(), tp->partition(), &lows[i], &high) !=
            RdKafka::ERR_NO_ERROR ||
        lows[i] < 0) {
      starts.push_back(RdKafka::TopicPartition::create(tp->topic(), tp->partition(),
                                                       RdKafka::Topic::OFFSET_BEGINNING));
      starts_of.push_back(i);
    }
  }
  constexpr int kTimeoutMs = 2000;
  bool known = impl_->consumer->offsetsForTimes(assigned, kTimeoutMs) == RdKafka::ERR_NO_ERROR &&
               (starts.empty() ||
                impl_->consumer->offsetsForTimes(starts, kTimeoutMs) == RdKafka::ERR_NO_ERROR);
  for (size_t k = 0; k < starts.size(); ++k) {
    known = known && starts[k]->err() == RdKafka::ERR_NO_ERROR && starts[k]->offset() >= 0;
    lows[starts_of[k]] = starts[k]->offset();
  }
  int64_t lag = 0;
  for (size_t i = 0; known && i < assigned.size(); ++i) {
    const RdKafka::TopicPartition* tp = assigned[i];
    if (tp->err() != RdKafka::ERR_NO_ERROR || tp->offset() < 0) {
      known = false;
      break;
    }
    const int64_t position =
        std::max(lows[i], StoredPosition(store_, options_.group, tp->topic(), tp->partition()));
    lag += std::max<int64_t>(0, tp->offset() - position);
  }
  RdKafka::TopicPartition::destroy(assigned);
  RdKafka::TopicPartition::destroy(starts);
  // Unanswered (the broker is away, or holds a long fetch): no figure either. The last one
  // could be a 0 that events published meanwhile have made untrue.
  counters_.lag.store(known ? lag : -1, std::memory_order_relaxed);
}

void EventConsumer::WatchLag() {
  std::unique_lock lock(impl_->lag_mu);
  while (!stopping_) {
    lock.unlock();
    UpdateLag();
    lock.lock();
    impl_->lag_wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
  }
}

// One commit's worth of events: their writes, and where each partition and each producer's
// mark stand after them.
struct EventConsumer::Batch {
  struct Cursor {
    std::optional<std::string> stored;  // the position in the store before this batch
    int64_t next = -1;                  // the position after the events staged so far
  };
  store::UnitOfWork work;
  std::map<std::string, Cursor> positions;      // by position key
  std::map<std::string, uint64_t> marks;        // by high-water key: highest sequence staged
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;  // Kafka's mirror
  size_t staged = 0, applied = 0, restored = 0, duplicates = 0, dead_lettered = 0;
};

void EventConsumer::Run() {
  std::vector<ConsumedEvent> events;
  while (!stopping_) {
    events.clear();
    const uint64_t revocations = impl_->rebalance->revocations();
    // Block briefly for the first event, then take what is already waiting.
    for (int wait_ms = 100; events.size() < std::max<size_t>(1, options_.max_batch); wait_ms = 0) {
      std::unique_ptr<RdKafka::Message> message(impl_->consumer->consume(wait_ms));
      if (message->err() == RdKafka::ERR_NO_ERROR) {
        events.push_back(internal::ToConsumedEvent(*message));
        continue;
      }
      if (message->err() != RdKafka::ERR__TIMED_OUT &&
          message->err() != RdKafka::ERR__PARTITION_EOF) {
        // Unknown topics of a pattern subscription and broker hiccups: librdkafka recovers.
        LogDebug("kafka consumer notice", {{"group", options_.group}, {"error", message->errstr()}});
      }
      break;
    }
    if (impl_->rebalance->revocations() != revocations) {
      // Partitions went to another member while these were fetched: their events are its.
      std::erase_if(events, [&](const ConsumedEvent& event) {
        return !impl_->rebalance->Holds(event.topic, event.partition);
      });
    }
    if (!events.empty()) Process(events);
  }
}

void EventConsumer::Process(const std::vector<ConsumedEvent>& events) {
  size_t next = 0;  // the first event not committed yet
  absl::Duration backoff = absl::Milliseconds(50);
  while (next < events.size() && !stopping_) {
    Batch batch;
    size_t end = next;
    absl::Status failure = absl::OkStatus();
    for (; end < events.size(); ++end) {
      failure = Stage(batch, events[end]);
      if (!failure.ok()) break;
    }
    // What was staged before a failure is committed, so the retry starts at the failure.
    if (absl::Status committed = CommitBatch(batch); committed.ok()) {
      next = end;
    } else {
      failure = committed;
    }
    if (failure.ok()) {
      backoff = absl::Milliseconds(50);
      continue;
    }
    // A transient failure of the handler or of the store: retry while the partition waits,
    // which keeps per-subject order.
    counters_.retries.fetch_add(1, std::memory_order_relaxed);
    const ConsumedEvent& stuck = events[std::min(next, events.size() - 1)];
    LogWarning("event not applied yet, retrying",
               {{"group", options_.group}, {"topic", stuck.topic}, {"partition", stuck.partition},
                {"offset", stuck.offset}, {"reason", failure.message()}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

absl::Status EventConsumer::Stage(Batch& batch, const ConsumedEvent& event) {
  const std::string position_key = PositionKey(options_.group, event.topic, event.partition);
  auto [cursor_it, fresh] = batch.positions.try_emplace(position_key);
  Batch::Cursor& cursor = cursor_it->second;
  if (fresh) {
    const int64_t stored = ReadNumber(store_, position_key);
    cursor.stored = stored >= 0 ? std::optional<std::string>(absl::StrCat(stored)) : std::nullopt;
    cursor.next = stored;
  }
  const auto advance = [&] {
    cursor.next = event.offset + 1;
    batch.next_offsets[{event.topic, event.partition}] = event.offset + 1;
    ++batch.staged;
  };
  // A position past this offset: applied already (read again before a seek took effect).
  if (cursor.next > event.offset) {
    ++batch.duplicates;
    return absl::OkStatus();
  }

  // Copies republished by a producer after its crash.
  std::optional<std::string> mark_key;
  uint64_t sequence = 0;
  const auto producer = event.Header(header::kProducer);
  const auto sequence_text = event.Header(header::kSequence);
  if (producer && sequence_text && absl::SimpleAtoi(AbslView(*sequence_text), &sequence)) {
    mark_key = HighWaterKey(options_.group, event.topic, event.partition, *producer);
    auto [mark_it, new_mark] = batch.marks.try_emplace(*mark_key, 0);
    int64_t mark = new_mark ? ReadNumber(store_, *mark_key) : static_cast<int64_t>(mark_it->second);
    if (new_mark) mark_it->second = mark >= 0 ? static_cast<uint64_t>(mark) : 0;
    if (mark >= 0 && sequence <= static_cast<uint64_t>(mark)) {
      if (new_mark) batch.marks.erase(mark_it);  // nothing to write for it
      advance();
      ++batch.duplicates;
      return absl::OkStatus();
    }
  }

  // The handler adds to the batch itself, so that it sees (UnitOfWork::Pending) what the
  // events before it in this batch wrote; what a refused event added is taken back.
  const store::UnitOfWork::Mark before = batch.work.mark();
  absl::Status applied = apply_(event, batch.work);
  if (!applied.ok()) batch.work.RollbackTo(before);
  if (!applied.ok() && IsTransient(applied)) return applied;
  if (mark_key) batch.marks[*mark_key] = sequence;
  advance();
  if (event.offset < impl_->rebalance->RestoreUntil(event.topic, event.partition)) {
    // Restored: the member that applied it before published what followed from it (or
    // dead-lettered it), so only the state is kept.
    batch.work.events().resize(before.events);
    ++batch.restored;
    return absl::OkStatus();
  }
  if (applied.ok()) {
    ++batch.applied;
    return absl::OkStatus();
  }

  // Refused for good: record it on the dead-letter topic, in the same batch as the position.
  common::v1::DeadLetter letter;
  letter.set_consumer_group(options_.group);
  letter.set_topic(event.topic);
  letter.set_partition(event.partition);
  letter.set_offset(event.offset);
  letter.set_reason(std::string(applied.message()));
  letter.set_key(event.key);
  letter.set_value(event.value);
  for (const auto& [name, value] : event.headers) (*letter.mutable_headers())[name] = value;
  const absl::Time now = absl::Now();
  *letter.mutable_time() = ToTimestamp(now);
  batch.work.AddEvent(MakeEvent({.topic = std::string(kDeadLetterTopic),
                                 .key = event.key,
                                 .source = options_.source.empty() ? options_.group : options_.source,
                                 .subject = std::string(event.subject()),
                                 .time = now},
                                letter));
  ++batch.dead_lettered;
  LogWarning("event dead-lettered", {{"group", options_.group},
                                     {"topic", event.topic},
                                     {"partition", event.partition},
                                     {"offset", event.offset},
                                     {"reason", applied.message()}});
  return absl::OkStatus();
}

absl::Status EventConsumer::CommitBatch(Batch& batch) {
  if (batch.staged == 0) {
    counters_.duplicates.fetch_add(batch.duplicates, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  for (const auto& [key, cursor] : batch.positions) {
    if (cursor.next < 0 || (cursor.stored && *cursor.stored == absl::StrCat(cursor.next))) continue;
    batch.work.Require(std::string(store::kConsumerFamily), key, cursor.stored);
    batch.work.Put(std::string(store::kConsumerFamily), key, absl::StrCat(cursor.next));
  }
  for (const auto& [key, sequence] : batch.marks) {
    batch.work.Put(std::string(store::kConsumerFamily), key, absl::StrCat(sequence));
  }
  batch.work.set_sync(false);
  RETURN_IF_ERROR(store_.Commit(batch.work));
  counters_.applied.fetch_add(batch.applied, std::memory_order_relaxed);
  counters_.restored.fetch_add(batch.restored, std::memory_order_relaxed);
  counters_.duplicates.fetch_add(batch.duplicates, std::memory_order_relaxed);
  counters_.dead_lettered.fetch_add(batch.dead_lettered, std::memory_order_relaxed);

  // Kafka's group offsets only mirror ours, for lag in Kafka's tools.
  std::vector<RdKafka::TopicPartition*> committed;
  for (const auto& [place, next] : batch.next_offsets) {
    committed.push_back(RdKafka::TopicPartition::create(place.first, place.second, next));
  }
  if (!committed.empty()) impl_->consumer->commitAsync(committed);
  RdKafka::TopicPartition::destroy(committed);
  return absl::OkStatus();
}

}  // namespace jianguan::events
