// The general procedure (普通程序) of the Administrative Penalty Law as a state machine
// (cases.proto, CaseState and CaseAction): which action is allowed in which state, what each
// step must carry, and the party's rights it must respect. The handlers ask here before they
// write; nothing else moves a case.
//
//   draft ─FILE→ FILED ─START_INVESTIGATION→ INVESTIGATING ─SUBMIT_FOR_REVIEW→ LEGAL_REVIEW
//   INVESTIGATING or LEGAL_REVIEW (passed) ─NOTICE→ NOTICED ─REQUEST_HEARING→ HEARING
//   NOTICED, HEARING (held) or LEGAL_REVIEW (passed, after the notice) ─DECIDE→ DECIDED
//   DECIDED ─SERVE→ SERVED ─EXECUTE→ EXECUTED ─CLOSE→ CLOSED ─ARCHIVE→ ARCHIVED
//   FILED … HEARING ─SUSPEND→ SUSPENDED ─RESUME→ back; FILED … HEARING, SUSPENDED ─CLOSE→ CLOSED
//
// The rules applied (行政处罚法, 2021, unless named otherwise):
// - 第四十二条: at least two officers on every investigative step and on the decision;
// - 第四十四条、第四十五条、第六十二条: no decision before the notice was served and the party
//   could state its case: the hearing request period over, the right waived, or the hearing
//   held; and no heavier penalty than the notice proposed;
// - 第五十八条: a passed legal review before the decision when the case needs one, and after
//   the hearing when one was held;
// - 第六十四条: a hearing asked for within 5 working days of the notice (第八十五条), and
//   announced at least 7 working days ahead;
// - 第六十条 (with the market regulation rules): the clock stops during suspension, testing
//   and hearings (recorded as Case.paused_periods; deadlines.h counts them); 30 more days
//   once, with the head's approval.
//
//   ASSIGN_OR_RETURN(v1::Case after, Apply(before, step, calendar));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/common/v1/types.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/field_violations.h"

namespace jianguan::cases {

/// 行政处罚法 第四十二条: 执法人员不得少于两人.
inline constexpr int kMinOfficers = 2;

/// One action asked of a case, with what it carries. Fields the action does not use are
/// ignored; the ones it needs are named per field.
struct CaseStep {
  v1::CaseAction action = v1::CASE_ACTION_UNSPECIFIED;
  /// The day it was done (a Beijing date); never before the case's previous step.
  absl::CivilDay date;
  /// Who records it (the caller). PASS_REVIEW: the reviewer.
  common::v1::Actor actor;
  /// The enforcement officers who acted, by user id. START_INVESTIGATION, RECORD_EVIDENCE,
  /// START_TESTING and DECIDE: at least kMinOfficers distinct ones.
  std::vector<std::string> officer_ids;
  /// The reason or content. Required for SUSPEND, EXTEND, RETURN_FOR_INVESTIGATION and a
  /// CLOSE before execution; optional otherwise.
  std::string note;
  /// NOTICE: the proposed penalty; DECIDE: the decided one.
  v1::Penalty penalty;
  /// SCHEDULE_HEARING: the day of the hearing (`date` is the day the notice reached the party).
  absl::CivilDay hearing_date;
  /// RECORD_STATEMENT: the party waives, in writing, its statement and hearing.
  bool waives_rights = false;
  /// DECIDE: the party was absent when the decision was announced (第六十一条).
  bool party_absent = false;
  /// EXECUTE: the fine paid and the late-payment surcharge paid, in fen.
  int64_t paid_fen = 0;
  int64_t surcharge_fen = 0;
};

/// The table of the state machine: whether `action` may be taken in `state` at all, before
/// any guard on the case's data. Total over every state and action, UNSPECIFIED included.
bool IsAllowed(v1::CaseState state, v1::CaseAction action);

/// The case after `step`, with the step appended to its history and its version bumped.
/// `before` is a draft (state UNSPECIFIED, name, uscc, party_kind and department set) for
/// FILE, else a filed case.
///
/// Errors: FAILED_PRECONDITION (google.rpc.PreconditionFailure on the case's name) naming the
/// action and the current state when the table forbids the action, or naming the article
/// when a guard on the case's data refuses it (e.g. a decision before the notice);
/// INVALID_ARGUMENT naming each offending field of the step (e.g. "officer_ids");
/// PERMISSION_DENIED when an officer of the case reviews it; OUT_OF_RANGE when a working-day
/// deadline falls outside the calendar's years.
absl::StatusOr<v1::Case> Apply(const v1::Case& before, const CaseStep& step,
                               const WorkingDayCalendar& calendar);

/// Adds a violation under `field` (e.g. "penalty") for each defect of `penalty`: no kind, an
/// unknown or repeated kind, a fine that is not positive exactly when FINE is among the
/// kinds, a negative confiscated value, a legal basis over 500 characters.
void CheckPenalty(FieldViolations& violations, std::string_view field, const v1::Penalty& penalty);

/// Whether a decision of `decided` would be heavier than the notice's `proposed` (行政处罚法
/// 第四十五条: 不得因当事人陈述、申辩而给予更重的处罚): a kind not proposed, a larger fine or a
/// larger confiscation.
bool IsHeavier(const v1::Penalty& decided, const v1::Penalty& proposed);

/// The summary every event carries.
v1::CaseSummary SummaryOf(const v1::Case& c);

/// Whether no action can leave `state` (ARCHIVED).
bool IsFinal(v1::CaseState state);

}  // namespace jianguan::cases
