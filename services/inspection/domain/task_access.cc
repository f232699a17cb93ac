#include "services/inspection/domain/task_access.h"

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {

bool MayReadTask(const Caller& caller, const v1::Task& task) {
  return caller.HasRole(roles::kOversight) || TakesPart(task, caller.department);
}

absl::Status CheckTaskReadable(const Caller& caller, const v1::Task& task) {
  if (MayReadTask(caller, task)) return absl::OkStatus();
  return ResourceNotFound(task.name());
}

absl::Status CheckTakesPart(const Caller& caller, const v1::Task& task) {
  if (TakesPart(task, caller.department)) return absl::OkStatus();
  if (!MayReadTask(caller, task)) return ResourceNotFound(task.name());
  return absl::PermissionDeniedError(absl::StrCat(
      caller.department, " takes no part in ", task.name(), ": the role ",
      AbslView(roles::kOversight), " reads every department's tasks and changes none"));
}

}  // namespace jianguan::inspection
