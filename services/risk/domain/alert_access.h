// Who may read an alert (风险预警; department isolation, docs/security.md): the department it
// is addressed to (责任部门) and every department supervising it after an escalation (督办),
// and the role oversight (监督), which also reads the alerts no one could be given. Anyone else
// is answered as if the alert did not exist: an alert's name starts with the subject's USCC,
// so "it exists" would tell another department that a subject is under a risk alert.
//
//   RETURN_IF_ERROR(CheckAlertReadable(caller, alert));   // GetAlert, before a step
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "jianguan/risk/v1/risk.pb.h"
#include "libs/core/caller.h"

namespace jianguan::risk {

/// Whether `alert` is `department`'s: addressed to it, or escalated to it for supervision.
bool ConcernsDepartment(const v1::Alert& alert, std::string_view department);

/// Whether `caller` may read `alert`: it is addressed to the caller's department, or was
/// escalated to it, or the caller has the role oversight. An alert not yet routed is the role
/// oversight's only.
bool MayReadAlert(const Caller& caller, const v1::Alert& alert);

/// OK when `caller` may read `alert`; otherwise NOT_FOUND, word for word as for an alert that
/// does not exist.
absl::Status CheckAlertReadable(const Caller& caller, const v1::Alert& alert);

}  // namespace jianguan::risk
