// Inspectors (执法人员) in the domain: when one is available, which items they may inspect,
// and what a registration, an update or a status change makes of the record.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "services/catalogue/domain/lifecycle.h"

namespace jianguan::catalogue {

/// Available on `day`: active, and the certificate is valid that day (valid_from ≤ day ≤
/// valid_until, both inclusive). A suspended or retired inspector, or one whose certificate
/// has expired or is not yet valid, is never available.
bool IsAvailableOn(const v1::Inspector& inspector, absl::CivilDay day);

/// The item as far as authorisation needs it.
struct ItemScope {
  std::string code;
  std::string parent_code;
  std::string field;
};

/// The inspector is authorised for the item: its code or its main item's code is among the
/// authorised items, or its field among the authorised fields.
bool MayInspect(const v1::Inspector& inspector, const ItemScope& item);

/// A newly registered inspector: id `id`, active, version 1, updated now.
v1::Inspector Registered(v1::Inspector inspector, std::string id, absl::Time now);

/// `after` replacing `before`'s details: the status stays, the version moves on; or
/// FAILED_PRECONDITION naming `resource` when `before` is retired.
absl::StatusOr<v1::Inspector> Updated(const v1::Inspector& before, v1::Inspector after,
                                      absl::Time now, std::string_view resource);

/// `before` after a status change `action` (suspend, reinstate, retire), or
/// FAILED_PRECONDITION naming `resource` when the status forbids it.
absl::StatusOr<v1::Inspector> Transitioned(const v1::Inspector& before, InspectorAction action,
                                           absl::Time now, std::string_view resource);

}  // namespace jianguan::catalogue
