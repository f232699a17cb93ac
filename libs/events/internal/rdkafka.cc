#include "libs/events/internal/rdkafka.h"

#include <librdkafka/rdkafka.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace jianguan::events::internal {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  std::map<std::string, std::string> all = properties;
  // librdkafka's own trace (contexts such as "cgrp,fetch,topic") for an operator chasing a
  // consumer that reads nothing; off unless asked for.
  if (const char* debug = std::getenv("JG_KAFKA_DEBUG"); debug != nullptr && *debug != '\0') {
    all["debug"] = debug;
  }
  for (const auto& [name, value] : all) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", name, ": ", error));
    }
  }
  return conf;
}

ConsumedEvent ToConsumedEvent(RdKafka::Message& message) {
  ConsumedEvent event;
  event.topic = message.topic_name();
  event.partition = message.partition();
  event.offset = message.offset();
  if (message.key()) event.key = *message.key();
  event.value.assign(static_cast<const char*>(message.payload()), message.len());
  // Headers through the C API: they are read in place, where the C++ wrapper copies each
  // one twice (a consumer reads every event of its topics, most only to skip them).
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message.c_ptr(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      headers != nullptr) {
    event.headers.reserve(rd_kafka_header_cnt(headers));
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      event.headers.emplace_back(
          name, value != nullptr ? std::string(static_cast<const char*>(value), size) : std::string());
    }
  }
  return event;
}

}  // namespace jianguan::events::internal
