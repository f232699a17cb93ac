// jg_probe_process: the other process of the crash tests. It produces probe events through
// a real store and outbox, relays them to Kafka, or consumes them into a store, printing
// progress lines the test reads ("committed N", "published N", "applied N") so it can
// kill -9 this process at a chosen moment.
//
//   produce --data_dir D --topic T --count N [--brokers B --relay] [--crash_after_commit]
//   relay   --data_dir D --brokers B
//   consume --data_dir D --brokers B --topic T --group G --expect N [--apply_delay_us U]
//           [--max_batch K]
//
// The consumer's state: family "applied", key ce_id, value how many times it was applied.
// Exactly once in effect means every value is "1".
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "jianguan/ops/v1/probe.pb.h"
#include "libs/events/consumer.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/store/store.h"

namespace {

using namespace jianguan;

std::map<std::string, std::string> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 2; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) continue;
    name = name.substr(2);
    if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      args[name] = argv[++i];
    } else {
      args[name] = "true";
    }
  }
  return args;
}

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "jg_probe_process: %s\n", what.c_str());
  std::exit(2);
}

std::unique_ptr<store::Store> OpenStore(const std::string& path) {
  auto store = store::Store::Open({.path = path, .families = {"applied"}, .sync_writes = false});
  if (!store.ok()) Fail(std::string(store.status().message()));
  return std::move(*store);
}

int Relay(store::Store& store, const std::string& brokers) {
  auto publisher = events::KafkaPublisher::Create({.brokers = brokers, .client_id = "jg-probe"});
  if (!publisher.ok()) Fail(std::string(publisher.status().message()));
  events::OutboxRelay relay(store, **publisher);
  relay.Start();
  uint64_t reported = 0;
  while (store.OutboxBacklog() > 0) {
    absl::SleepFor(absl::Milliseconds(5));
    const uint64_t published = relay.counters().published.load();
    if (published >= reported + 100) {
      reported = published;
      Say(absl::StrCat("published ", published));
    }
  }
  relay.Stop();
  Say(absl::StrCat("drained ", relay.counters().published.load()));
  return 0;
}

int Produce(const std::map<std::string, std::string>& args) {
  auto store = OpenStore(args.at("data_dir"));
  int count = 0;
  if (!absl::SimpleAtoi(args.at("count"), &count)) Fail("--count");
  const std::string run = args.count("run_id") ? args.at("run_id") : "probe";
  for (int i = 1; i <= count; ++i) {
    ops::v1::ProbeEmitted probe;
    probe.set_run_id(run);
    probe.set_sequence(i);
    store::UnitOfWork work;
    const std::string key = absl::StrCat("probe/", i % 97);
    work.AddEvent(events::MakeEvent({.topic = args.at("topic"),
                                     .key = key,
                                     .source = "jg-probe",
                                     .subject = key,
                                     .time = absl::Now()},
                                    probe));
    if (absl::Status s = store->Commit(work); !s.ok()) Fail(std::string(s.message()));
  }
  Say(absl::StrCat("committed ", count));
  if (args.count("crash_after_commit")) {
    ::kill(::getpid(), SIGKILL);  // the crash between commit and publish
  }
  if (args.count("relay")) return Relay(*store, args.at("brokers"));
  return 0;
}

int Consume(const std::map<std::string, std::string>& args) {
  auto store = OpenStore(args.at("data_dir"));
  int64_t expect = 0, delay_us = 0;
  if (!absl::SimpleAtoi(args.at("expect"), &expect)) Fail("--expect");
  if (args.count("apply_delay_us") && !absl::SimpleAtoi(args.at("apply_delay_us"), &delay_us)) {
    Fail("--apply_delay_us");
  }
  size_t max_batch = 1;
  if (args.count("max_batch") && !absl::SimpleAtoi(args.at("max_batch"), &max_batch)) {
    Fail("--max_batch");
  }
  int64_t distinct = 0;
  if (!store->ForEach("applied", "", [&](auto, auto) { return ++distinct, true; }).ok()) {
    Fail("cannot count applied events");
  }
  std::atomic<int64_t> applied_distinct{distinct};
  events::EventConsumer consumer(
      *store,
      {.brokers = args.at("brokers"), .group = args.at("group"), .topics = {args.at("topic")},
       .source = "jg-probe", .max_batch = max_batch},
      [&](const events::ConsumedEvent& event, store::UnitOfWork& work) -> absl::Status {
        if (delay_us > 0) absl::SleepFor(absl::Microseconds(delay_us));
        auto current = store->Get("applied", std::string(event.id()));
        if (!current.ok()) return current.status();
        int64_t times = 0;
        if (current->has_value() && !absl::SimpleAtoi(**current, &times)) {
          return absl::DataLossError("bad counter");
        }
        work.Put("applied", std::string(event.id()), absl::StrCat(times + 1));
        if (times == 0) ++applied_distinct;  // counted before commit; only printed
        return absl::OkStatus();
      });
  if (absl::Status s = consumer.Start(); !s.ok()) Fail(std::string(s.message()));
  int64_t reported = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (applied_distinct.load() < expect && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
    if (applied_distinct.load() >= reported + 50) {
      reported = applied_distinct.load();
      Say(absl::StrCat("applied ", reported));
    }
  }
  consumer.Stop();
  Say(absl::StrCat("done ", applied_distinct.load()));
  return applied_distinct.load() >= expect ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Fail("usage: jg_probe_process produce|relay|consume --flags");
  const std::string mode = argv[1];
  const auto args = ParseArgs(argc, argv);
  try {
    if (mode == "produce") return Produce(args);
    if (mode == "relay") {
      auto store = OpenStore(args.at("data_dir"));
      return Relay(*store, args.at("brokers"));
    }
    if (mode == "consume") return Consume(args);
  } catch (const std::out_of_range&) {
    Fail("a required flag is missing");
  }
  Fail("unknown mode " + mode);
}
