#include "libs/testing/consumed_event.h"

namespace jianguan::testing {

events::ConsumedEvent AsConsumed(const std::string& topic, const std::string& key,
                                 const google::protobuf::Message& message,
                                 const std::string& source, int64_t offset, absl::Time time) {
  const common::v1::OutboxEvent outbox = events::MakeEvent(
      {.topic = topic, .key = key, .source = source, .subject = key, .time = time}, message);
  events::ConsumedEvent event;
  event.topic = topic;
  event.offset = offset;
  event.key = key;
  event.value = outbox.payload();
  event.headers = events::CloudEventHeaders(outbox, source);
  return event;
}

}  // namespace jianguan::testing
