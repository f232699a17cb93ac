#include "services/catalogue/domain/lifecycle.h"

#include "libs/core/field_violations.h"

namespace jianguan::catalogue {

absl::StatusOr<v1::LifecycleState> NextLifecycleState(v1::LifecycleState from,
                                                      LifecycleAction action,
                                                      std::string_view resource) {
  const bool in_force =
      from == v1::LIFECYCLE_STATE_PUBLISHED || from == v1::LIFECYCLE_STATE_REVISED;
  switch (action) {
    case LifecycleAction::kPublish:
      if (from == v1::LIFECYCLE_STATE_DRAFT) return v1::LIFECYCLE_STATE_PUBLISHED;
      return FailedPrecondition(resource, "only a draft can be published; revise it instead");
    case LifecycleAction::kRevise:
      if (in_force) return v1::LIFECYCLE_STATE_REVISED;
      return FailedPrecondition(resource, from == v1::LIFECYCLE_STATE_DRAFT
                                              ? "a draft is published, not revised"
                                              : "an abolished item cannot be revised");
    case LifecycleAction::kAbolish:
      if (in_force) return v1::LIFECYCLE_STATE_ABOLISHED;
      return FailedPrecondition(resource, from == v1::LIFECYCLE_STATE_DRAFT
                                              ? "a draft was never in force"
                                              : "already abolished");
  }
  return FailedPrecondition(resource, "unknown action");
}

absl::StatusOr<v1::InspectorStatus> NextInspectorStatus(v1::InspectorStatus from,
                                                        InspectorAction action,
                                                        std::string_view resource) {
  if (from == v1::INSPECTOR_STATUS_RETIRED) {
    return FailedPrecondition(resource, "a retired inspector is not changed any more");
  }
  switch (action) {
    case InspectorAction::kSuspend:
      if (from == v1::INSPECTOR_STATUS_ACTIVE) return v1::INSPECTOR_STATUS_SUSPENDED;
      return FailedPrecondition(resource, "only an active inspector can be suspended");
    case InspectorAction::kReinstate:
      if (from == v1::INSPECTOR_STATUS_SUSPENDED) return v1::INSPECTOR_STATUS_ACTIVE;
      return FailedPrecondition(resource, "only a suspended inspector can be reinstated");
    case InspectorAction::kRetire:
      return v1::INSPECTOR_STATUS_RETIRED;
    case InspectorAction::kUpdate:
      return from;
  }
  return FailedPrecondition(resource, "unknown action");
}
bool InForce(v1::LifecycleState state) {
  return state == v1::LIFECYCLE_STATE_PUBLISHED || state == v1::LIFECYCLE_STATE_REVISED;
}

absl::StatusOr<v1::Lifecycle> Abolished(const v1::Lifecycle& head, std::string_view reason,
                                        absl::Time now, std::string_view resource) {
  absl::StatusOr<v1::LifecycleState> next =
      NextLifecycleState(head.state(), LifecycleAction::kAbolish, resource);
  if (!next.ok()) return next.status();
  v1::Lifecycle after = head;
  after.set_state(*next);
  after.set_abolish_reason(std::string(reason));
  *after.mutable_update_time() = StampOf(now);
  return after;
}

}  // namespace jianguan::catalogue
