#include "services/catalogue/catalogue_service.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/server/grpc_status.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/events/event.h"
#include "libs/server/serve.h"

namespace jianguan::catalogue {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kMethodPrefix[] = "/jianguan.catalogue.v1.Catalogue/";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

std::string Method(std::string_view name) { return absl::StrCat(kMethodPrefix, AbslView(name)); }

int PageSize(int32_t requested) {
  if (requested <= 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

google::protobuf::Timestamp Stamp(absl::Time time) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

// The id in a resource name "<collection>/<id>", or INVALID_ARGUMENT on `field`.
absl::StatusOr<std::string> NameId(std::string_view field, std::string_view name,
                                   std::string_view collection) {
  const std::string prefix = absl::StrCat(AbslView(collection), "/");
  if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
      IsCode(name.substr(prefix.size()), 1, 40)) {
    return std::string(name.substr(prefix.size()));
  }
  return InvalidField(field, absl::StrCat("must be ", prefix, "{code}"));
}

bool InForce(v1::LifecycleState state) {
  return state == v1::LIFECYCLE_STATE_PUBLISHED || state == v1::LIFECYCLE_STATE_REVISED;
}

// Writes `record` as a new published version after `head` (or over the draft when
// publishing one) and moves the head on. Shared by items and forms, whose versions have
// the same lifecycle fields.
template <typename M>
absl::StatusOr<v1::Lifecycle> PutInForce(const VersionedTable<M>& table, store::UnitOfWork& work,
                                         const Stored<v1::Lifecycle>& head, M& record,
                                         std::string_view resource, LifecycleAction action,
                                         absl::Time now) {
  ASSIGN_OR_RETURN(v1::LifecycleState next,
                   NextLifecycleState(head.value.state(), action, resource));
  std::optional<std::string> draft_bytes;
  if (action == LifecycleAction::kPublish) {
    ASSIGN_OR_RETURN(std::optional<M> draft,
                     table.FindVersion(head.value.code(), head.value.latest_version()));
    if (!draft) return absl::DataLossError(absl::StrCat("draft missing: ", AbslView(resource)));
    draft_bytes = draft->SerializeAsString();
    record = std::move(*draft);
  } else {
    record.set_version(head.value.latest_version() + 1);
    *record.mutable_create_time() = Stamp(now);
  }
  record.set_version_state(v1::LIFECYCLE_STATE_PUBLISHED);
  *record.mutable_publish_time() = Stamp(now);
  table.SaveVersion(work, head.value.code(), record.version(), record,
                    draft_bytes ? &*draft_bytes : nullptr);
  v1::Lifecycle after = head.value;
  after.set_state(next);
  after.set_latest_version(record.version());
  after.set_published_version(record.version());
  *after.mutable_update_time() = Stamp(now);
  table.SaveHead(work, &head, after);
  return after;
}

// A new code's first version, as a draft.
template <typename M>
v1::Lifecycle PutDraft(const VersionedTable<M>& table, store::UnitOfWork& work, M& record,
                       absl::Time now) {
  record.set_version(1);
  record.set_version_state(v1::LIFECYCLE_STATE_DRAFT);
  *record.mutable_create_time() = Stamp(now);
  record.clear_publish_time();
  table.SaveVersion(work, record.code(), 1, record, nullptr);
  v1::Lifecycle head;
  head.set_code(record.code());
  head.set_state(v1::LIFECYCLE_STATE_DRAFT);
  head.set_latest_version(1);
  *head.mutable_update_time() = Stamp(now);
  table.SaveHead(work, nullptr, head);
  return head;
}

template <typename M>
absl::StatusOr<Stored<v1::Lifecycle>> RequireHead(const VersionedTable<M>& table,
                                                  std::string_view code,
                                                  std::string_view resource) {
  ASSIGN_OR_RETURN(auto head, table.FindHead(code));
  if (!head) return ResourceNotFound(resource);
  return std::move(*head);
}

// The version asked for (0: the one in force, or the draft), with its lifecycle.
template <typename M>
absl::StatusOr<std::pair<M, v1::Lifecycle>> ReadVersion(const VersionedTable<M>& table,
                                                        std::string_view code, int32_t version,
                                                        std::string_view resource) {
  ASSIGN_OR_RETURN(Stored<v1::Lifecycle> head, RequireHead(table, code, resource));
  if (version == 0) {
    version = head.value.published_version() > 0 ? head.value.published_version()
                                                 : head.value.latest_version();
  }
  ASSIGN_OR_RETURN(std::optional<M> record, table.FindVersion(code, version));
  if (!record) return ResourceNotFound(absl::StrCat(AbslView(resource), "/versions/", version));
  return std::make_pair(std::move(*record), std::move(head.value));
}

void CheckReason(FieldViolations& v, std::string_view reason) {
  CheckText(v, "reason", reason, {.required = true, .max_chars = Limits::kText});
}

}  // namespace

CatalogueService::CatalogueService(store::Store& store, const Clock& clock,
                                   const CodeTable& regions, const CodeTable& industries)
    : store_(store),
      clock_(clock),
      regions_(regions),
      industries_(industries),
      catalogue_(store),
      writes_(store, clock),
      ids_(clock) {}

template <typename Response>
absl::StatusOr<Response> CatalogueService::Write(
    const Caller& caller, std::string_view method, std::string_view request_id,
    const google::protobuf::Message& request,
    const std::function<absl::StatusOr<Decision<Response>>(store::UnitOfWork&)>& decide) {
  const std::string full_method = Method(method);
  ASSIGN_OR_RETURN(std::optional<Response> replay,
                   writes_.Replay<Response>(full_method, request_id, request));
  if (replay) return std::move(*replay);
  store::UnitOfWork work;
  ASSIGN_OR_RETURN(Decision<Response> decided, decide(work));
  return writes_.Commit(work,
                        {.caller = caller,
                         .method = full_method,
                         .resource = decided.first,
                         .request_id = std::string(request_id)},
                        request, decided.second);
}

void CatalogueService::Emit(store::UnitOfWork& work, const std::string& resource,
                            const google::protobuf::Message& event) const {
  work.AddEvent(events::MakeEvent({.topic = kCatalogueTopic,
                                   .key = resource,
                                   .source = kServiceName,
                                   .subject = resource,
                                   .time = clock_.Now()},
                                  event));
}

void CatalogueService::CheckDepartmentRef(FieldViolations& v, std::string_view field,
                                          std::string_view code) const {
  auto found = catalogue_.FindDepartment(code);
  if (!found.ok() || !*found) {
    v.Add(field, absl::StrCat("no department ", AbslView(code)));
  } else if ((*found)->value.status() != v1::DEPARTMENT_STATUS_ACTIVE) {
    v.Add(field, absl::StrCat("department ", AbslView(code), " is dissolved"));
  }
}

void CatalogueService::CheckItemParent(FieldViolations& v, std::string_view field,
                                       std::string_view code, std::string_view parent) const {
  if (parent.empty()) return;
  auto head = catalogue_.items().FindHead(parent);
  if (!head.ok() || !*head) {
    v.Add(field, absl::StrCat("no item ", AbslView(parent)));
    return;
  }
  const auto parent_of = [this](std::string_view at) -> std::string {
    auto current = CurrentItem(at);
    return current.ok() ? current->item().parent_code() : "";
  };
  if (MakesCycle(code, parent, parent_of)) {
    v.Add(field, absl::StrCat("making ", AbslView(parent), " the main item of ", AbslView(code),
                              " closes a loop in the item hierarchy"));
  }
}

absl::StatusOr<v1::ItemView> CatalogueService::CurrentItem(std::string_view code) const {
  ASSIGN_OR_RETURN(auto pair, ReadVersion(catalogue_.items(), code, 0,
                                          absl::StrCat("items/", AbslView(code))));
  v1::ItemView view;
  *view.mutable_item() = std::move(pair.first);
  *view.mutable_lifecycle() = std::move(pair.second);
  return view;
}

// ---- departments --------------------------------------------------------------------------

absl::StatusOr<v1::Department> CatalogueService::DoCreateDepartment(
    const Caller& caller, const v1::CreateDepartmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateDepartment(v, "department.", request.department(), regions_);
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::Department>(
      caller, "CreateDepartment", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::Department>> {
        v1::Department department = request.department();
        const std::string resource = absl::StrCat("departments/", department.code());
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.FindDepartment(department.code()));
        if (existing) refs.Add("department.code", absl::StrCat(resource, " already exists"));
        if (department.has_parent() && !department.parent().code().empty()) {
          CheckDepartmentRef(refs, "department.parent.code", department.parent().code());
        }
        RETURN_IF_ERROR(refs.ToStatus());
        department.set_version(1);
        *department.mutable_update_time() = Stamp(clock_.Now());
        catalogue_.SaveDepartment(work, nullptr, department);
        v1::DepartmentChanged event;
        *event.mutable_department() = department;
        event.set_created(true);
        Emit(work, resource, event);
        return Decision<v1::Department>{resource, department};
      });
}

