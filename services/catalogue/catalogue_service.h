// The Catalogue gRPC handler (DESIGN §3 "handler"): protobuf in, validation naming every bad
// field, the domain's decision (catalogue_rules.h), one unit of work per write through
// WritePath (state, indexes, event, audit, idempotency key together), protobuf out.
//
// Every write first checks the request's shape, then replays a retried request_id, then
// reads the current state and decides; bad input writes nothing. References to departments
// and items that do not exist are INVALID_ARGUMENT on the referring field; a forbidden
// transition is FAILED_PRECONDITION naming the resource.
//
// Thread-safe: gRPC calls the methods concurrently; all state is in the store.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "jianguan/catalogue/v1/catalogue.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/core/code_table.h"
#include "libs/core/ids.h"
#include "libs/server/identity.h"
#include "libs/write/write_path.h"
#include "libs/store/store.h"
#include "services/catalogue/catalogue_rules.h"
#include "services/catalogue/catalogue_store.h"

namespace jianguan::catalogue {

/// The topic and source of the catalogue's events.
inline constexpr char kCatalogueTopic[] = "jianguan.catalogue.v1";
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
  /// What a write decided: the resource it changed and the answer.
  template <typename Response>
  using Decision = std::pair<std::string, Response>;

  /// Replays a retried request, or lets `decide` fill a unit of work and commits it.
  template <typename Response>
  absl::StatusOr<Response> Write(
      const Caller& caller, std::string_view method, std::string_view request_id,
      const google::protobuf::Message& request,
      const std::function<absl::StatusOr<Decision<Response>>(store::UnitOfWork&)>& decide);

  /// Adds an event about `resource` to `work`.
  void Emit(store::UnitOfWork& work, const std::string& resource,
            const google::protobuf::Message& event) const;

  /// Violations for departments that do not exist or are dissolved.
  void CheckDepartmentRef(FieldViolations& v, std::string_view field, std::string_view code) const;
  /// Violations for a main item that does not exist or would close a loop.
  void CheckItemParent(FieldViolations& v, std::string_view field, std::string_view code,
                       std::string_view parent) const;
  /// The item version in force (or the draft), with its lifecycle.
  absl::StatusOr<v1::ItemView> CurrentItem(std::string_view code) const;
  /// Resolves a form's check points from the items in force.
  absl::Status ResolveForm(FieldViolations& v, v1::FormTemplate& form) const;
  store::Store& store_;
  const Clock& clock_;
  const CodeTable& regions_;
  const CodeTable& industries_;
  CatalogueStore catalogue_;
  WritePath writes_;
  mutable IdGenerator ids_;
};

}  // namespace jianguan::catalogue
