// Why a request did not parse. proto3 refuses a string field holding invalid UTF-8 while
// parsing, before any handler sees it, and gRPC would answer INTERNAL. The ServiceHost
// answers such a request INVALID_ARGUMENT in every unary and server-streaming method it
// serves (DESIGN §4: bad input is INVALID_ARGUMENT naming each field) by walking the wire
// format to name every string field that is not UTF-8 (RefuseUnparsable). A client stream
// gets no such help (libs/server/internal/unparsable_requests.h), so the registry's import
// and risk's readings read their rows as raw bytes and refuse each bad row the same way,
// keeping the rest. Server layer: it reads gRPC byte buffers.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "libs/core/caller.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// Adds a violation (path under `prefix`) for every string field of `bytes`, read as a
/// `type` message, that is not valid UTF-8. Returns false when the bytes are not even
/// well-formed wire format (then "prefix: is not a valid message" is added) or nest messages
/// deeper than protobuf's parser allows (100; then the field is named "nested too deeply").
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

/// At most this many fields are named by RefuseUnparsable, so that the refusal stays well
/// within the size a client accepts for trailing metadata (gRPC's default is 8 KiB, and the
/// text travels twice: grpc-message and the BadRequest details).
inline constexpr size_t kMaxUnparsableFieldsNamed = 20;

/// INVALID_ARGUMENT for `bytes` that did not parse as a `type` message: naming (under
/// `prefix`) each text field that is not UTF-8, the first kMaxUnparsableFieldsNamed of them
/// and then how many more; or naming `prefix` ("request" without one) when the bytes are
/// not a message at all or fail for another reason. The text is valid UTF-8.
absl::Status RefuseUnparsable(const google::protobuf::Descriptor& type, std::string_view bytes,
                              std::string_view prefix = "");

/// `bytes` parsed as M, or RefuseUnparsable's INVALID_ARGUMENT.
template <typename M>
absl::StatusOr<M> ParseRequest(std::string_view bytes, std::string_view prefix = "") {
  M message;
  if (message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return message;
  return RefuseUnparsable(*M::descriptor(), bytes, prefix);
}

/// The row number a row that does not parse gives itself (its varint field 1), 0 when even
/// that cannot be read.
int64_t RowNumberOf(std::string_view row_bytes);

/// One answer per batch of a raw bidirectional stream (the registry's import, risk's
/// readings), in the order the batches came. A batch passes two stages:
///   prepare  on gRPC's thread as the batch arrives (parse, check, read, decide), returning
///            the batch's Commit;
///   commit   on the stream's own commit thread, one batch at a time and in order; its
///            answer is written to the client once it returns (so after the commit's fsync).
/// Batch N+1 is thus prepared while batch N commits; one prepared batch at most waits behind
/// the one committing, and the next batch is read only when the commit thread takes it. A
/// commit whose batch was prepared on reads made before the previous commit must make sure
/// itself that they still hold (the registry's import commits on preconditions and prepares
/// again when they fail). An error of either stage ends the stream with it, once the batches
/// committed before it are answered; a batch prepared behind a failed commit is dropped
/// uncommitted. The client closing its side ends the stream OK once every batch is answered.
/// Deletes itself when done.
class RawBatchReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  using Commit = std::function<absl::StatusOr<std::string>()>;
  using Prepare = std::function<absl::StatusOr<Commit>(const Caller&, std::string_view)>;
  using Handle = std::function<absl::StatusOr<std::string>(const Caller&, std::string_view)>;

  /// Both stages: `prepare(caller, batch)` returns the batch's commit.
  RawBatchReactor(grpc::CallbackServerContext* context, Prepare prepare);
  /// One stage: `handle(caller, batch)` runs whole in the commit stage (on a copy of the
  /// batch), so only the reading of the next batch overlaps it.
  static RawBatchReactor* OneStage(grpc::CallbackServerContext* context, Handle handle);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  /// What to start on gRPC once the lock is released.
  struct Actions {
    bool read = false;
    bool write = false;  // out_
    std::optional<grpc::Status> finish;
  };
  void CommitLoop();
  /// Takes the next committed answer into out_ when no write is outstanding.
  void WriteNextLocked(Actions& actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  /// Ends the stream when it has failed and nothing committed is left to answer, or when
  /// the client is done and every batch is answered.
  void FinishIfDoneLocked(Actions& actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Actions& actions);
  /// Keeps the first error.
  void FailLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Prepare prepare_;
  Caller caller_;
  grpc::ByteBuffer in_;  // the one read outstanding at a time
  absl::Mutex mu_;
  std::optional<Commit> queued_ ABSL_GUARDED_BY(mu_);  // prepared, not yet taken
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<grpc::ByteBuffer> answers_ ABSL_GUARDED_BY(mu_);  // committed, not yet written
  grpc::ByteBuffer out_;  // the one write outstanding at a time (writing_)
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool client_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread committer_;
};

}  // namespace jianguan
