// CatalogueService: check forms (检查表单) — create a draft, publish, revise, read, list. A
// form's check points are resolved from its items' versions in force when it is written.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

absl::StatusOr<v1::FormView> CatalogueService::DoCreateForm(const Caller& caller,
                                                            const v1::CreateFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateForm(v, "form.", request.form());
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::FormView>(
      {.caller = caller, .method = methods_("CreateForm"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::FormView>> {
        v1::FormTemplate form = request.form();
        Decision<v1::FormView> d{.resource = ResourceName("forms", form.code())};
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.forms().FindHead(form.code()));
        if (existing) refs.Add("form.code", absl::StrCat(d.resource, " already exists"));
        CheckDepartmentRefs(refs, "form.departments", form.departments());
        RETURN_IF_ERROR(ResolveForm(refs, form));
        RETURN_IF_ERROR(refs.ToStatus());
        VersionStep<v1::FormTemplate> step = FirstDraft(std::move(form), clock_.Now());
        catalogue_.forms().SaveStep(d.work, nullptr, step, nullptr);
        *d.response.mutable_lifecycle() = std::move(step.head);
        *d.response.mutable_form() = std::move(step.version);
        return d;
      });
}

absl::StatusOr<v1::FormView> CatalogueService::DoPublishForm(
    const Caller& caller, const v1::PublishFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string code =
      ParseResourceName(v, "name", request.name(), "forms", IsResourceId, "code");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::FormView>(
      {.caller = caller, .method = methods_("PublishForm"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::FormView>> {
        ASSIGN_OR_RETURN(auto head, catalogue_.forms().RequireHead(code, request.name()));
        ASSIGN_OR_RETURN(v1::FormTemplate draft,
                         catalogue_.forms().LatestVersion(head.value, request.name()));
        ASSIGN_OR_RETURN(auto step, PutInForce(head.value, LifecycleAction::kPublish, draft,
                                               clock_.Now(), request.name()));
        Decision<v1::FormView> d{.resource = request.name()};
        catalogue_.forms().SaveStep(d.work, &head, step, &draft);
        v1::FormPublished event;
        *event.mutable_form() = step.version;
        emitter_.Emit(d.work, request.name(), event);
        *d.response.mutable_lifecycle() = std::move(step.head);
        *d.response.mutable_form() = std::move(step.version);
        return d;
      });
}

absl::StatusOr<v1::FormView> CatalogueService::DoReviseForm(const Caller& caller,
                                                            const v1::ReviseFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateForm(v, "form.", request.form());
  if (request.form().revision_note().empty()) v.Add("form.revision_note", "say why it is revised");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::FormView>(
      {.caller = caller, .method = methods_("ReviseForm"), .request_id = request.request_id(),
       .request = request},
      [&]() { return DecideFormRevision(request); });
}

absl::StatusOr<Decision<v1::FormView>> CatalogueService::DecideFormRevision(
    const v1::ReviseFormRequest& request) {
  v1::FormTemplate form = request.form();
  Decision<v1::FormView> d{.resource = ResourceName("forms", form.code())};
  ASSIGN_OR_RETURN(auto head, catalogue_.forms().RequireHead(form.code(), d.resource));
  RETURN_IF_ERROR(
      NextLifecycleState(head.value.state(), LifecycleAction::kRevise, d.resource).status());
  FieldViolations refs;
  CheckDepartmentRefs(refs, "form.departments", form.departments());
  RETURN_IF_ERROR(ResolveForm(refs, form));
  RETURN_IF_ERROR(refs.ToStatus());
  ASSIGN_OR_RETURN(auto step, PutInForce(head.value, LifecycleAction::kRevise, std::move(form),
                                         clock_.Now(), d.resource));
  catalogue_.forms().SaveStep(d.work, &head, step, nullptr);
  v1::FormPublished event;
  *event.mutable_form() = step.version;
  event.set_previous_version(head.value.published_version());
  emitter_.Emit(d.work, d.resource, event);
  *d.response.mutable_lifecycle() = std::move(step.head);
  *d.response.mutable_form() = std::move(step.version);
  return d;
}

grpc::Status CatalogueService::CreateForm(grpc::ServerContext* context,
                                          const v1::CreateFormRequest* request,
                                          v1::FormView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCreateForm(c, *request); });
}

grpc::Status CatalogueService::PublishForm(grpc::ServerContext* context,
                                           const v1::PublishFormRequest* request,
                                           v1::FormView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoPublishForm(c, *request); });
}

grpc::Status CatalogueService::ReviseForm(grpc::ServerContext* context,
                                          const v1::ReviseFormRequest* request,
                                          v1::FormView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoReviseForm(c, *request); });
}

grpc::Status CatalogueService::GetForm(grpc::ServerContext* context,
                                       const v1::GetFormRequest* request, v1::FormView* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::FormView> {
    ASSIGN_OR_RETURN(std::string code, ParseResourceName("name", request->name(), "forms",
                                                         IsResourceId, "code"));
    if (request->version() < 0) return InvalidField("version", "must not be negative");
    ASSIGN_OR_RETURN(auto pair,
                     catalogue_.forms().ReadVersion(code, request->version(), request->name()));
    v1::FormView view;
    *view.mutable_form() = std::move(pair.first);
    *view.mutable_lifecycle() = std::move(pair.second);
    return view;
  });
}

grpc::Status CatalogueService::ListForms(grpc::ServerContext* context,
                                         const v1::ListFormsRequest* request,
                                         v1::ListFormsResponse* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::ListFormsResponse> {
    if (!request->department().empty() && !IsCode(request->department())) {
      return InvalidField("department", "is not a department code");
    }
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    v1::ListFormsResponse out;
    const std::function<bool(const v1::Lifecycle&)> keep = [&](const v1::Lifecycle& head) {
      auto pair = catalogue_.forms().ReadVersion(head.code(), 0, head.code());
      if (!pair.ok()) return false;
      const auto& departments = pair->first.departments();
      if (!request->department().empty() &&
          std::none_of(departments.begin(), departments.end(),
                       [&](const auto& d) { return d.code() == request->department(); })) {
        return false;
      }
      v1::FormView* view = out.add_forms();
      *view->mutable_form() = std::move(pair->first);
      *view->mutable_lifecycle() = std::move(pair->second);
      return true;
    };
    ASSIGN_OR_RETURN(auto page,
                     catalogue_.forms().ListHeads(keep, page_size, request->page().page_token()));
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

}  // namespace jianguan::catalogue
