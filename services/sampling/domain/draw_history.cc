#include "services/sampling/domain/draw_history.h"

#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {

FrequencyRule::FrequencyRule(const v1::Plan& plan)
    : cutoff_(MonthsBefore(IsoDate(plan.inspection_date()), plan.frequency_months())),
      active_(plan.frequency_months() > 0) {
  for (const v1::PlanDepartment& department : plan.departments()) {
    for (const v1::PlanItem& item : department.items()) items_.insert(item.code());
  }
}

bool FrequencyRule::DrawnRecently(const v1::SubjectHistory& history) const {
  if (!active_) return false;
  for (const auto& [code, drawn] : history.last_drawn()) {
    if (items_.count(code) != 0 && drawn >= cutoff_) return true;
  }
  return false;
}

}  // namespace jianguan::sampling
