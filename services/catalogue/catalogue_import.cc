// CatalogueService::DoImport: a catalogue file applied row by row through the same
// operations as the single RPCs, so a row is checked and committed exactly as a call would
// be. A refused row is reported and the others go on; row i is committed under the
// request_id "{request_id}/{row}", so re-sending the same import changes nothing.
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/server/serve.h"
#include "libs/write/import_rows.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/domain/import_content.h"

namespace jianguan::catalogue {
namespace {

constexpr size_t kMaxImportBytes = 8 << 20;

// The outcome of one import so far: a result per row and the counts. Row i of the import is
// committed under the request_id "{request_id}/{row}" (and "{request_id}/{row}/{step}" for
// its later steps), so re-sending the import changes nothing.
class ImportLedger {
 public:
  explicit ImportLedger(std::string_view request_id) : request_id_(request_id) {}

  std::string RowId(std::string_view row, std::string_view step = "") const {
    return absl::StrCat(AbslView(request_id_), "/", AbslView(row), AbslView(step));
  }

  /// Records one row's outcome: the resource when applied, else the error and every field
  /// violation it names.
  void Record(std::string_view row, std::string_view resource, const absl::Status& status) {
    v1::ImportRowResult* result = response_.add_rows();
    result->set_row(std::string(row));
    if (status.ok()) {
      result->set_resource(std::string(resource));
      response_.set_applied(response_.applied() + 1);
      return;
    }
    result->set_error(std::string(status.message()));
    AddRowViolations(*result, status);
    response_.set_refused(response_.refused() + 1);
  }

  v1::ImportCatalogueResponse& response() { return response_; }

