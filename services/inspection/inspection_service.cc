// The task handlers of the Inspection API: creation, reads and the plain transitions
// (accept, arrive, suspend, resume, cancel). Results, review and publication are in
// inspection_service_results.cc, the public API in inspection_service_public.cc.
#include "services/inspection/inspection_service.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/department_scope.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/events/topics.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/task_access.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/inspection_metrics.h"

namespace jianguan::inspection {

InspectionService::InspectionService(store::Store& store, const Clock& clock,
                                     InspectionRules rules, InspectionMetrics* metrics)
    : tasks_(store),
      clock_(clock),
      rules_(rules),
      metrics_(metrics),
      writes_(store, clock),
      emitter_(topics::kInspection, kServiceName, clock),
      ids_(clock) {}

absl::CivilDay InspectionService::Today() const {
  return absl::ToCivilDay(clock_.Now(), BeijingTime());
}

v1::Task InspectionService::Shown(v1::Task task) const {
  task.set_overdue(IsOverdue(task, Today()));
  return task;
}

absl::StatusOr<v1::Task> InspectionService::DoCreateTask(const Caller& caller,
                                                         const v1::CreateTaskRequest& r) {
  FieldViolations v;
  CheckRequestId(v, r.request_id());
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Task>(
      {.caller = caller, .method = methods_("CreateTask"), .request_id = r.request_id(),
       .request = r},
      [&]() -> absl::StatusOr<Decision<v1::Task>> {
        const FormLookup forms = [&, cache = std::map<std::string, catalogue::v1::FormTemplate>()](
                                     std::string_view code, int32_t version) mutable
            -> const catalogue::v1::FormTemplate* {
          const std::string key = absl::StrCat(AbslView(code), "/", version);
          if (cache.count(key) == 0) {
            auto form = tasks_.FindForm(code, version);
            if (!form.ok() || !form->has_value()) return nullptr;
            cache.emplace(key, **form);
          }
          return &cache.at(key);
        };
        ASSIGN_OR_RETURN(v1::Task task,
                         TaskFromRequest(r.task(), caller, "m-" + ids_.Next(), forms,
                                         DateOf(Today()), clock_.Now()));
        Decision<v1::Task> d{.resource = task.name(), .response = task};
        tasks_.SaveTask(d.work, task, nullptr);
        v1::TaskCreated created;
        *created.mutable_task() = SummaryOf(task);
        *created.mutable_actor() = ActorOf(caller);
        *created.mutable_time() = task.create_time();
        emitter_.Emit(d.work, task.uscc(), created);
        return d;
      });
}

absl::StatusOr<v1::Task> InspectionService::DoGetTask(const Caller& caller,
                                                      const v1::GetTaskRequest& r) const {
  ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", r.name(), "tasks", IsTaskId,
                                                     "task_id"));
  ASSIGN_OR_RETURN(v1::Task task, tasks_.LoadTask(id));
  RETURN_IF_ERROR(CheckTaskReadable(caller, task));
  return Shown(std::move(task));
}

namespace {

bool Matches(const v1::Task& task, const v1::ListTasksRequest& r, const Caller& caller,
             std::string_view department, absl::CivilDay today) {
  if (!TakesPart(task, department) || !MayReadTask(caller, task)) return false;
  if (r.state() != v1::TASK_STATE_UNSPECIFIED && task.state() != r.state()) return false;
  if (r.source() != v1::TASK_SOURCE_UNSPECIFIED && task.origin().source() != r.source()) {
    return false;
  }
  if (!r.inspector_id().empty() && !IsInspectorOf(task, r.inspector_id())) return false;
  if (!r.uscc().empty() && task.uscc() != r.uscc()) return false;
  if (!r.plan().empty() && task.origin().plan() != r.plan()) return false;
  if (r.overdue() && !IsOverdue(task, today)) return false;
  if (r.has_due_before() && DayOf(task.due_date()) > DayOf(r.due_before())) return false;
  return true;
}

}  // namespace

absl::StatusOr<v1::ListTasksResponse> InspectionService::DoListTasks(
    const Caller& caller, const v1::ListTasksRequest& r) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(r.page()));
  FieldViolations v;
  const std::string department = DepartmentToRead(v, caller, r.department().code(),
                                                  "department.code");
  RETURN_IF_ERROR(v.ToStatus());
  if (r.has_due_before() && !IsRealDate(r.due_before())) {
    return InvalidField("due_before", "must be a real date");
  }
  size_t offset = 0;
  if (!r.page().page_token().empty() && !absl::SimpleAtoi(r.page().page_token(), &offset)) {
    return InvalidField("page.page_token", "was not made by ListTasks");
  }
  ASSIGN_OR_RETURN(std::vector<v1::Task> all, tasks_.AllTasks());
  std::vector<v1::Task> matching;
  for (v1::Task& task : all) {
    if (Matches(task, r, caller, department, Today())) matching.push_back(std::move(task));
  }
  std::sort(matching.begin(), matching.end(), [](const v1::Task& a, const v1::Task& b) {
    return std::make_tuple(b.create_time().seconds(), b.create_time().nanos(), b.name()) <
           std::make_tuple(a.create_time().seconds(), a.create_time().nanos(), a.name());
  });
  v1::ListTasksResponse response;
  for (size_t i = offset; i < matching.size() && i < offset + page_size; ++i) {
    *response.add_tasks() = Shown(matching[i]);
  }
  if (offset + page_size < matching.size()) {
    response.mutable_page()->set_next_page_token(absl::StrCat(offset + page_size));
  }
  return response;
}

