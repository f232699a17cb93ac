// The public API (一公开, InspectionPublic): published results by plan and by subject, without
// credentials. A PublicResult is built from the task when it is published and kept apart,
// so nothing but subject, plan, departments, items, category and dates can leak here.
#include "absl/strings/match.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/uscc.h"
#include "libs/server/grpc_status.h"
#include "libs/write/paging.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/inspection_service.h"

namespace jianguan::inspection {

v1::PublicResult PublicResultOf(const v1::Task& task, const v1::Publication& publication,
                                const ItemNames& item_names) {
  v1::PublicResult result;
  result.set_name(publication.name());
  result.set_plan(task.origin().plan());
  result.set_task_number(task.origin().task_number());
  result.set_source(task.origin().source());
  result.set_uscc(task.uscc());
  result.set_subject_name(task.subject_name());
  for (int i = 0; i < task.departments_size(); ++i) {
    const v1::TaskDepartment& department = task.departments(i);
    v1::PublicDepartmentResult& shown = *result.add_departments();
    *shown.mutable_department() = department.department();
    for (const v1::ItemRef& item : department.items()) {
      v1::PublicItem& public_item = *shown.add_items();
      public_item.set_code(item.code());
      public_item.set_version(item.version());
      if (auto name = item_names.find(item.code()); name != item_names.end()) {
        public_item.set_name(name->second);
      }
    }
    if (i < publication.departments_size()) {
      *shown.mutable_category() = publication.departments(i).category();
    }
  }
  *result.mutable_inspection_date() = task.result_digest().inspection_date();
  *result.mutable_publish_date() = publication.publish_date();
  result.set_corrects(publication.corrects());
  result.set_corrected_by(publication.corrected_by());
  return result;
}

absl::StatusOr<v1::ListPublishedResultsResponse> InspectionPublicService::DoList(
    const v1::ListPublishedResultsRequest& r) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(r.page()));
  std::string scope;
  if (r.scope_case() == v1::ListPublishedResultsRequest::kPlan &&
      absl::StartsWith(r.plan(), "plans/") && r.plan().size() > 6) {
    scope = PlanScope(r.plan());
  } else if (r.scope_case() == v1::ListPublishedResultsRequest::kUscc &&
             ValidateUscc(r.uscc()).ok()) {
    scope = SubjectScope(r.uscc());
  } else {
    return InvalidField(r.scope_case() == v1::ListPublishedResultsRequest::kUscc ? "uscc" : "plan",
                        "give exactly one of plans/{plan_id} and a valid USCC");
  }
  v1::ListPublishedResultsResponse response;
  std::string token = r.page().page_token();
  // Corrected publications are skipped unless asked for, so a page may need several scans.
  do {
    ASSIGN_OR_RETURN(auto page, tasks_.ListPublications(scope, page_size, token));
    for (v1::PublicResult& result : page.first) {
      if (!r.include_corrected() && !result.corrected_by().empty()) continue;
      *response.add_results() = std::move(result);
    }
    token = std::move(page.second);
  } while (response.results_size() == 0 && !token.empty());
  response.mutable_page()->set_next_page_token(token);
  return response;
}

absl::StatusOr<v1::PublicResult> InspectionPublicService::DoGet(
    const v1::GetPublishedResultRequest& r) const {
  ASSIGN_OR_RETURN(std::optional<v1::PublicResult> result, tasks_.FindPublication(r.name()));
  if (!result) return ResourceNotFound(r.name());
  return *std::move(result);
}

grpc::Status InspectionPublicService::ListPublishedResults(
    grpc::ServerContext*, const v1::ListPublishedResultsRequest* r,
    v1::ListPublishedResultsResponse* out) {
  auto answer = DoList(*r);
  if (!answer.ok()) return ToGrpcStatus(answer.status());
  *out = *std::move(answer);
  return grpc::Status::OK;
}

grpc::Status InspectionPublicService::GetPublishedResult(grpc::ServerContext*,
                                                         const v1::GetPublishedResultRequest* r,
                                                         v1::PublicResult* out) {
  auto answer = DoGet(*r);
  if (!answer.ok()) return ToGrpcStatus(answer.status());
  *out = *std::move(answer);
  return grpc::Status::OK;
}

}  // namespace jianguan::inspection
