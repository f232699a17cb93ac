// A service runtime on the real broker: what a handler commits reaches a consumer of the
// same runtime through Kafka, and /metrics shows the outbox, the consumer and RocksDB; a
// store whose write-ahead log sync failed turns health NOT_SERVING and says so on /metrics.
#include "libs/runtime/service_runtime.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/ops/v1/probe.pb.h"
#include "libs/events/kafka_admin.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/temp_dir.h"

namespace jianguan {
namespace {

TEST_CASE("a runtime relays its outbox, applies consumed events and reports metrics") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.runtime");
  const std::string group = testing::UniqueName("it-runtime");
  REQUIRE(events::CreateTopics(brokers, {topic}, 2).ok());
  testing::TempDir dir;

  RuntimeOptions options;
  options.service_name = "runtime-test";
  options.families = {"seen"};
  options.data_dir = dir.path();
  options.kafka_brokers = brokers;
  options.host.service_name = "runtime-test";
  options.host.metrics_port = 0;
  auto runtime = ServiceRuntime::Open(options);
  REQUIRE(runtime.ok());
  ServiceRuntime& r = **runtime;
  std::atomic<int> applied{0};
  r.AddConsumer({.group = group, .topics = {topic}},
                [&](const events::ConsumedEvent& event, store::UnitOfWork& work) {
                  work.Put("seen", std::string(event.id()), "");
                  ++applied;
                  return absl::OkStatus();
                });
  REQUIRE(r.Start().ok());

  store::UnitOfWork work;
  for (int i = 0; i < 10; ++i) {
    ops::v1::ProbeEmitted probe;
    probe.set_sequence(i);
    work.AddEvent(events::MakeEvent(
        {.topic = topic, .key = absl::StrCat("k", i), .source = "runtime-test",
         .subject = "k", .time = absl::Now()},
        probe));
  }
  REQUIRE(r.store().Commit(work).ok());

  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (applied < 10 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  REQUIRE(applied == 10);

  // The runtime polls its counters (the backlog among them) about once a second and the
  // consumer refreshes its lag as often: read /metrics until they have caught up (bounded).
  // The backlog's poll may come after the published count's, so it is waited for too.
  const std::string group_label = absl::StrCat("group=\"", group, "\"");
  std::string metrics;
  const absl::Time metrics_deadline = absl::Now() + absl::Seconds(20);
  do {
    absl::SleepFor(absl::Milliseconds(200));
    metrics = testing::HttpGet(r.host().metrics_port(), "/metrics");
  } while (absl::Now() < metrics_deadline &&
           (testing::SampleValue(metrics, "jianguan_outbox_published_total", {}) != 10 ||
            testing::SampleValue(metrics, "jianguan_outbox_backlog", {}) != 0 ||
            testing::SampleValue(metrics, "jianguan_consumer_lag", {group_label}) != 0 ||
            testing::SampleValue(metrics, "jianguan_consumer_events_total",
                                 {group_label, "outcome=\"applied\""}) != 10));
  CHECK(testing::SampleValue(metrics, "jianguan_outbox_published_total", {}) == 10);
  CHECK(testing::SampleValue(metrics, "jianguan_outbox_backlog", {}) == 0);
  CHECK(testing::SampleValue(metrics, "jianguan_consumer_events_total",
                             {group_label, "outcome=\"applied\""}) == 10);
  CHECK(testing::SampleValue(metrics, "jianguan_consumer_lag", {group_label}) == 0);
  CHECK(testing::SampleValue(metrics, "jianguan_rocksdb",
                             {"property=\"rocksdb.estimate-num-keys\""}) >= 10);
  r.Shutdown(absl::Now() + absl::Seconds(5));
}

TEST_CASE("a failed write-ahead log sync stops commits, turns health NOT_SERVING, shows on /metrics") {
  testing::TempDir dir;
  std::atomic<bool> disk_fails{false};
  RuntimeOptions options;
  options.service_name = "runtime-test";
  options.families = {"seen"};
  options.data_dir = dir.path();
  options.kafka_brokers = testing::KafkaBrokers();
  options.host.service_name = "runtime-test";
  options.host.metrics_port = 0;
  options.wal_sync_hook = [&]() -> absl::Status {
    if (disk_fails) return absl::UnavailableError("fsync: Input/output error (injected)");
    return absl::OkStatus();
  };
  auto runtime = ServiceRuntime::Open(options);
  REQUIRE(runtime.ok());
  ServiceRuntime& r = **runtime;
  REQUIRE(r.Start().ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(r.host().bound_port()),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  const auto status_now = [&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    REQUIRE(health->Check(&context, request, &response).ok());
    return response.status();
  };
  const auto writable_now = [&] {
    return testing::SampleValue(testing::HttpGet(r.host().metrics_port(), "/metrics"),
                                "jianguan_store_writable", {});
  };

  store::UnitOfWork first;
  first.Put("seen", "a", "1");
  REQUIRE(r.store().Commit(first).ok());
  CHECK(status_now() == grpc::health::v1::HealthCheckResponse::SERVING);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (writable_now() != 1) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(100));
  }

  disk_fails = true;
  store::UnitOfWork second;
  second.Put("seen", "b", "2");
  CHECK(r.store().Commit(second).code() == absl::StatusCode::kUnavailable);
  disk_fails = false;  // the disk recovers: the store still refuses, as it cannot know what it lost
  store::UnitOfWork third;
  third.Put("seen", "c", "3");
  CHECK(r.store().Commit(third).code() == absl::StatusCode::kUnavailable);
  while (writable_now() != 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(status_now() == grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  r.Shutdown(absl::Now() + absl::Seconds(5));
}

}  // namespace
}  // namespace jianguan
