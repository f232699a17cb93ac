// Outbox → real Kafka → consumer, in one process: CloudEvents headers as DESIGN.md §4 says,
// the idempotent producer really on, every event applied once, and an event that cannot be
// decoded dead-lettered while the partition goes on; a consumer's lag as the broker sees it.
#include <catch2/catch.hpp>

#include <atomic>
#include <iostream>
#include <random>
#include <set>

#include "jianguan/common/v1/records.pb.h"
#include "jianguan/ops/v1/probe.pb.h"
#include "libs/core/string_view_compat.h"
#include "libs/events/consumer.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/testing/kafka.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::events {
namespace {

using ops::v1::ProbeEmitted;

std::unique_ptr<store::Store> OpenStore(const std::string& path) {
  auto store = store::Store::Open({.path = path, .families = {"applied"}});
  REQUIRE(store.ok());
  return std::move(*store);
}

OutboxRelayOptions FastRelay() { return {.idle_wait = absl::Milliseconds(20)}; }

void CommitProbes(store::Store& store, const std::string& topic, const std::string& run, int count) {
  for (int i = 1; i <= count; ++i) {
    ProbeEmitted probe;
    probe.set_run_id(run);
    probe.set_sequence(i);
    store::UnitOfWork work;
    const std::string key = "probe/" + std::to_string(i % 7);
    work.AddEvent(MakeEvent(
        {.topic = topic, .key = key, .source = "it-producer", .subject = key, .time = absl::Now()},
        probe));
    REQUIRE(store.Commit(work).ok());
  }
}

// Applies probes by recording their sequence numbers; refuses what does not decode.
ApplyFunction RecordProbes(store::Store& store) {
  return [&store](const ConsumedEvent& event, store::UnitOfWork& work) -> absl::Status {
    auto probe = Decode<ProbeEmitted>(event);
    if (!probe.ok()) return probe.status();
    const std::string key = std::to_string(probe->sequence());
    auto seen = store.Get("applied", key);
    if (!seen.ok()) return seen.status();
    work.Put("applied", key, seen->has_value() ? **seen + "+" : "1");
    return absl::OkStatus();
  };
}

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

TEST_CASE("the idempotent producer is enabled against this broker") {
  auto publisher = KafkaPublisher::Create({.brokers = testing::KafkaBrokers()});
  REQUIRE(publisher.ok());
  auto state = (*publisher)->AwaitIdempotence(absl::Seconds(30));
  REQUIRE(state.ok());
  CHECK(state->state == "Assigned");
  CHECK(state->producer_id >= 0);
  std::cout << "idempotent producer: librdkafka " << KafkaPublisher::ClientVersion()
            << ", broker " << testing::KafkaBrokers() << ", producer_id " << state->producer_id
            << ", epoch " << state->epoch << std::endl;
}

SCENARIO("events go from the outbox through Kafka to a consumer, once each, with their headers") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.pipeline");
  const std::string group = testing::UniqueName("it-pipeline");
  REQUIRE(CreateTopics(brokers, {topic}, 3).ok());
  testing::TempDir dir;

