// The SamplingPublic API (一公开, DESIGN §1.3): approved and later plans, and once a plan is
// published its tasks and its result, for anyone and without credentials. It shows nothing
// internal: no classes, no inspector ids (PublicView, PublicTask).
#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/server/grpc_status.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/sampling/domain/plan_lifecycle.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/export_stream.h"
#include "services/sampling/sampling_service.h"

namespace jianguan::sampling {
namespace {

// Serve (libs/server/serve.h) for the public API, which asks nobody who calls.
template <typename Response, typename Do>
grpc::Status ServePublic(Response* response, Do&& run) {
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(*response, run());
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

// A plan the public may see: approved or later.
absl::StatusOr<v1::Plan> PublicPlanNamed(const PlanStore& plans, std::string_view name) {
  ASSIGN_OR_RETURN(std::string plan_id,
                   ParseResourceName("name", name, "plans", IsPlanId, "plan_id"));
  ASSIGN_OR_RETURN(auto stored, plans.FindPlan(plan_id));
  if (!stored || stored->plan.state() < v1::PLAN_STATE_APPROVED) return ResourceNotFound(name);
  return std::move(stored->plan);
}

absl::Status RequirePublished(const v1::Plan& plan) {
  if (plan.state() >= v1::PLAN_STATE_PUBLISHED) return absl::OkStatus();
  return FailedPrecondition(PlanResource(plan.plan_id()), "the result is not published yet");
}

// What the public sees of a task: the subject and its inspectors' names and certificates.
v1::PublicTask PublicTaskOf(const v1::Task& task) {
  v1::PublicTask shown;
  shown.set_task_number(task.task_number());
  shown.set_uscc(task.uscc());
  shown.set_subject_name(task.subject_name());
  for (const v1::AssignedInspector& inspector : task.inspectors()) {
    v1::PublicInspector& person = *shown.add_inspectors();
    person.set_name(inspector.name());
    person.set_certificate_no(inspector.certificate_no());
  }
  return shown;
}

}  // namespace

SamplingPublicService::SamplingPublicService(const store::Store& store)
    : plans_(store), projection_(store) {}

grpc::Status SamplingPublicService::ListPublicPlans(grpc::ServerContext*,
                                                    const v1::ListPublicPlansRequest* request,
                                                    v1::ListPublicPlansResponse* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::ListPublicPlansResponse> {
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListPlans(page_size, request->page().page_token(),
                                      [&](const v1::Plan& plan) {
                                        return plan.state() >= v1::PLAN_STATE_APPROVED &&
                                               (request->year() == 0 ||
                                                plan.year() == request->year());
                                      }));
    v1::ListPublicPlansResponse out;
    for (const v1::Plan& plan : page.first) *out.add_plans() = PublicView(plan);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingPublicService::GetPublicPlan(grpc::ServerContext*,
                                                  const v1::GetPlanRequest* request,
                                                  v1::PublicPlan* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::PublicPlan> {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    return PublicView(plan);
  });
}

grpc::Status SamplingPublicService::ListPublicTasks(grpc::ServerContext*,
                                                    const v1::ListTasksRequest* request,
                                                    v1::ListPublicTasksResponse* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::ListPublicTasksResponse> {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    RETURN_IF_ERROR(RequirePublished(plan));
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListTasks(plan.plan_id(), page_size, request->page().page_token(),
                                      projection_));
    v1::ListPublicTasksResponse out;
    for (const v1::Task& task : page.first) *out.add_tasks() = PublicTaskOf(task);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingPublicService::ExportPublicResult(
    grpc::ServerContext*, const v1::ExportRequest* request,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  ChunkStream stream(writer);
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    RETURN_IF_ERROR(RequirePublished(plan));
    return WriteRecomputedDocument(plans_, plan, true,
                                   [&](std::string_view piece) { stream.Write(piece); });
  }();
  if (!status.ok()) return ToGrpcStatus(status);
  return stream.Finish();
}

}  // namespace jianguan::sampling