absl::StatusOr<v1::Task> InspectionService::Transition(
    const Caller& caller, std::string_view method, std::string_view request_id,
    const google::protobuf::Message& request, std::string_view name, Action action,
    std::string_view reason, const Effects& effects) {
  FieldViolations v;
  CheckRequestId(v, request_id);
  const std::string id = ParseResourceName(v, "name", name, "tasks", IsTaskId, "task_id");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Task>(
      {.caller = caller, .method = methods_(method), .request_id = request_id,
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Task>> {
        ASSIGN_OR_RETURN(v1::Task before, tasks_.LoadTask(id));
        RETURN_IF_ERROR(CheckTakesPart(caller, before));
        ASSIGN_OR_RETURN(v1::TaskState to, NextState(before, action, caller));
        v1::Task after = before;
        RecordTransition(after, to, TriggerOf(action), ActorOf(caller), clock_.Now(), reason);
        Decision<v1::Task> d{.resource = after.name()};
        RETURN_IF_ERROR(effects(before, after, d.work));
        tasks_.SaveTask(d.work, after, &before);
        d.response = Shown(after);
        return d;
      });
}

void InspectionService::EmitStateChanged(store::UnitOfWork& work, const v1::Task& before,
                                         const v1::Task& after, std::string_view reason) const {
  v1::TaskStateChanged changed;
  *changed.mutable_task() = SummaryOf(after);
  changed.set_previous_state(before.state());
  changed.set_reason(std::string(reason));
  if (after.state() == v1::TASK_STATE_REVIEWED) *changed.mutable_result() = after.result_digest();
  *changed.mutable_actor() = after.history().rbegin()->actor();
  *changed.mutable_time() = after.update_time();
  emitter_.Emit(work, after.uscc(), changed);
}

absl::StatusOr<v1::Task> InspectionService::SimpleTransition(
    const Caller& caller, std::string_view method, std::string_view request_id,
    const google::protobuf::Message& request, std::string_view name, Action action,
    std::string_view reason) {
  return Transition(caller, method, request_id, request, name, action, reason,
                    [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) {
                      EmitStateChanged(work, before, after, reason);
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Task> InspectionService::DoResumeTask(const Caller& caller,
                                                         const v1::TaskTransitionRequest& r) {
  return Transition(
      caller, "ResumeTask", r.request_id(), r, r.name(), Action::kResume, "",
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        // The due date moves by the working days the task was suspended (中止期间不计入).
        const auto& suspended = *std::find_if(
            before.history().rbegin(), before.history().rend(),
            [](const v1::TaskTransition& t) { return t.to() == v1::TASK_STATE_SUSPENDED; });
        const absl::CivilDay since =
            absl::ToCivilDay(absl::FromUnixSeconds(suspended.time().seconds()), BeijingTime());
        ASSIGN_OR_RETURN(*after.mutable_due_date(),
                         ExtendedDueDate(*rules_.calendar, before.due_date(), since, Today()));
        EmitStateChanged(work, before, after, "");
        return absl::OkStatus();
      });
}

namespace {

absl::Status CheckReason(std::string_view reason) {
  FieldViolations v;
  CheckText(v, "reason", reason, {.required = true, .max_chars = 500});
  return v.ToStatus();
}

}  // namespace

grpc::Status InspectionService::CreateTask(grpc::ServerContext* c, const v1::CreateTaskRequest* r,
                                           v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoCreateTask(caller, *r); });
}

grpc::Status InspectionService::GetTask(grpc::ServerContext* c, const v1::GetTaskRequest* r,
                                        v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoGetTask(caller, *r); });
}

grpc::Status InspectionService::ListTasks(grpc::ServerContext* c, const v1::ListTasksRequest* r,
                                          v1::ListTasksResponse* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoListTasks(caller, *r); });
}

absl::StatusOr<v1::Task> InspectionService::TransitionTakingForms(
    const Caller& caller, std::string_view method, std::string_view request_id,
    const google::protobuf::Message& request, std::string_view name, Action action) {
  return Transition(
      caller, method, request_id, request, name, action, "",
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<const PublishedForms> forms, tasks_.LatestForms());
        AttachMissingForms(after, *forms);
        EmitStateChanged(work, before, after, "");
        return absl::OkStatus();
      });
}

grpc::Status InspectionService::AcceptTask(grpc::ServerContext* c,
                                           const v1::TaskTransitionRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) {
    return TransitionTakingForms(caller, "AcceptTask", r->request_id(), *r, r->name(),
                                 Action::kAccept);
  });
}

grpc::Status InspectionService::ArriveOnSite(grpc::ServerContext* c,
                                             const v1::ArriveOnSiteRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) {
    return TransitionTakingForms(caller, "ArriveOnSite", r->request_id(), *r, r->name(),
                                 Action::kArriveOnSite);
  });
}

grpc::Status InspectionService::SuspendTask(grpc::ServerContext* c,
                                            const v1::ReasonedTransitionRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) -> absl::StatusOr<v1::Task> {
    RETURN_IF_ERROR(CheckReason(r->reason()));
    return SimpleTransition(caller, "SuspendTask", r->request_id(), *r, r->name(),
                            Action::kSuspend, r->reason());
  });
}

grpc::Status InspectionService::ResumeTask(grpc::ServerContext* c,
                                           const v1::TaskTransitionRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoResumeTask(caller, *r); });
}

grpc::Status InspectionService::CancelTask(grpc::ServerContext* c,
                                           const v1::ReasonedTransitionRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) -> absl::StatusOr<v1::Task> {
    RETURN_IF_ERROR(CheckReason(r->reason()));
    return SimpleTransition(caller, "CancelTask", r->request_id(), *r, r->name(), Action::kCancel,
                            r->reason());
  });
}

}  // namespace jianguan::inspection
