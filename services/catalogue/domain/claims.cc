#include "services/catalogue/domain/claims.h"

#include "libs/core/field_violations.h"
#include "services/catalogue/domain/lifecycle.h"
#include "services/catalogue/domain/timestamps.h"

namespace jianguan::catalogue {

absl::Status CheckClaimable(const v1::ItemView& item, std::string_view resource) {
  if (InForce(item.lifecycle().state())) return absl::OkStatus();
  return FailedPrecondition(resource, "only an item in force can be claimed");
}

absl::StatusOr<v1::ItemClaim> DecideClaim(const v1::ItemView& item,
                                          const v1::Department& department,
                                          const std::vector<v1::ItemClaim>& claims,
                                          absl::Time now, std::string_view resource) {
  if (department.level() <= item.item().level()) {
    return InvalidField("department.code", "only a department below the item's level claims it");
  }
  for (const v1::ItemClaim& claim : claims) {
    if (claim.department().code() == department.code()) {
      return FailedPrecondition(resource, "already claimed by this department");
    }
  }
  v1::ItemClaim claim;
  claim.set_item_code(item.item().code());
  claim.mutable_department()->set_code(department.code());
  *claim.mutable_region() = department.region();
  claim.set_item_version(item.item().version());
  *claim.mutable_claim_time() = StampOf(now);
  return claim;
}

}  // namespace jianguan::catalogue
