#include "services/cases/domain/procedure.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "services/cases/domain/deadlines.h"

namespace jianguan::cases {
namespace {

using v1::CaseAction;
using v1::CaseState;

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The step asked is forbidden by the table: names the action and the current state.
absl::Status WrongState(const v1::Case& c, CaseAction action) {
  return FailedPrecondition(
      c.name(), absl::StrCat(v1::CaseAction_Name(action), " is not allowed in state ",
                             v1::CaseState_Name(c.state())));
}

// The table allows the step but the case's data does not: says why, with the article.
absl::Status Refused(const v1::Case& c, CaseAction action, std::string_view why) {
  return FailedPrecondition(c.name(),
                            absl::StrCat(v1::CaseAction_Name(action), " refused in state ",
                                         v1::CaseState_Name(c.state()), ": ", AbslView(why)));
}

// ---------------------------------------------------------------------------------------
// Pauses of the decision clock (第六十条: 中止、听证、检测等时间不计入).

v1::ClockPause* OpenPause(v1::Case& c, v1::PauseReason reason) {
  for (v1::ClockPause& pause : *c.mutable_paused_periods()) {
    if (pause.reason() == reason && !pause.has_end_date()) return &pause;
  }
  return nullptr;
}

void StartPause(v1::Case& c, v1::PauseReason reason, absl::CivilDay day, std::string_view note) {
  v1::ClockPause& pause = *c.add_paused_periods();
  pause.set_reason(reason);
  *pause.mutable_start_date() = DateOf(day);
  pause.set_note(std::string(note));
}

void EndPause(v1::Case& c, v1::PauseReason reason, absl::CivilDay day) {
  if (v1::ClockPause* pause = OpenPause(c, reason)) *pause->mutable_end_date() = DateOf(day);
}

void EndAllPauses(v1::Case& c, absl::CivilDay day) {
  for (v1::ClockPause& pause : *c.mutable_paused_periods()) {
    if (!pause.has_end_date()) *pause.mutable_end_date() = DateOf(day);
  }
}

// ---------------------------------------------------------------------------------------
// Checks on the step itself (INVALID_ARGUMENT naming the field).

bool NeedsTwoOfficers(CaseAction action) {
  return action == v1::CASE_ACTION_START_INVESTIGATION ||
         action == v1::CASE_ACTION_RECORD_EVIDENCE || action == v1::CASE_ACTION_START_TESTING ||
         action == v1::CASE_ACTION_DECIDE;
}

bool NeedsNote(const v1::Case& c, CaseAction action) {
  switch (action) {
    case v1::CASE_ACTION_SUSPEND:
    case v1::CASE_ACTION_EXTEND:
    case v1::CASE_ACTION_RETURN_FOR_INVESTIGATION:
      return true;
    case v1::CASE_ACTION_CLOSE:
      return c.state() != v1::CASE_STATE_EXECUTED;  // closing without a penalty says why
    default:
      return false;
  }
}

void CheckOfficers(FieldViolations& violations, const CaseStep& step) {
  std::set<std::string> distinct;
  for (size_t i = 0; i < step.officer_ids.size(); ++i) {
    if (step.officer_ids[i].empty()) {
      violations.Add(absl::StrCat("officer_ids[", i, "]"), "must not be empty");
    } else {
      distinct.insert(step.officer_ids[i]);
    }
  }
  if (NeedsTwoOfficers(step.action) && distinct.size() < static_cast<size_t>(kMinOfficers)) {
    violations.Add("officer_ids",
                   absl::StrCat("行政处罚法 第四十二条: at least ", kMinOfficers,
                                " distinct enforcement officers must act on ",
                                v1::CaseAction_Name(step.action), "; ", distinct.size(),
                                " named"));
  }
}

absl::Status CheckStep(const v1::Case& c, const CaseStep& step) {
  FieldViolations violations;
  if (c.history_size() > 0) {
    const absl::CivilDay last = DayOf(c.history(c.history_size() - 1).date());
    if (step.date < last) {
      violations.Add("date", absl::StrCat("must not be before the case's last step on ",
                                          DayText(last)));
    }
  }
  CheckOfficers(violations, step);
  CheckText(violations, "note", step.note,
            {.required = NeedsNote(c, step.action), .max_chars = 500});
  if (step.action == v1::CASE_ACTION_NOTICE || step.action == v1::CASE_ACTION_DECIDE) {
    CheckPenalty(violations, "penalty", step.penalty);
  }
  if (step.action == v1::CASE_ACTION_EXECUTE) {
    if (step.paid_fen != c.decided_penalty().fine().fen()) {
      violations.Add("paid_fen", absl::StrCat("must be the decided fine, ",
                                              c.decided_penalty().fine().fen(), " fen"));
    }
    if (step.surcharge_fen < 0 || step.surcharge_fen > c.decided_penalty().fine().fen()) {
      violations.Add("surcharge_fen", "行政处罚法 第七十二条: between 0 and the fine");
    }
  }
  return violations.ToStatus();
}

absl::Status CheckDraft(const v1::Case& draft) {
  FieldViolations violations;
  if (draft.name().empty()) violations.Add("name", "must not be empty");
  if (absl::Status s = ValidateUscc(draft.uscc()); !s.ok()) {
    violations.Add("uscc", StdView(s.message()));
  }
  if (draft.party_kind() != v1::PARTY_KIND_CITIZEN &&
      draft.party_kind() != v1::PARTY_KIND_ORGANISATION) {
    violations.Add("party_kind", "must be CITIZEN or ORGANISATION");
  }
  if (draft.department().code().empty()) violations.Add("department.code", "must not be empty");
  if (draft.procedure() == v1::PROCEDURE_SUMMARY) {
    violations.Add("procedure", "a summary-procedure decision (简易程序) is not a filed case");
  }
  return violations.ToStatus();
}

// ---------------------------------------------------------------------------------------
// Guards on the case's data (FAILED_PRECONDITION naming the article).

bool TestingOpen(const v1::Case& c) {
  return std::any_of(c.paused_periods().begin(), c.paused_periods().end(),
                     [](const v1::ClockPause& p) {
                       return p.reason() == v1::PAUSE_REASON_TESTING && !p.has_end_date();
                     });
}

// The investigation may end only once every test result is in: the facts rest on them.
absl::Status RequireInvestigationDone(const v1::Case& c, CaseAction action) {
  if (c.state() != v1::CASE_STATE_INVESTIGATING || !TestingOpen(c)) return absl::OkStatus();
  return Refused(c, action, "testing (检测检验) is still under way; END_TESTING first");
}

// 第四十五条、第六十二条、第六十四条: the party had its say. A requested hearing was held;
// otherwise the hearing request period is over or the party waived its rights in writing.
absl::Status RequirePartyHeard(const v1::Case& c, CaseAction action, absl::CivilDay day,
                               const WorkingDayCalendar& calendar) {
  if (c.has_hearing_requested_date()) {
    if (c.has_hearing_held_date()) return absl::OkStatus();
    return Refused(c, action, "行政处罚法 第六十四条: the hearing the party asked for is not held yet");
  }
  if (c.rights_waived()) return absl::OkStatus();
  ASSIGN_OR_RETURN(absl::CivilDay last,
                   HearingRequestLastDay(calendar, DayOf(c.notice_served_date())));
  if (day > last) return absl::OkStatus();
  return Refused(c, action, absl::StrCat(
      "行政处罚法 第六十二条、第六十四条: the party may state its case and ask for a hearing "
      "until ", DayText(last), " unless it waives that right"));
}

// 第五十八条: a passed legal review when the case needs one; when the case was also heard
// (经过听证程序, 第五十八条第二项), a review after the hearing, of the facts it established.
absl::Status RequireReview(const v1::Case& c, CaseAction action) {
  if (!c.legal_review_required()) return absl::OkStatus();
  if (!c.has_review_passed_date()) {
    return Refused(c, action,
                   "行政处罚法 第五十八条: the decision needs a passed legal review (法制审核)");
  }
  if (c.has_hearing_held_date() &&
      DayOf(c.review_passed_date()) < DayOf(c.hearing_held_date())) {
    return Refused(c, action,
                   "行政处罚法 第五十八条: a case heard (经过听证程序) needs a legal review after "
                   "the hearing");
  }
  return absl::OkStatus();
}

bool IsOfficerOf(const v1::Case& c, std::string_view user_id) {
  for (const v1::CaseStepRecord& record : c.history()) {
    for (const std::string& officer : record.officer_ids()) {
      if (officer == user_id) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// One function per action: checks its guards and sets what it changes, including the state.

absl::Status File(v1::Case& c, const CaseStep& step) {
  RETURN_IF_ERROR(CheckDraft(c));
  c.set_procedure(v1::PROCEDURE_GENERAL);
  c.set_version(0);
  *c.mutable_filed_date() = DateOf(step.date);
  c.set_state(v1::CASE_STATE_FILED);
  return absl::OkStatus();
}

absl::Status StartInvestigation(v1::Case& c, const CaseStep& step) {
  *c.mutable_investigation_started_date() = DateOf(step.date);
  c.set_state(v1::CASE_STATE_INVESTIGATING);
  return absl::OkStatus();
}

absl::Status StartTesting(v1::Case& c, const CaseStep& step) {
  if (TestingOpen(c)) return Refused(c, step.action, "a testing period is already open");
  StartPause(c, v1::PAUSE_REASON_TESTING, step.date, step.note);
  return absl::OkStatus();
}

absl::Status EndTesting(v1::Case& c, const CaseStep& step) {
  if (!TestingOpen(c)) return Refused(c, step.action, "no testing period is open");
  EndPause(c, v1::PAUSE_REASON_TESTING, step.date);
  return absl::OkStatus();
}

absl::Status SubmitForReview(v1::Case& c, const CaseStep& step,
                             const WorkingDayCalendar& calendar) {
  RETURN_IF_ERROR(RequireInvestigationDone(c, step.action));
  if (c.state() == v1::CASE_STATE_NOTICED || c.state() == v1::CASE_STATE_HEARING) {
    // Review is a dead end for the party's rights: it cannot ask for a hearing from there.
    RETURN_IF_ERROR(RequirePartyHeard(c, step.action, step.date, calendar));
  }
  c.clear_review_passed_date();  // a new review: an earlier pass no longer covers the facts
  c.clear_reviewer_id();
  c.set_state(v1::CASE_STATE_LEGAL_REVIEW);
  return absl::OkStatus();
}

absl::Status PassReview(v1::Case& c, const CaseStep& step) {
  if (c.has_review_passed_date()) return Refused(c, step.action, "this review already passed");
  const std::string& reviewer = step.actor.user_id();
  if (reviewer.empty()) return InvalidField("actor.user_id", "the reviewer must be named");
  if (IsOfficerOf(c, reviewer)) {
    // 行政处罚法 第五十八条: 法制审核 by the department's legal staff, not the investigators.
    return absl::PermissionDeniedError(
        absl::StrCat("an officer who investigated ", c.name(), " may not review it"));
  }
  *c.mutable_review_passed_date() = DateOf(step.date);
  c.set_reviewer_id(reviewer);
  return absl::OkStatus();
}

absl::Status ReturnForInvestigation(v1::Case& c, const CaseStep&) {
  c.clear_review_passed_date();
  c.clear_reviewer_id();
  c.set_state(v1::CASE_STATE_INVESTIGATING);
  return absl::OkStatus();
}

// A later notice replaces an earlier one (e.g. a heavier penalty after new evidence): the
// party's rights start again from it.
void ClearPartyResponse(v1::Case& c) {
  c.clear_statement_date();
  c.set_rights_waived(false);
  c.clear_hearing_requested_date();
  c.clear_hearing_notice_date();
  c.clear_hearing_date();
  c.clear_hearing_held_date();
}

absl::Status Notice(v1::Case& c, const CaseStep& step) {
  RETURN_IF_ERROR(RequireInvestigationDone(c, step.action));
  if (c.state() == v1::CASE_STATE_LEGAL_REVIEW && !c.has_review_passed_date()) {
    return Refused(c, step.action, "the legal review has not passed");
  }
  ClearPartyResponse(c);
  *c.mutable_notice_served_date() = DateOf(step.date);
  *c.mutable_proposed_penalty() = step.penalty;
  c.set_state(v1::CASE_STATE_NOTICED);
  return absl::OkStatus();
}

absl::Status RecordStatement(v1::Case& c, const CaseStep& step) {
  *c.mutable_statement_date() = DateOf(step.date);
  if (step.waives_rights) c.set_rights_waived(true);
  return absl::OkStatus();
}

// 第六十四条: 当事人要求听证的，应当在行政机关告知后五日内提出 (working days, 第八十五条).
absl::Status RequestHearing(v1::Case& c, const CaseStep& step,
                            const WorkingDayCalendar& calendar) {
  const absl::CivilDay noticed = DayOf(c.notice_served_date());
  ASSIGN_OR_RETURN(absl::CivilDay last, HearingRequestLastDay(calendar, noticed));
  if (step.date > last) {
    return Refused(c, step.action,
                   absl::StrCat("行政处罚法 第六十四条: a hearing must be asked for within ",
                                kHearingRequestWorkingDays,
                                " working days of the notice served on ", DayText(noticed),
                                ", by ", DayText(last)));
  }
  *c.mutable_hearing_requested_date() = DateOf(step.date);
  StartPause(c, v1::PAUSE_REASON_HEARING, step.date, step.note);
  c.set_state(v1::CASE_STATE_HEARING);
  return absl::OkStatus();
}

// 第六十四条: 行政机关应当在举行听证的七日前，通知当事人 (working days, 第八十五条).
absl::Status ScheduleHearing(v1::Case& c, const CaseStep& step,
                             const WorkingDayCalendar& calendar) {
  if (c.has_hearing_held_date()) return Refused(c, step.action, "the hearing was already held");
  ASSIGN_OR_RETURN(absl::CivilDay earliest, HearingEarliestDate(calendar, step.date));
  if (step.hearing_date < earliest) {
    return InvalidField("hearing_date",
                        absl::StrCat("行政处罚法 第六十四条: the party is notified ",
                                     kHearingNoticeWorkingDays,
                                     " working days ahead; notified on ", DayText(step.date),
                                     ", the hearing may be held from ", DayText(earliest)));
  }
  *c.mutable_hearing_notice_date() = DateOf(step.date);
  *c.mutable_hearing_date() = DateOf(step.hearing_date);
  return absl::OkStatus();
}

absl::Status HoldHearing(v1::Case& c, const CaseStep& step) {
  if (c.has_hearing_held_date()) return Refused(c, step.action, "the hearing was already held");
  if (!c.has_hearing_date()) return Refused(c, step.action, "no hearing was scheduled");
  if (step.date < DayOf(c.hearing_date())) {
    return InvalidField("date", absl::StrCat("the hearing is set for ",
                                             DayText(DayOf(c.hearing_date()))));
  }
  *c.mutable_hearing_held_date() = DateOf(step.date);
  EndPause(c, v1::PAUSE_REASON_HEARING, step.date);
  return absl::OkStatus();
}

absl::Status Decide(v1::Case& c, const CaseStep& step, const WorkingDayCalendar& calendar) {
  if (!c.has_notice_served_date()) {
    return Refused(c, step.action,
                   "行政处罚法 第四十四条: the party must be notified of the proposed penalty, "
                   "its facts, grounds and basis, and its rights before a decision");
  }
  RETURN_IF_ERROR(RequirePartyHeard(c, step.action, step.date, calendar));
  RETURN_IF_ERROR(RequireReview(c, step.action));
  if (IsHeavier(step.penalty, c.proposed_penalty())) {
    return Refused(c, step.action,
                   "行政处罚法 第四十五条: the decision may not be heavier than the penalty "
                   "proposed in the notice; serve a new notice first");
  }
  *c.mutable_decided_date() = DateOf(step.date);
  *c.mutable_decided_penalty() = step.penalty;
  c.set_party_absent(step.party_absent);
  c.set_state(v1::CASE_STATE_DECIDED);
  return absl::OkStatus();
}

absl::Status Serve(v1::Case& c, const CaseStep& step) {
  *c.mutable_served_date() = DateOf(step.date);
  c.set_state(v1::CASE_STATE_SERVED);
  return absl::OkStatus();
}

absl::Status Execute(v1::Case& c, const CaseStep& step) {
  *c.mutable_executed_date() = DateOf(step.date);
  c.mutable_paid()->set_fen(step.paid_fen);
  c.mutable_surcharge_paid()->set_fen(step.surcharge_fen);
  c.set_state(v1::CASE_STATE_EXECUTED);
  return absl::OkStatus();
}

absl::Status Close(v1::Case& c, const CaseStep& step) {
  EndAllPauses(c, step.date);
  *c.mutable_closed_date() = DateOf(step.date);
  c.set_close_reason(step.note.empty() ? "执行完毕" : step.note);
  c.clear_suspended_from();
  c.set_state(v1::CASE_STATE_CLOSED);
  return absl::OkStatus();
}

absl::Status Archive(v1::Case& c, const CaseStep& step) {
  *c.mutable_archived_date() = DateOf(step.date);
  c.set_state(v1::CASE_STATE_ARCHIVED);
  return absl::OkStatus();
}

absl::Status Suspend(v1::Case& c, const CaseStep& step) {
  c.set_suspended_from(c.state());
  StartPause(c, v1::PAUSE_REASON_SUSPENSION, step.date, step.note);
  c.set_state(v1::CASE_STATE_SUSPENDED);
  return absl::OkStatus();
}

absl::Status Resume(v1::Case& c, const CaseStep& step) {
  EndPause(c, v1::PAUSE_REASON_SUSPENSION, step.date);
  c.set_state(c.suspended_from());
  c.clear_suspended_from();
  return absl::OkStatus();
}

// 市场监督管理行政处罚程序规定: 经市场监督管理部门负责人批准，可以延长三十日 — once.
absl::Status Extend(v1::Case& c, const CaseStep& step) {
  if (c.extension_approved()) {
    return Refused(c, step.action, "the 30-day extension was already approved once");
  }
  c.set_extension_approved(true);
  *c.mutable_extension_approved_date() = DateOf(step.date);
  return absl::OkStatus();
}

absl::Status Transition(v1::Case& c, const CaseStep& step, const WorkingDayCalendar& calendar) {
  switch (step.action) {
    case v1::CASE_ACTION_FILE: return File(c, step);
    case v1::CASE_ACTION_START_INVESTIGATION: return StartInvestigation(c, step);
    case v1::CASE_ACTION_RECORD_EVIDENCE: return absl::OkStatus();
    case v1::CASE_ACTION_START_TESTING: return StartTesting(c, step);
    case v1::CASE_ACTION_END_TESTING: return EndTesting(c, step);
    case v1::CASE_ACTION_SUBMIT_FOR_REVIEW: return SubmitForReview(c, step, calendar);
    case v1::CASE_ACTION_PASS_REVIEW: return PassReview(c, step);
    case v1::CASE_ACTION_RETURN_FOR_INVESTIGATION: return ReturnForInvestigation(c, step);
    case v1::CASE_ACTION_NOTICE: return Notice(c, step);
    case v1::CASE_ACTION_RECORD_STATEMENT: return RecordStatement(c, step);
    case v1::CASE_ACTION_REQUEST_HEARING: return RequestHearing(c, step, calendar);
    case v1::CASE_ACTION_SCHEDULE_HEARING: return ScheduleHearing(c, step, calendar);
    case v1::CASE_ACTION_HOLD_HEARING: return HoldHearing(c, step);
    case v1::CASE_ACTION_DECIDE: return Decide(c, step, calendar);
    case v1::CASE_ACTION_SERVE: return Serve(c, step);
    case v1::CASE_ACTION_EXECUTE: return Execute(c, step);
    case v1::CASE_ACTION_CLOSE: return Close(c, step);
    case v1::CASE_ACTION_ARCHIVE: return Archive(c, step);
    case v1::CASE_ACTION_SUSPEND: return Suspend(c, step);
    case v1::CASE_ACTION_RESUME: return Resume(c, step);
    case v1::CASE_ACTION_EXTEND: return Extend(c, step);
    default: return InvalidField("action", "unknown action");
  }
}

void Record(v1::Case& c, CaseState from, const CaseStep& step) {
  v1::CaseStepRecord& record = *c.add_history();
  record.set_action(step.action);
  record.set_from(from);
  record.set_to(c.state());
  *record.mutable_date() = DateOf(step.date);
  *record.mutable_actor() = step.actor;
  for (const std::string& officer : step.officer_ids) record.add_officer_ids(officer);
  record.set_note(step.note);
  c.set_version(c.version() + 1);
}

}  // namespace

bool IsAllowed(CaseState state, CaseAction action) {
  // The actions open in every state from filing to the hearing (before the decision).
  const auto before_decision = [](CaseAction a) {
    return a == v1::CASE_ACTION_SUSPEND || a == v1::CASE_ACTION_EXTEND ||
           a == v1::CASE_ACTION_CLOSE;
  };
  switch (state) {
    case v1::CASE_STATE_UNSPECIFIED:
      return action == v1::CASE_ACTION_FILE;
    case v1::CASE_STATE_FILED:
      return action == v1::CASE_ACTION_START_INVESTIGATION || before_decision(action);
    case v1::CASE_STATE_INVESTIGATING:
      return action == v1::CASE_ACTION_RECORD_EVIDENCE ||
             action == v1::CASE_ACTION_START_TESTING || action == v1::CASE_ACTION_END_TESTING ||
             action == v1::CASE_ACTION_SUBMIT_FOR_REVIEW || action == v1::CASE_ACTION_NOTICE ||
             before_decision(action);
    case v1::CASE_STATE_LEGAL_REVIEW:
      return action == v1::CASE_ACTION_PASS_REVIEW ||
             action == v1::CASE_ACTION_RETURN_FOR_INVESTIGATION ||
             action == v1::CASE_ACTION_NOTICE || action == v1::CASE_ACTION_DECIDE ||
             before_decision(action);
    case v1::CASE_STATE_NOTICED:
      return action == v1::CASE_ACTION_RECORD_STATEMENT ||
             action == v1::CASE_ACTION_REQUEST_HEARING ||
             action == v1::CASE_ACTION_SUBMIT_FOR_REVIEW || action == v1::CASE_ACTION_DECIDE ||
             before_decision(action);
    case v1::CASE_STATE_HEARING:
      return action == v1::CASE_ACTION_SCHEDULE_HEARING ||
             action == v1::CASE_ACTION_HOLD_HEARING ||
             action == v1::CASE_ACTION_SUBMIT_FOR_REVIEW || action == v1::CASE_ACTION_DECIDE ||
             before_decision(action);
    case v1::CASE_STATE_DECIDED:
      return action == v1::CASE_ACTION_SERVE;
    case v1::CASE_STATE_SERVED:
      return action == v1::CASE_ACTION_EXECUTE;
    case v1::CASE_STATE_EXECUTED:
      return action == v1::CASE_ACTION_CLOSE;
    case v1::CASE_STATE_CLOSED:
      return action == v1::CASE_ACTION_ARCHIVE;
    case v1::CASE_STATE_SUSPENDED:
      // 中止: the procedure waits; it may only resume, or end (终止).
      return action == v1::CASE_ACTION_RESUME || action == v1::CASE_ACTION_CLOSE;
    default:
      return false;
  }
}

absl::StatusOr<v1::Case> Apply(const v1::Case& before, const CaseStep& step,
                               const WorkingDayCalendar& calendar) {
  if (!v1::CaseAction_IsValid(step.action) || step.action == v1::CASE_ACTION_UNSPECIFIED) {
    return InvalidField("action", "must be a known action");
  }
  if (!IsAllowed(before.state(), step.action)) return WrongState(before, step.action);
  RETURN_IF_ERROR(CheckStep(before, step));
  v1::Case after = before;
  RETURN_IF_ERROR(Transition(after, step, calendar));
  Record(after, before.state(), step);
  return after;
}

void CheckPenalty(FieldViolations& violations, std::string_view field, const v1::Penalty& penalty) {
  const std::string f(field);
  if (penalty.kinds().empty()) violations.Add(f + ".kinds", "must name at least one penalty");
  std::set<int> seen;
  bool fine = false;
  for (int i = 0; i < penalty.kinds_size(); ++i) {
    const int kind = penalty.kinds(i);
    if (!v1::PenaltyKind_IsValid(kind) || kind == v1::PENALTY_KIND_UNSPECIFIED) {
      violations.Add(absl::StrCat(f, ".kinds[", i, "]"), "must be a known penalty kind (第九条)");
    } else if (!seen.insert(kind).second) {
      violations.Add(absl::StrCat(f, ".kinds[", i, "]"), "is named twice");
    }
    fine = fine || kind == v1::PENALTY_KIND_FINE;
  }
  if (fine != (penalty.fine().fen() > 0)) {
    violations.Add(f + ".fine.fen", fine ? "a fine (罚款) must be positive"
                                         : "must be zero when no fine (罚款) is imposed");
  }
  if (penalty.confiscated().fen() < 0) {
    violations.Add(f + ".confiscated.fen", "must not be negative");
  }
  CheckText(violations, f + ".legal_basis", penalty.legal_basis(), {.max_chars = 500});
}

bool IsHeavier(const v1::Penalty& decided, const v1::Penalty& proposed) {
  for (int kind : decided.kinds()) {
    if (std::find(proposed.kinds().begin(), proposed.kinds().end(), kind) ==
        proposed.kinds().end()) {
      return true;
    }
  }
  return decided.fine().fen() > proposed.fine().fen() ||
         decided.confiscated().fen() > proposed.confiscated().fen();
}

v1::CaseSummary SummaryOf(const v1::Case& c) {
  v1::CaseSummary summary;
  summary.set_name(c.name());
  summary.set_uscc(c.uscc());
  summary.set_party_kind(c.party_kind());
  *summary.mutable_department() = c.department();
  *summary.mutable_item_codes() = c.item_codes();
  summary.set_procedure(c.procedure());
  summary.set_version(c.version());
  return summary;
}

bool IsFinal(CaseState state) { return state == v1::CASE_STATE_ARCHIVED; }

}  // namespace jianguan::cases
