// "Who supervises whom" (谁监管我): which regulatory items apply to a subject and which
// departments are responsible for an item in a region. The catalogue answers
// ListApplicableItems with it; risk routes an alert to a department with it, over its
// projection of the catalogue's events. A subject's industry is matched at every level of
// GB/T 4754-2017 above it, its region against the jurisdictions of GB/T 2260.
//
// Pure functions of their arguments (plain C++ over libs/core and the catalogue's messages,
// so domain targets link it); thread-safe.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/code_table.h"

namespace jianguan::catalogue {

/// A subject as matching needs it: the industry expanded to itself and its ancestors
/// (6210 → 6210, 621, 62, H), so that a rule naming any level matches.
struct SubjectFacts {
  v1::SubjectType type = v1::SUBJECT_TYPE_UNSPECIFIED;
  std::set<std::string> industry_chain;
  std::string region;
  std::set<std::string> licence_kinds;
  std::set<std::string> tags;
};

/// The facts of a subject whose industry is in `industries` (NOT_FOUND otherwise).
absl::StatusOr<SubjectFacts> SubjectFactsOf(const v1::SubjectAttributes& subject,
                                            const CodeTable& industries);

/// One rule matches when every criterion it sets matches.
bool RuleMatches(const v1::ApplicabilityRule& rule, const SubjectFacts& subject);

/// The item applies when any of its rules matches (an item without rules never applies).
bool Applies(const v1::RegulatoryItem& item, const SubjectFacts& subject);

/// True when a region code (GB/T 2260) lies inside `jurisdiction`: equal, or inside the
/// prefecture "XXXX00" or province "XX0000" it names.
bool RegionContains(std::string_view jurisdiction, std::string_view region);

/// The departments responsible for `item` in `region`: the claimants whose region contains
/// it, the most local level first; when none, the owners. Codes, distinct, sorted within a
/// level.
std::vector<std::string> ResponsibleDepartments(
    const v1::RegulatoryItem& item, const std::vector<v1::ItemClaim>& claims,
    const std::function<v1::Level(std::string_view)>& level_of, std::string_view region);

}  // namespace jianguan::catalogue
