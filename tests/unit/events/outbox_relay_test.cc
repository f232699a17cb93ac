// The relay's promises, against the in-process bus: outbox order, removal only after
// delivery, and a restart from the oldest undelivered entry after a failure.
#include "libs/events/outbox_relay.h"

#include <catch2/catch.hpp>

#include "jianguan/ops/v1/probe.pb.h"
#include "libs/core/text_checks.h"
#include "libs/testing/in_process_bus.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::events {
namespace {

constexpr char kTopic[] = "jianguan.ops.test";

void CommitProbes(store::Store& store, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    ops::v1::ProbeEmitted probe;
    probe.set_run_id("relay-test");
    probe.set_sequence(i);
    store::UnitOfWork work;
    work.AddEvent(MakeEvent({.topic = kTopic,
                             .key = "probe/" + std::to_string(i),
                             .source = "relay-test",
                             .subject = "probe/" + std::to_string(i),
                             .time = absl::FromUnixSeconds(1'790'000'000)},
                            probe));
    REQUIRE(store.Commit(work).ok());
  }
}

std::vector<int64_t> Sequences(const InProcessBus& bus) {
  std::vector<int64_t> sequences;
  for (const auto& event : bus.Events(kTopic)) {
    auto probe = Decode<ops::v1::ProbeEmitted>(event);
    REQUIRE(probe.ok());
    sequences.push_back(probe->sequence());
  }
  return sequences;
}

SCENARIO("the relay publishes the outbox in order and empties it") {
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  InProcessBus bus;
  GIVEN("events committed before the relay starts and while it runs") {
    CommitProbes(*store, 1, 50);
    OutboxRelay relay(*store, bus);
    relay.Start();
    CommitProbes(*store, 51, 50);
    THEN("all are published once, in commit order, and the outbox empties") {
      REQUIRE(relay.AwaitDrained(absl::Seconds(10)));
      relay.Stop();
      std::vector<int64_t> expected(100);
      std::iota(expected.begin(), expected.end(), 1);
      CHECK(Sequences(bus) == expected);
      CHECK(store->OutboxBacklog() == 0);
      CHECK(relay.counters().published == 100);
    }
  }
}

SCENARIO("a failed delivery is retried from the oldest entry still in the outbox") {
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  InProcessBus bus;
  CommitProbes(*store, 1, 5);
  bus.FailNextDeliveries(2);
  OutboxRelay relay(*store, bus, {.retry_backoff = absl::Milliseconds(20)});
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(10)));
  relay.Stop();
  THEN("every event arrives and none is lost; only copies of delivered ones may repeat") {
    const auto sequences = Sequences(bus);
    std::set<int64_t> distinct(sequences.begin(), sequences.end());
    CHECK(distinct == std::set<int64_t>{1, 2, 3, 4, 5});
    CHECK(relay.counters().failed == 2);
    CHECK(store->OutboxBacklog() == 0);
  }
}

SCENARIO("a refused publish stops the round so nothing overtakes it") {
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  InProcessBus bus;
  CommitProbes(*store, 1, 3);
  bus.RefuseNextPublishes(1);
  OutboxRelay relay(*store, bus, {.retry_backoff = absl::Milliseconds(20)});
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(10)));
  relay.Stop();
  CHECK(Sequences(bus) == std::vector<int64_t>{1, 2, 3});
}

SCENARIO("events left by a stopped relay are published by the next one") {
  testing::TempDir dir;
  InProcessBus bus;
  {
    auto store = std::move(*store::Store::Open({.path = dir.path()}));
    CommitProbes(*store, 1, 10);  // committed; the "crash" comes before any relay runs
  }
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  CHECK(store->OutboxBacklog() == 10);
  OutboxRelay relay(*store, bus);
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(10)));
  relay.Stop();
  CHECK(Sequences(bus).size() == 10);
}

SCENARIO("events carry the CloudEvents headers") {
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  InProcessBus bus;
  CommitProbes(*store, 1, 1);
  OutboxRelay relay(*store, bus);
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(10)));
  relay.Stop();
  const auto events = bus.Events(kTopic);
  REQUIRE(events.size() == 1);
  const ConsumedEvent& e = events[0];
  CHECK(e.Header("ce_specversion") == std::optional<std::string_view>("1.0"));
  CHECK(e.type() == "jianguan.ops.v1.ProbeEmitted");
  CHECK(e.source() == "relay-test");
  CHECK(e.subject() == "probe/1");
  CHECK(e.Header("ce_time") == std::optional<std::string_view>("2026-09-21T14:13:20Z"));
  CHECK(e.Header("content-type") == std::optional<std::string_view>("application/protobuf"));
  CHECK(e.Header("jg_producer") == std::optional<std::string_view>(store->instance_id()));
  CHECK(e.Header("jg_seq") == std::optional<std::string_view>("1"));
  CHECK(e.key == "probe/1");
  CHECK(e.id().size() == 36);
}

SCENARIO("decoding checks the type before parsing") {
  ConsumedEvent event;
  event.headers = {{"ce_type", "jianguan.subject.v1.SubjectRegistered"}};
  auto decoded = Decode<ops::v1::ProbeEmitted>(event);
  CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  event.headers = {{"ce_type", "jianguan.ops.v1.ProbeEmitted"}};
  event.value = "\xff\xff\xff";
  CHECK(Decode<ops::v1::ProbeEmitted>(event).status().code() == absl::StatusCode::kInvalidArgument);
}

SCENARIO("a refusal quoting a header that is not UTF-8 is UTF-8 (found by fuzz_event_decode)") {
  // tests/fuzz/corpus/event_decode/regression-ce-type-message: the last ce_type is the first
  // two bytes of "中". The header was quoted raw, and the consumer's dead letter carries the
  // refusal in `reason`, a proto3 string that then fails to parse.
  ConsumedEvent event;
  event.headers = {{"ce_type", "jianguan.ops.v1.ProbeEmitted"}, {"ce_type", "\xE4\xB8"}};
  absl::Status refused = Decode<ops::v1::ProbeEmitted>(event).status();
  CHECK(std::string(refused.message()) ==
        "ce_type is '\\xe4\\xb8', expected 'jianguan.ops.v1.ProbeEmitted'");
  CHECK(IsValidUtf8(std::string(refused.message())));
  event.headers = {{"ce_type", "jianguan.ops.v1.ProbeEmitted"}, {"content-type", "text/\xFF"}};
  refused = Decode<ops::v1::ProbeEmitted>(event).status();
  CHECK(std::string(refused.message()) ==
        "content-type is 'text/\\xff', expected application/protobuf");
}

}  // namespace
}  // namespace jianguan::events
