#include "libs/events/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
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

// Seeks every assigned partition to the position stored with the state, so Kafka's own
// committed offsets never decide what is applied.
class SeekToStoredPositions final : public RdKafka::RebalanceCb {
 public:
  SeekToStoredPositions(const store::Store& store, std::string group)
      : store_(store), group_(std::move(group)) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      for (auto* tp : partitions) {
        const int64_t stored = EventConsumer::StoredPosition(store_, group_, tp->topic(), tp->partition());
        tp->set_offset(stored >= 0 ? stored : RdKafka::Topic::OFFSET_BEGINNING);
        LogInfo("partition assigned", {{"group", group_},
                                       {"topic", tp->topic()},
                                       {"partition", tp->partition()},
                                       {"offset", stored}});
      }
      consumer->assign(partitions);
    } else {
      consumer->unassign();
    }
  }

 private:
  const store::Store& store_;
  const std::string group_;
};

}  // namespace

struct EventConsumer::Impl {
  std::unique_ptr<SeekToStoredPositions> rebalance;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

EventConsumer::EventConsumer(store::Store& store, ConsumerOptions options, ApplyFunction apply)
    : store_(store), options_(std::move(options)), apply_(std::move(apply)) {}

EventConsumer::~EventConsumer() { Stop(); }

int64_t EventConsumer::StoredPosition(const store::Store& store, std::string_view group,
                                      std::string_view topic, int32_t partition) {
  return ReadNumber(store, PositionKey(group, topic, partition));
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
  };
  for (const auto& [name, value] : options_.properties) properties[name] = value;

  impl_ = std::make_unique<Impl>();
  impl_->rebalance = std::make_unique<SeekToStoredPositions>(store_, options_.group);
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
  return absl::OkStatus();
}

void EventConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (impl_ && impl_->consumer) {
    impl_->consumer->close();
    impl_->consumer.reset();
  }
}

void EventConsumer::UpdateLag() {
  std::vector<RdKafka::TopicPartition*> assigned;
  if (impl_->consumer->assignment(assigned) != RdKafka::ERR_NO_ERROR) return;
  int64_t lag = 0;
  for (const auto* tp : assigned) {
    int64_t low = 0, high = 0;
    if (impl_->consumer->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) !=
            RdKafka::ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const int64_t position = std::max(low, StoredPosition(store_, options_.group, tp->topic(),
                                                          tp->partition()));
    lag += std::max<int64_t>(0, high - position);
  }
  RdKafka::TopicPartition::destroy(assigned);
  counters_.lag.store(lag, std::memory_order_relaxed);
}

void EventConsumer::Run() {
  absl::Time next_lag_update = absl::InfinitePast();
  while (!stopping_) {
    if (absl::Now() >= next_lag_update) {
      UpdateLag();
      next_lag_update = absl::Now() + absl::Seconds(1);
    }
    std::unique_ptr<RdKafka::Message> message(impl_->consumer->consume(100));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        continue;
      default:
        // Unknown topics of a pattern subscription and broker hiccups: librdkafka recovers.
        LogDebug("kafka consumer notice", {{"group", options_.group}, {"error", message->errstr()}});
        continue;
    }

    const ConsumedEvent event = internal::ToConsumedEvent(*message);

    // Retry transient failures of this event until they pass or the consumer stops; the
    // partition waits, which keeps per-subject order.
    absl::Duration backoff = absl::Milliseconds(50);
    for (;;) {
      absl::Status status = Handle(event);
      if (status.ok()) break;
      counters_.retries.fetch_add(1, std::memory_order_relaxed);
      LogWarning("event not applied yet, retrying",
                 {{"group", options_.group}, {"topic", event.topic}, {"partition", event.partition},
                  {"offset", event.offset}, {"reason", status.message()}});
      if (stopping_) return;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }

    // Kafka's group offsets only mirror ours, for lag in Kafka's tools.
    std::vector<RdKafka::TopicPartition*> committed = {
        RdKafka::TopicPartition::create(event.topic, event.partition, event.offset + 1)};
    impl_->consumer->commitAsync(committed);
    RdKafka::TopicPartition::destroy(committed);
  }
}

absl::Status EventConsumer::Handle(const ConsumedEvent& event) {
  const std::string position_key = PositionKey(options_.group, event.topic, event.partition);
  store::UnitOfWork work;
  // A position that moved past this offset means the event was applied already (e.g. it
  // was read again after a rebalance before the seek took effect).
  const int64_t stored = ReadNumber(store_, position_key);
  if (stored > event.offset) {
    counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  const auto stored_text = stored >= 0 ? std::optional<std::string>(absl::StrCat(stored)) : std::nullopt;
  work.Require(std::string(store::kConsumerFamily), position_key, stored_text);
  work.Put(std::string(store::kConsumerFamily), position_key, absl::StrCat(event.offset + 1));

  // Copies republished by a producer after its crash.
  std::optional<std::string> high_water_key;
  uint64_t sequence = 0;
  const auto producer = event.Header(header::kProducer);
  const auto sequence_text = event.Header(header::kSequence);
  if (producer && sequence_text && absl::SimpleAtoi(AbslView(*sequence_text), &sequence)) {
    high_water_key = HighWaterKey(options_.group, event.topic, event.partition, *producer);
    const int64_t high_water = ReadNumber(store_, *high_water_key);
    if (high_water >= 0 && sequence <= static_cast<uint64_t>(high_water)) {
      RETURN_IF_ERROR(store_.Commit(work));
      counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
      return absl::OkStatus();
    }
    work.Put(std::string(store::kConsumerFamily), *high_water_key, absl::StrCat(sequence));
  }

  absl::Status applied = apply_(event, work);
  if (applied.ok()) {
    RETURN_IF_ERROR(store_.Commit(work));
    counters_.applied.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  if (IsTransient(applied)) return applied;

  // Refused for good: record it on the dead-letter topic and move on, in one batch.
  store::UnitOfWork dead;
  dead.Require(std::string(store::kConsumerFamily), position_key, stored_text);
  dead.Put(std::string(store::kConsumerFamily), position_key, absl::StrCat(event.offset + 1));
  if (high_water_key) {
    dead.Put(std::string(store::kConsumerFamily), *high_water_key, absl::StrCat(sequence));
  }
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
  *letter.mutable_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
  dead.AddEvent(MakeEvent({.topic = std::string(kDeadLetterTopic),
                           .key = event.key,
                           .source = options_.source.empty() ? options_.group : options_.source,
                           .subject = std::string(event.subject()),
                           .time = now},
                          letter));
  RETURN_IF_ERROR(store_.Commit(dead));
  counters_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
  LogWarning("event dead-lettered", {{"group", options_.group},
                                     {"topic", event.topic},
                                     {"partition", event.partition},
                                     {"offset", event.offset},
                                     {"reason", applied.message()}});
  return absl::OkStatus();
}

}  // namespace jianguan::events
