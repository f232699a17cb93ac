// Who may read an inspection task (department isolation, docs/security.md): the departments
// that take part in it (its lead department and every participating department of a joint
// task, 联合检查) and a caller with the role oversight (监督), which reads every department's
// tasks and changes none. Anyone else is answered as if the task did not exist: a task is named
// after its source (a plan and its number, a commitment, an alert), so even "it exists" would
// tell another department whom an inspection concerns.
//
//   RETURN_IF_ERROR(CheckTaskReadable(caller, task));   // GetTask
//   RETURN_IF_ERROR(CheckTakesPart(caller, task));      // before any change
#pragma once

#include "absl/status/status.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "libs/core/caller.h"

namespace jianguan::inspection {

/// Whether `caller` may read `task`: its department takes part, or it has the role oversight.
bool MayReadTask(const Caller& caller, const v1::Task& task);

/// OK when `caller` may read `task`; otherwise NOT_FOUND, word for word as for a task that
/// does not exist.
absl::Status CheckTaskReadable(const Caller& caller, const v1::Task& task);

/// OK when `caller`'s department takes part in `task`, so that the state machine may judge
/// the change: NOT_FOUND as CheckTaskReadable for a caller who may not read it,
/// PERMISSION_DENIED for one who reads it by the role oversight only.
absl::Status CheckTakesPart(const Caller& caller, const v1::Task& task);

}  // namespace jianguan::inspection
