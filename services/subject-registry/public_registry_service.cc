#include "services/subject-registry/public_registry_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/uscc.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/subject-registry/domain/public_listing.h"

namespace jianguan::subject {
namespace {

absl::Status CheckListRequest(const v1::ListPublicListingsRequest& request) {
  FieldViolations v;
  if (StatusOfList(request.list()) == v1::SUBJECT_STATUS_UNSPECIFIED) {
    v.Add("list", "must be PUBLIC_LIST_ABNORMAL_OPERATION or PUBLIC_LIST_SERIOUS_VIOLATION");
  }
  const std::string& prefix = request.region_prefix();
  if (prefix.size() > 6 ||
      !std::all_of(prefix.begin(), prefix.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    v.Add("region_prefix", "must be at most 6 digits of a GB/T 2260 code");
  }
  return v.ToStatus();
}

}  // namespace

grpc::Status PublicRegistryService::ListPublicListings(
    grpc::ServerContext* context, const v1::ListPublicListingsRequest* request,
    v1::ListPublicListingsResponse* response) {
  using Response = v1::ListPublicListingsResponse;
  return ServeRead(context, response, [&]() -> absl::StatusOr<Response> {
    RETURN_IF_ERROR(CheckListRequest(*request));
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    page_size = std::min(page_size, kMaxPublicPageSize);
    const ListFilter filter{.region_prefix = request->region_prefix(),
                            .status = StatusOfList(request->list())};
    ASSIGN_OR_RETURN(SubjectPage page,
                     subjects_.List(filter, page_size, request->page().page_token()));
    Response out;
    for (const v1::Subject& subject : page.subjects) {
      // The index and the record are written in one unit of work, so a subject found under
      // the list's status is on the list; the check keeps a record that says otherwise out.
      std::optional<v1::PublicListing> listing = PublicListingOf(subject);
      if (listing.has_value() && listing->list() == request->list()) {
        *out.add_listings() = *std::move(listing);
      }
    }
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status PublicRegistryService::GetPublicListing(grpc::ServerContext* context,
                                                     const v1::GetPublicListingRequest* request,
                                                     v1::PublicListing* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::PublicListing> {
    if (absl::Status status = ValidateUscc(request->uscc()); !status.ok()) {
      return InvalidField("uscc", StdView(status.message()));
    }
    ASSIGN_OR_RETURN(std::optional<StoredSubject> stored, subjects_.Find(request->uscc()));
    std::optional<v1::PublicListing> listing;
    if (stored.has_value()) listing = PublicListingOf(stored->subject);
    // Unknown and not listed read the same: the public learns nothing of who is registered.
    if (!listing.has_value()) {
      return absl::NotFoundError(
          absl::StrCat(ResourceName("subjects", request->uscc()),
                       " is on neither public list"));
    }
    return *std::move(listing);
  });
}

}  // namespace jianguan::subject
