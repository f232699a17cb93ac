// Check forms (检查表单) in the domain: a form lists, per section, an item in force and the
// check points chosen from it; the resolved check points are copied into the form version so
// a published form keeps what it asked even after the items are revised.
//
// Pure function of its arguments; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/field_violations.h"

namespace jianguan::catalogue {

/// The resolved check points of a form from the items' versions in force: for each section
/// the chosen points of `items[i]` (same order as the sections). Adds a violation naming
/// "sections[i].check_point_codes[j]" for a code the item does not have.
std::vector<v1::FormCheckPoint> ResolveFormCheckPoints(
    FieldViolations& v, std::string_view prefix, const v1::FormTemplate& form,
    const std::vector<const v1::RegulatoryItem*>& items);

}  // namespace jianguan::catalogue
