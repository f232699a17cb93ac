#include "libs/runtime/service_runtime.h"

#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/runtime/file_clock.h"
#include "libs/server/flags.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jianguan {

// Every metric of the runtime, declared in one place. Counters mirror the atomic counters
// of the relay and the consumers; the poller adds what they gained since the last poll.
struct ServiceRuntime::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : outbox_backlog(prometheus::BuildGauge()
                           .Name("jianguan_outbox_backlog")
                           .Help("Events committed and not yet acknowledged by Kafka")
                           .Register(registry)
                           .Add({})),
        outbox_published(prometheus::BuildCounter()
                             .Name("jianguan_outbox_published_total")
                             .Help("Outbox events acknowledged by Kafka")
                             .Register(registry)
                             .Add({})),
        outbox_failures(prometheus::BuildCounter()
                            .Name("jianguan_outbox_failures_total")
                            .Help("Outbox publish attempts that failed and will be retried")
                            .Register(registry)
                            .Add({})),
        consumed(prometheus::BuildCounter()
                     .Name("jianguan_consumer_events_total")
                     .Help("Consumed events by outcome: applied, restored, duplicate, dead_lettered")
                     .Register(registry)),
        consumer_retries(prometheus::BuildCounter()
                             .Name("jianguan_consumer_retries_total")
                             .Help("Transient failures applying an event (retried)")
                             .Register(registry)),
        consumer_lag(prometheus::BuildGauge()
                         .Name("jianguan_consumer_lag")
                         .Help("Events on the assigned partitions not applied yet; -1 while no partition is "
                               "assigned (starting, rebalancing)")
                         .Register(registry)),
        rocksdb(prometheus::BuildGauge()
                    .Name("jianguan_rocksdb")
                    .Help("RocksDB figures of the service's store, by property")
                    .Register(registry)),
        store_writable(prometheus::BuildGauge()
                           .Name("jianguan_store_writable")
                           .Help("1 while the store accepts commits; 0 after a failed "
                                 "write-ahead log sync (restart the service)")
                           .Register(registry)
                           .Add({})) {}

  prometheus::Gauge& outbox_backlog;
  prometheus::Counter& outbox_published;
  prometheus::Counter& outbox_failures;
  prometheus::Family<prometheus::Counter>& consumed;
  prometheus::Family<prometheus::Counter>& consumer_retries;
  prometheus::Family<prometheus::Gauge>& consumer_lag;
  prometheus::Family<prometheus::Gauge>& rocksdb;
  prometheus::Gauge& store_writable;
  bool reported_wal_failure = false;

  // Last values seen, to add deltas to the counters.
  uint64_t last_published = 0;
  uint64_t last_failed = 0;
  std::map<std::pair<size_t, std::string>, uint64_t> last_consumed;
};

RuntimeOptions RuntimeOptionsFromFlags(std::string service_name, std::vector<std::string> families) {
  RuntimeOptions options;
  options.host = HostOptionsFromFlags(service_name);
  options.service_name = std::move(service_name);
  options.families = std::move(families);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.kafka_brokers = absl::GetFlag(FLAGS_kafka_brokers);
  options.kafka_properties = KafkaClientPropertiesFromFlags(&options.host.certificate_expiry);
  options.fake_clock_file = absl::GetFlag(FLAGS_fake_clock_file);
  return options;
}

int DieAtStart(const absl::Status& status) {
  LogError("cannot start", {{"error", status.message()}});
  return 1;
}

ServiceRuntime::ServiceRuntime(RuntimeOptions options) : options_(std::move(options)) {}

ServiceRuntime::~ServiceRuntime() {
  StopBackground();
  // The publisher purges what is still in flight when destroyed, and librdkafka reports each
  // purged event to the relay's delivery callback: it goes while the relay and the store it
  // writes are still there (members would destroy the relay first). The events stay in the
  // outbox for the next start.
  publisher_.reset();
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Open(RuntimeOptions options) {
  if (options.service_name.empty()) return absl::InvalidArgumentError("service name is empty");
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("--data_dir is empty: the service needs a place for its store");
  }
  std::unique_ptr<ServiceRuntime> runtime(new ServiceRuntime(std::move(options)));
  auto& o = runtime->options_;
  if (!o.fake_clock_file.empty()) {
    ASSIGN_OR_RETURN(runtime->clock_, FileClock::Open(o.fake_clock_file));
    LogWarning("the service's clock is read from a file: for tests only",
               {{"service", o.service_name}, {"fake_clock_file", o.fake_clock_file}});
  }
  ASSIGN_OR_RETURN(runtime->store_, store::Store::Open({.path = o.data_dir,
                                                        .families = o.families,
                                                        .sync_writes = o.sync_writes,
                                                        .wal_sync_hook = o.wal_sync_hook}));
  ASSIGN_OR_RETURN(runtime->publisher_,
                   events::KafkaPublisher::Create({.brokers = o.kafka_brokers,
                                                   .client_id = o.service_name,
                                                   .properties = o.kafka_properties}));
  runtime->relay_ = std::make_unique<events::OutboxRelay>(*runtime->store_, *runtime->publisher_);
  runtime->host_ = std::make_unique<ServiceHost>(o.host);
  runtime->metrics_ = std::make_unique<Metrics>(*runtime->host_->registry());
  // Shutdown hooks run after the last gRPC call finished.
  runtime->host_->AddShutdownHook([r = runtime.get()] { r->StopBackground(); });
  return runtime;
}

