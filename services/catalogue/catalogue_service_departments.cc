// CatalogueService: departments (执法主体) — create, replace, read, list. A department's
// parent must exist, be active and keep the hierarchy free of loops.
#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/domain/departments.h"
#include "services/catalogue/domain/hierarchy.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

absl::StatusOr<v1::Department> CatalogueService::DoCreateDepartment(
    const Caller& caller, const v1::CreateDepartmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateDepartment(v, "department.", request.department(), regions_);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Department>(
      {.caller = caller, .method = methods_("CreateDepartment"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Department>> {
        const v1::Department& asked = request.department();
        Decision<v1::Department> d{.resource = ResourceName("departments", asked.code())};
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.FindDepartment(asked.code()));
        if (existing) refs.Add("department.code", absl::StrCat(d.resource, " already exists"));
        if (!asked.parent().code().empty()) {
          CheckDepartmentRef(refs, "department.parent.code", asked.parent().code());
        }
        RETURN_IF_ERROR(refs.ToStatus());
        d.response = Created(asked, clock_.Now());
        catalogue_.SaveDepartment(d.work, nullptr, d.response);
        v1::DepartmentChanged event;
        *event.mutable_department() = d.response;
        event.set_created(true);
        emitter_.Emit(d.work, d.resource, event);
        return d;
      });
}

absl::StatusOr<v1::Department> CatalogueService::DoUpdateDepartment(
    const Caller& caller, const v1::UpdateDepartmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateDepartment(v, "department.", request.department(), regions_);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Department>(
      {.caller = caller, .method = methods_("UpdateDepartment"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Department>> {
        const v1::Department& asked = request.department();
        Decision<v1::Department> d{.resource = ResourceName("departments", asked.code())};
        ASSIGN_OR_RETURN(auto before, catalogue_.FindDepartment(asked.code()));
        if (!before) return ResourceNotFound(d.resource);
        FieldViolations refs;
        const std::string& parent = asked.parent().code();
        if (!parent.empty()) {
          CheckDepartmentRef(refs, "department.parent.code", parent);
          const auto parent_of = [this](std::string_view at) -> std::string {
            auto found = catalogue_.FindDepartment(at);
            return found.ok() && *found ? (*found)->value.parent().code() : "";
          };
          if (MakesCycle(asked.code(), parent, parent_of)) {
            refs.Add("department.parent.code", "closes a loop in the department hierarchy");
          }
        }
        RETURN_IF_ERROR(refs.ToStatus());
        d.response = Replaced(before->value, asked, clock_.Now());
        catalogue_.SaveDepartment(d.work, &*before, d.response);
        v1::DepartmentChanged event;
        *event.mutable_department() = d.response;
        emitter_.Emit(d.work, d.resource, event);
        return d;
      });
}

grpc::Status CatalogueService::CreateDepartment(grpc::ServerContext* context,
                                                const v1::CreateDepartmentRequest* request,
                                                v1::Department* response) {
  return Serve(context, response,
               [&](const Caller& c) { return DoCreateDepartment(c, *request); });
}

grpc::Status CatalogueService::UpdateDepartment(grpc::ServerContext* context,
                                                const v1::UpdateDepartmentRequest* request,
                                                v1::Department* response) {
  return Serve(context, response,
               [&](const Caller& c) { return DoUpdateDepartment(c, *request); });
}

grpc::Status CatalogueService::GetDepartment(grpc::ServerContext* context,
                                             const v1::GetDepartmentRequest* request,
                                             v1::Department* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::Department> {
    ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", request->name(), "departments",
                                                         IsResourceId, "code"));
    ASSIGN_OR_RETURN(auto found, catalogue_.FindDepartment(code));
    if (!found) return ResourceNotFound(request->name());
    return std::move(found->value);
  });
}

grpc::Status CatalogueService::ListDepartments(grpc::ServerContext* context,
                                               const v1::ListDepartmentsRequest* request,
                                               v1::ListDepartmentsResponse* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::ListDepartmentsResponse> {
    FieldViolations v;
    CheckText(v, "region_prefix", request->region_prefix(), {.max_chars = 6});
    if (!v1::Level_IsValid(request->level())) v.Add("level", "is not a known level");
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    const std::function<bool(const v1::Department&)> keep = [&](const v1::Department& d) {
      return d.region().code().rfind(request->region_prefix(), 0) == 0 &&
             (request->level() == v1::LEVEL_UNSPECIFIED || d.level() == request->level());
    };
    ASSIGN_OR_RETURN(auto page,
                     catalogue_.ListDepartments(keep, page_size, request->page().page_token()));
    v1::ListDepartmentsResponse out;
    for (auto& d : page.entries) *out.add_departments() = std::move(d);
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

}  // namespace jianguan::catalogue
