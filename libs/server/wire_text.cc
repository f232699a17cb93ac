#include "libs/server/wire_text.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/server/grpc_status.h"
#include "libs/server/identity.h"

namespace jianguan {

using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

bool ForEachField(std::string_view message,
                  const std::function<void(int, std::string_view)>& visit_bytes,
                  const std::function<void(int, uint64_t)>& visit_varint) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(message.data()),
                                            static_cast<int>(message.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t value = 0;
        if (!in.ReadVarint64(&value)) return false;
        visit_varint(number, value);
        break;
      }
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length = 0;
        if (!in.ReadVarint32(&length)) return false;
        const int position = in.CurrentPosition();
        if (static_cast<size_t>(position) + length > message.size()) return false;
        visit_bytes(number, message.substr(position, length));
        if (!in.Skip(static_cast<int>(length))) return false;
        break;
      }
      default:
        if (!WireFormatLite::SkipField(&in, tag)) return false;
    }
  }
  return in.ConsumedEntireMessage();
}

namespace {

// protobuf's default recursion limit: deeper requests fail to parse anyway, and the walk
// below must not let the bytes of a recursive message type recurse without bound.
constexpr int kMaxDepth = 100;

bool Explain(const google::protobuf::Descriptor& type, std::string_view bytes,
             std::string_view prefix, int depth, FieldViolations& violations) {
  std::map<int, int> seen;  // field number → occurrences so far (index of a repeated field)
  bool nested_ok = true;
  const bool ok = ForEachField(
      bytes,
      [&](int number, std::string_view value) {
        const FieldDescriptor* field = type.FindFieldByNumber(number);
        if (field == nullptr) return;
        std::string path = prefix.empty() ? field->name()
                                          : absl::StrCat(AbslView(prefix), ".", field->name());
        const int index = seen[number]++;
        if (field->is_repeated()) absl::StrAppend(&path, "[", index, "]");
        if (field->type() == FieldDescriptor::TYPE_STRING && !IsValidUtf8(value)) {
          violations.Add(path, "is not valid UTF-8");
        } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
          if (depth >= kMaxDepth) {
            violations.Add(path, "is nested too deeply");
            nested_ok = false;
            return;
          }
          nested_ok = Explain(*field->message_type(), value, path, depth + 1, violations) &&
                      nested_ok;
        }
      },
      [](int, uint64_t) {});
  if (!ok) violations.Add(prefix.empty() ? "request" : prefix, "is not a valid message");
  return ok && nested_ok;
}

}  // namespace

bool ExplainUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                       std::string_view prefix, FieldViolations& violations) {
  return Explain(type, bytes, prefix, 0, violations);
}

absl::Status RefuseUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                              std::string_view prefix) {
  const std::string_view whole = prefix.empty() ? "request" : prefix;
  FieldViolations found;
  ExplainUnparsable(type, bytes, prefix, found);
  if (found.empty()) found.Add(whole, "does not parse");
  if (found.violations().size() <= kMaxUnparsableFieldsNamed) return found.ToStatus();
  FieldViolations named;
  for (size_t i = 0; i < kMaxUnparsableFieldsNamed; ++i) {
    named.Add(found.violations()[i].field, found.violations()[i].description);
  }
  named.Add(whole, absl::StrCat("and ", found.violations().size() - kMaxUnparsableFieldsNamed,
                                " more fields are refused as above"));
  return named.ToStatus();
}

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

int64_t RowNumberOf(std::string_view row_bytes) {
  int64_t row_number = 0;
  ForEachField(row_bytes, [](int, std::string_view) {},
               [&](int number, uint64_t value) {
                 if (number == 1) row_number = static_cast<int64_t>(value);
               });
  return row_number;
}

RawBatchReactor::RawBatchReactor(grpc::CallbackServerContext* context, Handle handle)
    : handle_(std::move(handle)) {
  auto caller = CallerOf(context);
  if (!caller.ok()) {
    Finish(ToGrpcStatus(caller.status()));
    return;
  }
  caller_ = *caller;
  StartRead(&in_);
}

void RawBatchReactor::OnReadDone(bool ok) {
  if (!ok) {
    Finish(grpc::Status::OK);  // the client closed its side: every batch was answered
    return;
  }
  absl::StatusOr<std::string> answer = handle_(caller_, BytesOf(in_));
  if (!answer.ok()) {
    Finish(ToGrpcStatus(answer.status()));
    return;
  }
  out_ = BufferOf(*answer);
  StartWrite(&out_);
}

void RawBatchReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    return;
  }
  StartRead(&in_);
}

}  // namespace jianguan
