#include "services/sampling/domain/draw.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/sampling/domain/draw_rng.h"

namespace jianguan::sampling {
namespace {

// Inspectors who may fill a kind of slot (one department, or any participating department),
// bucketed by current load so that picking the least loaded is cheap: buckets_[l] holds the
// members with load l (< max_tasks_per_inspector), ascending by pool index, i.e. by id.
class SlotPool {
 public:
  SlotPool(size_t pool_size) : member_(pool_size, false) {}

  void Add(uint32_t inspector) {
    member_[inspector] = true;
    if (buckets_.empty()) buckets_.emplace_back();
    buckets_[0].push_back(inspector);  // added in ascending order
    ++size_;
  }
  bool Has(uint32_t inspector) const { return member_[inspector]; }
  int64_t size() const { return size_; }

  // §6: among members not in `excluded`, those with the lowest load; the one at
  // uniform(count) in id order. −1 when none is left.
  int64_t Pick(const std::vector<uint32_t>& excluded, const std::vector<int64_t>& loads,
               DrawRng& rng) const {
    std::vector<size_t> positions;
    for (size_t level = min_level_; level < buckets_.size(); ++level) {
      const std::vector<uint32_t>& bucket = buckets_[level];
      if (bucket.empty()) continue;
      positions.clear();
      for (uint32_t x : excluded) {
        if (!member_[x] || loads[x] != static_cast<int64_t>(level)) continue;
        positions.push_back(std::lower_bound(bucket.begin(), bucket.end(), x) - bucket.begin());
      }
      std::sort(positions.begin(), positions.end());
      positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
      if (positions.size() == bucket.size()) continue;
      size_t index = rng.Uniform(bucket.size() - positions.size());
      for (size_t p : positions) {
        if (p > index) break;
        ++index;
      }
      return bucket[index];
    }
    return -1;
  }

  // The member's load went from `level` to level + 1.
  void Promote(uint32_t inspector, size_t level, int64_t max_tasks) {
    std::vector<uint32_t>& from = buckets_[level];
    from.erase(std::lower_bound(from.begin(), from.end(), inspector));
    if (static_cast<int64_t>(level) + 1 < max_tasks) {
      if (buckets_.size() <= level + 1) buckets_.emplace_back();
      std::vector<uint32_t>& to = buckets_[level + 1];
      to.insert(std::lower_bound(to.begin(), to.end(), inspector), inspector);
    }
    while (min_level_ < buckets_.size() && buckets_[min_level_].empty()) ++min_level_;
  }

