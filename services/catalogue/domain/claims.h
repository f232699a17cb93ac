// Claims (认领) in the domain: a department below an item's level takes on an item in force
// for its own region; "who supervises me" then names the most local claimant.
//
// Pure function of its arguments; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"

namespace jianguan::catalogue {

/// OK when `item` may be claimed at all: it is in force; else FAILED_PRECONDITION naming
/// `resource`. Asked before the claimant is looked at.
absl::Status CheckClaimable(const v1::ItemView& item, std::string_view resource);

/// The claim of `item` (as it stands now) by `department` (active, checked by the caller),
/// or: FAILED_PRECONDITION naming `resource` when the department claimed it already
/// (`claims` are the item's claims); INVALID_ARGUMENT on "department.code" when the
/// department is not below the item's level.
absl::StatusOr<v1::ItemClaim> DecideClaim(const v1::ItemView& item,
                                          const v1::Department& department,
                                          const std::vector<v1::ItemClaim>& claims,
                                          absl::Time now, std::string_view resource);

}  // namespace jianguan::catalogue
