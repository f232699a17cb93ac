// The Sampling API's draw (docs/draw-algorithm.md): the request's entropy checked, the
// frozen inputs loaded, the draw run (domain/draw.h) and committed in one unit of work — the
// plan drawn with its summary, its tasks packed (domain/drawn_tasks.h) and the mark that they
// are to be recorded — or nothing and a DrawFailureReport. Each task's history and TaskDrawn,
// then DrawCompleted, follow from the commit in batches (draw_recorder.h). And the
// recomputation of a drawn plan's documents, which the exports stream.
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"
#include "libs/write/resource_name.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/draw_outcome.h"
#include "services/sampling/domain/drawn_tasks.h"
#include "services/sampling/domain/plan_lifecycle.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/domain/subject_proof.h"
#include "services/sampling/domain/verification_package.h"
#include "services/sampling/freeze.h"
#include "services/sampling/sampling_metrics.h"
#include "services/sampling/sampling_service.h"

namespace jianguan::sampling {
namespace {

constexpr char kFailureReportTypeUrl[] =
    "type.googleapis.com/jianguan.sampling.v1.DrawFailureReport";

}  // namespace

absl::StatusOr<v1::Plan> SamplingService::DoDrawPlan(const Caller& caller,
                                                     const v1::DrawPlanRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string plan_id =
      ParseResourceName(v, "name", request.name(), "plans", IsPlanId, "plan_id");
  if (CheckText(v, "entropy", request.entropy(),
                {.required = true, .max_chars = PlanLimits::kMaxEntropyBytes}) &&
      request.entropy().size() > PlanLimits::kMaxEntropyBytes) {
    v.Add("entropy", absl::StrCat("must be at most ", PlanLimits::kMaxEntropyBytes, " bytes"));
  }
  CheckText(v, "entropy_source", request.entropy_source(),
            {.max_chars = PlanLimits::kMaxEntropySourceChars});
  RETURN_IF_ERROR(v.ToStatus());
  absl::StatusOr<v1::Plan> drawn = writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("DrawPlan"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan stored,
                         PlanToMove(caller, plan_id, v1::PLAN_STATE_APPROVED, "draw"));
        return DecideDraw(caller, stored, request);
      });
  if (drawn.ok()) {
    recorder_.Wake();
    return drawn;
  }
  const auto report = drawn.status().GetPayload(kFailureReportTypeUrl);
  if (!report.has_value()) return drawn;
  // The attempt is public (docs/draw-algorithm.md §9): recorded before the refusal is
  // answered, so no entropy can be tried unseen.
  RETURN_IF_ERROR(RecordFailedDraw(caller, plan_id, request, std::string(*report)));
  return drawn;
}

