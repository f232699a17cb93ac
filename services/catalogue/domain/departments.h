// Departments (执法主体) in the domain: what a creation or a replacement makes of the
// record. Whether the parent exists and the hierarchy stays free of loops is decided with
// hierarchy.h over the stored departments.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"

namespace jianguan::catalogue {

/// A new department as requested: version 1, updated now.
v1::Department Created(v1::Department department, absl::Time now);

/// `after` replacing `before`: the version moves on, updated now.
v1::Department Replaced(const v1::Department& before, v1::Department after, absl::Time now);

}  // namespace jianguan::catalogue
