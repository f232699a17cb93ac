// Per-row outcomes of an import, built once. A refused row of any import (catalogue's
// ImportRowResult, the registry's RowError) names every offending field as a repeated
// jianguan.common.v1.FieldViolation called `violations`.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "jianguan/common/v1/types.pb.h"
#include "libs/core/field_violations.h"

namespace jianguan {

/// Appends `violations` to `row`'s `violations` field.
template <typename Row>
void AddRowViolations(Row& row, const std::vector<FieldViolation>& violations) {
  for (const FieldViolation& violation : violations) {
    common::v1::FieldViolation* out = row.add_violations();
    out->set_field(violation.field);
    out->set_description(violation.description);
  }
}

/// Appends the field violations `status` carries (none for a status without them).
template <typename Row>
void AddRowViolations(Row& row, const absl::Status& status) {
  AddRowViolations(row, FieldViolationsOf(status));
}

}  // namespace jianguan
