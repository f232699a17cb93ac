#include "libs/events/kafka_admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/events/internal/rdkafka.h"

namespace jianguan::events {
namespace {

// A C-API client for admin calls (rdkafka++ has no admin API in 2.0).
struct CClient {
  rd_kafka_t* rk = nullptr;
  ~CClient() {
    if (rk) rd_kafka_destroy(rk);
  }
};

absl::Status NewCClient(const std::string& brokers, CClient& client) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("bootstrap.servers: ", error));
  }
  client.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!client.rk) return absl::InvalidArgumentError(absl::StrCat("kafka client: ", error));
  return absl::OkStatus();
}

std::unique_ptr<RdKafka::Message> Consume(RdKafka::KafkaConsumer& consumer, int timeout_ms) {
  return std::unique_ptr<RdKafka::Message>(consumer.consume(timeout_ms));
}

}  // namespace

absl::Status CreateTopics(const std::string& brokers, const std::vector<std::string>& topics,
                          int partitions, absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  CClient client;
  RETURN_IF_ERROR(NewCClient(brokers, client));
  char error[512];
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const auto& name : topics) {
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, error, sizeof error);
    if (!topic) {
      for (auto* t : requests) rd_kafka_NewTopic_destroy(t);
      return absl::InvalidArgumentError(absl::StrCat("topic ", name, ": ", error));
    }
    requests.push_back(topic);
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(client.rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(absl::ToInt64Milliseconds(timeout)),
                                            error, sizeof error);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client.rk);
  rd_kafka_CreateTopics(client.rk, requests.data(), requests.size(), options, queue);
  rd_kafka_event_t* event =
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 5000);
  absl::Status status = absl::OkStatus();
  if (!event) {
    status = absl::UnavailableError(absl::StrCat("no answer from kafka at ", brokers));
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(absl::StrCat("create topics: ", rd_kafka_event_error_string(event)));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count && status.ok(); ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        status = absl::InvalidArgumentError(absl::StrCat(
            "topic ", rd_kafka_topic_result_name(results[i]), ": ",
            rd_kafka_topic_result_error_string(results[i])));
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  for (auto* t : requests) rd_kafka_NewTopic_destroy(t);
  return status;
}

absl::StatusOr<std::vector<std::string>> ListTopics(const std::string& brokers,
                                                    absl::Duration timeout) {
  CClient client;
  RETURN_IF_ERROR(NewCClient(brokers, client));
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client.rk, 1, nullptr, &metadata,
                                              static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka metadata from ", brokers, ": ", rd_kafka_err2str(err)));
  }
  std::vector<std::string> names;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    std::string name = metadata->topics[i].topic;
    if (!name.empty() && name[0] != '_') names.push_back(std::move(name));
  }
  rd_kafka_metadata_destroy(metadata);
  std::sort(names.begin(), names.end());
  return names;
}

struct TopicReader::Impl {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::string topic;
  From from = From::kBeginning;
};

TopicReader::TopicReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TopicReader::~TopicReader() {
  if (impl_->consumer) impl_->consumer->close();
}

absl::StatusOr<std::unique_ptr<TopicReader>> TopicReader::Open(
    const std::string& brokers, const std::string& topic, From from,
    const std::map<std::string, std::string>& properties) {
  // A group id is required by the client but never joined: partitions are assigned by hand
  // and no offsets are committed. A reader reads what a topic holds now, for a person or a
  // test waiting on it: the broker answers a fetch that finds nothing new after 50 ms
  // instead of librdkafka's 500, which made reading a six-partition topic to its end take
  // 1-2.5 s of such waits (about 0.1 s now).
  std::map<std::string, std::string> settings = {{"bootstrap.servers", brokers},
                                                 {"group.id", "jianguan-reader"},
                                                 {"enable.auto.commit", "false"},
                                                 {"enable.partition.eof", "false"},
                                                 {"fetch.wait.max.ms", "50"}};
  for (const auto& [name, value] : properties) settings[name] = value;
  ASSIGN_OR_RETURN(auto conf, internal::MakeConf(settings));
  std::string error;
  auto impl = std::make_unique<Impl>();
  impl->topic = topic;
  impl->from = from;
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl->consumer) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", error));

  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(impl->consumer.get(), topic, nullptr, error));
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode code = impl->consumer->metadata(false, handle.get(), &raw, 10000);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka metadata for ", topic, ": ", RdKafka::err2str(code)));
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* t : *metadata->topics()) {
    if (t->topic() != topic) continue;
    if (t->err() != RdKafka::ERR_NO_ERROR) {
      return absl::NotFoundError(absl::StrCat("topic ", topic, ": ", RdKafka::err2str(t->err())));
    }
    for (const auto* p : *t->partitions()) {
      partitions.push_back(RdKafka::TopicPartition::create(
          topic, p->id(),
          from == From::kBeginning ? RdKafka::Topic::OFFSET_BEGINNING : RdKafka::Topic::OFFSET_END));
    }
  }
  if (partitions.empty()) return absl::NotFoundError(absl::StrCat("topic ", topic, " not found"));
  code = impl->consumer->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("assign ", topic, ": ", RdKafka::err2str(code)));
  }
  return std::unique_ptr<TopicReader>(new TopicReader(std::move(impl)));
}

