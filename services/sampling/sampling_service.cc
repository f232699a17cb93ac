// The Sampling API's construction, its gRPC adapters, the plan reads and the auditors'
// export; the writes are in sampling_service_plans.cc and sampling_service_draw.cc.
#include "services/sampling/sampling_service.h"

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/events/topics.h"
#include "libs/server/grpc_status.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/sampling/domain/plan_access.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/export_stream.h"

namespace jianguan::sampling {

SamplingService::SamplingService(store::Store& store, const Clock& clock,
                                 SamplingMetrics* metrics, DrawRecorderOptions recording)
    : store_(store),
      clock_(clock),
      plans_(store),
      projection_(store),
      candidates_(store),
      writes_(store, clock),
      emitter_(topics::kSampling, kServiceName, clock),
      recorder_(store, emitter_, metrics, recording),
      metrics_(metrics) {}

google::protobuf::Timestamp SamplingService::Now() const {
  return ToTimestamp(clock_.Now());
}

Decision<v1::Plan> SamplingService::PlanDecision(v1::Plan plan, const StoredPlan* stored) const {
  plan.set_version(stored ? stored->plan.version() + 1 : 1);
  *plan.mutable_update_time() = Now();
  Decision<v1::Plan> decision{.resource = PlanResource(plan.plan_id()),
                              .response = std::move(plan)};
  PlanStore::PutPlan(decision.work, decision.response, stored);
  return decision;
}

absl::StatusOr<StoredPlan> SamplingService::PlanToMove(const Caller& caller,
                                                       std::string_view plan_id,
                                                       v1::PlanState from,
                                                       std::string_view action) const {
  ASSIGN_OR_RETURN(std::optional<StoredPlan> stored, plans_.FindPlan(plan_id));
  if (!stored) return ResourceNotFound(PlanResource(plan_id));
  // Another department's draft is absent to the caller here too, as it is to GetPlan.
  if (stored->plan.state() == v1::PLAN_STATE_DRAFT) {
    RETURN_IF_ERROR(CheckPlanReadable(caller, stored->plan));
  }
  RETURN_IF_ERROR(RequireInitiator(caller, stored->plan, action));
  RETURN_IF_ERROR(RequireState(stored->plan, from, action));
  return std::move(*stored);
}

void SamplingService::CheckReferences(FieldViolations& v, const v1::Plan& plan) const {
  for (int d = 0; d < plan.departments_size(); ++d) {
    const v1::PlanDepartment& department = plan.departments(d);
    const std::string& code = department.department().code();
    auto known_department = projection_.FindDepartment(code);
    if (!known_department.ok() || !*known_department) {
      v.Add(absl::StrCat("plan.departments[", d, "].department.code"),
            absl::StrCat("no department ", code, " in the catalogue"));
    } else if (!(*known_department)->active()) {
      v.Add(absl::StrCat("plan.departments[", d, "].department.code"),
            absl::StrCat("department ", code, " is dissolved"));
    }
    for (int i = 0; i < department.items_size(); ++i) {
      const v1::PlanItem& item = department.items(i);
      const std::string field = absl::StrCat("plan.departments[", d, "].items[", i, "]");
      auto known = projection_.FindItem(item.code());
      if (!known.ok() || !*known) {
        v.Add(field + ".code", absl::StrCat("no item ", item.code(), " in the catalogue"));
      } else if (!(*known)->in_force()) {
        v.Add(field + ".code", absl::StrCat("item ", item.code(), " is abolished"));
      } else if (item.version() > (*known)->version()) {
        v.Add(field + ".version", absl::StrCat("item ", item.code(), " has no version ",
                                               item.version(), " (latest ", (*known)->version(),
                                               ")"));
      }
    }
  }
}

grpc::Status SamplingService::CreatePlan(grpc::ServerContext* context,
                                         const v1::CreatePlanRequest* request,
                                         v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCreatePlan(c, *request); });
}

grpc::Status SamplingService::UpdateDraftPlan(grpc::ServerContext* context,
                                              const v1::UpdateDraftPlanRequest* request,
                                              v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoUpdateDraftPlan(c, *request); });
}

