// The Sampling API's plan writes: create and revise a draft, approve it (the freeze),
// publish and complete it. The draw is in sampling_service_draw.cc. Each checks the
// request's shape, asks the plan rules and lifecycle (domain/) and writes one decision.
#include <sys/random.h>

#include <cerrno>
#include <future>

#include "absl/strings/str_cat.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/write/resource_name.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/freeze.h"
#include "services/sampling/sampling_metrics.h"
#include "services/sampling/sampling_service.h"

namespace jianguan::sampling {
namespace {

// The secret seed of a plan's draw, chosen at approval and revealed with the result.
absl::StatusOr<Digest> NewSecret() {
  Digest secret{};
  size_t filled = 0;
  while (filled < secret.size()) {
    const ssize_t got = getrandom(secret.data() + filled, secret.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError("getrandom failed: the secret seed cannot be chosen");
    }
    filled += static_cast<size_t>(got);
  }
  return secret;
}

// The plan named by a transition request, or its field violations.
absl::StatusOr<std::string> TransitionPlanId(const v1::PlanTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  std::string plan_id = ParseResourceName(v, "name", request.name(), "plans", IsPlanId, "plan_id");
  RETURN_IF_ERROR(v.ToStatus());
  return plan_id;
}

}  // namespace

absl::StatusOr<v1::Plan> SamplingService::DoCreatePlan(const Caller& caller,
                                                       const v1::CreatePlanRequest& request) {
  v1::Plan plan = request.plan();
  ApplyPlanDefaults(plan);
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckPlan(v, "plan.", plan);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(RequireInitiator(caller, plan, "create"));
  CheckReferences(v, plan);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("CreatePlan"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(std::optional<StoredPlan> stored, plans_.FindPlan(plan.plan_id()));
        if (stored) {
          return absl::AlreadyExistsError(
              absl::StrCat(PlanResource(plan.plan_id()), " already exists"));
        }
        return PlanDecision(NewDraft(plan, Now()), nullptr);
      });
}

absl::StatusOr<v1::Plan> SamplingService::DoUpdateDraftPlan(
    const Caller& caller, const v1::UpdateDraftPlanRequest& request) {
  v1::Plan plan = request.plan();
  ApplyPlanDefaults(plan);
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckPlan(v, "plan.", plan);
  if (request.expected_version() < 1) v.Add("expected_version", "must be at least 1");
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(RequireInitiator(caller, plan, "update"));
  CheckReferences(v, plan);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("UpdateDraftPlan"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan current,
                         PlanToMove(caller, plan.plan_id(), v1::PLAN_STATE_DRAFT, "update"));
        ASSIGN_OR_RETURN(v1::Plan revised,
                         RevisedDraft(current.plan, plan, request.expected_version()));
        return PlanDecision(std::move(revised), &current);
      });
}

absl::StatusOr<v1::Plan> SamplingService::DoApprovePlan(const Caller& caller,
                                                        const v1::PlanTransitionRequest& request) {
  ASSIGN_OR_RETURN(std::string plan_id, TransitionPlanId(request));
  // The freeze reads the subjects' histories: every committed draw is recorded first.
  RETURN_IF_ERROR(recorder_.RecordPending());
  // One approval at a time: the frozen list is written before the approval's commit
  // (DecideApproval), keyed by plan; two approvals of one plan must not interleave.
  absl::MutexLock approving(&approve_mu_);
  return writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("ApprovePlan"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan stored,
                         PlanToMove(caller, plan_id, v1::PLAN_STATE_DRAFT, "approve"));
        return DecideApproval(caller, stored);
      });
}

