#include "services/sampling/domain/plan_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {

v1::Plan NewDraft(v1::Plan plan, const google::protobuf::Timestamp& now) {
  plan.set_name(PlanResource(plan.plan_id()));
  plan.set_state(v1::PLAN_STATE_DRAFT);
  plan.clear_frozen();
  plan.clear_draw();
  *plan.mutable_create_time() = now;
  return plan;
}

absl::StatusOr<v1::Plan> RevisedDraft(const v1::Plan& current, v1::Plan revised,
                                      int64_t expected_version) {
  const std::string resource = PlanResource(revised.plan_id());
  if (current.version() != expected_version) {
    return FailedPrecondition(resource,
                              absl::StrCat("stale version: the plan is at version ",
                                           current.version(), ", the request expected ",
                                           expected_version));
  }
  revised.set_name(resource);
  revised.set_state(v1::PLAN_STATE_DRAFT);
  revised.clear_frozen();
  revised.clear_draw();
  *revised.mutable_create_time() = current.create_time();
  return revised;
}

v1::Plan Approved(v1::Plan plan, const Freeze& freeze) {
  v1::FrozenInputs& frozen = *plan.mutable_frozen();
  frozen.set_plan_hash(HexOf(PlanHash(freeze.draw_plan)));
  frozen.set_commitment(freeze.commitment);
  frozen.set_candidates_digest(HexOf(freeze.candidates_digest));
  frozen.set_candidate_count(static_cast<int64_t>(freeze.candidates.size()));
  frozen.set_inspectors_digest(HexOf(freeze.pool.PoolDigest()));
  frozen.set_inspector_count(static_cast<int64_t>(freeze.pool.size()));
  *frozen.mutable_approve_time() = freeze.approve_time;
  frozen.set_approved_by(freeze.approved_by);
  for (int s = 0; s < kStrata; ++s) {
    v1::StratumRoot& stratum = *frozen.add_strata();
    stratum.set_class_name(StratumName(s));
    stratum.set_size(freeze.proofs.strata[s].size);
    stratum.set_eligible(freeze.proofs.strata[s].eligible);
    stratum.set_root(HexOf(freeze.proofs.strata[s].root));
  }
  frozen.set_pool_root(HexOf(freeze.proofs.pool_root));
  plan.set_state(v1::PLAN_STATE_APPROVED);
  return plan;
}

std::optional<v1::Plan> WithFailedDraw(v1::Plan plan, v1::FailedDraw attempt) {
  for (const v1::FailedDraw& earlier : plan.failed_draws()) {
    if (earlier.entropy() == attempt.entropy()) return std::nullopt;
  }
  *plan.add_failed_draws() = std::move(attempt);
  return plan;
}

v1::Plan Drawn(v1::Plan plan, v1::DrawSummary draw) {
  *plan.mutable_draw() = std::move(draw);
  plan.set_state(v1::PLAN_STATE_DRAWN);
  return plan;
}

v1::Plan Published(v1::Plan plan, const google::protobuf::Timestamp& now) {
  plan.set_state(v1::PLAN_STATE_PUBLISHED);
  *plan.mutable_draw()->mutable_publish_time() = now;
  return plan;
}

v1::Plan Completed(v1::Plan plan) {
  plan.set_state(v1::PLAN_STATE_COMPLETED);
  return plan;
}

v1::PublicPlan PublicView(const v1::Plan& plan) {
  v1::PublicPlan view;
  view.set_name(PlanResource(plan.plan_id()));
  view.set_plan_id(plan.plan_id());
  view.set_title(plan.title());
  view.set_year(plan.year());
  *view.mutable_initiating_department() = plan.initiating_department();
  *view.mutable_departments() = plan.departments();
  *view.mutable_target() = plan.target();
  *view.mutable_period_start() = plan.period_start();
  *view.mutable_period_end() = plan.period_end();
  view.set_state(plan.state());
  const v1::FrozenInputs& frozen = plan.frozen();
  view.set_plan_json(PlanJson(AsDrawPlan(plan, frozen.commitment())).Canonical());
  view.set_plan_hash(frozen.plan_hash());
  view.set_commitment(frozen.commitment());
  view.set_candidates_digest(frozen.candidates_digest());
  view.set_candidate_count(frozen.candidate_count());
  view.set_inspectors_digest(frozen.inspectors_digest());
  *view.mutable_approve_time() = frozen.approve_time();
  *view.mutable_strata() = frozen.strata();
  view.set_pool_root(frozen.pool_root());
  *view.mutable_failed_draws() = plan.failed_draws();
  if (plan.state() >= v1::PLAN_STATE_PUBLISHED) {
    const v1::DrawSummary& draw = plan.draw();
    view.set_entropy(draw.entropy());
    view.set_entropy_source(draw.entropy_source());
    view.set_secret(draw.secret());
    view.set_result_digest(draw.result_digest());
    view.set_task_count(draw.task_count());
    view.set_visits_saved(draw.visits_saved());
    *view.mutable_publish_time() = draw.publish_time();
  }
  return view;
}

}  // namespace jianguan::sampling
