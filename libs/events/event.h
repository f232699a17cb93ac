// Events as the suite exchanges them: CloudEvents 1.0 in Kafka's binary mode (DESIGN.md §4).
//
// A service builds an OutboxEvent with MakeEvent() and adds it to its unit of work; the
// outbox relay publishes it with these headers:
//   ce_specversion "1.0", ce_id, ce_source, ce_type (full protobuf name), ce_time (RFC 3339),
//   ce_subject (USCC or resource name), content-type "application/protobuf",
//   jg_producer / jg_seq (the producing store and its outbox sequence; consumers use them
//   to drop copies republished after a crash).
// The Kafka key is the subject's USCC when the event is about a subject, else the
// resource name, so all events of one subject stay in order on one partition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/common/v1/records.pb.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::events {

inline constexpr std::string_view kContentType = "application/protobuf";
inline constexpr std::string_view kDeadLetterTopic = "jianguan.dlq.v1";

/// Header names, in one place.
namespace header {
inline constexpr std::string_view kSpecVersion = "ce_specversion";
inline constexpr std::string_view kId = "ce_id";
inline constexpr std::string_view kSource = "ce_source";
inline constexpr std::string_view kType = "ce_type";
inline constexpr std::string_view kTime = "ce_time";
inline constexpr std::string_view kSubject = "ce_subject";
inline constexpr std::string_view kContentType = "content-type";
inline constexpr std::string_view kProducer = "jg_producer";
inline constexpr std::string_view kSequence = "jg_seq";
}  // namespace header

/// What an event is about and where it goes.
struct EventSpec {
  std::string topic;    // e.g. "jianguan.subject.v1"
  std::string key;      // USCC or resource name
  std::string source;   // the publishing service, e.g. "subject-registry"
  std::string subject;  // ce_subject: USCC or resource name
  absl::Time time;      // when the change happened
  std::string id;       // unique id; MakeEvent makes one when empty
};

/// An outbox entry carrying `message`, typed by its full protobuf name.
common::v1::OutboxEvent MakeEvent(const EventSpec& spec, const google::protobuf::Message& message);

/// The headers the relay writes for `event`, in order.
std::vector<std::pair<std::string, std::string>> CloudEventHeaders(
    const common::v1::OutboxEvent& event, std::string_view producer_id);

/// RFC 3339 in UTC with the fraction the time has, e.g. "2026-11-23T04:00:00.123Z".
std::string FormatRfc3339(absl::Time time);

/// A message read from Kafka, with its CloudEvents attributes lifted out of the headers.
struct ConsumedEvent {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The last value of header `name`, if present.
  std::optional<std::string_view> Header(std::string_view name) const;
  std::string_view id() const { return Header(header::kId).value_or(""); }
  std::string_view type() const { return Header(header::kType).value_or(""); }
  std::string_view source() const { return Header(header::kSource).value_or(""); }
  std::string_view subject() const { return Header(header::kSubject).value_or(""); }
};

/// Parses the value as message type M after checking ce_type and content-type.
/// INVALID_ARGUMENT naming what is wrong; consumers dead-letter such events.
absl::Status DecodeInto(const ConsumedEvent& event, google::protobuf::Message& message);

template <typename M>
absl::StatusOr<M> Decode(const ConsumedEvent& event) {
  M message;
  if (absl::Status status = DecodeInto(event, message); !status.ok()) return status;
  return message;
}

}  // namespace jianguan::events