  auto producer_store = OpenStore(dir.Sub("producer"));
  constexpr int kCount = 300;
  CommitProbes(*producer_store, topic, "pipeline", kCount);
  auto publisher = KafkaPublisher::Create({.brokers = brokers, .client_id = "it-producer"});
  REQUIRE(publisher.ok());
  OutboxRelay relay(*producer_store, **publisher, FastRelay());
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(60)));

  THEN("the messages on the topic carry the CloudEvents binary-mode headers") {
    auto reader = TopicReader::Open(brokers, topic, TopicReader::From::kBeginning);
    REQUIRE(reader.ok());
    auto messages = (*reader)->ReadAtLeast(kCount, absl::Seconds(30));
    REQUIRE(messages.size() == kCount);
    std::set<std::string> ids;
    for (const auto& m : messages) {
      CHECK(m.Header("ce_specversion") == std::optional<std::string_view>("1.0"));
      CHECK(m.type() == "jianguan.ops.v1.ProbeEmitted");
      CHECK(m.source() == "it-producer");
      CHECK(m.subject() == m.key);
      CHECK(m.Header("content-type") == std::optional<std::string_view>("application/protobuf"));
      absl::Time time;
      std::string error;
      CHECK(absl::ParseTime(absl::RFC3339_full, AbslView(*m.Header("ce_time")), &time, &error));
      ids.insert(std::string(m.id()));
      CHECK(Decode<ProbeEmitted>(m).ok());
    }
    CHECK(ids.size() == kCount);
  }

  THEN("a reader from the beginning reads the topic to its ends, each message once") {
    auto reader = TopicReader::Open(brokers, topic, TopicReader::From::kBeginning);
    REQUIRE(reader.ok());
    auto first = (*reader)->Next(absl::Seconds(30));  // one read before: not read again
    REQUIRE(first.has_value());
    auto rest = (*reader)->ReadToEnd(absl::Seconds(30));
    REQUIRE(rest.ok());
    CHECK(rest->size() == kCount - 1);
    std::set<std::string> ids{std::string(first->id())};
    for (const auto& m : *rest) ids.insert(std::string(m.id()));
    CHECK(ids.size() == kCount);
    auto again = (*reader)->ReadToEnd(absl::Seconds(30));  // already at the ends
    REQUIRE(again.ok());
    CHECK(again->empty());

    // An empty topic is read to its ends at once; a reader from the end cannot say where
    // it started.
    const std::string empty = testing::UniqueName("it.empty");
    REQUIRE(CreateTopics(brokers, {empty}, 2).ok());
    auto empty_reader = TopicReader::Open(brokers, empty, TopicReader::From::kBeginning);
    REQUIRE(empty_reader.ok());
    auto none = (*empty_reader)->ReadToEnd(absl::Seconds(30));
    REQUIRE(none.ok());
    CHECK(none->empty());
    auto tail = TopicReader::Open(brokers, topic, TopicReader::From::kEnd);
    REQUIRE(tail.ok());
    CHECK((*tail)->ReadToEnd(absl::Seconds(1)).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }

  THEN("a consumer group applies each event exactly once and stores its positions") {
    auto consumer_store = OpenStore(dir.Sub("consumer"));
    EventConsumer consumer(*consumer_store,
                           {.brokers = brokers, .group = group, .topics = {topic}},
                           RecordProbes(*consumer_store));
    REQUIRE(consumer.Start().ok());
    REQUIRE(WaitFor([&] { return consumer.counters().applied == kCount; }, absl::Seconds(60)));
    consumer.Stop();
    int applied_once = 0;
    REQUIRE(consumer_store->ForEach("applied", "", [&](auto, std::string_view value) {
      if (value == "1") ++applied_once;
      return true;
    }).ok());
    CHECK(applied_once == kCount);
    int64_t positions = 0;
    for (int p = 0; p < 3; ++p) {
      positions += std::max<int64_t>(0, EventConsumer::StoredPosition(*consumer_store, group, topic, p));
    }
    CHECK(positions == kCount);
  }
  relay.Stop();
}