prometheus::Registry& ServiceRuntime::registry() { return *host_->registry(); }

void ServiceRuntime::AddConsumer(events::ConsumerOptions options, events::ApplyFunction apply) {
  if (options.brokers.empty()) options.brokers = options_.kafka_brokers;
  if (options.group.empty()) options.group = options_.service_name;
  if (options.source.empty()) options.source = options_.service_name;
  // The service's (TLS) properties, unless the consumer sets its own.
  options.properties.insert(options_.kafka_properties.begin(), options_.kafka_properties.end());
  consumers_.push_back(
      std::make_unique<events::EventConsumer>(*store_, std::move(options), std::move(apply)));
}

absl::Status ServiceRuntime::Start() {
  relay_->Start();
  for (auto& consumer : consumers_) RETURN_IF_ERROR(consumer->Start());
  metrics_thread_ = std::thread([this] { PollMetrics(); });
  RETURN_IF_ERROR(host_->Start());
  LogInfo("service started", {{"service", options_.service_name},
                              {"grpc_port", host_->bound_port()},
                              {"metrics_port", host_->metrics_port()},
                              {"data_dir", options_.data_dir},
                              {"kafka_brokers", options_.kafka_brokers}});
  return absl::OkStatus();
}

void ServiceRuntime::WaitForTermination() { host_->WaitForTermination(); }

void ServiceRuntime::Shutdown(absl::Time deadline) {
  host_->Shutdown(deadline);
  StopBackground();
}

void ServiceRuntime::StopBackground() {
  if (stopping_.exchange(true)) return;
  for (auto& consumer : consumers_) {
    const absl::Time start = absl::Now();
    consumer->Stop();
    LogInfo("consumer stopped", {{"group", consumer->group()},
                                 {"ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
  }
  const absl::Time relay_start = absl::Now();
  if (relay_) relay_->Stop(absl::Seconds(5));
  LogInfo("outbox relay stopped", {{"service", options_.service_name},
                                   {"ms", absl::ToInt64Milliseconds(absl::Now() - relay_start)}});
  if (metrics_thread_.joinable()) metrics_thread_.join();
  LogInfo("service stopped", {{"service", options_.service_name},
                              {"outbox_backlog", store_ ? store_->OutboxBacklog() : 0}});
}

void ServiceRuntime::PollMetrics() {
  while (!stopping_) {
    Metrics& m = *metrics_;
    m.outbox_backlog.Set(static_cast<double>(store_->OutboxBacklog()));
    // After a failed WAL sync every commit fails until a restart (libs/store/store.h): the
    // health check says so, for Kubernetes to restart the process.
    const absl::Status wal = store_->WalSyncError();
    if (!wal.ok() && !m.reported_wal_failure) {
      m.reported_wal_failure = true;
      host_->MarkNotServing();
      LogError("store stopped accepting commits: health is NOT_SERVING, restart the service",
               {{"service", options_.service_name}, {"reason", wal.message()}});
    }
    m.store_writable.Set(wal.ok() ? 1 : 0);  // after the health, which it announces
    const uint64_t published = relay_->counters().published.load();
    const uint64_t failed = relay_->counters().failed.load();
    m.outbox_published.Increment(static_cast<double>(published - m.last_published));
    m.outbox_failures.Increment(static_cast<double>(failed - m.last_failed));
    m.last_published = published;
    m.last_failed = failed;
    // Several members of one group (a service may run more than one consumer thread per
    // group) report one lag: the sum over the members holding partitions, -1 while none does.
    std::map<std::string, int64_t> lag_by_group;
    for (size_t i = 0; i < consumers_.size(); ++i) {
      const auto& c = consumers_[i]->counters();
      const std::string group = consumers_[i]->group();
      const std::pair<const char*, uint64_t> outcomes[] = {
          {"applied", c.applied.load()},
          {"restored", c.restored.load()},
          {"duplicate", c.duplicates.load()},
          {"dead_lettered", c.dead_lettered.load()},
          {"retried", c.retries.load()}};
      for (const auto& [outcome, value] : outcomes) {
        uint64_t& last = m.last_consumed[{i, outcome}];
        auto& counter = std::string_view(outcome) == "retried"
                            ? m.consumer_retries.Add({{"group", group}})
                            : m.consumed.Add({{"group", group}, {"outcome", outcome}});
        counter.Increment(static_cast<double>(value - last));
        last = value;
      }
      const int64_t lag = c.lag.load();
      auto [sum, fresh] = lag_by_group.try_emplace(group, lag);
      if (!fresh && lag >= 0) sum->second = std::max<int64_t>(sum->second, 0) + lag;
    }
    for (const auto& [group, lag] : lag_by_group) {
      m.consumer_lag.Add({{"group", group}}).Set(static_cast<double>(lag));
    }
    for (const char* property : {"rocksdb.estimate-num-keys", "rocksdb.live-sst-files-size",
                                 "rocksdb.cur-size-all-mem-tables",
                                 "rocksdb.estimate-pending-compaction-bytes",
                                 "rocksdb.num-running-compactions",
                                 "rocksdb.num-running-flushes"}) {
      m.rocksdb.Add({{"property", property}})
          .Set(static_cast<double>(store_->IntProperty(property)));
    }
    for (int i = 0; i < 10 && !stopping_; ++i) absl::SleepFor(absl::Milliseconds(100));
  }
}

}  // namespace jianguan
