// Who may read a subject's credit ledger (信用记录: every entry with its source event, rule and
// basis; department isolation, docs/security.md). Each entry names the department whose rule
// wrote it, the department that recognised the record (认定部门). The ledger is read by those
// departments, a department with an entry on it reading the whole (the entries only make
// sense summed to the score), and by the role oversight (监督). An empty ledger says nothing
// GetCredit does not, so anyone reads it. What stays open to every department is the standing
// itself: score, grade and restrictions (GetCredit, CheckRestrictions,
// CheckCommitmentEligibility), which joint punishment (失信联合惩戒) needs everywhere.
//
// Every subject has a credit record, so refusing its ledger hides no existence: the refusal is
// PERMISSION_DENIED, naming what the caller lacks.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "jianguan/credit/v1/events.pb.h"
#include "libs/core/caller.h"

namespace jianguan::credit {

/// Whether `caller` may read the ledger `entries` (one subject's): one of them is its
/// department's, none exists, or it has the role oversight.
bool MayReadLedger(const Caller& caller, const std::vector<v1::LedgerEntry>& entries);

/// OK when `caller` may read the ledger of `subject` ("subjects/{uscc}"); PERMISSION_DENIED
/// naming what is missing otherwise.
absl::Status CheckLedgerReadable(const Caller& caller, std::string_view subject,
                                 const std::vector<v1::LedgerEntry>& entries);

/// OK when `caller`'s department wrote `entry` (谁认定、谁修复: the department that recognised
/// a record decides its repair); PERMISSION_DENIED naming that department otherwise, the role
/// oversight included (it changes nothing).
absl::Status CheckRepairer(const Caller& caller, std::string_view subject,
                           const v1::LedgerEntry& entry);

}  // namespace jianguan::credit