absl::StatusOr<v1::Department> CatalogueService::DoUpdateDepartment(
    const Caller& caller, const v1::UpdateDepartmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateDepartment(v, "department.", request.department(), regions_);
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::Department>(
      caller, "UpdateDepartment", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::Department>> {
        v1::Department department = request.department();
        const std::string resource = absl::StrCat("departments/", department.code());
        ASSIGN_OR_RETURN(auto before, catalogue_.FindDepartment(department.code()));
        if (!before) return ResourceNotFound(resource);
        FieldViolations refs;
        const std::string& parent = department.parent().code();
        if (!parent.empty()) {
          CheckDepartmentRef(refs, "department.parent.code", parent);
          const auto parent_of = [this](std::string_view at) -> std::string {
            auto found = catalogue_.FindDepartment(at);
            return found.ok() && *found ? (*found)->value.parent().code() : "";
          };
          if (MakesCycle(department.code(), parent, parent_of)) {
            refs.Add("department.parent.code", "closes a loop in the department hierarchy");
          }
        }
        RETURN_IF_ERROR(refs.ToStatus());
        department.set_version(before->value.version() + 1);
        *department.mutable_update_time() = Stamp(clock_.Now());
        catalogue_.SaveDepartment(work, &*before, department);
        v1::DepartmentChanged event;
        *event.mutable_department() = department;
        Emit(work, resource, event);
        return Decision<v1::Department>{resource, department};
      });
}

