// Who may read a lead (案源), a case and an on-site decision (department isolation,
// docs/security.md), and who of those readers may change a case. A record is the department's
// that handles it; a lead is also readable by every department it was handed between (线索移交:
// the sender, and the receiver from the offer on, whether it accepted or returned it). The
// role oversight (监督) reads all of them and changes none. Anyone else is answered as if the
// record did not exist: that a department holds a lead or investigates a party is not public
// before the decision (行政处罚决定公示 is PublicDecisions' business).
//
//   RETURN_IF_ERROR(CheckCaseReadable(caller, c));   // GetCase, GetDocument, GetCaseTrail
//   RETURN_IF_ERROR(CheckHandles(caller, c));        // before a step (Act)
#pragma once

#include "absl/status/status.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "libs/core/caller.h"

namespace jianguan::cases {

/// Whether `caller` may read `c`: it is the handling department's (办案部门), or the caller
/// has the role oversight.
bool MayReadCase(const Caller& caller, const v1::Case& c);

/// OK when `caller` may read `c`; otherwise NOT_FOUND, word for word as for a case that does
/// not exist.
absl::Status CheckCaseReadable(const Caller& caller, const v1::Case& c);

/// OK when `caller`'s department handles `c`: NOT_FOUND as CheckCaseReadable for a caller who
/// may not read it, PERMISSION_DENIED for one who reads it by the role oversight only.
absl::Status CheckHandles(const Caller& caller, const v1::Case& c);

/// Whether `caller` may read `lead`: its department holds it, or is or was on either side of
/// one of its hand-overs, or the caller has the role oversight. What a reader may do with it
/// is the lead's rules' (domain/lead.h: only the holder moves it, only the receiver answers).
bool MayReadLead(const Caller& caller, const v1::Lead& lead);

/// OK when `caller` may read `lead`; otherwise NOT_FOUND as for a lead that does not exist.
absl::Status CheckLeadReadable(const Caller& caller, const v1::Lead& lead);

/// OK when `caller`'s department is a party to `lead` (its holder, or on either side of a
/// hand-over), whose change the lead's rules then judge: NOT_FOUND as CheckLeadReadable for a
/// caller who may not read it, PERMISSION_DENIED for one who reads it by the role oversight
/// only.
absl::Status CheckLeadParty(const Caller& caller, const v1::Lead& lead);

/// Whether `caller` may read an on-site decision (当场处罚) and its document: the deciding
/// department's, or the role oversight. Its public form is PublicDecisions'.
bool MayReadDecision(const Caller& caller, const v1::OnSpotDecision& decision);

}  // namespace jianguan::cases
