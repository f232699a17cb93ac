// The lifecycles of the catalogue (DESIGN §3 "domain"): items and forms go draft → published
// → revised (each revision a new version) → abolished; inspectors go active ⇄ suspended →
// retired. Besides the transitions, this decides what a step writes: the new head of a code
// and the version record that goes with it. The store only writes what is decided here.
//
// Items and forms share the versioned shape (version, version_state, create_time,
// publish_time), so the assembly is one template over both messages.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "services/catalogue/domain/timestamps.h"

namespace jianguan::catalogue {

/// What is asked of an item or form code.
enum class LifecycleAction { kPublish, kRevise, kAbolish };

/// The state after `action` from `from`, or FAILED_PRECONDITION naming `resource`:
/// publish only a draft; revise or abolish only what is in force (published or revised).
absl::StatusOr<v1::LifecycleState> NextLifecycleState(v1::LifecycleState from,
                                                      LifecycleAction action,
                                                      std::string_view resource);

/// In force: published or revised. Only a code in force is claimed, used in a form or
/// listed as applicable.
bool InForce(v1::LifecycleState state);

/// What is asked of an inspector.
enum class InspectorAction { kSuspend, kReinstate, kRetire, kUpdate };

/// The status after `action`, or FAILED_PRECONDITION naming `resource`: suspend the active,
/// reinstate the suspended, retire either; a retired inspector is never changed again.
absl::StatusOr<v1::InspectorStatus> NextInspectorStatus(v1::InspectorStatus from,
                                                        InspectorAction action,
                                                        std::string_view resource);

/// What one lifecycle step of a code writes: its head after the step and one version.
template <typename M>
struct VersionStep {
  v1::Lifecycle head;
  M version;
};

/// A new code's first version, as a draft: version 1, created now, never published.
template <typename M>
VersionStep<M> FirstDraft(M record, absl::Time now) {
  VersionStep<M> step;
  record.set_version(1);
  record.set_version_state(v1::LIFECYCLE_STATE_DRAFT);
  *record.mutable_create_time() = StampOf(now);
  record.clear_publish_time();
  step.head.set_code(record.code());
  step.head.set_state(v1::LIFECYCLE_STATE_DRAFT);
  step.head.set_latest_version(1);
  *step.head.mutable_update_time() = StampOf(now);
  step.version = std::move(record);
  return step;
}

/// The version put in force by `action` after `head`, or FAILED_PRECONDITION naming
/// `resource` when the lifecycle forbids it. kPublish: `record` is the stored draft, which
/// becomes published as it is. kRevise: `record` is the new content, written as the next
/// version number, created and published now. The head then points at that version.
template <typename M>
absl::StatusOr<VersionStep<M>> PutInForce(const v1::Lifecycle& head, LifecycleAction action,
                                          M record, absl::Time now, std::string_view resource) {
  absl::StatusOr<v1::LifecycleState> next = NextLifecycleState(head.state(), action, resource);
  if (!next.ok()) return next.status();
  if (action != LifecycleAction::kPublish) {
    record.set_version(head.latest_version() + 1);
    *record.mutable_create_time() = StampOf(now);
  }
  record.set_version_state(v1::LIFECYCLE_STATE_PUBLISHED);
  *record.mutable_publish_time() = StampOf(now);
  VersionStep<M> step{.head = head, .version = std::move(record)};
  step.head.set_state(*next);
  step.head.set_latest_version(step.version.version());
  step.head.set_published_version(step.version.version());
  *step.head.mutable_update_time() = StampOf(now);
  return step;
}

/// The head of an abolished code (its versions stay as they were), or FAILED_PRECONDITION
/// naming `resource` unless it is in force.
absl::StatusOr<v1::Lifecycle> Abolished(const v1::Lifecycle& head, std::string_view reason,
                                        absl::Time now, std::string_view resource);

}  // namespace jianguan::catalogue
