#include "services/cases/domain/lead.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"

namespace jianguan::cases {
namespace {

/// Limits of the lead's texts (cases.proto).
constexpr size_t kSummaryMaxChars = 2000;
constexpr size_t kSourceRefMaxChars = 200;
constexpr size_t kReasonMaxChars = 500;
/// A department code of the catalogue ("330700-SCJG"); generous, but bounded.
constexpr size_t kDepartmentCodeMaxChars = 128;

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// Input echoed in an error message only when it is valid UTF-8 (the message travels as a
// gRPC status and a protobuf string).
std::string Echo(std::string_view text) {
  if (!IsValidUtf8(text)) return "(not valid UTF-8)";
  return absl::StrCat("\"", AbslView(text), "\"");
}

std::string StateName(const v1::Lead& lead) { return v1::LeadState_Name(lead.state()); }

// The lead is not in the state `what` needs.
absl::Status WrongState(const v1::Lead& lead, std::string_view what) {
  return FailedPrecondition(lead.name(), absl::StrCat(AbslView(what),
                                                      " is not allowed in state ",
                                                      StateName(lead)));
}

// REGISTERED and held by `department`: what every decision on a lead needs.
absl::Status RequireHeld(const v1::Lead& lead, std::string_view department,
                         std::string_view what) {
  if (lead.state() != v1::LEAD_STATE_REGISTERED) return WrongState(lead, what);
  if (lead.department().code() != department) {
    return FailedPrecondition(
        lead.name(), absl::StrCat(AbslView(what), " refused in state ", StateName(lead),
                                  ": the lead is held by \"", lead.department().code(),
                                  "\", not by ", Echo(department)));
  }
  return absl::OkStatus();
}

void CheckReason(FieldViolations& violations, std::string_view reason, bool required = true) {
  CheckText(violations, "reason", reason, {.required = required, .max_chars = kReasonMaxChars});
}

// The first day a decision on the lead may carry: its registration (or acceptance).
void CheckNotBeforeRegistration(FieldViolations& violations, const v1::Lead& lead,
                                absl::CivilDay day) {
  const absl::CivilDay registered = DayOf(lead.registered_date());
  if (day < registered) {
    violations.Add("date", absl::StrCat("must not be before the lead's registration on ",
                                        DayText(registered)));
  }
}

// ---------------------------------------------------------------------------------------
// NewLead's checks of the draft.

std::optional<absl::CivilDay> CheckDate(FieldViolations& violations, std::string_view field,
                                        bool present, const common::v1::Date& date) {
  if (!present) {
    violations.Add(field, "must be set");
    return std::nullopt;
  }
  std::optional<absl::CivilDay> day = ValidDayOf(date);
  if (!day.has_value()) violations.Add(field, "must be a real calendar day of 1949–2200");
  return day;
}

void CheckViolationTiming(FieldViolations& violations, const v1::ViolationTiming& timing,
                          std::optional<absl::CivilDay> registered) {
  const std::optional<absl::CivilDay> committed = CheckDate(
      violations, "violation.committed_date", timing.has_committed_date(),
      timing.committed_date());
  if (committed.has_value() && registered.has_value() && *committed > *registered) {
    violations.Add("violation.committed_date",
                   absl::StrCat("must not be after the registration on ", DayText(*registered)));
  }
  if (!timing.has_ended_date()) return;
  if (!timing.continuing()) {
    violations.Add("violation.ended_date",
                   "is set only for a continuing act (连续或者继续状态, continuing = true)");
    return;
  }
  const std::optional<absl::CivilDay> ended = ValidDayOf(timing.ended_date());
  if (!ended.has_value()) {
    violations.Add("violation.ended_date", "must be a real calendar day of 1949–2200");
    return;
  }
  if (committed.has_value() && *ended < *committed) {
    violations.Add("violation.ended_date",
                   absl::StrCat("must not be before the day the act began, ",
                                DayText(*committed)));
  }
  if (registered.has_value() && *ended > *registered) {
    violations.Add("violation.ended_date",
                   absl::StrCat("must not be after the registration on ", DayText(*registered)));
  }
}

absl::Status CheckDraft(const v1::Lead& draft) {
  FieldViolations violations;
  if (!IsValidUtf8(draft.uscc())) {
    violations.Add("uscc", "is not valid UTF-8");
  } else if (absl::Status s = ValidateUscc(draft.uscc()); !s.ok()) {
    violations.Add("uscc", StdView(s.message()));
  }
  if (!v1::LeadSource_IsValid(draft.source()) || draft.source() == v1::LEAD_SOURCE_UNSPECIFIED) {
    violations.Add("source", "must be a known source (INSPECTION, RISK_ALERT, COMPLAINT, "
                             "DEPARTMENT_TRANSFER or OWN_FINDING)");
  }
  CheckText(violations, "source_ref", draft.source_ref(), {.max_chars = kSourceRefMaxChars});
  CheckText(violations, "summary", draft.summary(),
            {.required = true, .max_chars = kSummaryMaxChars});
  CheckText(violations, "department.code", draft.department().code(),
            {.required = true, .max_chars = kDepartmentCodeMaxChars});
  const std::optional<absl::CivilDay> registered = CheckDate(
      violations, "registered_date", draft.has_registered_date(), draft.registered_date());
  CheckViolationTiming(violations, draft.violation(), registered);
  if (draft.has_found_date()) {
    const std::optional<absl::CivilDay> found = ValidDayOf(draft.found_date());
    if (!found.has_value()) {
      violations.Add("found_date", "must be a real calendar day of 1949–2200");
    } else if (registered.has_value() && *found > *registered) {
      violations.Add("found_date",
                     absl::StrCat("must not be after the registration on ", DayText(*registered)));
    }
  }
  return violations.ToStatus();
}

v1::LeadTransferRecord* PendingTransfer(v1::Lead& lead) {
  if (lead.transfers().empty()) return nullptr;
  return lead.mutable_transfers(lead.transfers_size() - 1);
}

}  // namespace

absl::StatusOr<v1::Lead> NewLead(const v1::Lead& draft, const WorkingDayCalendar& calendar,
                                 const FilingPeriod& period) {
  RETURN_IF_ERROR(CheckDraft(draft));
  const absl::CivilDay registered = DayOf(draft.registered_date());
  ASSIGN_OR_RETURN(absl::CivilDay due,
                   FilingDecisionDue(calendar, registered, /*extended=*/false, period));
  // Only what a new lead carries: whatever else the draft holds (a state, transfers, a
  // decision) is not the caller's to set.
  v1::Lead lead;
  lead.set_name(draft.name());
  lead.set_uscc(draft.uscc());
  lead.set_source(draft.source());
  lead.set_source_ref(draft.source_ref());
  *lead.mutable_department() = draft.department();
  lead.set_summary(draft.summary());
  *lead.mutable_violation() = draft.violation();
  *lead.mutable_registered_date() = draft.registered_date();
  // Found when registered, unless the source saw it earlier (an inspection's day).
  *lead.mutable_found_date() =
      draft.has_found_date() ? draft.found_date() : draft.registered_date();
  *lead.mutable_filing_due_date() = DateOf(due);
  lead.set_extended(false);
  lead.set_state(v1::LEAD_STATE_REGISTERED);
  lead.set_version(1);
  return lead;
}

absl::StatusOr<v1::Lead> Transfer(const v1::Lead& lead, std::string_view department,
                                  std::string_view to, std::string_view reason,
                                  absl::CivilDay day) {
  RETURN_IF_ERROR(RequireHeld(lead, department, "TRANSFER"));
  FieldViolations violations;
  if (CheckText(violations, "to_department.code", to,
                {.required = true, .max_chars = kDepartmentCodeMaxChars}) &&
      to == department) {
    violations.Add("to_department.code", "must be another department than the one holding it");
  }
  CheckReason(violations, reason);
  CheckNotBeforeRegistration(violations, lead, day);
  RETURN_IF_ERROR(violations.ToStatus());

  v1::Lead after = lead;
  v1::LeadTransferRecord& record = *after.add_transfers();
  record.mutable_from_department()->set_code(std::string(department));
  record.mutable_to_department()->set_code(std::string(to));
  record.set_reason(std::string(reason));
  *record.mutable_transferred_date() = DateOf(day);
  after.set_state(v1::LEAD_STATE_TRANSFER_PENDING);
  after.set_version(lead.version() + 1);
  return after;
}

absl::StatusOr<v1::Lead> AnswerTransfer(const v1::Lead& lead, std::string_view department,
                                        bool accept, std::string_view reason, absl::CivilDay day,
                                        const WorkingDayCalendar& calendar,
                                        const FilingPeriod& period) {
  const char* const what = accept ? "ACCEPT_TRANSFER" : "RETURN_TRANSFER";
  if (lead.state() != v1::LEAD_STATE_TRANSFER_PENDING || lead.transfers().empty()) {
    return WrongState(lead, what);
  }
  const v1::LeadTransferRecord& pending = lead.transfers(lead.transfers_size() - 1);
  if (pending.to_department().code() != department) {
    return FailedPrecondition(
        lead.name(), absl::StrCat(what, " refused in state ", StateName(lead),
                                  ": the lead is handed to \"", pending.to_department().code(),
                                  "\", not to ", Echo(department)));
  }
  FieldViolations violations;
  // A return says why (退回理由); an acceptance needs none, but what is given must be text.
  CheckReason(violations, reason, /*required=*/!accept);
  const absl::CivilDay transferred = DayOf(pending.transferred_date());
  if (day < transferred) {
    violations.Add("date", absl::StrCat("must not be before the hand-over on ",
                                        DayText(transferred)));
  }
  RETURN_IF_ERROR(violations.ToStatus());

  v1::Lead after = lead;
  v1::LeadTransferRecord& record = *PendingTransfer(after);
  *record.mutable_answered_date() = DateOf(day);
  if (accept) {
    // The receiver holds the lead; the filing period (第十八条) and its one extension start
    // again from the day it accepted.
    ASSIGN_OR_RETURN(absl::CivilDay due,
                     FilingDecisionDue(calendar, day, /*extended=*/false, period));
    record.set_accepted(true);
    *after.mutable_department() = pending.to_department();
    *after.mutable_registered_date() = DateOf(day);
    *after.mutable_filing_due_date() = DateOf(due);
    after.set_extended(false);
    after.clear_decision_reason();  // the sender's extension reason no longer applies
  } else {
    record.set_returned(true);
    record.set_return_reason(std::string(reason));
  }
  after.set_state(v1::LEAD_STATE_REGISTERED);
  after.set_version(lead.version() + 1);
  return after;
}

absl::StatusOr<v1::Lead> Extend(const v1::Lead& lead, std::string_view department,
                                std::string_view reason, const WorkingDayCalendar& calendar,
                                const FilingPeriod& period) {
  RETURN_IF_ERROR(RequireHeld(lead, department, "EXTEND"));
  if (lead.extended()) {
    return FailedPrecondition(
        lead.name(),
        absl::StrCat("EXTEND refused in state ", StateName(lead),
                     ": 市场监督管理行政处罚程序规定 第十八条 allows one extension of the "
                     "filing period, and it was already granted (due ",
                     DayText(DayOf(lead.filing_due_date())), ")"));
  }
  FieldViolations violations;
  CheckReason(violations, reason);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(absl::CivilDay due, FilingDecisionDue(calendar, DayOf(lead.registered_date()),
                                                         /*extended=*/true, period));
  v1::Lead after = lead;
  after.set_extended(true);
  *after.mutable_filing_due_date() = DateOf(due);
  after.set_decision_reason(std::string(reason));
  after.set_version(lead.version() + 1);
  return after;
}

absl::StatusOr<v1::Lead> Decline(const v1::Lead& lead, std::string_view department,
                                 std::string_view reason, absl::CivilDay day) {
  RETURN_IF_ERROR(RequireHeld(lead, department, "DECLINE"));
  FieldViolations violations;
  CheckReason(violations, reason);
  CheckNotBeforeRegistration(violations, lead, day);
  RETURN_IF_ERROR(violations.ToStatus());
  v1::Lead after = lead;
  after.set_state(v1::LEAD_STATE_NOT_FILED);
  after.set_decision_reason(std::string(reason));
  *after.mutable_decided_date() = DateOf(day);
  after.set_decided_late(day > DayOf(lead.filing_due_date()));
  after.set_version(lead.version() + 1);
  return after;
}

absl::Status CheckFileable(const v1::Lead& lead, std::string_view department, absl::CivilDay day) {
  RETURN_IF_ERROR(RequireHeld(lead, department, "FILE"));
  FieldViolations violations;
  CheckNotBeforeRegistration(violations, lead, day);
  RETURN_IF_ERROR(violations.ToStatus());
  return CheckLimitation(lead.name(), TimingOf(lead.violation()), DayOf(lead.registered_date()));
}

v1::Lead MarkFiled(const v1::Lead& lead, std::string_view case_name, absl::CivilDay day) {
  v1::Lead after = lead;
  after.set_state(v1::LEAD_STATE_FILED);
  after.set_case_name(std::string(case_name));
  *after.mutable_decided_date() = DateOf(day);
  after.set_decided_late(day > DayOf(lead.filing_due_date()));
  after.set_version(lead.version() + 1);
  return after;
}

ViolationTiming TimingOf(const v1::ViolationTiming& violation) {
  ViolationTiming timing{.committed_on = DayOf(violation.committed_date()),
                         .continuing = violation.continuing(),
                         .harmed_life_health_or_finance =
                             violation.harmed_life_health_or_finance()};
  if (violation.has_ended_date()) timing.ended_on = DayOf(violation.ended_date());
  return timing;
}

}  // namespace jianguan::cases
