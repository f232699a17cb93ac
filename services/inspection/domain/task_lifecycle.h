// The life of an inspection task as a state machine (DESIGN.md §1.4; inspection.proto,
// TaskState): which transition is allowed from which state, and who may make it. The
// handlers ask here before they write; nothing else moves a task.
//
//   CREATED → ASSIGNED → ACCEPTED → ON_SITE → RESULT_SUBMITTED → REVIEWED → PUBLISHED
//   SUSPENDED from CREATED … ON_SITE and back; CANCELLED from any state before the result.
//   ASSIGNED, ACCEPTED or ON_SITE → ASSIGNED again with other inspectors (改派).
//   A follow-up (回头看) goes ACCEPTED or ON_SITE → COMPLETED with CompleteFollowUp instead of
//   SubmitResult; it is never reviewed or published. An order to rectify (REVIEWED or
//   PUBLISHED) and a correction of a publication (PUBLISHED) leave the state as it is.
//
// Who: inspectors of the task accept, arrive and submit (a caller whose user_id is one of the
// task's inspector ids); the lead department (牵头部门) reviews — by a user who is not one of
// the task's inspectors (审查与执法分离, 行政处罚法 第五十八条) — assigns, reassigns,
// publishes, suspends, resumes and cancels.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "libs/core/actor.h"
#include "libs/core/caller.h"

namespace jianguan::inspection {

/// What a caller asks of a task.
enum class Action {
  kAssign,
  kReassign,
  kAccept,
  kArriveOnSite,
  kSubmitResult,
  kApprove,
  kReturn,
  kPublish,
  kSuspend,
  kResume,
  kCancel,
  kOrderRectification,
  kCompleteFollowUp,
  kCorrectPublication,
};

/// The RPC name of an action, as TaskTransition.trigger records it ("AcceptTask", …).
std::string_view TriggerOf(Action action);

/// The state `task` moves to when `caller` does `action`: FAILED_PRECONDITION naming the
/// current state when the action is not allowed from it, PERMISSION_DENIED when the caller
/// may not do it.
absl::StatusOr<v1::TaskState> NextState(const v1::Task& task, Action action,
                                        const Caller& caller);

/// Whether `user_id` is one of the task's inspectors.
bool IsInspectorOf(const v1::Task& task, std::string_view user_id);
/// Whether `department` takes part in the task (lead or participating).
bool TakesPart(const v1::Task& task, std::string_view department);


/// Moves `task` to `to`: appends the transition to its history (全程留痕), bumps its version,
/// sets update_time and, for a suspension, suspended_from.
void RecordTransition(v1::Task& task, v1::TaskState to, std::string_view trigger,
                      const common::v1::Actor& actor, absl::Time now, std::string_view reason);

/// The summary every event carries.
v1::TaskSummary SummaryOf(const v1::Task& task);

/// TaskCreated for a task just made: the task as created (state CREATED, no inspectors,
/// version 1), by the actor of its first history entry, at its create_time.
v1::TaskCreated CreatedEvent(const v1::Task& task);

/// TaskAssigned after `after` got its inspectors (first assignment: `before` has none; a
/// reassignment names why). Actor and time are those of `after`'s last transition.
v1::TaskAssigned AssignedEvent(const v1::Task& before, const v1::Task& after,
                               std::string_view reason);

/// Whether no further transition can leave `state`.
bool IsFinal(v1::TaskState state);

}  // namespace jianguan::inspection