 private:
  std::string_view request_id_;
  v1::ImportCatalogueResponse response_;
};

// Registers an inspector and moves it to the status the file gives ("suspended"/"retired" or
// the enum's name; anything else stays active).
void ImportInspector(CatalogueService& service, const Caller& caller, ImportLedger& ledger,
                     std::string_view row, const v1::Inspector& inspector,
                     std::string_view status) {
  v1::RegisterInspectorRequest registration;
  registration.set_request_id(ledger.RowId(row));
  *registration.mutable_inspector() = inspector;
  auto registered = service.DoRegisterInspector(caller, registration);
  absl::Status outcome = registered.status();
  const std::string resource = registered.ok() ? ResourceName("inspectors", registered->id()) : "";
  const bool suspend = status == "suspended" || status == "INSPECTOR_STATUS_SUSPENDED";
  const bool retire = status == "retired" || status == "INSPECTOR_STATUS_RETIRED";
  if (registered.ok() && (suspend || retire)) {
    v1::InspectorTransitionRequest transition;
    transition.set_request_id(ledger.RowId(row, "/status"));
    transition.set_name(resource);
    transition.set_reason("status as imported");
    outcome = service
                  .DoInspectorTransition(
                      caller, suspend ? "SuspendInspector" : "RetireInspector",
                      suspend ? InspectorAction::kSuspend : InspectorAction::kRetire, transition)
                  .status();
  }
  ledger.Record(row, resource, outcome);
}

void ImportDepartmentsAndItems(CatalogueService& service, const Caller& caller,
                               const v1::CatalogueBundle& bundle, ImportLedger& ledger) {
  for (int i = 0; i < bundle.departments_size(); ++i) {
    const std::string row = absl::StrCat("departments[", i, "]");
    v1::CreateDepartmentRequest create;
    create.set_request_id(ledger.RowId(row));
    *create.mutable_department() = bundle.departments(i);
    ledger.Record(row, ResourceName("departments", bundle.departments(i).code()),
                  service.DoCreateDepartment(caller, create).status());
  }
  for (int i = 0; i < bundle.items_size(); ++i) {
    const std::string row = absl::StrCat("items[", i, "]");
    const std::string resource = ResourceName("items", bundle.items(i).code());
    v1::CreateItemRequest create;
    create.set_request_id(ledger.RowId(row));
    *create.mutable_item() = bundle.items(i);
    absl::Status status = service.DoCreateItem(caller, create).status();
    if (status.ok()) {
      v1::PublishItemRequest publish;
      publish.set_request_id(ledger.RowId(row, "/publish"));
      publish.set_name(resource);
      status = service.DoPublishItem(caller, publish).status();
    }
    ledger.Record(row, resource, status);
  }
}

void ImportClaimsFormsAndInspectors(CatalogueService& service, const Caller& caller,
                                    const v1::CatalogueBundle& bundle, ImportLedger& ledger) {
  for (int i = 0; i < bundle.claims_size(); ++i) {
    const std::string row = absl::StrCat("claims[", i, "]");
    v1::ClaimItemRequest claim;
    claim.set_request_id(ledger.RowId(row));
    claim.set_name(ResourceName("items", bundle.claims(i).item_code()));
    *claim.mutable_department() = bundle.claims(i).department();
    ledger.Record(row, claim.name(), service.DoClaimItem(caller, claim).status());
  }
  for (int i = 0; i < bundle.forms_size(); ++i) {
    const std::string row = absl::StrCat("forms[", i, "]");
    const std::string resource = ResourceName("forms", bundle.forms(i).code());
    v1::CreateFormRequest create;
    create.set_request_id(ledger.RowId(row));
    *create.mutable_form() = bundle.forms(i);
    absl::Status status = service.DoCreateForm(caller, create).status();
    if (status.ok()) {
      v1::PublishFormRequest publish;
      publish.set_request_id(ledger.RowId(row, "/publish"));
      publish.set_name(resource);
      status = service.DoPublishForm(caller, publish).status();
    }
    ledger.Record(row, resource, status);
  }
  for (int i = 0; i < bundle.inspectors_size(); ++i) {
    ImportInspector(service, caller, ledger, absl::StrCat("inspectors[", i, "]"),
                    bundle.inspectors(i), v1::InspectorStatus_Name(bundle.inspectors(i).status()));
  }
}

absl::Status CheckImportRequest(const v1::ImportCatalogueRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  if (request.request_id().size() > 100) {
    v.Add("request_id", "at most 100 characters for an import");
  }
  if (!v1::ImportFormat_IsValid(request.format()) ||
      request.format() == v1::IMPORT_FORMAT_UNSPECIFIED) {
    v.Add("format", "is not a known format");
  }
  if (request.content().size() > kMaxImportBytes) v.Add("content", "at most 8 MiB");
  else if (!IsValidUtf8(request.content())) v.Add("content", "is not UTF-8");
  return v.ToStatus();
}

}  // namespace

absl::StatusOr<v1::ImportCatalogueResponse> CatalogueService::DoImport(
    const Caller& caller, const v1::ImportCatalogueRequest& request) {
  RETURN_IF_ERROR(CheckImportRequest(request));
  ImportLedger ledger(request.request_id());
  if (request.format() == v1::IMPORT_FORMAT_INSPECTORS_CSV) {
    ASSIGN_OR_RETURN(std::vector<CsvInspector> rows, ParseInspectorsCsv(request.content()));
    for (const CsvInspector& row : rows) {
      ImportInspector(*this, caller, ledger, row.row, row.inspector, row.status);
    }
    return std::move(ledger.response());
  }
  ASSIGN_OR_RETURN(v1::CatalogueBundle bundle, ParseCatalogueJson(request.content()));
  ImportDepartmentsAndItems(*this, caller, bundle, ledger);
  ImportClaimsFormsAndInspectors(*this, caller, bundle, ledger);
  return std::move(ledger.response());
}

grpc::Status CatalogueService::ImportCatalogue(grpc::ServerContext* context,
                                               const v1::ImportCatalogueRequest* request,
                                               v1::ImportCatalogueResponse* response) {
  return Serve(context, response, [&](const Caller& c) { return DoImport(c, *request); });
}

}  // namespace jianguan::catalogue
