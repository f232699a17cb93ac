// The Catalogue gRPC handler (DESIGN §3 "handler"): protobuf in, validation naming every bad
// field, the domain's decision (domain/), one unit of work per write through
// WritePath::Write (state, indexes, event, audit, idempotency key together), protobuf out.
// The methods are defined by resource: catalogue_service.cc (construction, shared reads),
// catalogue_service_{departments,inspectors,items,forms}.cc and catalogue_import.cc.
//
// Every write first checks the request's shape, then replays a retried request_id, then
// reads the current state and decides; bad input writes nothing. References to departments
// and items that do not exist are INVALID_ARGUMENT on the referring field; a forbidden
// transition is FAILED_PRECONDITION naming the resource.
//
// Thread-safe: gRPC calls the methods concurrently; all state is in the store.
#pragma once

#include <string>
#include <string_view>

#include "jianguan/catalogue/v1/catalogue.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/core/code_table.h"
#include "libs/core/ids.h"
#include "libs/core/field_violations.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/catalogue/catalogue_store.h"
#include "services/catalogue/domain/lifecycle.h"

namespace jianguan::catalogue {

/// The source (ce_source) of the catalogue's events and the service's name; they go to
/// topics::kCatalogue.
inline constexpr char kServiceName[] = "catalogue";

class CatalogueService final : public v1::Catalogue::Service {
 public:
  /// Everything given must outlive the service.
  CatalogueService(store::Store& store, const Clock& clock, const CodeTable& regions,
                   const CodeTable& industries);

  grpc::Status CreateDepartment(grpc::ServerContext* context,
                                const v1::CreateDepartmentRequest* request,
                                v1::Department* response) override;
  grpc::Status UpdateDepartment(grpc::ServerContext* context,
                                const v1::UpdateDepartmentRequest* request,
                                v1::Department* response) override;
  grpc::Status GetDepartment(grpc::ServerContext* context, const v1::GetDepartmentRequest* request,
                             v1::Department* response) override;
  grpc::Status ListDepartments(grpc::ServerContext* context,
                               const v1::ListDepartmentsRequest* request,
                               v1::ListDepartmentsResponse* response) override;

  grpc::Status RegisterInspector(grpc::ServerContext* context,
                                 const v1::RegisterInspectorRequest* request,
                                 v1::Inspector* response) override;
  grpc::Status UpdateInspector(grpc::ServerContext* context,
                               const v1::UpdateInspectorRequest* request,
                               v1::Inspector* response) override;
  grpc::Status SuspendInspector(grpc::ServerContext* context,
                                const v1::InspectorTransitionRequest* request,
                                v1::Inspector* response) override;
  grpc::Status ReinstateInspector(grpc::ServerContext* context,
                                  const v1::InspectorTransitionRequest* request,
                                  v1::Inspector* response) override;
  grpc::Status RetireInspector(grpc::ServerContext* context,
                               const v1::InspectorTransitionRequest* request,
                               v1::Inspector* response) override;
  grpc::Status GetInspector(grpc::ServerContext* context, const v1::GetInspectorRequest* request,
                            v1::Inspector* response) override;
  grpc::Status ListInspectors(grpc::ServerContext* context,
                              const v1::ListInspectorsRequest* request,
                              v1::ListInspectorsResponse* response) override;

  grpc::Status CreateItem(grpc::ServerContext* context, const v1::CreateItemRequest* request,
                          v1::ItemView* response) override;
  grpc::Status PublishItem(grpc::ServerContext* context, const v1::PublishItemRequest* request,
                           v1::ItemView* response) override;
  grpc::Status ReviseItem(grpc::ServerContext* context, const v1::ReviseItemRequest* request,
                          v1::ItemView* response) override;
  grpc::Status AbolishItem(grpc::ServerContext* context, const v1::AbolishItemRequest* request,
                           v1::ItemView* response) override;
  grpc::Status ClaimItem(grpc::ServerContext* context, const v1::ClaimItemRequest* request,
                         v1::ItemClaim* response) override;
  grpc::Status GetItem(grpc::ServerContext* context, const v1::GetItemRequest* request,
                       v1::ItemView* response) override;
  grpc::Status ListItems(grpc::ServerContext* context, const v1::ListItemsRequest* request,
                         v1::ListItemsResponse* response) override;
  grpc::Status ListApplicableItems(grpc::ServerContext* context,
                                   const v1::ListApplicableItemsRequest* request,
                                   v1::ListApplicableItemsResponse* response) override;

  grpc::Status CreateForm(grpc::ServerContext* context, const v1::CreateFormRequest* request,
                          v1::FormView* response) override;
  grpc::Status PublishForm(grpc::ServerContext* context, const v1::PublishFormRequest* request,
                           v1::FormView* response) override;
  grpc::Status ReviseForm(grpc::ServerContext* context, const v1::ReviseFormRequest* request,
                          v1::FormView* response) override;
  grpc::Status GetForm(grpc::ServerContext* context, const v1::GetFormRequest* request,
                       v1::FormView* response) override;
  grpc::Status ListForms(grpc::ServerContext* context, const v1::ListFormsRequest* request,
                         v1::ListFormsResponse* response) override;

