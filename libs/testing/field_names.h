// The fields a refusal names (google.rpc.BadRequest in the status details), as a set, so a
// test states exactly which fields must be reported:
//   CHECK(FieldNames(refused.status()) == std::set<std::string>{"item.code"});
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "libs/core/field_violations.h"
#include "libs/server/grpc_status.h"

namespace jianguan::testing {

inline std::set<std::string> FieldNames(const absl::Status& status) {
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.insert(v.field);
  return fields;
}

inline std::set<std::string> FieldNames(const grpc::Status& status) {
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.insert(v.field);
  return fields;
}

}  // namespace jianguan::testing
