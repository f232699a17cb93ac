#include "services/risk/domain/alert_access.h"

#include <algorithm>

#include "libs/core/field_violations.h"

namespace jianguan::risk {

bool ConcernsDepartment(const v1::Alert& alert, std::string_view department) {
  if (department.empty()) return false;
  return alert.summary().department().code() == department ||
         std::any_of(alert.escalations().begin(), alert.escalations().end(),
                     [&](const v1::Escalation& e) {
                       return e.supervising_department().code() == department;
                     });
}

bool MayReadAlert(const Caller& caller, const v1::Alert& alert) {
  return caller.HasRole(roles::kOversight) || ConcernsDepartment(alert, caller.department);
}

absl::Status CheckAlertReadable(const Caller& caller, const v1::Alert& alert) {
  if (MayReadAlert(caller, alert)) return absl::OkStatus();
  return ResourceNotFound(alert.summary().name());
}

}  // namespace jianguan::risk
