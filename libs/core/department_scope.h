// Whose records a list or a report reads (department isolation, docs/security.md): a caller
// reads its own department's; another department's only with the role oversight (监督). The
// records themselves are filtered by each service's domain rules as well.
#pragma once

#include <string>
#include <string_view>

#include "libs/core/caller.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// The department a call reads: `requested`, or the caller's when empty. Another department's
/// needs the role oversight: without it, a violation of `field` is added to `v` and the
/// caller's department is returned.
std::string DepartmentToRead(FieldViolations& v, const Caller& caller, std::string_view requested,
                             std::string_view field);

}  // namespace jianguan
