#include "libs/events/kafka_publisher.h"

#include <librdkafka/rdkafkacpp.h>

#include <mutex>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/events/event.h"
#include "libs/events/internal/rdkafka.h"
#include "libs/store/store.h"

namespace jianguan::events {
namespace {

// The largest message the producer sends; an event the store lets in fits with its headers.
constexpr size_t kMessageMaxBytes = 1'000'000;
static_assert(store::kMaxEventBytes + 40'000 <= kMessageMaxBytes);

// One per accepted event, owned by librdkafka until its delivery report.
struct Pending {
  uint64_t sequence;
  DeliveryCallback on_delivery;
};

class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(message.msg_opaque()));
    if (!pending) return;
    absl::Status status = absl::OkStatus();
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      status = absl::UnavailableError(absl::StrCat("kafka delivery failed: ", message.errstr()));
    }
    pending->on_delivery(pending->sequence, std::move(status));
  }
};

// Keeps the producer's idempotence state from the statistics JSON. The fields read are
// documented in librdkafka's STATISTICS.md ("eos": idemp_state, producer_id, producer_epoch).
class StatisticsWatch final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_STATS) {
      static const std::regex kState(R"re("idemp_state":\s*"([A-Za-z]+)")re");
      static const std::regex kProducerId(R"re("producer_id":\s*(-?[0-9]+))re");
      static const std::regex kEpoch(R"re("producer_epoch":\s*(-?[0-9]+))re");
      const std::string json = event.str();
      std::smatch match;
      std::lock_guard lock(mu_);
      if (std::regex_search(json, match, kState)) state_.state = match[1];
      if (std::regex_search(json, match, kProducerId)) state_.producer_id = std::stoll(match[1]);
      if (std::regex_search(json, match, kEpoch)) state_.epoch = std::stoll(match[1]);
    } else if (event.type() == RdKafka::Event::EVENT_ERROR) {
      LogWarning("kafka producer error", {{"error", event.str()}, {"fatal", event.fatal()}});
    }
  }
  IdempotenceState state() const {
    std::lock_guard lock(mu_);
    return state_;
  }

 private:
  mutable std::mutex mu_;
  IdempotenceState state_;
};

}  // namespace

struct KafkaPublisher::Impl {
  DeliveryReports reports;
  StatisticsWatch statistics;
  std::unique_ptr<RdKafka::Producer> producer;
};

KafkaPublisher::KafkaPublisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaPublisher::~KafkaPublisher() {
  // Events still in flight stay in the outbox and are republished by the next relay.
  impl_->producer->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  impl_->producer->poll(0);
}

absl::StatusOr<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(
    KafkaPublisherOptions options) {
  if (options.brokers.empty()) return absl::InvalidArgumentError("kafka brokers are empty");
  for (const char* fixed : {"enable.idempotence", "acks", "message.timeout.ms"}) {
    if (options.properties.count(fixed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", fixed, " is fixed by the outbox's guarantees"));
    }
  }
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", options.brokers},
      {"client.id", options.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // No delivery deadline: an event is retried until the broker has it, so a later
      // event of the same partition can never overtake it.
      {"message.timeout.ms", "0"},
      {"linger.ms", "5"},
      // librdkafka's default, set here because the store's kMaxEventBytes is kept below it.
      {"message.max.bytes", absl::StrCat(kMessageMaxBytes)},
      {"compression.type", "lz4"},
      // The Java client's partitioner, so keyed events land where Kafka Streams and other
      // Java consumers expect them.
      {"partitioner", "murmur2_random"},
      {"statistics.interval.ms", "1000"},
      // Back to publishing within about a second of a broker's return, not librdkafka's
      // default backoff of up to 10 s (the Java client's default, as for the consumers).
      {"reconnect.backoff.max.ms", "1000"},
  };
  for (const auto& [name, value] : options.properties) properties[name] = value;

  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(auto conf, internal::MakeConf(properties));
  std::string error;
  if (conf->set("dr_cb", &impl->reports, error) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", &impl->statistics, error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka callbacks: ", error));
  }
  impl->producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (!impl->producer) {
    return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", error));
  }
  return std::unique_ptr<KafkaPublisher>(new KafkaPublisher(std::move(impl)));
}

absl::Status KafkaPublisher::Publish(const common::v1::OutboxEvent& event,
                                     std::string_view producer_id, DeliveryCallback on_delivery) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const auto& [name, value] : CloudEventHeaders(event, producer_id)) {
    headers->add(name, value);
  }
  auto pending = std::make_unique<Pending>(Pending{event.sequence(), std::move(on_delivery)});
  for (;;) {
    RdKafka::ErrorCode code = impl_->producer->produce(
        event.topic(), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(event.payload().data()), event.payload().size(), event.key().data(),
        event.key().size(), 0, headers, pending.get());
    if (code == RdKafka::ERR_NO_ERROR) {
      pending.release();  // librdkafka owns it (and the headers) until the report
      return absl::OkStatus();
    }
    if (code == RdKafka::ERR__QUEUE_FULL) {
      impl_->producer->poll(100);  // make room by serving delivery reports
      continue;
    }
    delete headers;
    return absl::InvalidArgumentError(absl::StrCat("kafka refused event ", event.sequence(),
                                                   " for ", event.topic(), ": ",
                                                   RdKafka::err2str(code)));
  }
}

void KafkaPublisher::Poll(absl::Duration timeout) {
  impl_->producer->poll(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

absl::Status KafkaPublisher::Flush(absl::Duration timeout) {
  RdKafka::ErrorCode code =
      impl_->producer->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (code == RdKafka::ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat(impl_->producer->outq_len(), " events still in flight"));
  }
  return absl::OkStatus();
}

absl::StatusOr<IdempotenceState> KafkaPublisher::AwaitIdempotence(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    impl_->producer->poll(100);
    IdempotenceState state = impl_->statistics.state();
    if (state.state == "Assigned" && state.producer_id >= 0) return state;
  }
  const IdempotenceState state = impl_->statistics.state();
  return absl::UnavailableError(absl::StrCat("idempotent producer not assigned a producer id (state '",
                                             state.state, "')"));
}

std::string KafkaPublisher::ClientVersion() { return RdKafka::version_str(); }

}  // namespace jianguan::events