  grpc::Status ImportCatalogue(grpc::ServerContext* context,
                               const v1::ImportCatalogueRequest* request,
                               v1::ImportCatalogueResponse* response) override;

  // The operations behind the RPCs, for the import and for tests: same checks, same writes.
  absl::StatusOr<v1::Department> DoCreateDepartment(const Caller& caller,
                                                    const v1::CreateDepartmentRequest& request);
  absl::StatusOr<v1::Department> DoUpdateDepartment(const Caller& caller,
                                                    const v1::UpdateDepartmentRequest& request);
  absl::StatusOr<v1::Inspector> DoRegisterInspector(const Caller& caller,
                                                    const v1::RegisterInspectorRequest& request);
  absl::StatusOr<v1::Inspector> DoUpdateInspector(const Caller& caller,
                                                  const v1::UpdateInspectorRequest& request);
  absl::StatusOr<v1::Inspector> DoInspectorTransition(const Caller& caller,
                                                      std::string_view method,
                                                      InspectorAction action,
                                                      const v1::InspectorTransitionRequest& request);
  absl::StatusOr<v1::ItemView> DoCreateItem(const Caller& caller,
                                            const v1::CreateItemRequest& request);
  absl::StatusOr<v1::ItemView> DoPublishItem(const Caller& caller,
                                             const v1::PublishItemRequest& request);
  absl::StatusOr<v1::ItemView> DoReviseItem(const Caller& caller,
                                            const v1::ReviseItemRequest& request);
  absl::StatusOr<v1::ItemView> DoAbolishItem(const Caller& caller,
                                             const v1::AbolishItemRequest& request);
  absl::StatusOr<v1::ItemClaim> DoClaimItem(const Caller& caller,
                                            const v1::ClaimItemRequest& request);
  absl::StatusOr<v1::ItemView> DoGetItem(const v1::GetItemRequest& request) const;
  absl::StatusOr<v1::ListApplicableItemsResponse> DoListApplicableItems(
      const v1::ListApplicableItemsRequest& request) const;
  absl::StatusOr<v1::ListInspectorsResponse> DoListInspectors(
      const v1::ListInspectorsRequest& request) const;
  absl::StatusOr<v1::FormView> DoCreateForm(const Caller& caller,
                                            const v1::CreateFormRequest& request);
  absl::StatusOr<v1::FormView> DoPublishForm(const Caller& caller,
                                             const v1::PublishFormRequest& request);
  absl::StatusOr<v1::FormView> DoReviseForm(const Caller& caller,
                                            const v1::ReviseFormRequest& request);
  absl::StatusOr<v1::ImportCatalogueResponse> DoImport(const Caller& caller,
                                                       const v1::ImportCatalogueRequest& request);

 private:
  /// Violations for departments that do not exist or are dissolved.
  void CheckDepartmentRef(FieldViolations& v, std::string_view field, std::string_view code) const;
  /// The same for each department of a list ("<field>[i].code").
  void CheckDepartmentRefs(
      FieldViolations& v, std::string_view field,
      const google::protobuf::RepeatedPtrField<common::v1::DepartmentRef>& refs) const;
  /// Violations for a main item that does not exist or would close a loop.
  void CheckItemParent(FieldViolations& v, std::string_view field, std::string_view code,
                       std::string_view parent) const;
  /// Violations for the references of an inspector record (department, authorised items,
  /// certificate number held by someone else than `self`).
  absl::Status CheckInspectorRefs(FieldViolations& v, const v1::Inspector& inspector,
                                  std::string_view self) const;
  /// The item version in force (or the draft), with its lifecycle.
  absl::StatusOr<v1::ItemView> CurrentItem(std::string_view code) const;
  /// Resolves a form's check points from the items in force.
  absl::Status ResolveForm(FieldViolations& v, v1::FormTemplate& form) const;
  /// The write of a form's revision, once its request is checked.
  absl::StatusOr<Decision<v1::FormView>> DecideFormRevision(const v1::ReviseFormRequest& request);
  /// The write of an item's revision, once its request is checked.
  absl::StatusOr<Decision<v1::ItemView>> DecideItemRevision(const v1::ReviseItemRequest& request);
  /// The write of an item's claim, once its request is checked.
  absl::StatusOr<Decision<v1::ItemClaim>> DecideItemClaim(const v1::ClaimItemRequest& request,
                                                      std::string_view code);
  /// The write of an inspector's new details, once its request is checked.
  absl::StatusOr<Decision<v1::Inspector>> DecideInspectorUpdate(
      const v1::UpdateInspectorRequest& request);

  const MethodNames methods_{"jianguan.catalogue.v1.Catalogue"};
  store::Store& store_;
  const Clock& clock_;
  const CodeTable& regions_;
  const CodeTable& industries_;
  CatalogueStore catalogue_;
  WritePath writes_;
  EventEmitter emitter_;
  mutable IdGenerator ids_;
};

}  // namespace jianguan::catalogue
