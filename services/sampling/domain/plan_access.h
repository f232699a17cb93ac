// Who may read a plan's internal view (department isolation, docs/security.md): Sampling's
// GetPlan, ListPlans and ListTasks show what the public view never does — a draft before
// approval, the classes of a draw (信用风险分类结果不公开), inspector ids and departments, the
// secret between the draw and publication. They are for the plan's departments (the
// initiating one and every participating one of a joint plan, 联合抽查) and the role oversight
// (监督); anyone else reads SamplingPublic. A draft the caller may not read is answered as if
// it did not exist, as SamplingPublic answers it; an approved or later plan is public, so
// refusing its internal view hides nothing and says where the public one is.
//
//   RETURN_IF_ERROR(CheckPlanReadable(caller, plan));
#pragma once

#include "absl/status/status.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "libs/core/caller.h"

namespace jianguan::sampling {

/// Whether `caller` may read `plan`'s internal view: its department initiates or takes part
/// in the plan, or it has the role oversight.
bool MayReadPlan(const Caller& caller, const v1::Plan& plan);

/// OK when `caller` may read `plan`; otherwise NOT_FOUND for a draft (word for word as for a
/// plan that does not exist), PERMISSION_DENIED naming the plan's departments and the public
/// API for an approved or later plan.
absl::Status CheckPlanReadable(const Caller& caller, const v1::Plan& plan);

}  // namespace jianguan::sampling
