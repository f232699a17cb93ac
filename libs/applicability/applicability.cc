#include "libs/applicability/applicability.h"

#include <algorithm>
#include <map>

namespace jianguan::catalogue {

absl::StatusOr<SubjectFacts> SubjectFactsOf(const v1::SubjectAttributes& subject,
                                            const CodeTable& industries) {
  SubjectFacts facts{.type = subject.type(), .region = subject.region().code()};
  facts.industry_chain.insert(subject.industry().code());
  absl::StatusOr<std::vector<const CodeEntry*>> ancestors =
      industries.Ancestors(subject.industry().code());
  if (!ancestors.ok()) return ancestors.status();
  for (const CodeEntry* entry : *ancestors) facts.industry_chain.insert(entry->code);
  facts.licence_kinds.insert(subject.licence_kinds().begin(), subject.licence_kinds().end());
  facts.tags.insert(subject.tags().begin(), subject.tags().end());
  return facts;
}

bool RuleMatches(const v1::ApplicabilityRule& rule, const SubjectFacts& subject) {
  auto any_in = [](const auto& list, const std::set<std::string>& held) {
    if (list.empty()) return true;
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& entry) { return held.count(entry) > 0; });
  };
  const bool type_matches =
      rule.subject_types().empty() ||
      std::find(rule.subject_types().begin(), rule.subject_types().end(), subject.type) !=
          rule.subject_types().end();
  return type_matches && any_in(rule.industry_codes(), subject.industry_chain) &&
         any_in(rule.licence_kinds(), subject.licence_kinds) && any_in(rule.tags(), subject.tags);
}

bool Applies(const v1::RegulatoryItem& item, const SubjectFacts& subject) {
  return std::any_of(item.applicability().begin(), item.applicability().end(),
                     [&](const v1::ApplicabilityRule& rule) { return RuleMatches(rule, subject); });
}

bool RegionContains(std::string_view jurisdiction, std::string_view region) {
  if (jurisdiction.size() != 6 || region.size() != 6) return false;
  if (jurisdiction.substr(2) == "0000") return region.substr(0, 2) == jurisdiction.substr(0, 2);
  if (jurisdiction.substr(4) == "00") return region.substr(0, 4) == jurisdiction.substr(0, 4);
  return region == jurisdiction;
}

std::vector<std::string> ResponsibleDepartments(
    const v1::RegulatoryItem& item, const std::vector<v1::ItemClaim>& claims,
    const std::function<v1::Level(std::string_view)>& level_of, std::string_view region) {
  std::map<int, std::set<std::string>, std::greater<>> by_level;  // most local first
  for (const v1::ItemClaim& claim : claims) {
    if (claim.item_code() == item.code() && RegionContains(claim.region().code(), region)) {
      by_level[level_of(claim.department().code())].insert(claim.department().code());
    }
  }
  std::vector<std::string> out;
  if (!by_level.empty()) {
    const auto& local = by_level.begin()->second;
    out.assign(local.begin(), local.end());
    return out;
  }
  for (const auto& owner : item.owning_departments()) out.push_back(owner.code());
  return out;
}

}  // namespace jianguan::catalogue
