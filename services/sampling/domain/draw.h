// The draw of a sampling plan (双随机、一公开, docs/draw-algorithm.md §3–§7): stratified
// sampling without replacement of the subjects, one task per drawn subject for all the plan's
// departments (进一次门、查多项事), and inspectors assigned under every legal constraint with
// workloads as even as the constraints allow. Deterministic given its inputs, so anyone with
// the verification package can recompute it (tools/verify-draw).
//
//   DrawFailure failure;
//   absl::StatusOr<DrawResult> result =
//       Draw({.plan = &plan, .candidates = &candidates, .inspectors = &pool,
//             .secret = secret, .entropy = "福彩3D 2024118期 5 8 2"}, &failure);
//   if (!result.ok()) { /* failure.message says which task, department and why */ }
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

/// Everything a draw depends on. The pointers are borrowed for the duration of Draw.
struct DrawInput {
  const SamplingPlan* plan = nullptr;
  const CandidateProjection* candidates = nullptr;
  const InspectorPool* inspectors = nullptr;
  Digest secret{};      ///< revealed with the result; must match plan->commitment
  std::string entropy;  ///< public value supplied at draw time, 1–256 bytes of UTF-8
  /// Salts the proof trees of §10; never read by the draw, written only into the auditors'
  /// package. Absent for plans approved before proofs existed.
  std::optional<Digest> proof_key;
};

/// Per stratum, for auditors only (classes are not public).
struct StratumSummary {
  int64_t candidates = 0;
  int64_t eligible = 0;
  int64_t quota = 0;
  friend bool operator==(const StratumSummary&, const StratumSummary&) = default;
};

/// One inspection task: a drawn subject and its inspectors (indexes into the pool) in slot
/// order: one per department in plan order, then the extra slots.
struct DrawTask {
  uint32_t candidate = 0;  ///< index into the candidate projection
  std::vector<uint32_t> inspectors;
};

struct DrawResult {
  Digest plan_hash{};
  Digest candidates_digest{};
  Digest inspectors_digest{};
  Digest commitment{};
  Digest seed{};
  std::array<StratumSummary, kStrata> strata{};
  std::vector<DrawTask> tasks;  ///< by USCC; task number = position + 1
  int64_t visits_saved = 0;     ///< tasks × (departments − 1)
  std::vector<int64_t> loads;   ///< tasks per inspector, by pool index
  uint64_t words_used = 0;      ///< random words consumed
};

/// Why an inspector could not fill a slot, in the order the report checks them (§7).
enum class Exclusion : uint8_t {
  kOtherDepartment,
  kNotAuthorised,
  kCertificateNotValid,
  kAlreadyOnTask,
  kConflictDeclared,
  kLastInspector,
  kAtCapacity,
};
inline constexpr int kExclusions = 7;
/// "other_department", "not_authorised", …
const char* ExclusionName(Exclusion exclusion);

/// The report of a draw that could not be completed.
struct DrawFailure {
  std::string reason;  ///< "capacity of department", "total capacity", "no eligible inspector"
  int64_t task = 0;    ///< 1-based task number; 0 for the capacity checks
  std::string uscc;    ///< of the task, empty for the capacity checks
  std::string slot;    ///< department id, or "any" for the extra slots
  std::array<int64_t, kExclusions> excluded{};  ///< inspectors of the pool per Exclusion
  std::string message;  ///< all of the above in one sentence
};

/// Runs the draw. INVALID_ARGUMENT for a bad plan, a secret that does not match the
/// commitment, or bad entropy; FAILED_PRECONDITION when the constraints cannot be met, with
/// `*failure` (when given) filled and its message as the status message. Never a partial draw.
/// Thread-compatible: concurrent draws on shared const inputs are safe.
absl::StatusOr<DrawResult> Draw(const DrawInput& input, DrawFailure* failure = nullptr);

}  // namespace jianguan::sampling
