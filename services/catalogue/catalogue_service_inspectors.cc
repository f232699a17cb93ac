// CatalogueService: inspectors (执法人员) — register, replace details, suspend, reinstate,
// retire, read, list by department, authorised item and availability on a date. A
// certificate number (执法证号) belongs to one inspector.
#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/domain/inspectors.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

absl::StatusOr<v1::Inspector> CatalogueService::DoRegisterInspector(
    const Caller& caller, const v1::RegisterInspectorRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateInspector(v, "inspector.", request.inspector());
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Inspector>(
      {.caller = caller, .method = methods_("RegisterInspector"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Inspector>> {
        FieldViolations refs;
        RETURN_IF_ERROR(CheckInspectorRefs(refs, request.inspector(), ""));
        RETURN_IF_ERROR(refs.ToStatus());
        Decision<v1::Inspector> d{
            .response = Registered(request.inspector(), ids_.Next(), clock_.Now())};
        d.resource = ResourceName("inspectors", d.response.id());
        catalogue_.SaveInspector(d.work, nullptr, d.response);
        v1::InspectorRegistered event;
        *event.mutable_inspector() = d.response;
        emitter_.Emit(d.work, d.resource, event);
        return d;
      });
}

absl::StatusOr<v1::Inspector> CatalogueService::DoUpdateInspector(
    const Caller& caller, const v1::UpdateInspectorRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateInspector(v, "inspector.", request.inspector());
  if (!IsResourceId(request.inspector().id())) v.Add("inspector.id", "is not an inspector id");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Inspector>(
      {.caller = caller, .method = methods_("UpdateInspector"),
       .request_id = request.request_id(), .request = request},
      [&]() { return DecideInspectorUpdate(request); });
}

absl::StatusOr<Decision<v1::Inspector>> CatalogueService::DecideInspectorUpdate(
    const v1::UpdateInspectorRequest& request) {
  const v1::Inspector& asked = request.inspector();
  Decision<v1::Inspector> d{.resource = ResourceName("inspectors", asked.id())};
  ASSIGN_OR_RETURN(auto before, catalogue_.FindInspector(asked.id()));
  if (!before) return ResourceNotFound(d.resource);
  ASSIGN_OR_RETURN(d.response, Updated(before->value, asked, clock_.Now(), d.resource));
  FieldViolations refs;
  RETURN_IF_ERROR(CheckInspectorRefs(refs, asked, asked.id()));
  RETURN_IF_ERROR(refs.ToStatus());
  catalogue_.SaveInspector(d.work, &*before, d.response);
  v1::InspectorChanged event;
  *event.mutable_inspector() = d.response;
  event.set_previous_status(before->value.status());
  emitter_.Emit(d.work, d.resource, event);
  return d;
}

absl::StatusOr<v1::Inspector> CatalogueService::DoInspectorTransition(
    const Caller& caller, std::string_view method, InspectorAction action,
    const v1::InspectorTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string id =
      ParseResourceName(v, "name", request.name(), "inspectors", IsResourceId, "id");
  ValidateReason(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::Inspector>(
      {.caller = caller, .method = methods_(method), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Inspector>> {
        ASSIGN_OR_RETURN(auto before, catalogue_.FindInspector(id));
        if (!before) return ResourceNotFound(request.name());
        Decision<v1::Inspector> d{.resource = request.name()};
        ASSIGN_OR_RETURN(d.response,
                         Transitioned(before->value, action, clock_.Now(), request.name()));
        catalogue_.SaveInspector(d.work, &*before, d.response);
        v1::InspectorChanged event;
        *event.mutable_inspector() = d.response;
        event.set_previous_status(before->value.status());
        event.set_reason(request.reason());
        emitter_.Emit(d.work, request.name(), event);
        return d;
      });
}

absl::StatusOr<v1::ListInspectorsResponse> CatalogueService::DoListInspectors(
    const v1::ListInspectorsRequest& request) const {
  FieldViolations v;
  if (!request.department().empty() && !IsCode(request.department())) {
    v.Add("department", "is not a department code");
  }
  if (!request.authorised_item().empty() && !IsCode(request.authorised_item())) {
    v.Add("authorised_item", "is not an item code");
  }
  std::optional<absl::CivilDay> day;
  if (request.has_available_on()) {
    day = ValidDayOf(request.available_on());
    if (!day) v.Add("available_on", "is not a date");
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page()));
  std::optional<ItemScope> scope;
  if (!request.authorised_item().empty()) {
    auto current = CurrentItem(request.authorised_item());
    if (absl::IsNotFound(current.status())) return InvalidField("authorised_item", "no such item");
    RETURN_IF_ERROR(current.status());
    const v1::RegulatoryItem& item = current->item();
    scope = ItemScope{item.code(), item.parent_code(), item.field()};
  }
  const std::function<bool(const v1::Inspector&)> keep = [&](const v1::Inspector& inspector) {
    return (!day || IsAvailableOn(inspector, *day)) && (!scope || MayInspect(inspector, *scope));
  };
  ASSIGN_OR_RETURN(auto page, catalogue_.ListInspectors(request.department(), keep, page_size,
                                                        request.page().page_token()));
  v1::ListInspectorsResponse response;
  for (auto& inspector : page.entries) *response.add_inspectors() = std::move(inspector);
  response.mutable_page()->set_next_page_token(page.next_page_token);
  return response;
}

grpc::Status CatalogueService::RegisterInspector(grpc::ServerContext* context,
                                                 const v1::RegisterInspectorRequest* request,
                                                 v1::Inspector* response) {
  return Serve(context, response,
               [&](const Caller& c) { return DoRegisterInspector(c, *request); });
}

grpc::Status CatalogueService::UpdateInspector(grpc::ServerContext* context,
                                               const v1::UpdateInspectorRequest* request,
                                               v1::Inspector* response) {
  return Serve(context, response, [&](const Caller& c) { return DoUpdateInspector(c, *request); });
}

grpc::Status CatalogueService::SuspendInspector(grpc::ServerContext* context,
                                                const v1::InspectorTransitionRequest* request,
                                                v1::Inspector* response) {
  return Serve(context, response, [&](const Caller& c) {
    return DoInspectorTransition(c, "SuspendInspector", InspectorAction::kSuspend, *request);
  });
}

grpc::Status CatalogueService::ReinstateInspector(grpc::ServerContext* context,
                                                  const v1::InspectorTransitionRequest* request,
                                                  v1::Inspector* response) {
  return Serve(context, response, [&](const Caller& c) {
    return DoInspectorTransition(c, "ReinstateInspector", InspectorAction::kReinstate, *request);
  });
}

grpc::Status CatalogueService::RetireInspector(grpc::ServerContext* context,
                                               const v1::InspectorTransitionRequest* request,
                                               v1::Inspector* response) {
  return Serve(context, response, [&](const Caller& c) {
    return DoInspectorTransition(c, "RetireInspector", InspectorAction::kRetire, *request);
  });
}

grpc::Status CatalogueService::GetInspector(grpc::ServerContext* context,
                                            const v1::GetInspectorRequest* request,
                                            v1::Inspector* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::Inspector> {
    ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", request->name(), "inspectors",
                                                       IsResourceId, "code"));
    ASSIGN_OR_RETURN(auto found, catalogue_.FindInspector(id));
    if (!found) return ResourceNotFound(request->name());
    return std::move(found->value);
  });
}

grpc::Status CatalogueService::ListInspectors(grpc::ServerContext* context,
                                              const v1::ListInspectorsRequest* request,
                                              v1::ListInspectorsResponse* response) {
  return ServeRead(context, response, [&]() { return DoListInspectors(*request); });
}

}  // namespace jianguan::catalogue
