// "Who supervises me" (谁监管我) in the catalogue's domain: the checks on the subject a
// caller describes, and the entries of ListApplicableItems. The matching itself (which items
// apply, which departments are responsible) is libs/applicability, shared with risk.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/applicability/applicability.h"
#include "libs/core/code_table.h"
#include "libs/core/field_violations.h"

namespace jianguan::catalogue {

/// Adds a violation (under "subject.") for each malformed attribute: type, industry
/// (GB/T 4754-2017), region (GB/T 2260), licence kinds and tags.
void ValidateSubjectAttributes(FieldViolations& v, const v1::SubjectAttributes& subject,
                               const CodeTable& regions, const CodeTable& industries);

/// The entry of ListApplicableItems for an applying item and its responsible departments.
v1::ApplicableItem ApplicableEntry(const v1::RegulatoryItem& item,
                                   const std::vector<std::string>& departments);

}  // namespace jianguan::catalogue
