#include "libs/events/event.h"

#include <atomic>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/message.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"

namespace jianguan::events {
namespace {

// A 128-bit random id in UUID text form; the relay never changes it, so a republished
// event keeps its ce_id.
std::string NewEventId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  const uint64_t hi = generator();
  const uint64_t lo = generator();
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0x0FFF, ((lo >> 48) & 0x3FFF) | 0x8000, lo & 0xFFFFFFFFFFFF);
}

}  // namespace

common::v1::OutboxEvent MakeEvent(const EventSpec& spec, const google::protobuf::Message& message) {
  common::v1::OutboxEvent event;
  event.set_topic(spec.topic);
  event.set_key(spec.key);
  event.set_id(spec.id.empty() ? NewEventId() : spec.id);
  event.set_source(spec.source);
  event.set_type(message.GetDescriptor()->full_name());
  event.set_subject(spec.subject);
  *event.mutable_time() = ToTimestamp(spec.time);
  event.set_payload(message.SerializeAsString());
  return event;
}

std::string FormatRfc3339(absl::Time time) {
  // The events of one commit share their time (an import batch's thousands): the text of
  // the last time formatted on this thread is kept.
  thread_local absl::Time last = absl::InfinitePast();
  thread_local std::string text;
  if (time != last) {
    text = absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
    last = time;
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> CloudEventHeaders(
    const common::v1::OutboxEvent& event, std::string_view producer_id) {
  const absl::Time time = FromTimestamp(event.time());
  return {
      {std::string(header::kSpecVersion), "1.0"},
      {std::string(header::kId), event.id()},
      {std::string(header::kSource), event.source()},
      {std::string(header::kType), event.type()},
      {std::string(header::kTime), FormatRfc3339(time)},
      {std::string(header::kSubject), event.subject()},
      {std::string(header::kContentType), std::string(kContentType)},
      {std::string(header::kProducer), std::string(producer_id)},
      {std::string(header::kSequence), absl::StrCat(event.sequence())},
  };
}

std::optional<std::string_view> ConsumedEvent::Header(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const auto& [key, value] : headers) {
    if (key == name) found = value;
  }
  return found;
}

absl::Status DecodeInto(const ConsumedEvent& event, google::protobuf::Message& message) {
  // Header values are any bytes; the error becomes a dead letter's reason (a proto3 string)
  // and a log field, so they are quoted as text_checks.h shows input: valid UTF-8, bounded.
  constexpr size_t kShownChars = 100;
  const std::string& expected = message.GetDescriptor()->full_name();
  if (event.type() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ce_type is ", QuotedInput(event.type(), kShownChars), ", expected '", expected, "'"));
  }
  if (auto content_type = event.Header(header::kContentType);
      content_type && *content_type != kContentType) {
    return absl::InvalidArgumentError(
        absl::StrCat("content-type is ", QuotedInput(*content_type, kShownChars), ", expected ",
                     AbslView(kContentType)));
  }
  if (!message.ParseFromString(event.value)) {
    return absl::InvalidArgumentError(absl::StrCat("value does not parse as ", expected));
  }
  return absl::OkStatus();
}

}  // namespace jianguan::events
