// The write path of DESIGN.md §4 for a handler: replay a retried request_id, then commit the
// domain's unit of work together with its audit record (全程留痕) and idempotency key.
//
//   WritePath writes(store, clock);
//   ASSIGN_OR_RETURN(auto replay, writes.Replay<RegisterSubjectResponse>(kMethod, request));
//   if (replay) return *replay;                 // a retry: the first answer, nothing changed
//   store::UnitOfWork work = registry.Register(...);   // domain decision
//   return writes.Commit(work, {.caller = caller, .method = kMethod,
//                               .resource = "subjects/" + uscc}, request, response);
//
// Thread-safe. Two concurrent calls with one request_id: one commits, the other gets the
// committed answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/core/field_violations.h"
#include "libs/server/identity.h"
#include "libs/store/store.h"

namespace google::protobuf {
class Message;
}

namespace jianguan {

/// Adds a violation unless `request_id` is 1–128 printable ASCII characters.
void CheckRequestId(FieldViolations& violations, std::string_view request_id);

/// SHA-256 (hex) of the deterministic serialization of `message`.
std::string MessageDigest(const google::protobuf::Message& message);

/// What the audit record says about a write.
struct WriteContext {
  Caller caller;
  /// Full gRPC method, e.g. "/jianguan.subject.v1.SubjectRegistry/RegisterSubject".
  std::string method;
  /// The resource changed, e.g. "subjects/91330700MA2E0T6W3X".
  std::string resource;
  /// The client's request_id (already checked with CheckRequestId).
  std::string request_id;
};

class WritePath {
 public:
  WritePath(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  /// The serialized first answer to this request_id, or nullopt when it is new.
  /// INVALID_ARGUMENT (field request_id) when the id was used for another method or another
  /// request.
  absl::StatusOr<std::optional<std::string>> Replay(std::string_view method,
                                                    std::string_view request_id,
                                                    const google::protobuf::Message& request) const;

  template <typename Response>
  absl::StatusOr<std::optional<Response>> Replay(std::string_view method,
                                                 std::string_view request_id,
                                                 const google::protobuf::Message& request) const {
    auto raw = Replay(method, request_id, request);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return std::optional<Response>();
    Response response;
    if (!response.ParseFromString(**raw)) {
      return absl::DataLossError("stored answer of request_id does not parse");
    }
    return std::optional<Response>(std::move(response));
  }

  /// Commits `work` with the audit record and the idempotency key; returns `response` as
  /// committed, or the first answer when a concurrent retry committed first. Errors are the
  /// store's (FAILED_PRECONDITION when a precondition of `work` failed).
  template <typename Response>
  absl::StatusOr<Response> Commit(store::UnitOfWork& work, const WriteContext& context,
                                  const google::protobuf::Message& request,
                                  const Response& response) {
    auto raw = CommitRaw(work, context, request, response);
    if (!raw.ok()) return raw.status();
    Response committed;
    if (!committed.ParseFromString(*raw)) {
      return absl::DataLossError("stored answer of request_id does not parse");
    }
    return committed;
  }

  absl::StatusOr<std::string> CommitRaw(store::UnitOfWork& work, const WriteContext& context,
                                        const google::protobuf::Message& request,
                                        const google::protobuf::Message& response);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace jianguan
