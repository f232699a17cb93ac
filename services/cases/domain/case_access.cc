#include "services/cases/domain/case_access.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::cases {

bool MayReadCase(const Caller& caller, const v1::Case& c) {
  return caller.HasRole(roles::kOversight) || c.department().code() == caller.department;
}

absl::Status CheckCaseReadable(const Caller& caller, const v1::Case& c) {
  if (MayReadCase(caller, c)) return absl::OkStatus();
  return ResourceNotFound(c.name());
}

absl::Status CheckHandles(const Caller& caller, const v1::Case& c) {
  if (c.department().code() == caller.department) return absl::OkStatus();
  if (!MayReadCase(caller, c)) return ResourceNotFound(c.name());
  return absl::PermissionDeniedError(absl::StrCat(
      c.name(), " is handled by ", c.department().code(), ", not ", caller.department,
      ": the role ", AbslView(roles::kOversight), " reads every department's cases and changes "
      "none"));
}

namespace {

bool IsPartyTo(const v1::Lead& lead, std::string_view department) {
  if (lead.department().code() == department) return true;
  return std::any_of(lead.transfers().begin(), lead.transfers().end(),
                     [&](const v1::LeadTransferRecord& t) {
                       return t.from_department().code() == department ||
                              t.to_department().code() == department;
                     });
}

}  // namespace

bool MayReadLead(const Caller& caller, const v1::Lead& lead) {
  return caller.HasRole(roles::kOversight) || IsPartyTo(lead, caller.department);
}

absl::Status CheckLeadReadable(const Caller& caller, const v1::Lead& lead) {
  if (MayReadLead(caller, lead)) return absl::OkStatus();
  return ResourceNotFound(lead.name());
}

absl::Status CheckLeadParty(const Caller& caller, const v1::Lead& lead) {
  if (IsPartyTo(lead, caller.department)) return absl::OkStatus();
  if (!MayReadLead(caller, lead)) return ResourceNotFound(lead.name());
  return absl::PermissionDeniedError(absl::StrCat(
      caller.department, " is no party to ", lead.name(), ": the role ",
      AbslView(roles::kOversight), " reads every department's leads and changes none"));
}

bool MayReadDecision(const Caller& caller, const v1::OnSpotDecision& decision) {
  return caller.HasRole(roles::kOversight) || decision.department().code() == caller.department;
}

}  // namespace jianguan::cases
