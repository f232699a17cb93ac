// The steps of a plan's life (DESIGN §1.3): draft → approved (inputs frozen, digests and the
// commitment to the secret published) → drawn → published (一公开) → completed. Each step is
// a decision over the plan as read and what the service loaded for it; the service checks
// the caller and the state first (plan_rules.h), then writes the plan these return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"
#include "services/sampling/domain/subject_proof.h"

namespace jianguan::sampling {

/// A new draft from a defaulted, checked plan: named "plans/{plan_id}", in DRAFT, nothing
/// frozen or drawn, created at `now`.
v1::Plan NewDraft(v1::Plan plan, const google::protobuf::Timestamp& now);

/// The draft `current` replaced by the defaulted, checked `revised`, when the client edited
/// the version it expected; FAILED_PRECONDITION "stale version" naming the plan otherwise
/// (someone else changed it in between). The creation time stays.
absl::StatusOr<v1::Plan> RevisedDraft(const v1::Plan& current, v1::Plan revised,
                                      int64_t expected_version);

/// What approval freezes and publishes before anyone knows the entropy (docs/draw-algorithm.md
/// §2, §9): the draw plan's hash, the commitment to the secret, the candidates' and the
/// inspectors' digests and counts, when and by whom.
struct Freeze {
  const SamplingPlan& draw_plan;
  std::string commitment;  ///< hex
  const CandidateProjection& candidates;
  Digest candidates_digest;  ///< candidates.CandidatesDigest(), computed by the caller
  const InspectorPool& pool;
  google::protobuf::Timestamp approve_time;
  std::string approved_by;
  const ProofCommitment& proofs;  ///< the roots of §10
};

/// The plan approved, with `freeze` recorded.
v1::Plan Approved(v1::Plan plan, const Freeze& freeze);

/// The plan with a failed draw's attempt recorded (§9), unless an attempt with the same
/// entropy is already recorded (a retry): then nullopt, nothing to write.
std::optional<v1::Plan> WithFailedDraw(v1::Plan plan, v1::FailedDraw attempt);

/// The plan drawn, with the draw's summary.
v1::Plan Drawn(v1::Plan plan, v1::DrawSummary draw);

/// The plan published at `now`: its result is public from now on.
v1::Plan Published(v1::Plan plan, const google::protobuf::Timestamp& now);

/// The plan completed: its tasks are with the inspection service.
v1::Plan Completed(v1::Plan plan);

/// The public view of an approved or later plan (entropy, secret and result only once
/// published): no classes, no inspector ids.
v1::PublicPlan PublicView(const v1::Plan& plan);

}  // namespace jianguan::sampling
