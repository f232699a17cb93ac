#include "services/inspection/domain/task_lifecycle.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"

namespace jianguan::inspection {
namespace {

using v1::TaskState;

bool In(TaskState state, std::initializer_list<TaskState> allowed) {
  return std::find(allowed.begin(), allowed.end(), state) != allowed.end();
}

absl::Status WrongState(const v1::Task& task, Action action) {
  return absl::FailedPreconditionError(absl::StrCat(
      AbslView(TriggerOf(action)), " is not allowed for ", task.name(), " in state ",
      v1::TaskState_Name(task.state())));
}

absl::Status RequireInspector(const v1::Task& task, const Caller& caller, Action action) {
  if (IsInspectorOf(task, caller.user_id)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "only an inspector of ", task.name(), " may ", AbslView(TriggerOf(action)), "; the caller is \"",
      caller.user_id, "\""));
}

absl::Status RequireLead(const v1::Task& task, const Caller& caller, Action action) {
  if (caller.department == task.lead_department().code()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "only the lead department ", task.lead_department().code(), " may ", AbslView(TriggerOf(action)),
      " ", task.name(), "; the caller is ", caller.department));
}

// The state a submitted result was submitted from: the `from` of the last transition into
// RESULT_SUBMITTED.
TaskState SubmittedFrom(const v1::Task& task) {
  for (int i = task.history_size() - 1; i >= 0; --i) {
    if (task.history(i).to() == v1::TASK_STATE_RESULT_SUBMITTED) return task.history(i).from();
  }
  return v1::TASK_STATE_ON_SITE;
}

}  // namespace

std::string_view TriggerOf(Action action) {
  switch (action) {
    case Action::kAssign: return "AssignTask";
    case Action::kReassign: return "ReassignTask";
    case Action::kAccept: return "AcceptTask";
    case Action::kArriveOnSite: return "ArriveOnSite";
    case Action::kSubmitResult: return "SubmitResult";
    case Action::kApprove: return "ReviewResult";
    case Action::kReturn: return "ReviewResult";
    case Action::kPublish: return "PublishResult";
    case Action::kSuspend: return "SuspendTask";
    case Action::kResume: return "ResumeTask";
    case Action::kCancel: return "CancelTask";
    case Action::kOrderRectification: return "OrderRectification";
    case Action::kCompleteFollowUp: return "CompleteFollowUp";
    case Action::kCorrectPublication: return "CorrectPublication";
  }
  return "";
}

bool IsInspectorOf(const v1::Task& task, std::string_view user_id) {
  if (user_id.empty()) return false;
  return std::any_of(task.inspectors().begin(), task.inspectors().end(),
                     [&](const v1::TaskInspector& i) { return i.inspector_id() == user_id; });
}

bool TakesPart(const v1::Task& task, std::string_view department) {
  if (task.lead_department().code() == department) return true;
  return std::any_of(task.departments().begin(), task.departments().end(),
                     [&](const v1::TaskDepartment& d) { return d.department().code() == department; });
}

bool IsFinal(TaskState state) {
  return In(state, {v1::TASK_STATE_PUBLISHED, v1::TASK_STATE_COMPLETED, v1::TASK_STATE_CANCELLED});
}

