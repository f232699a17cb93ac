#include "services/sampling/domain/plan_access.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"
#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {

bool MayReadPlan(const Caller& caller, const v1::Plan& plan) {
  if (caller.HasRole(roles::kOversight) ||
      plan.initiating_department().code() == caller.department) {
    return true;
  }
  return std::any_of(plan.departments().begin(), plan.departments().end(),
                     [&](const v1::PlanDepartment& d) {
                       return d.department().code() == caller.department;
                     });
}

absl::Status CheckPlanReadable(const Caller& caller, const v1::Plan& plan) {
  if (MayReadPlan(caller, plan)) return absl::OkStatus();
  const std::string resource = PlanResource(plan.plan_id());
  if (plan.state() == v1::PLAN_STATE_DRAFT) return ResourceNotFound(resource);
  std::string departments;
  for (const v1::PlanDepartment& d : plan.departments()) {
    absl::StrAppend(&departments, departments.empty() ? "" : ", ", d.department().code());
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "the internal view of ", resource, " is for its departments (", departments,
      ") and the role ", AbslView(roles::kOversight), ", not ", caller.department,
      "; SamplingPublic.GetPublicPlan shows its public view"));
}

}  // namespace jianguan::sampling