// ---- inspectors ---------------------------------------------------------------------------

absl::StatusOr<v1::Inspector> CatalogueService::DoRegisterInspector(
    const Caller& caller, const v1::RegisterInspectorRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateInspector(v, "inspector.", request.inspector());
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::Inspector>(
      caller, "RegisterInspector", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::Inspector>> {
        v1::Inspector inspector = request.inspector();
        FieldViolations refs;
        CheckDepartmentRef(refs, "inspector.department.code", inspector.department().code());
        for (int i = 0; i < inspector.authorised_items_size(); ++i) {
          ASSIGN_OR_RETURN(auto head, catalogue_.items().FindHead(inspector.authorised_items(i)));
          if (!head) refs.Add(absl::StrCat("inspector.authorised_items[", i, "]"), "no such item");
        }
        ASSIGN_OR_RETURN(auto holder, catalogue_.InspectorWithCertificate(inspector.certificate().number()));
        if (holder) {
          refs.Add("inspector.certificate.number", absl::StrCat("held by inspectors/", *holder));
        }
        RETURN_IF_ERROR(refs.ToStatus());
        inspector.set_id(ids_.Next());
        inspector.set_status(v1::INSPECTOR_STATUS_ACTIVE);
        inspector.set_version(1);
        *inspector.mutable_update_time() = Stamp(clock_.Now());
        catalogue_.SaveInspector(work, nullptr, inspector);
        const std::string resource = absl::StrCat("inspectors/", inspector.id());
        v1::InspectorRegistered event;
        *event.mutable_inspector() = inspector;
        Emit(work, resource, event);
        return Decision<v1::Inspector>{resource, inspector};
      });
}

absl::StatusOr<v1::Inspector> CatalogueService::DoUpdateInspector(
    const Caller& caller, const v1::UpdateInspectorRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateInspector(v, "inspector.", request.inspector());
  if (!IsCode(request.inspector().id(), 1, 40)) v.Add("inspector.id", "is not an inspector id");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::Inspector>(
      caller, "UpdateInspector", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::Inspector>> {
        v1::Inspector inspector = request.inspector();
        const std::string resource = absl::StrCat("inspectors/", inspector.id());
        ASSIGN_OR_RETURN(auto before, catalogue_.FindInspector(inspector.id()));
        if (!before) return ResourceNotFound(resource);
        ASSIGN_OR_RETURN(v1::InspectorStatus status,
                         NextInspectorStatus(before->value.status(), InspectorAction::kUpdate,
                                             resource));
        FieldViolations refs;
        CheckDepartmentRef(refs, "inspector.department.code", inspector.department().code());
        for (int i = 0; i < inspector.authorised_items_size(); ++i) {
          ASSIGN_OR_RETURN(auto head, catalogue_.items().FindHead(inspector.authorised_items(i)));
          if (!head) refs.Add(absl::StrCat("inspector.authorised_items[", i, "]"), "no such item");
        }
        ASSIGN_OR_RETURN(auto holder, catalogue_.InspectorWithCertificate(inspector.certificate().number()));
        if (holder && *holder != inspector.id()) {
          refs.Add("inspector.certificate.number", absl::StrCat("held by inspectors/", *holder));
        }
        RETURN_IF_ERROR(refs.ToStatus());
        inspector.set_status(status);
        inspector.set_version(before->value.version() + 1);
        *inspector.mutable_update_time() = Stamp(clock_.Now());
        catalogue_.SaveInspector(work, &*before, inspector);
        v1::InspectorChanged event;
        *event.mutable_inspector() = inspector;
        event.set_previous_status(before->value.status());
        Emit(work, resource, event);
        return Decision<v1::Inspector>{resource, inspector};
      });
}

