// The PublicRegistry handler (企业信用信息公示): the abnormal operation and serious violation
// lists, read-only, for anyone. ServiceHost serves it on the public listener only
// (AddPublicService, --public_port), where no caller is authenticated, so nothing here
// depends on who calls; what a listing shows is decided in domain/public_listing.h.
//
// Thread-safe: all state is in the store.
#pragma once

#include "jianguan/subject/v1/public.grpc.pb.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject {

class PublicRegistryService final : public v1::PublicRegistry::Service {
 public:
  /// `subjects` must outlive the service.
  explicit PublicRegistryService(const SubjectStore& subjects) : subjects_(subjects) {}

  grpc::Status ListPublicListings(grpc::ServerContext* context,
                                  const v1::ListPublicListingsRequest* request,
                                  v1::ListPublicListingsResponse* response) override;
  grpc::Status GetPublicListing(grpc::ServerContext* context,
                                const v1::GetPublicListingRequest* request,
                                v1::PublicListing* response) override;

  /// The largest page the public gets: a public endpoint answers small pages.
  static constexpr int kMaxPublicPageSize = 200;

 private:
  const SubjectStore& subjects_;
};

}  // namespace jianguan::subject
