#include "services/credit/domain/ledger_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::credit {

bool MayReadLedger(const Caller& caller, const std::vector<v1::LedgerEntry>& entries) {
  return entries.empty() || caller.HasRole(roles::kOversight) ||
         std::any_of(entries.begin(), entries.end(), [&](const v1::LedgerEntry& entry) {
           return entry.department().code() == caller.department;
         });
}

absl::Status CheckLedgerReadable(const Caller& caller, std::string_view subject,
                                 const std::vector<v1::LedgerEntry>& entries) {
  if (MayReadLedger(caller, entries)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "the credit ledger of ", AbslView(subject), " is read by the departments whose rules wrote "
      "an entry on it and by the role ", AbslView(roles::kOversight), "; ", caller.department,
      " wrote none (GetCredit shows any department the score, grade and restrictions)"));
}

absl::Status CheckRepairer(const Caller& caller, std::string_view subject,
                           const v1::LedgerEntry& entry) {
  if (entry.department().code() == caller.department) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "entry ", entry.sequence(), " of ", AbslView(subject), " was written by a rule of ",
      entry.department().code(), ", which alone decides its repair (谁认定、谁修复); the caller is ",
      caller.department));
}

}  // namespace jianguan::credit