 private:
  std::vector<bool> member_;
  std::vector<std::vector<uint32_t>> buckets_;
  size_t min_level_ = 0;
  int64_t size_ = 0;
};

// The static part of the §7 report for one inspector and one slot: the first of
// other_department, not_authorised, certificate_not_valid that applies, or −1.
int StaticExclusion(const Inspector& inspector, const SamplingPlan& plan, int slot_department,
                    const std::vector<std::vector<std::string>>& codes) {
  int department = slot_department;
  if (department < 0) {  // an extra slot: the inspector's own participating department
    for (size_t d = 0; d < plan.departments.size(); ++d) {
      if (plan.departments[d].department_id == inspector.department_id) department = d;
    }
  }
  if (department < 0 || plan.departments[department].department_id != inspector.department_id) {
    return static_cast<int>(Exclusion::kOtherDepartment);
  }
  if (!std::includes(inspector.items.begin(), inspector.items.end(), codes[department].begin(),
                     codes[department].end())) {
    return static_cast<int>(Exclusion::kNotAuthorised);
  }
  if (!(inspector.valid_from <= plan.inspection_date &&
        plan.inspection_date <= inspector.valid_until)) {
    return static_cast<int>(Exclusion::kCertificateNotValid);
  }
  return -1;
}

std::string FailureMessage(const DrawFailure& failure) {
  std::string message = absl::StrCat("draw failed: ", failure.reason);
  if (failure.task > 0) {
    absl::StrAppend(&message, " for task ", failure.task, " (", failure.uscc, ")");
  }
  absl::StrAppend(&message, ", slot ", failure.slot, "; inspectors excluded:");
  for (int e = 0; e < kExclusions; ++e) {
    absl::StrAppend(&message, e == 0 ? " " : ", ", ExclusionName(static_cast<Exclusion>(e)), " ",
                    failure.excluded[e]);
  }
  return message;
}

absl::Status Fail(DrawFailure report, DrawFailure* failure) {
  report.message = FailureMessage(report);
  absl::Status status = absl::FailedPreconditionError(report.message);
  if (failure != nullptr) *failure = std::move(report);
  return status;
}

}  // namespace

const char* ExclusionName(Exclusion exclusion) {
  static constexpr const char* kNames[kExclusions] = {
      "other_department", "not_authorised", "certificate_not_valid", "already_on_task",
      "conflict_declared", "last_inspector", "at_capacity"};
  return kNames[static_cast<int>(exclusion)];
}

absl::StatusOr<DrawResult> Draw(const DrawInput& input, DrawFailure* failure) {
  const SamplingPlan& plan = *input.plan;
  const CandidateProjection& candidates = *input.candidates;
  const InspectorPool& pool = *input.inspectors;
  if (absl::Status valid = ValidatePlan(plan); !valid.ok()) return valid;
  DrawResult result;
  result.commitment = CommitmentOf(input.secret);
  if (HexOf(result.commitment) != plan.commitment) {
    return absl::InvalidArgumentError("secret: does not match the plan's commitment");
  }
  if (input.entropy.empty() || input.entropy.size() > 256) {
    return absl::InvalidArgumentError("entropy: must be 1 to 256 bytes");
  }

  // §3: digests and seed.
  result.plan_hash = PlanHash(plan);
  result.candidates_digest = candidates.CandidatesDigest();
  result.inspectors_digest = pool.PoolDigest();
  result.seed = DrawSeed(input.secret, result.plan_hash, result.candidates_digest,
                         result.inspectors_digest, input.entropy);
  DrawRng rng(result.seed);

  // §4 step 1: eligible candidates per stratum, in list order.
  std::array<std::vector<uint32_t>, kStrata> eligible;
  {
    std::array<int64_t, kStrata> counts{};
    for (const CandidateRecord& record : candidates.records()) ++counts[record.stratum];
    for (int s = 0; s < kStrata; ++s) {
      result.strata[s].candidates = counts[s];
      eligible[s].reserve(counts[s]);
    }
    const std::span<const CandidateRecord> records = candidates.records();
    for (uint32_t i = 0; i < records.size(); ++i) {
      const CandidateRecord& record = records[i];
      if (IsEligible(record, plan.class_rules[record.stratum])) {
        eligible[record.stratum].push_back(i);
      }
    }
  }
  int64_t task_count = 0;
  for (int s = 0; s < kStrata; ++s) {
    result.strata[s].eligible = eligible[s].size();
    result.strata[s].quota = Quota(plan.class_rules[s], result.strata[s].eligible);
    task_count += result.strata[s].quota;
  }

  // §6 qualification and §7 capacity checks, before any random word is drawn.
  const int departments = plan.departments.size();
  const int64_t slots = plan.inspectors_per_task;
  const int64_t max_tasks = plan.max_tasks_per_inspector;
  std::vector<std::vector<std::string>> codes(departments);
  for (int d = 0; d < departments; ++d) {
    for (const PlanItem& item : plan.departments[d].items) codes[d].push_back(item.code);
    std::sort(codes[d].begin(), codes[d].end());
  }
  std::vector<SlotPool> by_department(departments, SlotPool(pool.size()));
  SlotPool any(pool.size());
  for (int d = 0; d < departments; ++d) {
    DrawFailure report{.reason = "capacity of department",
                       .slot = plan.departments[d].department_id};
    for (uint32_t p = 0; p < pool.size(); ++p) {
      const int exclusion = StaticExclusion(pool[p], plan, d, codes);
      if (exclusion < 0) {
        by_department[d].Add(p);
      } else {
        ++report.excluded[exclusion];
      }
    }
    if (by_department[d].size() * max_tasks < task_count) return Fail(report, failure);
  }
  for (uint32_t p = 0; p < pool.size(); ++p) {  // one department each: added at most once
    for (const SlotPool& department : by_department) {
      if (department.Has(p)) any.Add(p);
    }
  }
  if (any.size() * max_tasks < task_count * slots) {
    DrawFailure report{.reason = "total capacity", .slot = "any"};
    for (uint32_t p = 0; p < pool.size(); ++p) {
      const int exclusion = StaticExclusion(pool[p], plan, -1, codes);
      if (exclusion >= 0) ++report.excluded[exclusion];
    }
    return Fail(report, failure);
  }
  // A single department's extra slots draw from the same inspectors as its first slot.
  SlotPool& extra = departments == 1 ? by_department[0] : any;

  // §4 steps 2–3: partial Fisher–Yates per stratum; §5: tasks by USCC.
  std::vector<uint32_t> drawn;
  drawn.reserve(task_count);
  for (int s = 0; s < kStrata; ++s) {
    std::vector<uint32_t>& a = eligible[s];
    const int64_t n = a.size();
    const int64_t q = result.strata[s].quota;
    if (q < n) {
      for (int64_t i = 0; i < q; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.Uniform(n - i));
        std::swap(a[i], a[j]);
      }
    }
    drawn.insert(drawn.end(), a.begin(), a.begin() + q);
    std::vector<uint32_t>().swap(a);  // release as we go: the 10-million case is large
  }
  std::sort(drawn.begin(), drawn.end());
  result.visits_saved = task_count * (departments - 1);

