#include "services/subject-registry/domain/import_decision.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/subject-registry/domain/subject_changes.h"

namespace jianguan::subject {

ImportChecks CheckImportRows(const SubjectRules& rules, const std::vector<v1::ImportRow>& rows,
                             absl::CivilDay today) {
  ImportChecks checks;
  checks.violations.resize(rows.size());
  checks.lookups.reserve(rows.size());
  absl::flat_hash_map<std::string_view, int64_t> in_batch;  // USCC → row number
  in_batch.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const v1::ImportRow& row = rows[i];
    FieldViolations& v = checks.violations[i];
    if (row.row_number() < 1) v.Add("row_number", "must be 1 or more");
    rules.CheckSubject(v, "subject", row.subject(), today);
    if (!v.empty()) continue;
    if (auto [it, fresh] = in_batch.emplace(row.subject().uscc(), row.row_number()); !fresh) {
      v.Add("subject.uscc", absl::StrCat("appears twice in this batch (row ", it->second, ")"));
      continue;
    }
    checks.lookups.push_back(row.subject().uscc());
  }
  return checks;
}

ImportPlan DecideImport(const std::vector<v1::ImportRow>& rows, const ImportChecks& checks,
                        const std::vector<const v1::Subject*>& stored, absl::Time now) {
  ImportPlan plan;
  plan.writes.reserve(checks.lookups.size());
  int next_stored = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const v1::ImportRow& row = rows[i];
    plan.last_row_number = std::max(plan.last_row_number, row.row_number());
    if (const FieldViolations& v = checks.violations[i]; !v.empty()) {
      plan.refused.push_back({.row_number = row.row_number(), .violations = v.violations()});
      continue;
    }
    const int current_index = next_stored++;
    const v1::Subject* current = stored[current_index];
    if (current != nullptr && current->type() != row.subject().type()) {
      plan.refused.push_back(
          {.row_number = row.row_number(),
           .violations = {{.field = "subject.type",
                           .description =
                               "differs from the registered type, which cannot change"}}});
      continue;
    }
    if (current == nullptr) {
      auto registered = Register(row.subject(), now);
      plan.writes.push_back({.stored = -1,
                             .subject = std::move(registered.subject),
                             .event = std::move(registered.event)});
      continue;
    }
    if (SameRegisteredData(row.subject(), *current)) {
      ++plan.unchanged;
      continue;
    }
    auto updated = Update(*current, row.subject(), ImportedFields(), now);
    // SameRegisteredData compares whole messages, ApplyUpdate field by field: should they
    // ever disagree, the row is still written, as a new version of the stored subject.
    if (updated.event.changed_fields_size() == 0) {
      Touch(updated.subject, now);
      *updated.event.mutable_facts() = FactsOf(updated.subject);
      *updated.event.mutable_subject() = PublicView(updated.subject);
    }
    plan.writes.push_back({.stored = current_index,
                           .subject = std::move(updated.subject),
                           .event = std::move(updated.event)});
  }
  return plan;
}

}  // namespace jianguan::subject