grpc::Status SamplingService::ApprovePlan(grpc::ServerContext* context,
                                          const v1::PlanTransitionRequest* request,
                                          v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoApprovePlan(c, *request); });
}

grpc::Status SamplingService::DrawPlan(grpc::ServerContext* context,
                                       const v1::DrawPlanRequest* request, v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoDrawPlan(c, *request); });
}

grpc::Status SamplingService::PublishPlan(grpc::ServerContext* context,
                                          const v1::PlanTransitionRequest* request,
                                          v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoPublishPlan(c, *request); });
}

grpc::Status SamplingService::CompletePlan(grpc::ServerContext* context,
                                           const v1::PlanTransitionRequest* request,
                                           v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCompletePlan(c, *request); });
}

grpc::Status SamplingService::GetPlan(grpc::ServerContext* context,
                                      const v1::GetPlanRequest* request, v1::Plan* response) {
  return Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<v1::Plan> {
    ASSIGN_OR_RETURN(std::string plan_id,
                     ParseResourceName("name", request->name(), "plans", IsPlanId, "plan_id"));
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    RETURN_IF_ERROR(CheckPlanReadable(caller, stored->plan));
    return std::move(stored->plan);
  });
}

grpc::Status SamplingService::ListPlans(grpc::ServerContext* context,
                                        const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) -> absl::StatusOr<v1::ListPlansResponse> {
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    if (!v1::PlanState_IsValid(request->state())) {
      return InvalidField("state", "unknown plan state");
    }
    // Only the plans the caller may read, kept while scanning so that a page stays full.
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListPlans(page_size, request->page().page_token(),
                                      [&](const v1::Plan& plan) {
                                        return MayReadPlan(caller, plan) &&
                                               (request->state() == v1::PLAN_STATE_UNSPECIFIED ||
                                                plan.state() == request->state()) &&
                                               (request->year() == 0 ||
                                                plan.year() == request->year());
                                      }));
    v1::ListPlansResponse out;
    for (v1::Plan& plan : page.first) *out.add_plans() = std::move(plan);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingService::ListTasks(grpc::ServerContext* context,
                                        const v1::ListTasksRequest* request,
                                        v1::ListTasksResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) -> absl::StatusOr<v1::ListTasksResponse> {
    ASSIGN_OR_RETURN(std::string plan_id,
                     ParseResourceName("name", request->name(), "plans", IsPlanId, "plan_id"));
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    RETURN_IF_ERROR(CheckPlanReadable(caller, stored->plan));
    if (stored->plan.state() < v1::PLAN_STATE_DRAWN) {
      return FailedPrecondition(request->name(), "the plan has not been drawn");
    }
    ASSIGN_OR_RETURN(auto page, plans_.ListTasks(plan_id, page_size,
                                                 request->page().page_token(), projection_));
    v1::ListTasksResponse out;
    for (v1::Task& task : page.first) *out.add_tasks() = std::move(task);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingService::ExportVerificationPackage(
    grpc::ServerContext* context, const v1::ExportRequest* request,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  ChunkStream stream(writer);
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, CallerOf(context));
    if (!caller.HasRole(roles::kDrawAuditor)) {
      return absl::PermissionDeniedError(
          absl::StrCat("the verification package holds the classes of subjects (不公开): it "
                       "needs the role ",
                       AbslView(roles::kDrawAuditor)));
    }
    ASSIGN_OR_RETURN(std::string plan_id,
                     ParseResourceName("name", request->name(), "plans", IsPlanId, "plan_id"));
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    if (stored->plan.state() < v1::PLAN_STATE_DRAWN) {
      return FailedPrecondition(request->name(), "the plan has not been drawn");
    }
    return WriteRecomputedDocument(plans_, stored->plan, false,
                                   [&](std::string_view piece) { stream.Write(piece); });
  }();
  if (!status.ok()) return ToGrpcStatus(status);
  return stream.Finish();
}

}  // namespace jianguan::sampling
