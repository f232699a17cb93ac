// Bad input is answered with INVALID_ARGUMENT naming every offending field at once (DESIGN §4
// "Errors"), so a caller can fix a whole request in one go. Handlers collect problems in a
// FieldViolations and return its status:
//
//   FieldViolations violations;
//   if (request.name().empty()) violations.Add("name", "must not be empty");
//   if (auto s = ValidateUscc(request.uscc()); !s.ok()) violations.Add("uscc", s.message());
//   RETURN_IF_ERROR(violations.ToStatus());
//
// The violations travel as a google.rpc.BadRequest payload of the absl::Status, which
// grpc_status.h turns into the standard gRPC error details and back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace jianguan {

/// One offending field: its path in the request (e.g. "subject.address.region_code") and
/// what is wrong with it, in words a caller can act on.
struct FieldViolation {
  std::string field;
  std::string description;

  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

/// The type URL under which violations are attached to an absl::Status (and packed in
/// google.rpc.Status.details), as the Google API error model names google.rpc.BadRequest.
inline constexpr std::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

/// Collects field violations of one request. Not thread-safe; meant to live on the stack of
/// one validation.
class FieldViolations {
 public:
  /// Records that `field` is wrong. Order is kept; the same field may be named twice.
  void Add(std::string_view field, std::string_view description);

  /// True when nothing was added.
  bool empty() const { return violations_.empty(); }

  const std::vector<FieldViolation>& violations() const { return violations_; }

  /// OK when empty; otherwise INVALID_ARGUMENT whose message is
  /// "field: description; field2: description2" (every field, in order added) and which
  /// carries the violations as a google.rpc.BadRequest payload (see FieldViolationsOf).
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

/// The violations carried by `status` (attached by FieldViolations::ToStatus, or restored by
/// FromGrpcStatus); empty when it carries none or the payload cannot be decoded.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

/// INVALID_ARGUMENT for a single field, with the same message and payload as a
/// FieldViolations holding just that field.
absl::Status InvalidField(std::string_view field, std::string_view description);

/// FAILED_PRECONDITION: the request is well formed but `resource` (e.g. "tasks/01J…") is not
/// in a state that allows it, e.g. a forbidden state-machine transition. Message
/// "resource: description"; carries a google.rpc.PreconditionFailure payload with one
/// violation of type "STATE" whose subject is `resource`.
absl::Status FailedPrecondition(std::string_view resource, std::string_view description);

/// NOT_FOUND for a resource name: message "resource not found: <resource>".
absl::Status ResourceNotFound(std::string_view resource);

}  // namespace jianguan
