// The write path of DESIGN.md §4, the one way every mutation and import commits: replay a
// retried request_id, let the domain decide, then commit the decision's unit of work with
// its audit record (全程留痕) and idempotency key in one RocksDB write.
//
//   absl::StatusOr<v1::Subject> SubjectRegistryService::Register(const Caller& caller,
//                                                                const v1::RegisterRequest& r) {
//     return writes_.Write<v1::Subject>(
//         {.caller = caller, .method = methods_("RegisterSubject"),
//          .request_id = r.request_id(), .request = r},
//         [&]() -> absl::StatusOr<Decision<v1::Subject>> {
//           ... read current state, ask the domain ...
//           Decision<v1::Subject> d{.resource = "subjects/" + uscc, .response = subject};
//           subjects_.Save(d.work, nullptr, subject);          // state
//           emitter_.Emit(d.work, uscc, registered_event);     // outbox
//           return d;
//         });
//   }
//
// Thread-safe. Two concurrent calls with one request_id: one commits, the other gets the
// committed answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "libs/core/caller.h"
#include "libs/core/clock.h"
#include "libs/core/field_violations.h"
#include "libs/store/store.h"

namespace google::protobuf {
class Message;
}

namespace jianguan {

/// Adds a violation unless `request_id` is 1–128 printable ASCII characters.
void CheckRequestId(FieldViolations& violations, std::string_view request_id);

/// SHA-256 (hex) of the deterministic serialization of `message`.
std::string MessageDigest(const google::protobuf::Message& message);

/// What a write decided: the resource it changed (for the audit record), the answer to the
/// client, and the unit of work holding the new state and the events to publish. A decision
/// whose work is empty (no write, no event) changed nothing: it is answered without a commit.
template <typename Response>
struct Decision {
  std::string resource;
  Response response;
  store::UnitOfWork work;
};

/// What the audit record says about a write.
struct WriteContext {
  Caller caller;
  /// Full gRPC method, e.g. "/jianguan.subject.v1.SubjectRegistry/RegisterSubject"
  /// (MethodNames builds it from the generated descriptors).
  std::string method;
  /// The resource changed, e.g. "subjects/91330700MA2E0T6W3X".
  std::string resource;
  /// The client's request_id (already checked with CheckRequestId); empty for imports, which
  /// are acknowledged batch by batch and carry no request_id.
  std::string request_id;
};

/// One client request that writes.
struct WriteRequest {
  const Caller& caller;
  std::string method;
  std::string_view request_id;
  const google::protobuf::Message& request;
};

class WritePath {
 public:
  WritePath(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  /// The write every mutation makes: the first answer when `request.request_id` was seen
  /// before (nothing changes); otherwise `decide()` — an absl::StatusOr<Decision<Response>>
  /// — and its commit with audit and idempotency. `decide` runs at most once and its error is
  /// returned as is; a failed precondition of the decision's work is FAILED_PRECONDITION.
  template <typename Response, typename Decide>
  absl::StatusOr<Response> Write(const WriteRequest& request, Decide&& decide) {
    auto replay = Replay<Response>(request.method, request.request_id, request.request);
    if (!replay.ok()) return replay.status();
    if (replay->has_value()) return std::move(**replay);
    absl::StatusOr<Decision<Response>> decided = std::forward<Decide>(decide)();
    if (!decided.ok()) return decided.status();
    if (decided->work.empty()) {
      return std::move(decided->response);
    }
    return Commit(decided->work,
                  {.caller = request.caller,
                   .method = request.method,
                   .resource = std::move(decided->resource),
                   .request_id = std::string(request.request_id)},
                  request.request, decided->response);
  }

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

  /// Commits one acknowledged batch of an import: `work` with an audit record whose request
  /// digest is `request_digest` (the batch's SHA-256), without an idempotency key (a client
  /// re-sends a batch after a break, and the import itself leaves unchanged rows alone).
  absl::Status CommitImport(store::UnitOfWork& work, const WriteContext& context,
                            std::string_view request_digest);

 private:
  common::v1::AuditRecord AuditOf(const WriteContext& context,
                                  std::string_view request_digest) const;

  store::Store& store_;
  const Clock& clock_;
};

}  // namespace jianguan
