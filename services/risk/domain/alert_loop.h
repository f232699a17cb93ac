// The alert loop (预警闭环) in the domain: an alert is raised by a rule, routed to the
// department responsible (DISPATCHED), accepted (ACCEPTED), inspected (INSPECTING: the task
// inspection created from AlertDispatched) and closed with its feedback (CLOSED), each step
// within the time limits of its level (working days, RiskPolicy.limits) or escalated to the
// supervising department (逾期升级督办).
//
//   ASSIGN_OR_RETURN(v1::Alert alert, RaiseAlert({.rule = rule, ...}));
//   RETURN_IF_ERROR(Dispatch(alert, routing, policy, calendar, now));   // limits set
//   RETURN_IF_ERROR(Accept(alert, caller_department, now));
//
// Every step checks the state first and answers FAILED_PRECONDITION naming the alert, its
// state and the step ("alerts/X is CLOSED: it cannot be accepted"), leaving the alert as it
// was; a step that succeeds increments summary.version. Pure: time, today and the calendar
// are the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/risk/v1/policy.pb.h"
#include "jianguan/risk/v1/risk.pb.h"
#include "libs/core/calendar.h"

namespace jianguan::risk {

/// Parses protobuf text format into a policy. INVALID_ARGUMENT "origin:line:column: …".
absl::StatusOr<v1::RiskPolicy> ParsePolicyText(std::string_view text, std::string_view origin);

/// INVALID_ARGUMENT naming every field out of its range (see policy.proto): version, limits
/// (each level BLUE … RED exactly once; accept 1–30, close accept–120), escalation 1–30,
/// points 0–100 each, recent_days 1–3660, caps 0–1000, industry codes non-empty and distinct,
/// grades names of jianguan.credit.v1.CreditGrade (not UNSPECIFIED) and distinct, thresholds
/// 0 ≤ general < medium < high, retention 1–3660.
absl::Status ValidatePolicy(const v1::RiskPolicy& policy);

/// The alert id of the alert a rule raises for a subject at `raise_time`:
/// "{uscc}-{YYYYMMDDHHMMSS, UTC}-{first 8 hex of SHA-256(rule)}", usable in an inspection
/// task id ([A-Za-z0-9-], ≤ 98). `attempt` > 0 appends "-{attempt}" (when the id is taken,
/// which only a re-raise within the same second of a closed alert can cause).
std::string AlertId(std::string_view uscc, std::string_view rule, absl::Time raise_time,
                    int attempt = 0);

/// What a rule's RAISE says about the new alert.
struct Raise {
  std::string alert_id;
  std::string uscc;
  std::string subject_name;
  std::string rule;
  std::string rule_version;
  v1::AlertLevel level = v1::ALERT_LEVEL_UNSPECIFIED;
  std::string reason;
  /// Newest first, at most 20 (the evaluator's RuleState.evidence).
  std::vector<v1::AlertEvidence> evidence;
  /// The time of the input that made the condition true.
  absl::Time raise_time;
};

/// A new alert, RAISED, version 1, condition open. INVALID_ARGUMENT when an id, USCC or rule
/// is empty, the level is UNSPECIFIED or the time is not finite.
absl::StatusOr<v1::Alert> RaiseAlert(const Raise& raise);

/// The condition holds again or still (PERSIST, or a RAISE while the alert's loop is still
/// open): reason, evidence and last_seen updated, condition_open true, version + 1. Any state
/// but CLOSED (FAILED_PRECONDITION).
absl::Status Persist(v1::Alert& alert, std::string_view reason,
                     const std::vector<v1::AlertEvidence>& evidence, absl::Time seen);

/// The condition cleared (CLEAR): condition_open false, version + 1; the loop goes on (an
/// alert closes only with its feedback). Any state but CLOSED.
absl::Status ConditionCleared(v1::Alert& alert, absl::Time time);

/// Where an alert goes.
struct Routing {
  /// The department's code, non-empty.
  std::string department;
  /// The items it checks, ≥ 1.
  std::vector<v1::AlertItem> items;
  std::string region_code;
};

/// RAISED or DISPATCHED (a re-route) → DISPATCHED: department, items, region, dispatch_time
/// and the level's accept and close limits counted from `now`'s Beijing day
/// (AddWorkingDays), routing_problem cleared, version + 1. INVALID_ARGUMENT for a routing
/// without department or items; OUT_OF_RANGE from the calendar passed on.
absl::Status Dispatch(v1::Alert& alert, const Routing& routing, const v1::RiskPolicy& policy,
                      const WorkingDayCalendar& calendar, absl::Time now);

/// RAISED stays RAISED with the reason it could not be routed (routing_problem); version + 1
/// only when the problem text changed.
absl::Status RoutingFailed(v1::Alert& alert, std::string_view problem);

/// DISPATCHED → ACCEPTED by the responsible department (PERMISSION_DENIED naming the
/// department responsible for another caller's department). Also accepted: INSPECTING
/// cannot go back (FAILED_PRECONDITION).
absl::Status Accept(v1::Alert& alert, std::string_view caller_department, absl::Time now);

/// DISPATCHED or ACCEPTED → INSPECTING with the task ("tasks/{id}") inspection created for
/// the alert (a task created before the department accepted counts as accepting it:
/// accept_time is set then). The same task again changes nothing (OK, version unchanged);
/// another task while INSPECTING is FAILED_PRECONDITION.
absl::Status Inspect(v1::Alert& alert, std::string_view task, absl::Time now);

/// The alert's task was cancelled (撤销): INSPECTING with that task → ACCEPTED, task cleared.
/// Another task, or another state: nothing changes (OK, version unchanged).
absl::Status TaskCancelled(v1::Alert& alert, std::string_view task, absl::Time now);

/// How an inspection result's outcome closes an alert: VIOLATION, PROBLEM_PENDING,
/// PROBLEM_RECTIFIED → CONFIRMED; NO_PROBLEM, NOT_ENGAGED → NOT_CONFIRMED; UNREACHABLE, CLOSED,
/// OBSTRUCTED, NO_LONGER_REGISTERED → NOT_INSPECTED; UNSPECIFIED or unknown → UNSPECIFIED (not
/// a result that closes anything). Of several departments' results, the most serious counts
/// (CONFIRMED over NOT_INSPECTED over NOT_CONFIRMED).
v1::AlertOutcome OutcomeOfResult(const inspection::v1::ResultDigest& result);

/// What closes an alert.
struct Closing {
  v1::AlertOutcome outcome = v1::ALERT_OUTCOME_UNSPECIFIED;
  /// The task ("tasks/{id}") for an inspection result; empty for DISMISSED / NOT_INSPECTED
  /// by the department.
  std::string task;
  /// The result's outcome name, or the department's reason.
  std::string feedback;
  /// The department closing it by hand; empty when the service closes it on a result.
  std::string caller_department;
  absl::Time time;
};

/// → CLOSED with outcome, feedback, close_time and on_time (the Beijing day of `time` not
/// after close_due_date; a RAISED alert never routed has no limit and closes on time).
///  - by a result (task set): INSPECTING with that task; a result of another task changes
///    nothing (OK, version unchanged);
///  - by hand (caller_department set): DISMISSED or NOT_INSPECTED only, reason 1–500
///    characters (INVALID_ARGUMENT naming "outcome" / "reason"), from RAISED, DISPATCHED or
///    ACCEPTED (INSPECTING waits for its result), by the responsible department or, while
///    RAISED, any department (PERMISSION_DENIED otherwise).
/// CLOSED already: FAILED_PRECONDITION.
absl::Status Close(v1::Alert& alert, const Closing& closing);

/// The escalation due for an open alert on `today`, if any (at most one per call: a service
/// that was down for a while escalates one level per tick until caught up):
///  - DISPATCHED past accept_due_date ("accept"), or DISPATCHED/ACCEPTED/INSPECTING past
///    close_due_date ("close"), the close limit taking precedence;
///  - the k-th escalation of a limit is due once today is after the limit moved on by
///    (k − 1) × escalate_every_working_days working days; k counts the alert's escalations
///    of that limit already recorded, plus one;
///  - its supervising department is the k-th ancestor of the alert's department through
///    `parent_of` (empty at the top: the escalation is still recorded, with no department,
///    and no further one follows).
/// Nothing for RAISED or CLOSED alerts, or before the limit passed. OUT_OF_RANGE from the
/// calendar passed on.
absl::StatusOr<std::optional<v1::Escalation>> DueEscalation(
    const v1::Alert& alert, const v1::RiskPolicy& policy, const WorkingDayCalendar& calendar,
    absl::CivilDay today, const std::function<std::string(std::string_view)>& parent_of,
    absl::Time now);

/// Records `escalation` on the alert (escalations, version + 1).
void Escalate(v1::Alert& alert, const v1::Escalation& escalation);

/// "RAISED", "DISPATCHED", … for messages.
std::string_view StateName(v1::AlertState state);

}  // namespace jianguan::risk