SCENARIO("a batch of events: each handler sees what the ones before it wrote, a refused one "
         "takes its writes back") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.batch-source");
  const std::string group = testing::UniqueName("it-batch");
  REQUIRE(CreateTopics(brokers, {topic}, 1).ok());
  REQUIRE(CreateTopics(brokers, {std::string(kDeadLetterTopic)}, 6).ok());
  testing::TempDir dir;
  constexpr int kProbes = 40;
  constexpr int kRefused = 13;  // refused after it has added a write

  GIVEN("40 probes on 7 keys, all on the topic before the consumer starts") {
    auto producer_store = OpenStore(dir.Sub("producer"));
    CommitProbes(*producer_store, topic, "batch", kProbes);
    auto producer = KafkaPublisher::Create({.brokers = brokers});
    REQUIRE(producer.ok());
    OutboxRelay relay(*producer_store, **producer, FastRelay());
    relay.Start();
    REQUIRE(relay.AwaitDrained(absl::Seconds(60)));
    relay.Stop();

    WHEN("a consumer with max_batch 16 counts the probes per key, reading through its batch") {
      auto consumer_store = OpenStore(dir.Sub("consumer"));
      store::Store& counts = *consumer_store;
      EventConsumer consumer(
          counts,
          {.brokers = brokers, .group = group, .topics = {topic}, .source = "it-consumer",
           .max_batch = 16},
          [&counts](const ConsumedEvent& event, store::UnitOfWork& work) -> absl::Status {
            auto probe = Decode<ProbeEmitted>(event);
            if (!probe.ok()) return probe.status();
            const std::string key = "count/" + event.key;
            std::optional<std::string> seen;
            if (const auto* pending = work.Pending("applied", key)) {
              seen = *pending;
            } else {
              auto stored = counts.Get("applied", key);
              if (!stored.ok()) return stored.status();
              seen = *stored;
            }
            work.Put("applied", key, std::to_string(seen ? std::stoi(*seen) + 1 : 1));
            if (probe->sequence() == kRefused) {
              work.Put("applied", "poison", "written by a refused event");
              return absl::InvalidArgumentError("probe 13 is refused");
            }
            return absl::OkStatus();
          });
      REQUIRE(consumer.Start().ok());
      REQUIRE(WaitFor([&] { return consumer.counters().applied + consumer.counters().dead_lettered ==
                                   kProbes; },
                      absl::Seconds(60)));
      consumer.Stop();

      THEN("every key counts its own probes, and the refused probe left nothing") {
        CHECK(consumer.counters().applied == kProbes - 1);
        CHECK(consumer.counters().dead_lettered == 1);
        int total = 0;
        for (int k = 0; k < 7; ++k) {
          int expected = 0;
          for (int i = 1; i <= kProbes; ++i) expected += (i % 7 == k && i != kRefused) ? 1 : 0;
          auto stored = counts.Get("applied", "count/probe/" + std::to_string(k));
          REQUIRE(stored.ok());
          REQUIRE(stored->has_value());
          CHECK(std::stoi(**stored) == expected);
          total += std::stoi(**stored);
        }
        CHECK(total == kProbes - 1);
        CHECK_FALSE(counts.Get("applied", "poison")->has_value());
      }
    }
  }
}

SCENARIO("an event that cannot be decoded goes to the dead-letter topic and the consumer goes on") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.dlq-source");
  const std::string group = testing::UniqueName("it-dlq");
  REQUIRE(CreateTopics(brokers, {topic}, 1).ok());
  REQUIRE(CreateTopics(brokers, {std::string(kDeadLetterTopic)}, 6).ok());
  testing::TempDir dir;

  GIVEN("a valid probe, a probe whose bytes do not parse, an unknown type, then two valid ones") {
    auto producer_store = OpenStore(dir.Sub("producer"));
    CommitProbes(*producer_store, topic, "dlq", 1);
    store::UnitOfWork bad;
    ProbeEmitted probe;
    auto garbled = MakeEvent({.topic = topic, .key = "bad/1", .source = "it-producer",
                              .subject = "bad/1", .time = absl::Now()}, probe);
    garbled.set_payload("\x0a\xff\xff\xff\xff");  // a length beyond the end
    bad.AddEvent(garbled);
    auto unknown = MakeEvent({.topic = topic, .key = "bad/2", .source = "it-producer",
                              .subject = "bad/2", .time = absl::Now()}, probe);
    unknown.set_type("jianguan.nowhere.v1.Unknown");
    bad.AddEvent(unknown);
    REQUIRE(producer_store->Commit(bad).ok());
    {
      ProbeEmitted p2, p3;
      p2.set_sequence(2);
      p3.set_sequence(3);
      store::UnitOfWork tail;
      for (auto* p : {&p2, &p3}) {
        tail.AddEvent(MakeEvent({.topic = topic, .key = "probe/x", .source = "it-producer",
                                 .subject = "probe/x", .time = absl::Now()}, *p));
      }
      REQUIRE(producer_store->Commit(tail).ok());
    }
    auto producer = KafkaPublisher::Create({.brokers = brokers});
    REQUIRE(producer.ok());
    OutboxRelay producer_relay(*producer_store, **producer, FastRelay());
    producer_relay.Start();
    REQUIRE(producer_relay.AwaitDrained(absl::Seconds(60)));
    producer_relay.Stop();

    WHEN("a consumer that decodes probes reads the topic") {
      auto consumer_store = OpenStore(dir.Sub("consumer"));
      auto dlq_publisher = KafkaPublisher::Create({.brokers = brokers});
      REQUIRE(dlq_publisher.ok());
      OutboxRelay dlq_relay(*consumer_store, **dlq_publisher, FastRelay());
      dlq_relay.Start();
      EventConsumer consumer(*consumer_store,
                             {.brokers = brokers, .group = group, .topics = {topic},
                              .source = "it-consumer"},
                             RecordProbes(*consumer_store));
      REQUIRE(consumer.Start().ok());
      REQUIRE(WaitFor([&] { return consumer.counters().applied + consumer.counters().dead_lettered == 5; },
                      absl::Seconds(60)));
      consumer.Stop();
      REQUIRE(dlq_relay.AwaitDrained(absl::Seconds(30)));
      dlq_relay.Stop();

      THEN("the three valid probes are applied and the two bad events are dead-lettered") {
        CHECK(consumer.counters().applied == 3);
        CHECK(consumer.counters().dead_lettered == 2);
        CHECK(EventConsumer::StoredPosition(*consumer_store, group, topic, 0) == 5);

        auto reader = TopicReader::Open(brokers, std::string(kDeadLetterTopic),
                                        TopicReader::From::kBeginning);
        REQUIRE(reader.ok());
        std::vector<common::v1::DeadLetter> ours;
        const absl::Time deadline = absl::Now() + absl::Seconds(30);
        while (ours.size() < 2 && absl::Now() < deadline) {
          auto message = (*reader)->Next(absl::Seconds(1));
          if (!message) continue;
          auto letter = Decode<common::v1::DeadLetter>(*message);
          REQUIRE(letter.ok());
          if (letter->consumer_group() == group) ours.push_back(*letter);
        }
        REQUIRE(ours.size() == 2);
        std::sort(ours.begin(), ours.end(), [](auto& a, auto& b) { return a.offset() < b.offset(); });
        CHECK(ours[0].offset() == 1);
        CHECK(ours[0].topic() == topic);
        CHECK(ours[0].reason().find("does not parse") != std::string::npos);
        CHECK(ours[0].value() == "\x0a\xff\xff\xff\xff");
        CHECK(ours[1].offset() == 2);
        CHECK(ours[1].reason().find("jianguan.nowhere.v1.Unknown") != std::string::npos);
        CHECK(ours[1].headers().at("ce_type") == "jianguan.nowhere.v1.Unknown");
      }
    }
  }
}

