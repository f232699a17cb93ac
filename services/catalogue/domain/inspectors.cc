#include "services/catalogue/domain/inspectors.h"

#include <algorithm>

#include "libs/core/civil_date.h"

namespace jianguan::catalogue {

bool IsAvailableOn(const v1::Inspector& inspector, absl::CivilDay day) {
  if (inspector.status() != v1::INSPECTOR_STATUS_ACTIVE) return false;
  const auto from = ValidDayOf(inspector.certificate().valid_from());
  const auto until = ValidDayOf(inspector.certificate().valid_until());
  return from && until && *from <= day && day <= *until;
}

bool MayInspect(const v1::Inspector& inspector, const ItemScope& item) {
  for (const std::string& code : inspector.authorised_items()) {
    if (code == item.code || (!item.parent_code.empty() && code == item.parent_code)) return true;
  }
  return !item.field.empty() &&
         std::find(inspector.authorised_fields().begin(), inspector.authorised_fields().end(),
                   item.field) != inspector.authorised_fields().end();
}
v1::Inspector Registered(v1::Inspector inspector, std::string id, absl::Time now) {
  inspector.set_id(std::move(id));
  inspector.set_status(v1::INSPECTOR_STATUS_ACTIVE);
  inspector.set_version(1);
  *inspector.mutable_update_time() = StampOf(now);
  return inspector;
}

absl::StatusOr<v1::Inspector> Updated(const v1::Inspector& before, v1::Inspector after,
                                      absl::Time now, std::string_view resource) {
  absl::StatusOr<v1::InspectorStatus> status =
      NextInspectorStatus(before.status(), InspectorAction::kUpdate, resource);
  if (!status.ok()) return status.status();
  after.set_status(*status);
  after.set_version(before.version() + 1);
  *after.mutable_update_time() = StampOf(now);
  return after;
}

absl::StatusOr<v1::Inspector> Transitioned(const v1::Inspector& before, InspectorAction action,
                                           absl::Time now, std::string_view resource) {
  absl::StatusOr<v1::InspectorStatus> status =
      NextInspectorStatus(before.status(), action, resource);
  if (!status.ok()) return status.status();
  v1::Inspector after = before;
  after.set_status(*status);
  after.set_version(before.version() + 1);
  *after.mutable_update_time() = StampOf(now);
  return after;
}

}  // namespace jianguan::catalogue
