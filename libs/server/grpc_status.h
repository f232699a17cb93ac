// The one conversion between absl::Status (used everywhere inside) and grpc::Status (on the
// wire). Handlers call ToGrpcStatus once, on the way out; clients and tests call
// FromGrpcStatus on the way in.
//
// Details follow the Google API error model: a non-OK status that carries payloads (e.g. the
// google.rpc.BadRequest of FieldViolations) is sent with a serialized google.rpc.Status in
// grpc::Status::error_details() — the "grpc-status-details-bin" trailer — whose `details`
// hold each payload as a google.protobuf.Any under the payload's type URL.
//
// This is the only core header that includes gRPC; keep it out of domain code.
#pragma once

#include <vector>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// Same code, same message. For a non-OK status with payloads, error_details() is a
/// serialized google.rpc.Status {code, message, details: one Any per payload}; without
/// payloads the details are empty. OK maps to grpc::Status::OK.
grpc::Status ToGrpcStatus(const absl::Status& status);

/// The inverse of ToGrpcStatus: same code and message, and every Any in the details (when
/// they parse as google.rpc.Status) restored as a payload under its type URL. Details that
/// do not parse are ignored, never an error.
absl::Status FromGrpcStatus(const grpc::Status& status);

/// The field violations (google.rpc.BadRequest) in a grpc::Status's details; empty when
/// there are none. For clients and tests that assert which fields were named.
std::vector<FieldViolation> FieldViolationsOf(const grpc::Status& status);

}  // namespace jianguan