absl::StatusOr<TaskState> NextState(const v1::Task& task, Action action, const Caller& caller) {
  const TaskState s = task.state();
  switch (action) {
    case Action::kAssign:
      if (s != v1::TASK_STATE_CREATED) return WrongState(task, action);
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_ASSIGNED;
    case Action::kReassign:
      if (!In(s, {v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_ON_SITE})) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_ASSIGNED;
    case Action::kAccept:
      if (s != v1::TASK_STATE_ASSIGNED) return WrongState(task, action);
      if (absl::Status st = RequireInspector(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_ACCEPTED;
    case Action::kArriveOnSite:
      if (s != v1::TASK_STATE_ACCEPTED) return WrongState(task, action);
      if (absl::Status st = RequireInspector(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_ON_SITE;
    case Action::kSubmitResult:
    case Action::kCompleteFollowUp:
      if (!In(s, {v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_ON_SITE}) ||
          (task.origin().source() == v1::TASK_SOURCE_FOLLOW_UP) !=
              (action == Action::kCompleteFollowUp)) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireInspector(task, caller, action); !st.ok()) return st;
      return action == Action::kSubmitResult ? v1::TASK_STATE_RESULT_SUBMITTED
                                             : v1::TASK_STATE_COMPLETED;
    case Action::kOrderRectification:
      if (!In(s, {v1::TASK_STATE_REVIEWED, v1::TASK_STATE_PUBLISHED})) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return s;
    case Action::kCorrectPublication:
      if (s != v1::TASK_STATE_PUBLISHED) return WrongState(task, action);
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return s;
    case Action::kApprove:
    case Action::kReturn:
      if (s != v1::TASK_STATE_RESULT_SUBMITTED) return WrongState(task, action);
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      if (IsInspectorOf(task, caller.user_id)) {
        return absl::PermissionDeniedError(absl::StrCat(
            "an inspector of ", task.name(), " may not review its result"));
      }
      return action == Action::kApprove ? v1::TASK_STATE_REVIEWED : SubmittedFrom(task);
    case Action::kPublish:
      if (s != v1::TASK_STATE_REVIEWED ||
          task.origin().source() == v1::TASK_SOURCE_FOLLOW_UP) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_PUBLISHED;
    case Action::kSuspend:
      if (!In(s, {v1::TASK_STATE_CREATED, v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED,
                  v1::TASK_STATE_ON_SITE})) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_SUSPENDED;
    case Action::kResume:
      if (s != v1::TASK_STATE_SUSPENDED) return WrongState(task, action);
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return task.suspended_from();
    case Action::kCancel:
      if (!In(s, {v1::TASK_STATE_CREATED, v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED,
                  v1::TASK_STATE_ON_SITE, v1::TASK_STATE_SUSPENDED})) {
        return WrongState(task, action);
      }
      if (absl::Status st = RequireLead(task, caller, action); !st.ok()) return st;
      return v1::TASK_STATE_CANCELLED;
  }
  return absl::InternalError("unknown action");
}

void RecordTransition(v1::Task& task, TaskState to, std::string_view trigger,
                      const common::v1::Actor& actor, absl::Time now, std::string_view reason) {
  const google::protobuf::Timestamp stamp = ToTimestamp(now);
  v1::TaskTransition& step = *task.add_history();
  step.set_from(task.state());
  step.set_to(to);
  step.set_trigger(std::string(trigger));
  *step.mutable_actor() = actor;
  *step.mutable_time() = stamp;
  step.set_reason(std::string(reason));
  if (to == v1::TASK_STATE_SUSPENDED) {
    task.set_suspended_from(task.state());
  } else if (task.state() == v1::TASK_STATE_SUSPENDED) {
    task.clear_suspended_from();
  }
  task.set_state(to);
  task.set_version(task.version() + 1);
  *task.mutable_update_time() = stamp;
  if (!task.has_create_time()) *task.mutable_create_time() = stamp;
}

v1::TaskCreated CreatedEvent(const v1::Task& task) {
  v1::Task created = task;
  created.clear_inspectors();
  created.set_state(v1::TASK_STATE_CREATED);
  created.set_version(1);
  v1::TaskCreated event;
  *event.mutable_task() = SummaryOf(created);
  *event.mutable_actor() = task.history(0).actor();
  *event.mutable_time() = task.create_time();
  return event;
}

v1::TaskAssigned AssignedEvent(const v1::Task& before, const v1::Task& after,
                               std::string_view reason) {
  v1::TaskAssigned event;
  *event.mutable_task() = SummaryOf(after);
  *event.mutable_previous_inspectors() = before.inspectors();
  event.set_reason(std::string(reason));
  *event.mutable_actor() = after.history().rbegin()->actor();
  *event.mutable_time() = after.update_time();
  return event;
}

v1::TaskSummary SummaryOf(const v1::Task& task) {
  v1::TaskSummary summary;
  summary.set_name(task.name());
  summary.set_uscc(task.uscc());
  summary.set_subject_name(task.subject_name());
  *summary.mutable_origin() = task.origin();
  *summary.mutable_lead_department() = task.lead_department();
  *summary.mutable_departments() = task.departments();
  *summary.mutable_inspectors() = task.inspectors();
  summary.set_state(task.state());
  *summary.mutable_due_date() = task.due_date();
  *summary.mutable_publish_due_date() = task.publish_due_date();
  summary.set_version(task.version());
  return summary;
}

}  // namespace jianguan::inspection