absl::Status SamplingService::RecordFailedDraw(const Caller& caller, const std::string& plan_id,
                                               const v1::DrawPlanRequest& request,
                                               const std::string& report_bytes) {
  v1::DrawFailed failed;
  failed.set_plan(PlanResource(plan_id));
  if (!failed.mutable_report()->ParseFromString(report_bytes)) {
    return absl::InternalError("a draw failure report does not parse");
  }
  v1::FailedDraw& attempt = *failed.mutable_attempt();
  attempt.set_entropy(request.entropy());
  attempt.set_entropy_source(request.entropy_source());
  attempt.set_reason(failed.report().message());
  *attempt.mutable_attempt_time() = Now();
  // Its own idempotency key: a retry of the request records nothing twice, and the request's
  // own key stays free, as a refused request leaves it.
  const absl::StatusOr<v1::Plan> recorded = writes_.Write<v1::Plan>(
      {.caller = caller, .method = methods_("DrawPlan"),
       .request_id = absl::StrCat(request.request_id(), "/failed"), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Plan>> {
        ASSIGN_OR_RETURN(StoredPlan stored,
                         PlanToMove(caller, plan_id, v1::PLAN_STATE_APPROVED, "draw"));
        std::optional<v1::Plan> plan = WithFailedDraw(stored.plan, attempt);
        if (!plan) return Decision<v1::Plan>{.response = stored.plan};  // already recorded
        Decision<v1::Plan> decision = PlanDecision(std::move(*plan), &stored);
        emitter_.Emit(decision.work, decision.resource, failed);
        return decision;
      });
  return recorded.status();
}

absl::StatusOr<Decision<v1::Plan>> SamplingService::DecideDraw(
    const Caller& caller, const StoredPlan& stored, const v1::DrawPlanRequest& request) {
  const v1::Plan& plan = stored.plan;
  const std::string resource = PlanResource(plan.plan_id());
  const absl::Time draw_start = absl::Now();
  ASSIGN_OR_RETURN(FrozenInputsLoaded frozen, LoadFrozen(plans_, plan));
  const DrawInput input{.plan = &frozen.plan,
                        .candidates = &frozen.candidates,
                        .inspectors = &frozen.pool,
                        .secret = frozen.secret,
                        .entropy = request.entropy()};
  DrawFailure failure;
  absl::StatusOr<DrawResult> result = Draw(input, &failure);
  if (!result.ok()) {
    if (!absl::IsFailedPrecondition(result.status())) return result.status();
    if (metrics_ != nullptr) metrics_->draws_infeasible.Increment();
    LogWarning("draw failed", {{"plan", resource},
                               {"department", caller.department},
                               {"user", caller.user_id},
                               {"entropy", request.entropy()},
                               {"reason", failure.message}});
    absl::Status refused = FailedPrecondition(resource, failure.message);
    refused.SetPayload(kFailureReportTypeUrl,
                       absl::Cord(FailureReportOf(failure).SerializeAsString()));
    return refused;
  }

  // The plan drawn and its tasks, packed; the recorder writes the rest from them.
  Decision<v1::Plan> decision = PlanDecision(
      Drawn(plan, DrawSummaryOf(input, *result, request.entropy_source(), Now())), &stored);
  PlanStore::PutDrawnTasks(decision.work, plan.plan_id(), PackTasks(input, *result));
  if (metrics_ != nullptr) {
    metrics_->draws_drawn.Increment();
    metrics_->tasks_drawn.Increment(static_cast<double>(result->tasks.size()));
    metrics_->draw_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - draw_start));
  }
  return decision;
}

absl::Status WriteRecomputedDocument(const PlanStore& plans, const v1::Plan& plan,
                                     bool public_result,
                                     const std::function<void(std::string_view)>& write) {
  ASSIGN_OR_RETURN(FrozenInputsLoaded frozen, LoadFrozen(plans, plan));
  const DrawInput input{.plan = &frozen.plan,
                        .candidates = &frozen.candidates,
                        .inspectors = &frozen.pool,
                        .secret = frozen.secret,
                        .entropy = plan.draw().entropy(),
                        .proof_key = frozen.proof_key};
  ASSIGN_OR_RETURN(DrawResult result, Draw(input));
  std::optional<ProofCommitment> proofs;
  if (frozen.proof_key && !public_result) {
    // The package repeats the proof roots; they must be the ones published at approval.
    proofs = CommitForProofs(frozen.plan, frozen.candidates, frozen.pool, *frozen.proof_key);
    for (int s = 0; s < kStrata && s < plan.frozen().strata_size(); ++s) {
      if (HexOf(proofs->strata[s].root) != plan.frozen().strata(s).root()) {
        return absl::DataLossError(absl::StrCat("the recomputed proof root of ",
                                                StratumName(s), " of ",
                                                PlanResource(plan.plan_id()),
                                                " does not match the one published"));
      }
    }
  }
  const Digest digest = ResultDigest(input, result);
  if (HexOf(digest) != plan.draw().result_digest()) {
    return absl::DataLossError(absl::StrCat("the recomputed draw of ", PlanResource(plan.plan_id()),
                                            " does not match its recorded result digest"));
  }
  // Both documents streamed: a province's public result is 110 MB of text, its package 400.
  if (public_result) {
    WritePublicResult(input, result, write, 1 << 20);
  } else {
    WriteVerificationPackage(input, result, digest, proofs ? &*proofs : nullptr, write);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RecomputeDocument(const PlanStore& plans, const v1::Plan& plan,
                                              bool public_result) {
  std::string document;
  RETURN_IF_ERROR(WriteRecomputedDocument(plans, plan, public_result,
                                          [&](std::string_view piece) { document += piece; }));
  return document;
}

}  // namespace jianguan::sampling
