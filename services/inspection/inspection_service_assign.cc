// The assignment handlers of the Inspection API: AssignTask (CREATED → ASSIGNED) and
// ReassignTask (改派: ASSIGNED, ACCEPTED or ON_SITE → ASSIGNED with a reason). Who may be
// assigned is the domain's rule (domain/assignment.h: 行政处罚法 第四十二条, at least two
// certified, authorised inspectors); the inspectors come from the catalogue projection.
#include "absl/strings/str_cat.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"
#include "libs/server/serve.h"
#include "services/inspection/domain/assignment.h"
#include "services/inspection/inspection_service.h"

namespace jianguan::inspection {

absl::StatusOr<google::protobuf::RepeatedPtrField<v1::TaskInspector>>
InspectionService::AssignmentFor(const v1::Task& task,
                                 const google::protobuf::RepeatedPtrField<std::string>& ids) const {
  // A projection that cannot be read fails the call as it is (never "unknown inspector").
  absl::Status unreadable;
  const CatalogueView catalogue{
      .inspector = [&](std::string_view id) -> std::optional<catalogue::v1::Inspector> {
        auto found = tasks_.FindInspector(id);
        if (!found.ok()) unreadable.Update(found.status());
        return found.ok() ? *found : std::nullopt;
      },
      .item = [&](std::string_view code) -> std::optional<catalogue::v1::RegulatoryItem> {
        auto found = tasks_.FindItem(code);
        if (!found.ok()) unreadable.Update(found.status());
        return found.ok() ? *found : std::nullopt;
      }};
  auto assigned = AssignmentOf(task, ids, "inspector_ids", catalogue, Today());
  RETURN_IF_ERROR(unreadable);
  return assigned;
}

void InspectionService::EmitAssigned(store::UnitOfWork& work, const v1::Task& before,
                                     const v1::Task& after, std::string_view reason) const {
  emitter_.Emit(work, after.uscc(), AssignedEvent(before, after, reason));
}

absl::StatusOr<v1::Task> InspectionService::DoAssignTask(const Caller& caller,
                                                         const v1::AssignTaskRequest& r,
                                                         bool reassign) {
  if (reassign) {
    FieldViolations v;
    CheckText(v, "reason", r.reason(), {.required = true, .max_chars = 500});
    RETURN_IF_ERROR(v.ToStatus());
  }
  const std::string_view reason = reassign ? std::string_view(r.reason()) : "";
  return Transition(
      caller, reassign ? "ReassignTask" : "AssignTask", r.request_id(), r, r.name(),
      reassign ? Action::kReassign : Action::kAssign, reason,
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(*after.mutable_inspectors(), AssignmentFor(before, r.inspector_ids()));
        EmitAssigned(work, before, after, reason);
        return absl::OkStatus();
      });
}

grpc::Status InspectionService::AssignTask(grpc::ServerContext* c, const v1::AssignTaskRequest* r,
                                           v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoAssignTask(caller, *r, false); });
}

grpc::Status InspectionService::ReassignTask(grpc::ServerContext* c,
                                             const v1::AssignTaskRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoAssignTask(caller, *r, true); });
}

}  // namespace jianguan::inspection