absl::StatusOr<Decision<v1::Plan>> SamplingService::DecideApproval(const Caller& caller,
                                                                   const StoredPlan& stored) {
  FieldViolations refs;  // items may have been abolished since the draft
  CheckReferences(refs, stored.plan);
  RETURN_IF_ERROR(refs.ToStatus());

  // Each step's time goes to the log: a province's freeze takes seconds.
  const absl::Time freeze_start = absl::Now();
  ASSIGN_OR_RETURN(CandidateProjection candidates,
                   BuildCandidates(candidates_, plans_, stored.plan));
  const absl::Time listed = absl::Now();
  // The list (14 bytes a candidate: 140 MB for a province) is written and fsynced in a
  // commit of its own while the trees below are hashed, rather than in the approval's
  // commit after them. Safe because approvals are serialised (approve_mu_) and the plan is
  // a draft until the approval commits: a list left by an approval that failed or crashed
  // is read by no one and replaced by the next approval's.
  std::future<absl::Status> list_written = std::async(std::launch::async, [&] {
    store::UnitOfWork list;
    RETURN_IF_ERROR(plans_.PutFrozenList(list, stored.plan.plan_id(), candidates));
    return store_.Commit(list);
  });
  ASSIGN_OR_RETURN(v1::FrozenPool frozen_pool, BuildPool(projection_, stored.plan));
  ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen_pool));
  ASSIGN_OR_RETURN(Digest secret, NewSecret());
  ASSIGN_OR_RETURN(Digest proof_key, NewSecret());
  const std::string commitment = HexOf(CommitmentOf(secret));
  const SamplingPlan draw_plan = AsDrawPlan(stored.plan, commitment);
  RETURN_IF_ERROR(ValidatePlan(draw_plan));
  // The candidates' digest is one sequential hash over every line; it runs on a thread of
  // its own beside the proof trees, which share their work between two (0.2 s of a
  // 10-million freeze on two cores).
  std::future<Digest> candidates_digest = std::async(
      std::launch::async, [&candidates] { return candidates.CandidatesDigest(); });
  const ProofCommitment proofs = CommitForProofs(draw_plan, candidates, pool, proof_key);
  const Digest digest = candidates_digest.get();
  const absl::Time proved = absl::Now();
  RETURN_IF_ERROR(list_written.get());
  const absl::Time list_stored = absl::Now();

  Decision<v1::Plan> decision = PlanDecision(
      Approved(stored.plan, {.draw_plan = draw_plan,
                             .commitment = commitment,
                             .candidates = candidates,
                             .candidates_digest = digest,
                             .pool = pool,
                             .approve_time = Now(),
                             .approved_by = caller.user_id,
                             .proofs = proofs}),
      &stored);
  PlanStore::PutFrozen(decision.work, stored.plan.plan_id(), frozen_pool, secret, proof_key);
  const absl::Time frozen = absl::Now();
  if (metrics_ != nullptr) {
    metrics_->freeze_seconds.Observe(absl::ToDoubleSeconds(frozen - freeze_start));
    metrics_->frozen_candidates.Set(static_cast<double>(candidates.size()));
  }
  const auto ms = [](absl::Duration d) { return absl::ToDoubleMilliseconds(d); };
  LogInfo("plan frozen (committed next)",
          {{"plan", stored.plan.plan_id()},
           {"candidates", static_cast<int64_t>(candidates.size())},
           {"list_ms", ms(listed - freeze_start)},
           {"proofs_and_digest_ms", ms(proved - listed)},
           {"list_stored_wait_ms", ms(list_stored - proved)},
           {"decision_ms", ms(frozen - list_stored)}});
  v1::PlanApproved approved;
  *approved.mutable_plan() = PublicView(decision.response);
  emitter_.Emit(decision.work, decision.resource, approved);
  return decision;
}

absl::StatusOr<v1::Plan> SamplingService::DoPublishPlan(const Caller& caller,
                                                        const v1::PlanTransitionRequest& request) {
  ASSIGN_OR_RETURN(std::string plan_id, TransitionPlanId(request));
  // A plan is published after its draw's TaskDrawn and DrawCompleted, never before them.
  RETURN_IF_ERROR(recorder_.RecordPending());
  return writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("PublishPlan"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan stored,
                         PlanToMove(caller, plan_id, v1::PLAN_STATE_DRAWN, "publish"));
        Decision<v1::Plan> decision = PlanDecision(Published(stored.plan, Now()), &stored);
        v1::PlanPublished published;
        *published.mutable_plan() = PublicView(decision.response);
        emitter_.Emit(decision.work, decision.resource, published);
        return decision;
      });
}

absl::StatusOr<v1::Plan> SamplingService::DoCompletePlan(
    const Caller& caller, const v1::PlanTransitionRequest& request) {
  ASSIGN_OR_RETURN(std::string plan_id, TransitionPlanId(request));
  // As publication: completion comes after the draw's events.
  RETURN_IF_ERROR(recorder_.RecordPending());
  return writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("CompletePlan"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan stored,
                         PlanToMove(caller, plan_id, v1::PLAN_STATE_PUBLISHED, "complete"));
        return PlanDecision(Completed(stored.plan), &stored);
      });
}

}  // namespace jianguan::sampling
