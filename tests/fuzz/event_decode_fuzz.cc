// The consumer's decoding of a Kafka message (libs/events/event.h: ConsumedEvent's CloudEvents
// attributes and DecodeInto) on any headers and payload. Properties: a header reads as its
// last value; DecodeInto accepts only a message whose ce_type is the type asked for, whose
// content-type (when given) is application/protobuf and whose payload parses, and what it
// accepts serializes and parses back to the same message; what it refuses it says in valid
// UTF-8, since the consumer puts that text into the dead letter's reason (a proto3 string).
//
// Input, like an HTTP head: "name: value" lines (value up to the line's end, any bytes but a
// newline) up to an empty line, then the payload. Each event is decoded as the type its
// ce_type names (when the generated pool has it) and as a few fixed types.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/common/v1/records.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/event.h"
#include "tests/fuzz/fuzz_checks.h"

namespace pb = ::google::protobuf;

namespace jianguan::events {
namespace {

ConsumedEvent EventOf(std::string_view input) {
  ConsumedEvent event{.topic = "jianguan.subject.v1", .partition = 0, .offset = 0};
  while (!input.empty()) {
    const size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon), value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (value.starts_with(' ')) value.remove_prefix(1);
    }
    event.headers.emplace_back(std::string(name), std::string(value));
  }
  event.value = std::string(input);
  return event;
}

void CheckDecode(const ConsumedEvent& event, pb::Message& message) {
  const absl::Status status = DecodeInto(event, message);
  if (!status.ok()) {
    JG_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(status);
    return;
  }
  JG_FUZZ_CHECK(event.type() == message.GetDescriptor()->full_name());
  const std::optional<std::string_view> content_type = event.Header(header::kContentType);
  JG_FUZZ_CHECK(!content_type || *content_type == kContentType);
  const std::unique_ptr<pb::Message> again(message.New());
  JG_FUZZ_CHECK(again->ParseFromString(message.SerializeAsString()));
  JG_FUZZ_CHECK(pb::util::MessageDifferencer::Equals(*again, message));
}

}  // namespace
}  // namespace jianguan::events

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  using namespace jianguan::events;
  const ConsumedEvent event = EventOf(std::string_view(reinterpret_cast<const char*>(data), size));

  std::optional<std::string_view> last_type;
  for (const auto& [name, value] : event.headers) {
    if (name == header::kType) last_type = value;
  }
  JG_FUZZ_CHECK(event.Header(header::kType) == last_type);
  JG_FUZZ_CHECK(event.type() == last_type.value_or(""));

  if (const pb::Descriptor* named = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(event.type()))) {
    const std::unique_ptr<pb::Message> message(
        pb::MessageFactory::generated_factory()->GetPrototype(named)->New());
    CheckDecode(event, *message);
  }
  subject::v1::SubjectRegistered registered;
  CheckDecode(event, registered);
  inspection::v1::ResultPublished published;
  CheckDecode(event, published);
  cases::v1::PenaltyDecided decided;
  CheckDecode(event, decided);
  common::v1::DeadLetter letter;
  CheckDecode(event, letter);
  return 0;
}
