// Resource names after Google's API design guide (DESIGN.md §5): "<collection>/<id>", e.g.
// "items/JG-330700-001", "plans/2026-jinhua-q4", "tasks/01J…". Parsed in one place so every
// service refuses a malformed name the same way, naming the field.
//
//   ASSIGN_OR_RETURN(std::string code,
//                    ParseResourceName("name", request.name(), "items", IsItemCode));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// Checks the id part of a name (for example a code's alphabet and length).
using IdCheck = absl::FunctionRef<bool(std::string_view id)>;

/// "<collection>/<id>".
std::string ResourceName(std::string_view collection, std::string_view id);

/// The id of `name` when it is "<collection>/<id>" and `valid(id)`; nullopt otherwise.
std::optional<std::string_view> ResourceIdOf(std::string_view name, std::string_view collection,
                                             IdCheck valid);

/// The id of `name`, or INVALID_ARGUMENT on `field`: "must be <collection>/{<id_label>}".
absl::StatusOr<std::string> ParseResourceName(std::string_view field, std::string_view name,
                                              std::string_view collection, IdCheck valid,
                                              std::string_view id_label = "id");

/// The same, for requests with several fields: adds the violation to `violations` and
/// returns an empty id.
std::string ParseResourceName(FieldViolations& violations, std::string_view field,
                              std::string_view name, std::string_view collection, IdCheck valid,
                              std::string_view id_label = "id");

}  // namespace jianguan