// A topic of one partition, fed from a store of its own through a relay that runs while
// this lives: what CommitProbes puts in `producer` reaches the topic.
struct FedTopic {
  explicit FedTopic(const std::string& name)
      : topic(testing::UniqueName("it." + name)), group(testing::UniqueName("it-" + name)) {
    REQUIRE(CreateTopics(brokers, {topic}, 1).ok());
    producer = OpenStore(dir.Sub("producer"));
    auto created = KafkaPublisher::Create({.brokers = brokers});
    REQUIRE(created.ok());
    publisher = std::move(*created);
    relay = std::make_unique<OutboxRelay>(*producer, *publisher, FastRelay());
    relay->Start();
  }
  ~FedTopic() { relay->Stop(); }

  // Commits `count` probes and waits until the relay has published them.
  void Publish(int count) {
    CommitProbes(*producer, topic, "lag", count);
    REQUIRE(relay->AwaitDrained(absl::Seconds(60)));
  }

  const std::string brokers = testing::KafkaBrokers();
  const std::string topic;
  const std::string group;
  testing::TempDir dir;
  std::unique_ptr<store::Store> producer;
  std::unique_ptr<KafkaPublisher> publisher;
  std::unique_ptr<OutboxRelay> relay;
};

SCENARIO("a consumer's lag counts the events waiting for it, also while its handler is stuck") {
  FedTopic fed("lag");

  GIVEN("a consumer that has applied the topic's one probe, and holds its next one until told") {
    fed.Publish(1);
    auto consumer_store = OpenStore(fed.dir.Sub("consumer"));
    std::atomic<bool> release{false};
    const ApplyFunction record = RecordProbes(*consumer_store);
    EventConsumer consumer(*consumer_store,
                           {.brokers = fed.brokers, .group = fed.group, .topics = {fed.topic}},
                           [&](const ConsumedEvent& event, store::UnitOfWork& work) {
                             // A handler stuck on one event (a slow call, a lock).
                             while (event.offset > 0 && !release) {
                               absl::SleepFor(absl::Milliseconds(10));
                             }
                             return record(event, work);
                           });
    REQUIRE(consumer.Start().ok());
    REQUIRE(WaitFor([&] { return consumer.counters().applied == 1; }, absl::Seconds(60)));
    REQUIRE(WaitFor([&] { return consumer.counters().lag == 0; }, absl::Seconds(10)));

    WHEN("five more probes arrive while the handler is stuck on the first of them") {
      fed.Publish(5);

      THEN("the lag counts the five, and reads 0 once they are applied") {
        CHECK(WaitFor([&] { return consumer.counters().lag == 5; }, absl::Seconds(10)));
        CHECK(consumer.counters().applied == 1);
        release = true;
        REQUIRE(WaitFor([&] { return consumer.counters().applied == 6; }, absl::Seconds(60)));
        CHECK(WaitFor([&] { return consumer.counters().lag == 0; }, absl::Seconds(10)));
      }
    }
    release = true;
    consumer.Stop();
  }
}