std::optional<ConsumedEvent> TopicReader::Next(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  do {
    const int wait = static_cast<int>(std::max<int64_t>(
        0, std::min<int64_t>(100, absl::ToInt64Milliseconds(deadline - absl::Now()))));
    auto message = Consume(*impl_->consumer, wait);
    if (message->err() != RdKafka::ERR_NO_ERROR) continue;
    return internal::ToConsumedEvent(*message);
  } while (absl::Now() < deadline);
  return std::nullopt;
}

std::vector<ConsumedEvent> TopicReader::ReadAtLeast(size_t count, absl::Duration timeout) {
  std::vector<ConsumedEvent> events;
  const absl::Time deadline = absl::Now() + timeout;
  while (events.size() < count && absl::Now() < deadline) {
    if (auto event = Next(std::min(deadline - absl::Now(), absl::Milliseconds(500)))) {
      events.push_back(std::move(*event));
    }
  }
  return events;
}

absl::StatusOr<std::vector<ConsumedEvent>> TopicReader::ReadToEnd(absl::Duration timeout) {
  if (impl_->from != From::kBeginning) {
    return absl::FailedPreconditionError(
        "ReadToEnd needs a reader opened From::kBeginning: the start of one opened at the end "
        "is not known");
  }
  const absl::Time deadline = absl::Now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(
        std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now())));
  };
  std::vector<RdKafka::TopicPartition*> partitions;
  RdKafka::ErrorCode code = impl_->consumer->assignment(partitions);
  if (code != RdKafka::ERR_NO_ERROR) {
    RdKafka::TopicPartition::destroy(partitions);
    return absl::UnavailableError(
        absl::StrCat("assignment of ", impl_->topic, ": ", RdKafka::err2str(code)));
  }
  // Each partition's end now, and whether it holds anything to read at all: an empty one
  // (low == high) has no position to reach, since nothing will be consumed from it.
  struct End {
    int64_t high = 0;
    bool empty = false;
  };
  std::vector<End> ends(partitions.size());
  for (size_t i = 0; i < partitions.size(); ++i) {
    int64_t low = 0, high = 0;
    code = impl_->consumer->query_watermark_offsets(impl_->topic, partitions[i]->partition(), &low,
                                                    &high, std::max(1, left_ms()));
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(partitions);
      return absl::UnavailableError(
          absl::StrCat("end offsets of ", impl_->topic, ": ", RdKafka::err2str(code)));
    }
    ends[i] = {.high = high, .empty = low >= high};
  }
  std::vector<ConsumedEvent> events;
  for (;;) {
    // Reached when every partition is empty or consumed up to its end (the position is the
    // next offset to read; OFFSET_INVALID, negative, until a message was read from it).
    code = impl_->consumer->position(partitions);
    bool all = code == RdKafka::ERR_NO_ERROR;
    for (size_t i = 0; all && i < partitions.size(); ++i) {
      all = ends[i].empty || partitions[i]->offset() >= ends[i].high;
    }
    if (all) break;
    if (absl::Now() >= deadline) {
      RdKafka::TopicPartition::destroy(partitions);
      return absl::DeadlineExceededError(absl::StrCat(
          impl_->topic, ": the partitions' ends not reached within ", absl::FormatDuration(timeout),
          " (", events.size(), " messages read)"));
    }
    auto message = Consume(*impl_->consumer, std::min(100, left_ms()));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      events.push_back(internal::ToConsumedEvent(*message));
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
  return events;
}

}  // namespace jianguan::events
