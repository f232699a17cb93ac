// An event as a consumer receives it from Kafka, made in-process: for unit tests and benches of
// a service's apply functions (projections) that need no broker.
//   REQUIRE(ApplySubjectEvent(store, AsConsumed(topics::kSubject, uscc, registered), work).ok());
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "libs/events/event.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::testing {

/// `message` as read from `topic` at `offset` with key and ce_subject `key`, CloudEvents
/// headers included (ce_source `source`, ce_time `time`).
events::ConsumedEvent AsConsumed(const std::string& topic, const std::string& key,
                                 const google::protobuf::Message& message,
                                 const std::string& source = "test", int64_t offset = 0,
                                 absl::Time time = absl::UnixEpoch());

}  // namespace jianguan::testing
