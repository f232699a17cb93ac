// jgctl against real parts: health of a real gRPC server, events tail of a real topic
// decoded through the build's descriptor set, and the audit chain of a real store.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "jianguan/ops/v1/probe.pb.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/server/grpc_server.h"
#include "libs/testing/child_process.h"
#include "libs/testing/kafka.h"
#include "libs/testing/temp_dir.h"

namespace jianguan {
namespace {

using testing::ChildProcess;

struct Run {
  int exit_code = -1;
  std::vector<std::string> lines;
};

Run Jgctl(std::vector<std::string> args, absl::Duration timeout = absl::Seconds(60)) {
  args.insert(args.begin(), JG_JGCTL);
  ChildProcess child(args);
  Run run;
  const absl::Time deadline = absl::Now() + timeout;
  while (auto line = child.ReadLine(deadline - absl::Now())) run.lines.push_back(*line);
  auto status = child.Wait(absl::Seconds(10));
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  return run;
}

TEST_CASE("jgctl health reports a serving server and an unreachable one") {
  ServiceHost host({.service_name = "jgctl-test"});
  REQUIRE(host.Start().ok());
  const std::string serving = "127.0.0.1:" + std::to_string(host.bound_port());

  Run ok = Jgctl({"health", "--target", serving});
  CHECK(ok.exit_code == 0);
  REQUIRE(ok.lines.size() == 2);
  CHECK(ok.lines[1].find("SERVING") != std::string::npos);

  Run down = Jgctl({"health", "--target", serving + ",127.0.0.1:1"});
  CHECK(down.exit_code == 1);
  REQUIRE(down.lines.size() == 3);
  CHECK(down.lines[2].find("UNREACHABLE") != std::string::npos);
  host.Shutdown(absl::Now() + absl::Seconds(5));
}

TEST_CASE("jgctl events tail prints each event as one JSON line with its decoded payload") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.tail");
  REQUIRE(events::CreateTopics(brokers, {topic}, 1).ok());
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  store::UnitOfWork work;
  for (int i = 1; i <= 3; ++i) {
    ops::v1::ProbeEmitted probe;
    probe.set_run_id("tail");
    probe.set_sequence(i);
    probe.set_note("检查 " + std::to_string(i));
    work.AddEvent(events::MakeEvent({.topic = topic, .key = "probe/1", .source = "jgctl-test",
                                     .subject = "probe/1", .time = absl::FromUnixSeconds(1'790'000'000)},
                                    probe));
  }
  REQUIRE(store->Commit(work).ok());
  auto publisher = events::KafkaPublisher::Create({.brokers = brokers});
  REQUIRE(publisher.ok());
  events::OutboxRelay relay(*store, **publisher);
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(60)));
  relay.Stop();

  Run tail = Jgctl({"events", "tail", topic, "--kafka_brokers", brokers, "--from_beginning",
                    "--count", "3"});
  CHECK(tail.exit_code == 0);
  REQUIRE(tail.lines.size() == 3);
  CHECK(tail.lines[0].find("\"ce_type\":\"jianguan.ops.v1.ProbeEmitted\"") != std::string::npos);
  CHECK(tail.lines[0].find("\"ce_time\":\"2026-09-21T14:13:20Z\"") != std::string::npos);
  CHECK(tail.lines[0].find("\"data\":{\"run_id\":\"tail\",\"sequence\":\"1\",\"note\":\"检查 1\"}") !=
        std::string::npos);
  CHECK(tail.lines[2].find("\"offset\":2") != std::string::npos);

  Run missing = Jgctl({"events", "tail", testing::UniqueName("it.nowhere"), "--kafka_brokers",
                       brokers, "--count", "1"});
  CHECK(missing.exit_code == 1);
}

TEST_CASE("jgctl audit verify walks a store's chain") {
  testing::TempDir dir;
  {
    auto store = std::move(*store::Store::Open({.path = dir.path(), .families = {"things"}}));
    for (int i = 0; i < 3; ++i) {
      store::UnitOfWork work;
      common::v1::AuditRecord audit;
      audit.set_department("330700-SCJG");
      audit.set_method("/test/Change");
      audit.set_resource("things/" + std::to_string(i));
      work.SetAudit(audit);
      work.Put("things", std::to_string(i), "v");
      REQUIRE(store->Commit(work).ok());
    }
  }
  Run run = Jgctl({"audit", "verify", "--data_dir", dir.path()});
  CHECK(run.exit_code == 0);
  REQUIRE_FALSE(run.lines.empty());
  CHECK(run.lines[0] == "audit chain intact: 3 records");
}

}  // namespace
}  // namespace jianguan
