#include "libs/core/field_violations.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan {

namespace {

constexpr std::string_view kPreconditionFailureTypeUrl =
    "type.googleapis.com/google.rpc.PreconditionFailure";

}  // namespace

void FieldViolations::Add(std::string_view field, std::string_view description) {
  // Descriptions often quote input; a client must be able to parse the answer whatever the
  // input was (proto3 strings are UTF-8), so what is not UTF-8 is escaped here, once for all.
  violations_.push_back(FieldViolation{ShownUtf8(field), ShownUtf8(description)});
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  std::string message;
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations_) {
    if (!message.empty()) message += "; ";
    absl::StrAppend(&message, v.field, ": ", v.description);
    google::rpc::BadRequest::FieldViolation* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(AbslView(kBadRequestTypeUrl), absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(AbslView(kBadRequestTypeUrl));
  if (!payload.has_value()) return out;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& v : bad_request.field_violations()) {
    out.push_back(FieldViolation{v.field(), v.description()});
  }
  return out;
}

absl::Status InvalidField(std::string_view field, std::string_view description) {
  FieldViolations violations;
  violations.Add(field, description);
  return violations.ToStatus();
}

absl::Status FailedPrecondition(std::string_view resource, std::string_view description) {
  absl::Status status = absl::FailedPreconditionError(
      ShownUtf8(absl::StrCat(AbslView(resource), ": ", AbslView(description))));
  google::rpc::PreconditionFailure failure;
  google::rpc::PreconditionFailure::Violation* v = failure.add_violations();
  v->set_type("STATE");
  v->set_subject(ShownUtf8(resource));
  v->set_description(ShownUtf8(description));
  status.SetPayload(AbslView(kPreconditionFailureTypeUrl), absl::Cord(failure.SerializeAsString()));
  return status;
}

absl::Status ResourceNotFound(std::string_view resource) {
  return absl::NotFoundError(ShownUtf8(absl::StrCat("resource not found: ", AbslView(resource))));
}

}  // namespace jianguan
