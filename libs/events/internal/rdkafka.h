// The librdkafka glue shared by the producer, the consumer and the reader; private to
// libs/events.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "absl/status/statusor.h"
#include "libs/events/event.h"

namespace jianguan::events::internal {

/// A global configuration with every property set, or INVALID_ARGUMENT naming the
/// property librdkafka refused.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties);

/// Copies a consumed Kafka message (topic, partition, offset, key, value, headers).
ConsumedEvent ToConsumedEvent(RdKafka::Message& message);

}  // namespace jianguan::events::internal
