#include "libs/events/internal/rdkafka.h"

#include "absl/strings/str_cat.h"

namespace jianguan::events::internal {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [name, value] : properties) {
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
  if (RdKafka::Headers* headers = message.headers()) {
    for (const auto& h : headers->get_all()) {
      event.headers.emplace_back(
          h.key(), std::string(h.value_string() ? h.value_string() : "", h.value_size()));
    }
  }
  return event;
}

}  // namespace jianguan::events::internal
