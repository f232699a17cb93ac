#include "libs/write/write_path.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "libs/core/status_macros.h"
#include "libs/core/timestamps.h"

namespace jianguan {

void CheckRequestId(FieldViolations& violations, std::string_view request_id) {
  if (request_id.empty()) {
    violations.Add("request_id", "must not be empty: every write carries a client request_id");
    return;
  }
  if (request_id.size() > 128) {
    violations.Add("request_id", absl::StrCat("is ", request_id.size(),
                                              " characters, at most 128 are allowed"));
    return;
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7E) {
      violations.Add("request_id", "may hold only printable ASCII characters without spaces");
      return;
    }
  }
}

std::string MessageDigest(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return store::Sha256Hex(bytes);
}

absl::StatusOr<std::optional<std::string>> WritePath::Replay(
    std::string_view method, std::string_view request_id,
    const google::protobuf::Message& request) const {
  ASSIGN_OR_RETURN(auto record, store_.FindIdempotency(request_id));
  if (!record) return std::optional<std::string>();
  if (record->method() != method) {
    return InvalidField("request_id", absl::StrCat("was already used for ", record->method()));
  }
  if (record->request_digest() != MessageDigest(request)) {
    return InvalidField("request_id", "was already used for a different request");
  }
  return std::optional<std::string>(record->response());
}

absl::StatusOr<std::string> WritePath::CommitRaw(store::UnitOfWork& work,
                                                 const WriteContext& context,
                                                 const google::protobuf::Message& request,
                                                 const google::protobuf::Message& response) {
  const std::string digest = MessageDigest(request);
  common::v1::AuditRecord audit = AuditOf(context, digest);
  const google::protobuf::Timestamp now = audit.time();
  work.SetAudit(std::move(audit));
  common::v1::IdempotencyRecord idempotency;
  idempotency.set_request_id(context.request_id);
  idempotency.set_method(context.method);
  idempotency.set_request_digest(digest);
  idempotency.set_response(response.SerializeAsString());
  *idempotency.mutable_time() = now;
  work.SetIdempotency(idempotency);

  absl::Status committed = store_.Commit(work);
  if (committed.code() == absl::StatusCode::kAlreadyExists) {
    // A concurrent retry of the same request won the race; answer as it was answered.
    ASSIGN_OR_RETURN(auto first, Replay(context.method, context.request_id, request));
    if (first) return *first;
  }
  RETURN_IF_ERROR(committed);
  return idempotency.response();
}

absl::Status WritePath::CommitImport(store::UnitOfWork& work, const WriteContext& context,
                                     std::string_view request_digest) {
  work.SetAudit(AuditOf(context, request_digest));
  return store_.Commit(work);
}

common::v1::AuditRecord WritePath::AuditOf(const WriteContext& context,
                                           std::string_view request_digest) const {
  common::v1::AuditRecord audit;
  *audit.mutable_time() = ToTimestamp(clock_.Now());
  audit.set_department(context.caller.department);
  audit.set_user_id(context.caller.user_id);
  audit.set_system(context.caller.system);
  audit.set_identity(context.caller.identity);
  audit.set_method(context.method);
  audit.set_resource(context.resource);
  audit.set_request_digest(std::string(request_digest));
  return audit;
}

}  // namespace jianguan
