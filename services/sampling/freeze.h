// Approval's freeze (docs/draw-algorithm.md §2.3, §2.4, §9): the candidate list and the
// inspector pool of a plan, built from the projections and the draw history as they stand,
// so that their digests can be published before anyone knows the entropy; and the frozen
// inputs read back for the draw and its recomputation. Store layer: reads the projections
// and the plan store, decides nothing the domain's rules do not say.
//
//   ASSIGN_OR_RETURN(CandidateProjection candidates, BuildCandidates(index, plans, plan));
//   ASSIGN_OR_RETURN(v1::FrozenPool pool, BuildPool(projection, plan));
#pragma once

#include "absl/status/statusor.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "services/sampling/candidate_index.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {

/// The candidate list of docs/draw-algorithm.md §2.3: the projected subjects with a status
/// the plan names in its business regions, in USCC order, with class, filtered_out, recent
/// and last inspectors.
absl::StatusOr<CandidateProjection> BuildCandidates(const CandidateIndex& index,
                                                    const PlanStore& plans, const v1::Plan& plan);

/// The inspector pool of docs/draw-algorithm.md §2.4: the active inspectors of the
/// participating departments with certificate dates, each with the plan's item codes it is
/// authorised for, sorted by id.
absl::StatusOr<v1::FrozenPool> BuildPool(const ProjectionReader& projection, const v1::Plan& plan);

/// The frozen inputs of an approved or later plan, as its draw reads them.
struct FrozenInputsLoaded {
  SamplingPlan plan;
  CandidateProjection candidates;
  InspectorPool pool;
  Digest secret{};
  std::optional<Digest> proof_key;  ///< §10; absent for plans approved before proofs
};

/// What approval froze for `plan`: the candidates, the pool, the secret and the proof key
/// from the plan store, the draw plan with the published commitment.
absl::StatusOr<FrozenInputsLoaded> LoadFrozen(const PlanStore& plans, const v1::Plan& plan);

}  // namespace jianguan::sampling