SCENARIO("a consumer whose fetches stall shows no lag figure rather than a stale 0") {
  FedTopic fed("lag-stalled");

  GIVEN("a consumer whose fetches the broker holds 8 s unless 100 MB wait (as a consumer "
        "reconnecting after a broker restart fetches nothing), after it applied one probe") {
    fed.Publish(1);
    auto consumer_store = OpenStore(fed.dir.Sub("consumer"));
    EventConsumer consumer(*consumer_store,
                           {.brokers = fed.brokers, .group = fed.group, .topics = {fed.topic},
                            .properties = {{"fetch.wait.max.ms", "8000"},
                                           {"fetch.min.bytes", "100000000"}}},
                           RecordProbes(*consumer_store));
    REQUIRE(consumer.Start().ok());
    REQUIRE(WaitFor([&] { return consumer.counters().applied == 1; }, absl::Seconds(60)));

    WHEN("five more probes reach the topic while its next fetch is held") {
      fed.Publish(5);

      THEN("its lag never reads 0 until the fetch brings them and they are applied") {
        // The client's cached high watermark says 1 until the held fetch comes back: a lag
        // taken from it read 0 here. Asked of the broker, the answer waits behind the held
        // fetch on the same connection, so the figure is -1 (none), not 0.
        int samples_waiting = 0;
        std::set<int64_t> seen;
        const absl::Time deadline = absl::Now() + absl::Seconds(60);
        while (consumer.counters().applied < 6 && absl::Now() < deadline) {
          const int64_t lag = consumer.counters().lag;
          if (consumer.counters().applied == 1) {
            ++samples_waiting;
            seen.insert(lag);
          }
          absl::SleepFor(absl::Milliseconds(50));
        }
        CHECK(consumer.counters().applied == 6);
        INFO("lag figures seen while the five waited");
        for (int64_t lag : seen) UNSCOPED_INFO(lag);
        CHECK(samples_waiting >= 20);  // a second at least: the lag thread refreshed meanwhile
        CHECK(seen.count(0) == 0);
      }
    }
    consumer.Stop();
  }
}

SCENARIO("the largest event the store lets in is delivered by the producer and the broker") {
  FedTopic fed("largest");
  ProbeEmitted probe;
  // A probe padded to the store's limit: run_id filled up to kMaxEventBytes of payload, key
  // and ce_subject together.
  const std::string key = "probe/largest";
  const size_t room = store::kMaxEventBytes - 2 * key.size();
  // Random letters, which lz4 hardly shrinks: the broker sees about the full size.
  std::mt19937 random(7);
  std::string padding(room - 4, 'x');  // 4: the field's tag and its length's varint
  for (char& c : padding) c = static_cast<char>('a' + random() % 26);
  probe.set_run_id(padding);
  common::v1::OutboxEvent event = MakeEvent(
      {.topic = fed.topic, .key = key, .source = "it-producer", .subject = key, .time = absl::Now()},
      probe);
  REQUIRE(event.payload().size() + event.key().size() + event.subject().size() ==
          store::kMaxEventBytes);
  store::UnitOfWork work;
  work.AddEvent(event);
  REQUIRE(fed.producer->Commit(work).ok());
  REQUIRE(fed.relay->AwaitDrained(absl::Seconds(60)));
  CHECK(fed.relay->counters().failed == 0);

  auto reader = TopicReader::Open(fed.brokers, fed.topic, TopicReader::From::kBeginning);
  REQUIRE(reader.ok());
  auto messages = (*reader)->ReadAtLeast(1, absl::Seconds(30));
  REQUIRE(messages.size() == 1);
  auto read = Decode<ProbeEmitted>(messages[0]);
  REQUIRE(read.ok());
  CHECK(read->run_id() == probe.run_id());
}

}  // namespace
}  // namespace jianguan::events
