// Nothing is lost and nothing takes effect twice when a process dies with kill -9:
//  - a consumer killed mid-stream and restarted applies every event exactly once;
//  - a producer that crashed after committing and before publishing still publishes,
//    once each;
//  - a producer killed while relaying republishes some events, and a consumer still
//    applies each exactly once.
// The other process is tests/integration/probe_process.cc, run for real.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "libs/core/string_view_compat.h"
#include "libs/events/consumer.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/testing/child_process.h"
#include "libs/testing/kafka.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::events {
namespace {

using testing::ChildProcess;

// Reads the child's lines until one "<word> N" with N >= at_least; false on timeout/EOF.
bool AwaitProgress(ChildProcess& child, const std::string& word, int at_least,
                   absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto line = child.ReadLine(deadline - absl::Now());
    if (!line) return false;
    int value = 0;
    if (absl::StartsWith(*line, word + " ") &&
        absl::SimpleAtoi(AbslView(*line).substr(word.size() + 1), &value) && value >= at_least) {
      return true;
    }
  }
  return false;
}

bool ExitedCleanly(ChildProcess& child, absl::Duration timeout) {
  auto status = child.Wait(timeout);
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

std::map<std::string, std::string> AppliedCounts(const std::string& path) {
  auto store = store::Store::Open({.path = path, .families = {"applied"}});
  REQUIRE(store.ok());
  std::map<std::string, std::string> counts;
  REQUIRE((*store)->ForEach("applied", "", [&](std::string_view k, std::string_view v) {
    counts[std::string(k)] = std::string(v);
    return true;
  }).ok());
  return counts;
}

std::vector<std::string> Probe(std::vector<std::string> args) {
  args.insert(args.begin(), JG_PROBE_PROCESS);
  return args;
}

// The consumer applies up to 64 events per commit here, so the kill also lands inside
// batches; the other scenarios use one event per commit.
SCENARIO("a consumer killed with kill -9 mid-stream applies every event exactly once") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.consumer-crash");
  const std::string group = testing::UniqueName("it-consumer-crash");
  REQUIRE(CreateTopics(brokers, {topic}, 3).ok());
  testing::TempDir dir;
  constexpr int kCount = 2000;

  GIVEN("2000 events on the topic") {
    ChildProcess producer(Probe({"produce", "--data_dir", dir.Sub("producer"), "--topic", topic,
                                 "--count", std::to_string(kCount), "--brokers", brokers, "--relay"}));
    REQUIRE(AwaitProgress(producer, "drained", kCount, absl::Seconds(120)));
    REQUIRE(ExitedCleanly(producer, absl::Seconds(30)));

    WHEN("the consumer is killed after applying some, then restarted") {
      const std::vector<std::string> consume = Probe(
          {"consume", "--data_dir", dir.Sub("consumer"), "--brokers", brokers, "--topic", topic,
           "--group", group, "--expect", std::to_string(kCount), "--apply_delay_us", "300",
           "--max_batch", "64"});
      {
        ChildProcess first(consume);
        REQUIRE(AwaitProgress(first, "applied", 500, absl::Seconds(120)));
        first.Kill(SIGKILL);
        auto status = first.Wait(absl::Seconds(10));
        REQUIRE(status);
        REQUIRE(WIFSIGNALED(*status));
      }
      const size_t before_restart = AppliedCounts(dir.Sub("consumer")).size();
      ChildProcess second(consume);
      REQUIRE(ExitedCleanly(second, absl::Seconds(180)));

      THEN("every event was applied, each exactly once") {
        // "applied 500" is counted as the handler runs, before its batch commits: the kill
        // may take up to one uncommitted batch (64) with it.
        CHECK(before_restart >= 500 - 64);
        CHECK(before_restart < kCount);
        const auto counts = AppliedCounts(dir.Sub("consumer"));
        CHECK(counts.size() == kCount);
        int more_than_once = 0;
        for (const auto& [id, times] : counts) more_than_once += times != "1";
        CHECK(more_than_once == 0);
      }
    }
  }
}

SCENARIO("a producer that crashed after commit and before publish still publishes, once") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.producer-crash");
  REQUIRE(CreateTopics(brokers, {topic}, 3).ok());
  testing::TempDir dir;
  constexpr int kCount = 500;

  ChildProcess crashed(Probe({"produce", "--data_dir", dir.Sub("producer"), "--topic", topic,
                              "--count", std::to_string(kCount), "--crash_after_commit"}));
  REQUIRE(AwaitProgress(crashed, "committed", kCount, absl::Seconds(60)));
  auto status = crashed.Wait(absl::Seconds(10));
  REQUIRE(status);
  REQUIRE(WIFSIGNALED(*status));
  REQUIRE(WTERMSIG(*status) == SIGKILL);

  auto reader = TopicReader::Open(brokers, topic, TopicReader::From::kBeginning);
  REQUIRE(reader.ok());
  CHECK_FALSE((*reader)->Next(absl::Seconds(2)).has_value());  // nothing was published

  ChildProcess restarted(Probe({"relay", "--data_dir", dir.Sub("producer"), "--brokers", brokers}));
  REQUIRE(ExitedCleanly(restarted, absl::Seconds(120)));

  auto messages = (*reader)->ReadAtLeast(kCount, absl::Seconds(30));
  while (auto extra = (*reader)->Next(absl::Seconds(2))) messages.push_back(*extra);
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(std::string(m.id()));
  CHECK(messages.size() == kCount);
  CHECK(ids.size() == kCount);
}

SCENARIO("a producer killed while relaying republishes, and the consumer applies each once") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.relay-crash");
  const std::string group = testing::UniqueName("it-relay-crash");
  REQUIRE(CreateTopics(brokers, {topic}, 3).ok());
  testing::TempDir dir;
  constexpr int kCount = 5000;

  {
    ChildProcess producer(Probe({"produce", "--data_dir", dir.Sub("producer"), "--topic", topic,
                                 "--count", std::to_string(kCount), "--brokers", brokers,
                                 "--relay"}));
    REQUIRE(AwaitProgress(producer, "published", 1000, absl::Seconds(120)));
    producer.Kill(SIGKILL);
    REQUIRE(producer.Wait(absl::Seconds(10)));
  }
  ChildProcess restarted(Probe({"relay", "--data_dir", dir.Sub("producer"), "--brokers", brokers}));
  REQUIRE(ExitedCleanly(restarted, absl::Seconds(120)));

  auto reader = TopicReader::Open(brokers, topic, TopicReader::From::kBeginning);
  REQUIRE(reader.ok());
  auto messages = (*reader)->ReadAtLeast(kCount, absl::Seconds(60));
  while (auto extra = (*reader)->Next(absl::Seconds(2))) messages.push_back(*extra);
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(std::string(m.id()));
  REQUIRE(ids.size() == kCount);  // nothing lost; copies allowed on the topic

  ChildProcess consumer(Probe({"consume", "--data_dir", dir.Sub("consumer"), "--brokers", brokers,
                               "--topic", topic, "--group", group, "--expect",
                               std::to_string(kCount)}));
  REQUIRE(ExitedCleanly(consumer, absl::Seconds(180)));
  const auto counts = AppliedCounts(dir.Sub("consumer"));
  CHECK(counts.size() == kCount);
  int more_than_once = 0;
  for (const auto& [id, times] : counts) more_than_once += times != "1";
  CHECK(more_than_once == 0);
  INFO("messages on the topic: " << messages.size() << " for " << kCount << " events");
}

}  // namespace
}  // namespace jianguan::events
