// Leads (案源) as a small state machine: registration, hand-over to another department and its
// answer (线索移交: accepted or returned with reasons), the one extension of the filing period,
// and the decision to file or not (立案 / 不予立案) within it.
//
//   REGISTERED ─Transfer→ TRANSFER_PENDING ─Answer(accept)→ REGISTERED (the receiver holds it,
//                                                            its filing period starts again)
//                                          ─Answer(return)→ REGISTERED (back with the sender)
//   REGISTERED ─Extend (once)→ REGISTERED;  ─Decline→ NOT_FILED;  ─MarkFiled→ FILED
//
// The limitation period (第三十六条) is judged on the lead's registered_date when it is filed
// (limitation.h); the filing period (市场监督管理行政处罚程序规定 第十八条) counts from the same
// day. A decision after filing_due_date is allowed and flagged (decided_late) so that the
// supervision reports show it: refusing to file a real violation because the period ran out
// would be the worse outcome.
//
//   ASSIGN_OR_RETURN(v1::Lead lead, NewLead(draft, calendar));
//   ASSIGN_OR_RETURN(v1::Lead after, Transfer(lead, caller_department, to, reason, day));
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "libs/core/calendar.h"
#include "services/cases/domain/limitation.h"

namespace jianguan::cases {

/// The lead `draft` describes, REGISTERED, version 1, its filing_due_date computed. `draft`
/// has name, uscc, source, source_ref, department, summary, violation and registered_date set,
/// and found_date when the violation was found before registration (an inspection's day);
/// without it the lead is found on its registered_date.
/// INVALID_ARGUMENT naming each offending field ("uscc", "source", "source_ref", "summary",
/// "violation.committed_date", "violation.ended_date", "registered_date", "found_date"): bad
/// USCC, source UNSPECIFIED or unknown, texts out of their length or not valid UTF-8 (summary
/// 1–2000, source_ref 0–200), a committed, ended or found date after registration, an ended
/// date before the committed one or set without `continuing`. OUT_OF_RANGE when the due date
/// falls outside the calendar.
absl::StatusOr<v1::Lead> NewLead(const v1::Lead& draft, const WorkingDayCalendar& calendar,
                                 const FilingPeriod& period = {});

/// The lead handed from `department` (the caller's, which must hold it) to `to`.
/// FAILED_PRECONDITION on the lead's name when it is not REGISTERED or not held by
/// `department`; INVALID_ARGUMENT ("to_department.code", "reason") when `to` is empty or is
/// `department`, or the reason is not 1–500 characters of UTF-8.
absl::StatusOr<v1::Lead> Transfer(const v1::Lead& lead, std::string_view department,
                                  std::string_view to, std::string_view reason,
                                  absl::CivilDay day);

/// The receiver's answer: accepted (the receiver holds the lead, registered_date = `day`,
/// the filing period and extension start again) or returned (back with the sender,
/// REGISTERED, its old due date kept). FAILED_PRECONDITION when the lead is not
/// TRANSFER_PENDING to `department`; INVALID_ARGUMENT ("reason") when returning without a
/// reason of 1–500 characters; "date" when `day` is before the hand-over.
absl::StatusOr<v1::Lead> AnswerTransfer(const v1::Lead& lead, std::string_view department,
                                        bool accept, std::string_view reason, absl::CivilDay day,
                                        const WorkingDayCalendar& calendar,
                                        const FilingPeriod& period = {});

/// The filing period extended once (第十八条: 经负责人批准，可以延长十五个工作日): due date
/// recomputed with the extension, reason recorded. FAILED_PRECONDITION when not REGISTERED,
/// not held by `department`, or already extended; INVALID_ARGUMENT ("reason").
absl::StatusOr<v1::Lead> Extend(const v1::Lead& lead, std::string_view department,
                                std::string_view reason, const WorkingDayCalendar& calendar,
                                const FilingPeriod& period = {});

/// The decision not to file (不予立案). FAILED_PRECONDITION when not REGISTERED or not held by
/// `department`; INVALID_ARGUMENT ("reason" 1–500, "date" before registration).
absl::StatusOr<v1::Lead> Decline(const v1::Lead& lead, std::string_view department,
                                 std::string_view reason, absl::CivilDay day);

/// OK when `lead` may be filed by `department` on `day`: REGISTERED, held by it, `day` not
/// before registration (INVALID_ARGUMENT "date"), and within the limitation period judged on
/// registered_date (FAILED_PRECONDITION naming 第三十六条, from CheckLimitation).
absl::Status CheckFileable(const v1::Lead& lead, std::string_view department, absl::CivilDay day);

/// The lead after a case `case_name` was filed from it on `day` (CheckFileable passed).
v1::Lead MarkFiled(const v1::Lead& lead, std::string_view case_name, absl::CivilDay day);

/// The limitation facts of `violation` (dates converted; unset ended_date is nullopt).
ViolationTiming TimingOf(const v1::ViolationTiming& violation);

}  // namespace jianguan::cases