  // §6: inspectors, task by task, slot by slot.
  result.loads.assign(pool.size(), 0);
  result.tasks.reserve(drawn.size());
  std::vector<uint32_t> excluded;
  for (size_t t = 0; t < drawn.size(); ++t) {
    DrawTask task{.candidate = drawn[t]};
    task.inspectors.reserve(slots);
    const PackedUscc& uscc = candidates[drawn[t]].uscc;
    excluded = pool.ConflictsWith(uscc);
    for (const std::string& id : candidates.LastInspectors(drawn[t])) {
      if (int64_t index = pool.IndexOf(id); index >= 0) excluded.push_back(index);
    }
    for (int64_t slot = 0; slot < slots; ++slot) {
      SlotPool& from = slot < departments ? by_department[slot] : extra;
      const int64_t picked = from.Pick(excluded, result.loads, rng);
      if (picked < 0) {
        DrawFailure report{
            .reason = "no eligible inspector",
            .task = static_cast<int64_t>(t + 1),
            .uscc = UnpackUscc(uscc),
            .slot = slot < departments ? plan.departments[slot].department_id : "any"};
        const std::vector<uint32_t> conflicts = pool.ConflictsWith(uscc);
        const std::span<const std::string> last = candidates.LastInspectors(drawn[t]);
        for (uint32_t p = 0; p < pool.size(); ++p) {
          int exclusion = StaticExclusion(pool[p], plan, slot < departments ? slot : -1, codes);
          if (exclusion < 0) {
            if (std::find(task.inspectors.begin(), task.inspectors.end(), p) !=
                task.inspectors.end()) {
              exclusion = static_cast<int>(Exclusion::kAlreadyOnTask);
            } else if (std::find(conflicts.begin(), conflicts.end(), p) != conflicts.end()) {
              exclusion = static_cast<int>(Exclusion::kConflictDeclared);
            } else if (std::find(last.begin(), last.end(), pool[p].id) != last.end()) {
              exclusion = static_cast<int>(Exclusion::kLastInspector);
            } else {
              exclusion = static_cast<int>(Exclusion::kAtCapacity);
            }
          }
          ++report.excluded[exclusion];
        }
        return Fail(report, failure);
      }
      const uint32_t inspector = static_cast<uint32_t>(picked);
      const size_t level = result.loads[inspector]++;
      for (int d = 0; d < departments; ++d) {
        if (by_department[d].Has(inspector)) by_department[d].Promote(inspector, level, max_tasks);
      }
      if (&extra == &any && any.Has(inspector)) any.Promote(inspector, level, max_tasks);
      task.inspectors.push_back(inspector);
      excluded.push_back(inspector);
    }
    result.tasks.push_back(std::move(task));
  }
  result.words_used = rng.words_used();
  return result;
}

}  // namespace jianguan::sampling
