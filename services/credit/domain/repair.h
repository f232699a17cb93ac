// Credit repair (信用修复, DESIGN.md §7): may a deduction be repaired today, and if not, why.
//
// A deduction may be repaired when, all at once:
//   - its rule allows repair (repair_after_months > 0) and that many months have passed since
//     the entry took effect (6 months; 1 year for food, drugs and special equipment — the
//     model says which), counted as calendar months (AddMonths);
//   - the penalty is fulfilled: for an entry from a penalty decision (PenaltyDecided), the
//     case's PenaltyExecuted has been received;
//   - the same violation has not been repeated since: no later entry of the same rule;
//   - the subject is on neither list (经营异常名录, 严重违法失信名单) as the registry last said.
// The subject's statement that the harm is removed is part of the request.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "jianguan/credit/v1/records.pb.h"

namespace jianguan::credit {

/// The entry with `sequence` among `ledger`, or nullptr.
const v1::LedgerEntry* FindEntry(const std::vector<v1::LedgerEntry>& ledger, int64_t sequence);

/// Whether the repair of `entry` (a deduction of the subject's `ledger`, under `rule` — the
/// rule as its model version defines it, or nullptr when that version is not loaded) may be
/// granted on `today`: an empty list when it may, else one sentence per unmet condition.
/// FAILED_PRECONDITION when the entry is not a RULE deduction or was already restored (by a
/// repair or by the end of its publication period).
absl::StatusOr<std::vector<std::string>> RepairRefusals(const v1::CreditRecord& record,
                                                        const std::vector<v1::LedgerEntry>& ledger,
                                                        const v1::LedgerEntry& entry,
                                                        const v1::Rule* rule, absl::CivilDay today);

}  // namespace jianguan::credit
