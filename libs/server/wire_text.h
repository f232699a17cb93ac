// Why a request did not parse. proto3 refuses a string field holding invalid UTF-8 while
// parsing, before any handler sees it, and gRPC would answer INTERNAL. The registry reads
// its text-heavy requests (and risk its readings) as raw bytes instead and, when they do not parse, walks the
// wire format to name every string field that is not UTF-8 (DESIGN §4: bad input is
// INVALID_ARGUMENT naming each field). Server layer: it reads gRPC byte buffers.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "libs/core/caller.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// Adds a violation (path under `prefix`) for every string field of `bytes`, read as a
/// `type` message, that is not valid UTF-8. Returns false when the bytes are not even
/// well-formed wire format (then "prefix: is not a valid message" is added).
bool ExplainUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                       std::string_view prefix, FieldViolations& violations);

/// Calls `visit(number, bytes)` for each length-delimited field of `message` and
/// `visit(number, varint as text)` is never done: varints come through `visit_varint`.
/// False on malformed wire format.
bool ForEachField(std::string_view message,
                  const std::function<void(int number, std::string_view bytes)>& visit_bytes,
                  const std::function<void(int number, uint64_t value)>& visit_varint);

/// The bytes of a message received raw (empty when the buffer cannot be read).
std::string BytesOf(const grpc::ByteBuffer& buffer);
/// A raw message to send.
grpc::ByteBuffer BufferOf(const std::string& bytes);

/// `bytes` parsed as M, or INVALID_ARGUMENT naming (under `prefix`) each text field that is
/// not UTF-8, or "request"/`prefix` when the bytes do not parse at all.
template <typename M>
absl::StatusOr<M> ParseRequest(std::string_view bytes, std::string_view prefix = "") {
  M message;
  if (message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return message;
  FieldViolations violations;
  ExplainUnparsable(*M::descriptor(), bytes, prefix, violations);
  if (violations.empty()) violations.Add(prefix.empty() ? "request" : prefix, "does not parse");
  return violations.ToStatus();
}

/// The row number a row that does not parse gives itself (its varint field 1), 0 when even
/// that cannot be read.
int64_t RowNumberOf(std::string_view row_bytes);

/// One answer per batch of a raw bidirectional stream (the registry's import, risk's
/// readings): each batch read is handled by `handle(caller, bytes)` (committed by it), its
/// answer written, then the next batch read. An error of `handle` ends the stream with it;
/// the client closing its side ends it OK. Deletes itself when done.
class RawBatchReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  using Handle = std::function<absl::StatusOr<std::string>(const Caller&, std::string_view)>;

  RawBatchReactor(grpc::CallbackServerContext* context, Handle handle);
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  Handle handle_;
  Caller caller_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
};

}  // namespace jianguan
