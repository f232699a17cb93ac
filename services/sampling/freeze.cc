#include "services/sampling/freeze.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "services/sampling/domain/draw_history.h"
#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {
namespace {

// The history marks of one subject for this plan.
struct HistoryMarks {
  PackedUscc uscc;
  bool recent = false;
  std::vector<std::string> last_inspectors;
};

absl::StatusOr<std::vector<HistoryMarks>> MarksFromHistory(const PlanStore& plans,
                                                           const v1::Plan& plan) {
  const FrequencyRule frequency(plan);
  std::vector<HistoryMarks> marks;
  RETURN_IF_ERROR(plans.ForEachHistory([&](std::string_view uscc,
                                           const v1::SubjectHistory& history) {
    HistoryMarks mark{.recent = frequency.DrawnRecently(history)};
    mark.last_inspectors.assign(history.last_inspectors().begin(),
                                history.last_inspectors().end());
    std::sort(mark.last_inspectors.begin(), mark.last_inspectors.end());
    if (!mark.recent && mark.last_inspectors.empty()) return true;
    // A key that is not a USCC can match no candidate (nor could it before packing).
    absl::StatusOr<PackedUscc> packed = PackUscc(uscc);
    if (!packed.ok()) return true;
    mark.uscc = *packed;
    marks.push_back(std::move(mark));
    return true;
  }));
  return marks;
}

}  // namespace

absl::StatusOr<CandidateProjection> BuildCandidates(const CandidateIndex& index,
                                                    const PlanStore& plans,
                                                    const v1::Plan& plan) {
  // Histories are keyed by USCC, so packed they come in the index's order too.
  ASSIGN_OR_RETURN(std::vector<HistoryMarks> history, MarksFromHistory(plans, plan));
  const v1::TargetFilter& target = plan.target();
  CandidateProjection candidates;
  candidates.Reserve(index.size());
  size_t next_history = 0;
  absl::Status bad;
  RETURN_IF_ERROR(index.ForEach([&](const IndexedSubject& subject) {
    if (!IsCandidateStatus(target, subject.facets.status) ||
        !InTargetRegion(target, subject.facets.business_region)) {
      return true;
    }
    while (next_history < history.size() && history[next_history].uscc < subject.uscc) {
      ++next_history;
    }
    CandidateMarks marks{.filtered_out = !MatchesTarget(target, subject.facets)};
    if (next_history < history.size() && history[next_history].uscc == subject.uscc) {
      marks.recent = history[next_history].recent;
      marks.last_inspectors = history[next_history].last_inspectors;
    }
    bad = candidates.AppendPacked(subject.uscc, subject.grade, subject.risk, marks);
    return bad.ok();
  }));
  RETURN_IF_ERROR(bad);
  return candidates;
}

absl::StatusOr<v1::FrozenPool> BuildPool(const ProjectionReader& projection,
                                         const v1::Plan& plan) {
  // Each plan item with the main items above it and its field.
  struct ItemCover {
    std::string code;
    std::vector<std::string> ancestors;  // the code itself first
    std::string field;
  };
  std::vector<ItemCover> covers;
  std::set<std::string> departments;
  for (const v1::PlanDepartment& department : plan.departments()) {
    departments.insert(department.department().code());
    for (const v1::PlanItem& item : department.items()) {
      ItemCover cover{.code = item.code(), .ancestors = {item.code()}};
      std::string at = item.code();
      for (int depth = 0; depth < 8; ++depth) {  // the catalogue forbids cycles; bound anyway
        ASSIGN_OR_RETURN(std::optional<v1::ProjectedItem> known, projection.FindItem(at));
        if (!known) break;
        if (depth == 0) cover.field = known->field();
        if (known->parent_code().empty()) break;
        at = known->parent_code();
        cover.ancestors.push_back(at);
      }
      covers.push_back(std::move(cover));
    }
  }

  ASSIGN_OR_RETURN(std::vector<v1::ProjectedInspector> inspectors, projection.Inspectors());
  v1::FrozenPool pool;
  for (const v1::ProjectedInspector& inspector : inspectors) {
    if (!inspector.active() || departments.count(inspector.department()) == 0) continue;
    // A certificate without valid dates is valid on no day: such an inspector can fill no
    // slot, and the pool's rules (docs/draw-algorithm.md §2.4) require real dates.
    if (!IsIsoDate(inspector.valid_from()) || !IsIsoDate(inspector.valid_until())) continue;
    const std::set<std::string> authorised(inspector.authorised_items().begin(),
                                           inspector.authorised_items().end());
    const std::set<std::string> fields(inspector.authorised_fields().begin(),
                                       inspector.authorised_fields().end());
    std::set<std::string> items;
    for (const ItemCover& cover : covers) {
      const bool by_code = std::any_of(cover.ancestors.begin(), cover.ancestors.end(),
                                       [&](const std::string& c) { return authorised.count(c); });
      const bool by_field = !cover.field.empty() && fields.count(cover.field) != 0;
      if (by_code || by_field) items.insert(cover.code);
    }
    v1::PoolInspector& entry = *pool.add_inspectors();
    entry.set_id(inspector.id());
    entry.set_name(inspector.name());
    entry.set_certificate_no(inspector.certificate_no());
    entry.set_department(inspector.department());
    for (const std::string& code : items) entry.add_items(code);
    entry.set_valid_from(inspector.valid_from());
    entry.set_valid_until(inspector.valid_until());
    for (const std::string& uscc : inspector.conflicts()) entry.add_conflicts(uscc);
  }
  return pool;
}

absl::StatusOr<FrozenInputsLoaded> LoadFrozen(const PlanStore& plans, const v1::Plan& plan) {
  ASSIGN_OR_RETURN(CandidateProjection candidates,
                   plans.LoadCandidates(plan.plan_id(),
                                        static_cast<size_t>(plan.frozen().candidate_count())));
  ASSIGN_OR_RETURN(v1::FrozenPool frozen, plans.LoadPool(plan.plan_id()));
  ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen));
  ASSIGN_OR_RETURN(Digest secret, plans.LoadSecret(plan.plan_id()));
  ASSIGN_OR_RETURN(std::optional<Digest> proof_key, plans.LoadProofKey(plan.plan_id()));
  return FrozenInputsLoaded{.plan = AsDrawPlan(plan, plan.frozen().commitment()),
                            .candidates = std::move(candidates),
                            .pool = std::move(pool),
                            .secret = secret,
                            .proof_key = proof_key};
}

}  // namespace jianguan::sampling
