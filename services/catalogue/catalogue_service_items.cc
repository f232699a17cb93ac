// CatalogueService: regulatory items (监管事项) — create a draft, publish, revise, abolish,
// claim (认领), read, list, and "who supervises me" (谁监管我). The lifecycle and the version
// each step writes are decided in domain/lifecycle.h; a claim in domain/claims.h.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/domain/applicability.h"
#include "services/catalogue/domain/claims.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

absl::StatusOr<v1::ItemView> CatalogueService::DoCreateItem(const Caller& caller,
                                                            const v1::CreateItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateItem(v, "item.", request.item(), industries_);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::ItemView>(
      {.caller = caller, .method = methods_("CreateItem"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::ItemView>> {
        const v1::RegulatoryItem& item = request.item();
        Decision<v1::ItemView> d{.resource = ResourceName("items", item.code())};
        FieldViolations refs;
        ASSIGN_OR_RETURN(auto existing, catalogue_.items().FindHead(item.code()));
        if (existing) refs.Add("item.code", absl::StrCat(d.resource, " already exists"));
        CheckItemParent(refs, "item.parent_code", item.code(), item.parent_code());
        CheckDepartmentRefs(refs, "item.owning_departments", item.owning_departments());
        RETURN_IF_ERROR(refs.ToStatus());
        VersionStep<v1::RegulatoryItem> step = FirstDraft(item, clock_.Now());
        catalogue_.items().SaveStep(d.work, nullptr, step, nullptr);
        *d.response.mutable_lifecycle() = std::move(step.head);
        *d.response.mutable_item() = std::move(step.version);
        return d;
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoPublishItem(
    const Caller& caller, const v1::PublishItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string code =
      ParseResourceName(v, "name", request.name(), "items", IsResourceId, "code");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::ItemView>(
      {.caller = caller, .method = methods_("PublishItem"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::ItemView>> {
        ASSIGN_OR_RETURN(auto head, catalogue_.items().RequireHead(code, request.name()));
        ASSIGN_OR_RETURN(v1::RegulatoryItem draft,
                         catalogue_.items().LatestVersion(head.value, request.name()));
        ASSIGN_OR_RETURN(auto step, PutInForce(head.value, LifecycleAction::kPublish, draft,
                                               clock_.Now(), request.name()));
        Decision<v1::ItemView> d{.resource = request.name()};
        catalogue_.items().SaveStep(d.work, &head, step, &draft);
        v1::ItemPublished event;
        *event.mutable_item() = step.version;
        emitter_.Emit(d.work, request.name(), event);
        *d.response.mutable_lifecycle() = std::move(step.head);
        *d.response.mutable_item() = std::move(step.version);
        return d;
      });
}

absl::StatusOr<v1::ItemView> CatalogueService::DoReviseItem(const Caller& caller,
                                                            const v1::ReviseItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  ValidateItem(v, "item.", request.item(), industries_);
  if (request.item().revision_note().empty()) v.Add("item.revision_note", "say why it is revised");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::ItemView>(
      {.caller = caller, .method = methods_("ReviseItem"), .request_id = request.request_id(),
       .request = request},
      [&]() { return DecideItemRevision(request); });
}

absl::StatusOr<Decision<v1::ItemView>> CatalogueService::DecideItemRevision(
    const v1::ReviseItemRequest& request) {
  const v1::RegulatoryItem& item = request.item();
  Decision<v1::ItemView> d{.resource = ResourceName("items", item.code())};
  ASSIGN_OR_RETURN(auto head, catalogue_.items().RequireHead(item.code(), d.resource));
  RETURN_IF_ERROR(
      NextLifecycleState(head.value.state(), LifecycleAction::kRevise, d.resource).status());
  FieldViolations refs;
  CheckItemParent(refs, "item.parent_code", item.code(), item.parent_code());
  CheckDepartmentRefs(refs, "item.owning_departments", item.owning_departments());
  RETURN_IF_ERROR(refs.ToStatus());
  ASSIGN_OR_RETURN(auto step, PutInForce(head.value, LifecycleAction::kRevise, item,
                                         clock_.Now(), d.resource));
  catalogue_.items().SaveStep(d.work, &head, step, nullptr);
  v1::ItemRevised event;
  *event.mutable_item() = step.version;
  event.set_previous_version(head.value.published_version());
  emitter_.Emit(d.work, d.resource, event);
  *d.response.mutable_lifecycle() = std::move(step.head);
  *d.response.mutable_item() = std::move(step.version);
  return d;
}

absl::StatusOr<v1::ItemView> CatalogueService::DoAbolishItem(
    const Caller& caller, const v1::AbolishItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string code =
      ParseResourceName(v, "name", request.name(), "items", IsResourceId, "code");
  ValidateReason(v, request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::ItemView>(
      {.caller = caller, .method = methods_("AbolishItem"), .request_id = request.request_id(),
       .request = request},
      [&]() -> absl::StatusOr<Decision<v1::ItemView>> {
        ASSIGN_OR_RETURN(auto head, catalogue_.items().RequireHead(code, request.name()));
        Decision<v1::ItemView> d{.resource = request.name()};
        ASSIGN_OR_RETURN(*d.response.mutable_lifecycle(),
                         Abolished(head.value, request.reason(), clock_.Now(), request.name()));
        catalogue_.items().SaveHead(d.work, &head, d.response.lifecycle());
        ASSIGN_OR_RETURN(auto last,
                         catalogue_.items().FindVersion(code, head.value.published_version()));
        if (last) *d.response.mutable_item() = std::move(*last);
        v1::ItemAbolished event;
        event.set_code(code);
        event.set_last_version(head.value.published_version());
        event.set_reason(request.reason());
        emitter_.Emit(d.work, request.name(), event);
        return d;
      });
}

absl::StatusOr<v1::ItemClaim> CatalogueService::DoClaimItem(const Caller& caller,
                                                            const v1::ClaimItemRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string code =
      ParseResourceName(v, "name", request.name(), "items", IsResourceId, "code");
  if (!IsCode(request.department().code())) v.Add("department.code", "is not a department code");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::ItemClaim>(
      {.caller = caller, .method = methods_("ClaimItem"), .request_id = request.request_id(),
       .request = request},
      [&]() { return DecideItemClaim(request, code); });
}

absl::StatusOr<Decision<v1::ItemClaim>> CatalogueService::DecideItemClaim(
    const v1::ClaimItemRequest& request, std::string_view code) {
  ASSIGN_OR_RETURN(v1::ItemView current, CurrentItem(code));
  RETURN_IF_ERROR(CheckClaimable(current, request.name()));
  FieldViolations refs;
  CheckDepartmentRef(refs, "department.code", request.department().code());
  RETURN_IF_ERROR(refs.ToStatus());
  ASSIGN_OR_RETURN(auto department, catalogue_.FindDepartment(request.department().code()));
  ASSIGN_OR_RETURN(std::vector<v1::ItemClaim> claims, catalogue_.ClaimsOf(code));
  Decision<v1::ItemClaim> d{.resource = request.name()};
  ASSIGN_OR_RETURN(d.response, DecideClaim(current, department->value, claims,
                                                      clock_.Now(), request.name()));
  catalogue_.SaveClaim(d.work, d.response);
  v1::ItemClaimed event;
  *event.mutable_claim() = d.response;
  emitter_.Emit(d.work, request.name(), event);
  return d;
}

absl::StatusOr<v1::ItemView> CatalogueService::DoGetItem(const v1::GetItemRequest& request) const {
  FieldViolations v;
  const std::string code =
      ParseResourceName(v, "name", request.name(), "items", IsResourceId, "code");
  if (request.version() < 0) v.Add("version", "must not be negative");
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto pair,
                   catalogue_.items().ReadVersion(code, request.version(), request.name()));
  v1::ItemView view;
  *view.mutable_item() = std::move(pair.first);
  *view.mutable_lifecycle() = std::move(pair.second);
  return view;
}

absl::StatusOr<v1::ListApplicableItemsResponse> CatalogueService::DoListApplicableItems(
    const v1::ListApplicableItemsRequest& request) const {
  FieldViolations v;
  ValidateSubjectAttributes(v, request.subject(), regions_, industries_);
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(SubjectFacts facts, SubjectFactsOf(request.subject(), industries_));
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
      ASSIGN_OR_RETURN(auto item,
                       catalogue_.items().FindVersion(head.code(), head.published_version()));
      if (!item || !Applies(*item, facts)) continue;
      const std::vector<std::string> responsible =
          ResponsibleDepartments(*item, claims, level_of, facts.region);
      *response.add_items() = ApplicableEntry(*item, responsible);
      departments.insert(responsible.begin(), responsible.end());
    }
    token = page.next_page_token;
  } while (!token.empty());
  for (const std::string& code : departments) response.add_departments()->set_code(code);
  return response;
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
    if (!v1::ItemCategory_IsValid(request->category())) {
      v.Add("category", "is not a known category");
    }
    if (!v1::LifecycleState_IsValid(request->state())) v.Add("state", "is not a known state");
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    v1::ListItemsResponse out;
    const std::function<bool(const v1::Lifecycle&)> keep = [&](const v1::Lifecycle& head) {
      if (request->state() != v1::LIFECYCLE_STATE_UNSPECIFIED && head.state() != request->state()) {
        return false;
      }
      auto current = CurrentItem(head.code());
      if (!current.ok()) return false;
      const auto& owners = current->item().owning_departments();
      const bool owned = request->department().empty() ||
                         std::any_of(owners.begin(), owners.end(), [&](const auto& d) {
                           return d.code() == request->department();
                         });
      if (!owned || (request->category() != v1::ITEM_CATEGORY_UNSPECIFIED &&
                     current->item().category() != request->category())) {
        return false;
      }
      *out.add_items() = std::move(*current);
      return true;
    };
    ASSIGN_OR_RETURN(auto page,
                     catalogue_.items().ListHeads(keep, page_size, request->page().page_token()));
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status CatalogueService::ListApplicableItems(grpc::ServerContext* context,
                                                   const v1::ListApplicableItemsRequest* request,
                                                   v1::ListApplicableItemsResponse* response) {
  return ServeRead(context, response, [&]() { return DoListApplicableItems(*request); });
}

}  // namespace jianguan::catalogue