absl::StatusOr<v1::Inspector> CatalogueService::DoInspectorTransition(
    const Caller& caller, std::string_view method, InspectorAction action,
    const v1::InspectorTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  auto id = NameId("name", request.name(), "inspectors");
  if (!id.ok()) v.Add("name", "must be inspectors/{id}");
  CheckReason(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::Inspector>(
      caller, method, request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::Inspector>> {
        ASSIGN_OR_RETURN(auto before, catalogue_.FindInspector(*id));
        if (!before) return ResourceNotFound(request.name());
        ASSIGN_OR_RETURN(v1::InspectorStatus status,
                         NextInspectorStatus(before->value.status(), action, request.name()));
        v1::Inspector inspector = before->value;
        inspector.set_status(status);
        inspector.set_version(inspector.version() + 1);
        *inspector.mutable_update_time() = Stamp(clock_.Now());
        catalogue_.SaveInspector(work, &*before, inspector);
        v1::InspectorChanged event;
        *event.mutable_inspector() = inspector;
        event.set_previous_status(before->value.status());
        event.set_reason(request.reason());
        Emit(work, request.name(), event);
        return Decision<v1::Inspector>{request.name(), inspector};
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
    day = ToCivilDay(request.available_on());
    if (!day) v.Add("available_on", "is not a date");
  }
  RETURN_IF_ERROR(v.ToStatus());
  std::optional<ItemScope> scope;
  if (!request.authorised_item().empty()) {
    auto current = CurrentItem(request.authorised_item());
    if (absl::IsNotFound(current.status())) return InvalidField("authorised_item", "no such item");
    RETURN_IF_ERROR(current.status());
    scope = ItemScope{current->item().code(), current->item().parent_code(), current->item().field()};
  }
  const std::function<bool(const v1::Inspector&)> keep = [&](const v1::Inspector& inspector) {
    return (!day || IsAvailableOn(inspector, *day)) && (!scope || MayInspect(inspector, *scope));
  };
  ASSIGN_OR_RETURN(auto page, catalogue_.ListInspectors(request.department(), keep,
                                                        PageSize(request.page().page_size()),
                                                        request.page().page_token()));
  v1::ListInspectorsResponse response;
  for (auto& inspector : page.entries) *response.add_inspectors() = std::move(inspector);
  response.mutable_page()->set_next_page_token(page.next_page_token);
  return response;
}

// ---- items --------------------------------------------------------------------------------

absl::StatusOr<v1::ItemView> CatalogueService::DoCreateItem(const Caller& caller,
                                                            const v1::CreateItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateItem(v, "item.", request.item(), industries_);
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::ItemView>(
      caller, "CreateItem", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::ItemView>> {
        v1::RegulatoryItem item = request.item();
        const std::string resource = absl::StrCat("items/", item.code());
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.items().FindHead(item.code()));
        if (existing) refs.Add("item.code", absl::StrCat(resource, " already exists"));
        CheckItemParent(refs, "item.parent_code", item.code(), item.parent_code());
        for (int i = 0; i < item.owning_departments_size(); ++i) {
          CheckDepartmentRef(refs, absl::StrCat("item.owning_departments[", i, "].code"),
                             item.owning_departments(i).code());
        }
        RETURN_IF_ERROR(refs.ToStatus());
        v1::ItemView view;
        *view.mutable_lifecycle() = PutDraft(catalogue_.items(), work, item, clock_.Now());
        *view.mutable_item() = std::move(item);
        return Decision<v1::ItemView>{resource, view};
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoPublishItem(const Caller& caller,
                                                             const v1::PublishItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  auto code = NameId("name", request.name(), "items");
  if (!code.ok()) v.Add("name", "must be items/{code}");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::ItemView>(
      caller, "PublishItem", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::ItemView>> {
        ASSIGN_OR_RETURN(auto head, RequireHead(catalogue_.items(), *code, request.name()));
        v1::ItemView view;
        ASSIGN_OR_RETURN(*view.mutable_lifecycle(),
                         PutInForce(catalogue_.items(), work, head, *view.mutable_item(),
                                    request.name(), LifecycleAction::kPublish, clock_.Now()));
        v1::ItemPublished event;
        *event.mutable_item() = view.item();
        Emit(work, request.name(), event);
        return Decision<v1::ItemView>{request.name(), view};
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoReviseItem(const Caller& caller,
                                                            const v1::ReviseItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateItem(v, "item.", request.item(), industries_);
  if (request.item().revision_note().empty()) v.Add("item.revision_note", "say why it is revised");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::ItemView>(
      caller, "ReviseItem", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::ItemView>> {
        v1::RegulatoryItem item = request.item();
        const std::string resource = absl::StrCat("items/", item.code());
        ASSIGN_OR_RETURN(auto head, RequireHead(catalogue_.items(), item.code(), resource));
        RETURN_IF_ERROR(NextLifecycleState(head.value.state(), LifecycleAction::kRevise, resource).status());
        FieldViolations refs;
        CheckItemParent(refs, "item.parent_code", item.code(), item.parent_code());
        for (int i = 0; i < item.owning_departments_size(); ++i) {
          CheckDepartmentRef(refs, absl::StrCat("item.owning_departments[", i, "].code"),
                             item.owning_departments(i).code());
        }
        RETURN_IF_ERROR(refs.ToStatus());
        v1::ItemView view;
        ASSIGN_OR_RETURN(*view.mutable_lifecycle(),
                         PutInForce(catalogue_.items(), work, head, item, resource,
                                    LifecycleAction::kRevise, clock_.Now()));
        v1::ItemRevised event;
        *event.mutable_item() = item;
        event.set_previous_version(head.value.published_version());
        Emit(work, resource, event);
        *view.mutable_item() = std::move(item);
        return Decision<v1::ItemView>{resource, view};
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoAbolishItem(const Caller& caller,
                                                             const v1::AbolishItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  auto code = NameId("name", request.name(), "items");
  if (!code.ok()) v.Add("name", "must be items/{code}");
  CheckReason(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::ItemView>(
      caller, "AbolishItem", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::ItemView>> {
        ASSIGN_OR_RETURN(auto head, RequireHead(catalogue_.items(), *code, request.name()));
        ASSIGN_OR_RETURN(v1::LifecycleState next,
                         NextLifecycleState(head.value.state(), LifecycleAction::kAbolish,
                                            request.name()));
        v1::ItemView view;
        *view.mutable_lifecycle() = head.value;
        view.mutable_lifecycle()->set_state(next);
        view.mutable_lifecycle()->set_abolish_reason(request.reason());
        *view.mutable_lifecycle()->mutable_update_time() = Stamp(clock_.Now());
        catalogue_.items().SaveHead(work, &head, view.lifecycle());
        ASSIGN_OR_RETURN(auto last, catalogue_.items().FindVersion(*code, head.value.published_version()));
        if (last) *view.mutable_item() = std::move(*last);
        v1::ItemAbolished event;
        event.set_code(*code);
        event.set_last_version(head.value.published_version());
        event.set_reason(request.reason());
        Emit(work, request.name(), event);
        return Decision<v1::ItemView>{request.name(), view};
      });
}

absl::StatusOr<v1::ItemClaim> CatalogueService::DoClaimItem(const Caller& caller,
                                                            const v1::ClaimItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  auto code = NameId("name", request.name(), "items");
  if (!code.ok()) v.Add("name", "must be items/{code}");
  if (!IsCode(request.department().code())) v.Add("department.code", "is not a department code");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::ItemClaim>(
      caller, "ClaimItem", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::ItemClaim>> {
        ASSIGN_OR_RETURN(v1::ItemView current, CurrentItem(*code));
        if (!InForce(current.lifecycle().state())) {
          return FailedPrecondition(request.name(), "only an item in force can be claimed");
        }
        FieldViolations refs;
        CheckDepartmentRef(refs, "department.code", request.department().code());
        RETURN_IF_ERROR(refs.ToStatus());
        ASSIGN_OR_RETURN(auto department, catalogue_.FindDepartment(request.department().code()));
        if (department->value.level() <= current.item().level()) {
          return InvalidField("department.code",
                              "only a department below the item's level claims it");
        }
        ASSIGN_OR_RETURN(std::vector<v1::ItemClaim> claims, catalogue_.ClaimsOf(*code));
        for (const v1::ItemClaim& claim : claims) {
          if (claim.department().code() == request.department().code()) {
            return FailedPrecondition(request.name(), "already claimed by this department");
          }
        }
        v1::ItemClaim claim;
        claim.set_item_code(*code);
        *claim.mutable_department() = request.department();
        *claim.mutable_region() = department->value.region();
        claim.set_item_version(current.item().version());
        *claim.mutable_claim_time() = Stamp(clock_.Now());
        catalogue_.SaveClaim(work, claim);
        v1::ItemClaimed event;
        *event.mutable_claim() = claim;
        Emit(work, request.name(), event);
        return Decision<v1::ItemClaim>{request.name(), claim};
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoGetItem(const v1::GetItemRequest& request) const {
  FieldViolations v;
  auto code = NameId("name", request.name(), "items");
  if (!code.ok()) v.Add("name", "must be items/{code}");
  if (request.version() < 0) v.Add("version", "must not be negative");
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto pair, ReadVersion(catalogue_.items(), *code, request.version(), request.name()));
  v1::ItemView view;
  *view.mutable_item() = std::move(pair.first);
  *view.mutable_lifecycle() = std::move(pair.second);
  return view;
}

absl::StatusOr<v1::ListApplicableItemsResponse> CatalogueService::DoListApplicableItems(
    const v1::ListApplicableItemsRequest& request) const {
  const v1::SubjectAttributes& subject = request.subject();
  FieldViolations v;
  if (!v1::SubjectType_IsValid(subject.type()) || subject.type() == v1::SUBJECT_TYPE_UNSPECIFIED) {
    v.Add("subject.type", "is not a known subject type");
  }
  if (!industries_.Contains(subject.industry().code())) {
    v.Add("subject.industry.code", "is not a GB/T 4754-2017 code");
  }
  if (!regions_.Contains(subject.region().code())) {
    v.Add("subject.region.code", "is not a GB/T 2260 region code");
  }
  ValidateTextList(v, "subject.licence_kinds", subject.licence_kinds(), Limits::kSubjectEntries, 100);
  ValidateTextList(v, "subject.tags", subject.tags(), Limits::kSubjectEntries, Limits::kShort);
  RETURN_IF_ERROR(v.ToStatus());

  SubjectFacts facts{.type = subject.type(), .region = subject.region().code()};
  facts.industry_chain.insert(subject.industry().code());
  ASSIGN_OR_RETURN(auto ancestors, industries_.Ancestors(subject.industry().code()));
  for (const CodeEntry* entry : ancestors) facts.industry_chain.insert(entry->code);
  facts.licence_kinds.insert(subject.licence_kinds().begin(), subject.licence_kinds().end());
  facts.tags.insert(subject.tags().begin(), subject.tags().end());

  ASSIGN_OR_RETURN(std::vector<v1::ItemClaim> claims, catalogue_.AllClaims());
  std::map<std::string, v1::Level, std::less<>> levels;
  const auto level_of = [&](std::string_view code) {
    auto it = levels.find(code);
    if (it != levels.end()) return it->second;
    auto found = catalogue_.FindDepartment(code);
    const v1::Level level = found.ok() && *found ? (*found)->value.level() : v1::LEVEL_UNSPECIFIED;
    levels.emplace(std::string(code), level);
    return level;
  };

  v1::ListApplicableItemsResponse response;
  std::set<std::string> departments;
  std::string token;
  do {
    ASSIGN_OR_RETURN(auto page, catalogue_.items().ListHeads(
                                    [](const v1::Lifecycle& head) { return InForce(head.state()); },
                                    kMaxPageSize, token));
    for (const v1::Lifecycle& head : page.entries) {
      ASSIGN_OR_RETURN(auto item, catalogue_.items().FindVersion(head.code(), head.published_version()));
      if (!item || !Applies(*item, facts)) continue;
      v1::ApplicableItem* out = response.add_items();
      out->set_code(item->code());
      out->set_version(item->version());
      out->set_name(item->name());
      out->set_category(item->category());
      out->set_field(item->field());
      for (const std::string& code : ResponsibleDepartments(*item, claims, level_of, facts.region)) {
        out->add_departments()->set_code(code);
        departments.insert(code);
      }
    }
    token = page.next_page_token;
  } while (!token.empty());
  for (const std::string& code : departments) response.add_departments()->set_code(code);
  return response;
}

// ---- forms --------------------------------------------------------------------------------

absl::Status CatalogueService::ResolveForm(FieldViolations& v, v1::FormTemplate& form) const {
  std::vector<v1::RegulatoryItem> items;
  items.reserve(form.sections_size());
  for (int i = 0; i < form.sections_size(); ++i) {
    auto current = CurrentItem(form.sections(i).item_code());
    const std::string field = absl::StrCat("form.sections[", i, "].item_code");
    if (absl::IsNotFound(current.status())) {
      v.Add(field, "no such item");
    } else if (!current.ok()) {
      return current.status();
    } else if (!InForce(current->lifecycle().state())) {
      v.Add(field, "the item is not in force");
    } else {
      items.push_back(std::move(*current->mutable_item()));
      continue;
    }
    return absl::OkStatus();  // the sections after a bad one cannot be lined up; named above
  }
  std::vector<const v1::RegulatoryItem*> pointers;
  for (const auto& item : items) pointers.push_back(&item);
  form.clear_check_points();
  for (auto& point : ResolveFormCheckPoints(v, "form.", form, pointers)) {
    *form.add_check_points() = std::move(point);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::FormView> CatalogueService::DoCreateForm(const Caller& caller,
                                                            const v1::CreateFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateForm(v, "form.", request.form());
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::FormView>(
      caller, "CreateForm", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::FormView>> {
        v1::FormTemplate form = request.form();
        const std::string resource = absl::StrCat("forms/", form.code());
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.forms().FindHead(form.code()));
        if (existing) refs.Add("form.code", absl::StrCat(resource, " already exists"));
        for (int i = 0; i < form.departments_size(); ++i) {
          CheckDepartmentRef(refs, absl::StrCat("form.departments[", i, "].code"),
                             form.departments(i).code());
        }
        RETURN_IF_ERROR(ResolveForm(refs, form));
        RETURN_IF_ERROR(refs.ToStatus());
        v1::FormView view;
        *view.mutable_lifecycle() = PutDraft(catalogue_.forms(), work, form, clock_.Now());
        *view.mutable_form() = std::move(form);
        return Decision<v1::FormView>{resource, view};
      });
}

absl::StatusOr<v1::FormView> CatalogueService::DoPublishForm(const Caller& caller,
                                                             const v1::PublishFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  auto code = NameId("name", request.name(), "forms");
  if (!code.ok()) v.Add("name", "must be forms/{code}");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::FormView>(
      caller, "PublishForm", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::FormView>> {
        ASSIGN_OR_RETURN(auto head, RequireHead(catalogue_.forms(), *code, request.name()));
        v1::FormView view;
        ASSIGN_OR_RETURN(*view.mutable_lifecycle(),
                         PutInForce(catalogue_.forms(), work, head, *view.mutable_form(),
                                    request.name(), LifecycleAction::kPublish, clock_.Now()));
        v1::FormPublished event;
        *event.mutable_form() = view.form();
        Emit(work, request.name(), event);
        return Decision<v1::FormView>{request.name(), view};
      });
}

absl::StatusOr<v1::FormView> CatalogueService::DoReviseForm(const Caller& caller,
                                                            const v1::ReviseFormRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateForm(v, "form.", request.form());
  if (request.form().revision_note().empty()) v.Add("form.revision_note", "say why it is revised");
  RETURN_IF_ERROR(v.ToStatus());
  return Write<v1::FormView>(
      caller, "ReviseForm", request.request_id(), request,
      [&](store::UnitOfWork& work) -> absl::StatusOr<Decision<v1::FormView>> {
        v1::FormTemplate form = request.form();
        const std::string resource = absl::StrCat("forms/", form.code());
        ASSIGN_OR_RETURN(auto head, RequireHead(catalogue_.forms(), form.code(), resource));
        RETURN_IF_ERROR(NextLifecycleState(head.value.state(), LifecycleAction::kRevise, resource).status());
        FieldViolations refs;
        for (int i = 0; i < form.departments_size(); ++i) {
          CheckDepartmentRef(refs, absl::StrCat("form.departments[", i, "].code"),
                             form.departments(i).code());
        }
        RETURN_IF_ERROR(ResolveForm(refs, form));
        RETURN_IF_ERROR(refs.ToStatus());
        v1::FormView view;
        ASSIGN_OR_RETURN(*view.mutable_lifecycle(),
                         PutInForce(catalogue_.forms(), work, head, form, resource,
                                    LifecycleAction::kRevise, clock_.Now()));
        v1::FormPublished event;
        *event.mutable_form() = form;
        event.set_previous_version(head.value.published_version());
        Emit(work, resource, event);
        *view.mutable_form() = std::move(form);
        return Decision<v1::FormView>{resource, view};
      });
}

// ---- RPCs ---------------------------------------------------------------------------------

grpc::Status CatalogueService::CreateDepartment(grpc::ServerContext* context,
                                                const v1::CreateDepartmentRequest* request,
                                                v1::Department* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCreateDepartment(c, *request); });
}

grpc::Status CatalogueService::UpdateDepartment(grpc::ServerContext* context,
                                                const v1::UpdateDepartmentRequest* request,
                                                v1::Department* response) {
  return Serve(context, response, [&](const Caller& c) { return DoUpdateDepartment(c, *request); });
}

grpc::Status CatalogueService::GetDepartment(grpc::ServerContext* context,
                                             const v1::GetDepartmentRequest* request,
                                             v1::Department* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::Department> {
    ASSIGN_OR_RETURN(std::string code, NameId("name", request->name(), "departments"));
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
    const std::function<bool(const v1::Department&)> keep = [&](const v1::Department& d) {
      return d.region().code().rfind(request->region_prefix(), 0) == 0 &&
             (request->level() == v1::LEVEL_UNSPECIFIED || d.level() == request->level());
    };
    ASSIGN_OR_RETURN(auto page, catalogue_.ListDepartments(keep, PageSize(request->page().page_size()),
                                                           request->page().page_token()));
    v1::ListDepartmentsResponse out;
    for (auto& d : page.entries) *out.add_departments() = std::move(d);
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status CatalogueService::RegisterInspector(grpc::ServerContext* context,
                                                 const v1::RegisterInspectorRequest* request,
                                                 v1::Inspector* response) {
  return Serve(context, response, [&](const Caller& c) { return DoRegisterInspector(c, *request); });
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
    ASSIGN_OR_RETURN(std::string id, NameId("name", request->name(), "inspectors"));
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

grpc::Status CatalogueService::CreateItem(grpc::ServerContext* context,
                                          const v1::CreateItemRequest* request,
                                          v1::ItemView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCreateItem(c, *request); });
}

grpc::Status CatalogueService::PublishItem(grpc::ServerContext* context,
                                           const v1::PublishItemRequest* request,
                                           v1::ItemView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoPublishItem(c, *request); });
}

grpc::Status CatalogueService::ReviseItem(grpc::ServerContext* context,
                                          const v1::ReviseItemRequest* request,
                                          v1::ItemView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoReviseItem(c, *request); });
}

grpc::Status CatalogueService::AbolishItem(grpc::ServerContext* context,
                                           const v1::AbolishItemRequest* request,
                                           v1::ItemView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoAbolishItem(c, *request); });
}

grpc::Status CatalogueService::ClaimItem(grpc::ServerContext* context,
                                         const v1::ClaimItemRequest* request,
                                         v1::ItemClaim* response) {
  return Serve(context, response, [&](const Caller& c) { return DoClaimItem(c, *request); });
}

grpc::Status CatalogueService::GetItem(grpc::ServerContext* context,
                                       const v1::GetItemRequest* request, v1::ItemView* response) {
  return ServeRead(context, response, [&]() { return DoGetItem(*request); });
}

grpc::Status CatalogueService::ListItems(grpc::ServerContext* context,
                                         const v1::ListItemsRequest* request,
                                         v1::ListItemsResponse* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::ListItemsResponse> {
    FieldViolations v;
    if (!request->department().empty() && !IsCode(request->department())) {
      v.Add("department", "is not a department code");
    }
    if (!v1::ItemCategory_IsValid(request->category())) v.Add("category", "is not a known category");
    if (!v1::LifecycleState_IsValid(request->state())) v.Add("state", "is not a known state");
    RETURN_IF_ERROR(v.ToStatus());
    v1::ListItemsResponse out;
    const std::function<bool(const v1::Lifecycle&)> keep = [&](const v1::Lifecycle& head) {
      if (request->state() != v1::LIFECYCLE_STATE_UNSPECIFIED && head.state() != request->state()) {
        return false;
      }
      auto current = CurrentItem(head.code());
      if (!current.ok()) return false;
      const v1::RegulatoryItem& item = current->item();
      const bool owned = request->department().empty() ||
                         std::any_of(item.owning_departments().begin(),
                                     item.owning_departments().end(),
                                     [&](const auto& d) { return d.code() == request->department(); });
      if (!owned || (request->category() != v1::ITEM_CATEGORY_UNSPECIFIED &&
                     item.category() != request->category())) {
        return false;
      }
      *out.add_items() = std::move(*current);
      return true;
    };
    ASSIGN_OR_RETURN(auto page, catalogue_.items().ListHeads(keep, PageSize(request->page().page_size()),
                                                             request->page().page_token()));
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status CatalogueService::ListApplicableItems(grpc::ServerContext* context,
                                                   const v1::ListApplicableItemsRequest* request,
                                                   v1::ListApplicableItemsResponse* response) {
  return ServeRead(context, response, [&]() { return DoListApplicableItems(*request); });
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
    ASSIGN_OR_RETURN(std::string code, NameId("name", request->name(), "forms"));
    if (request->version() < 0) return InvalidField("version", "must not be negative");
    ASSIGN_OR_RETURN(auto pair, ReadVersion(catalogue_.forms(), code, request->version(), request->name()));
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
    v1::ListFormsResponse out;
    const std::function<bool(const v1::Lifecycle&)> keep = [&](const v1::Lifecycle& head) {
      auto pair = ReadVersion(catalogue_.forms(), head.code(), 0, head.code());
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
    ASSIGN_OR_RETURN(auto page, catalogue_.forms().ListHeads(keep, PageSize(request->page().page_size()),
                                                             request->page().page_token()));
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status CatalogueService::ImportCatalogue(grpc::ServerContext* context,
                                               const v1::ImportCatalogueRequest* request,
                                               v1::ImportCatalogueResponse* response) {
  return Serve(context, response, [&](const Caller& c) { return DoImport(c, *request); });
}

}  // namespace jianguan::catalogue
