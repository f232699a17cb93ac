// The sampling service's projections (DESIGN §1.3, §4 consume path), kept from other
// services' events so that a draw never calls another service:
//
//   family "projection", keyed by USCC plus one letter, so one scan in key order yields
//   every subject with its facts and class together, already sorted as the candidate list
//   must be (docs/draw-algorithm.md §2.3):
//     <uscc>f  ProjectedSubject        from jianguan.subject.v1 (every event carries SubjectFacts)
//     <uscc>g  grade 0–3, version      from jianguan.credit.v1 CreditGradeChanged
//     <uscc>r  level 0–3, version      from jianguan.risk.v1 RiskLevelChanged
//   family "inspectors", keyed by id: ProjectedInspector from jianguan.catalogue.v1
//   family "items", keyed by code: ProjectedItem from jianguan.catalogue.v1
//   family "departments", keyed by code: ProjectedDepartment from jianguan.catalogue.v1
//
// Every event carries the whole state of what it describes and its version; an event not
// newer than the stored state (a copy of an old one) changes nothing. The check reads what
// the consumer's batch already writes at the key before the store (PutIfNewer), so the
// consumers batch many events per commit.
// A subject without a grade is grade B, without a risk level "general" (issue #6).
//
// Size: about 60 bytes on disk per subject (key, facts, two class bytes) before
// compression; nothing is held in memory between draws.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "libs/events/event.h"
#include "libs/store/store.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

inline constexpr char kProjectionFamily[] = "projection";
inline constexpr char kInspectorFamily[] = "inspectors";
inline constexpr char kItemFamily[] = "items";
inline constexpr char kDepartmentFamily[] = "departments";

/// The letter after the USCC in a projection key, and what the row holds.
inline constexpr char kFactsRow = 'f';  ///< ProjectedSubject
inline constexpr char kGradeRow = 'g';  ///< grade 0–3 (A–D), then the version (8 bytes)
inline constexpr char kRiskRow = 'r';   ///< level 0–3 (low–high), then the version

/// Applies one event of jianguan.subject.v1 (SubjectFacts of any of its six events).
absl::Status ApplySubjectEvent(const store::Store& store, const events::ConsumedEvent& event,
                               store::UnitOfWork& work);
/// Applies CreditGradeChanged and RiskLevelChanged (other types on those topics are skipped).
absl::Status ApplyClassEvent(const store::Store& store, const events::ConsumedEvent& event,
                             store::UnitOfWork& work);
/// Applies the department, inspector and item events of jianguan.catalogue.v1; others are
/// skipped. Reads
/// `store` (an abolition keeps the item's hierarchy): consume with max_batch 1.
absl::Status ApplyCatalogueEvent(const store::Store& store, const events::ConsumedEvent& event,
                                 store::UnitOfWork& work);

/// The group that keeps the catalogue projections.
inline constexpr char kCatalogueGroup[] = "sampling-catalogue";

/// Brings a store written by an older sampling up to this one's projections, before the
/// consumers start: a store whose catalogue group read the topic before departments were
/// projected forgets that group's positions once, so the departments' events are read
/// again (every catalogue apply keeps the newest version, so the replay changes nothing
/// else). Marked in the meta family; later starts do nothing.
absl::Status UpgradeProjections(store::Store& store);

/// One subject of the projection with its class.
struct ProjectedRow {
  std::string_view uscc;
  const v1::ProjectedSubject* facts = nullptr;
  CreditGrade grade = CreditGrade::kB;
  RiskLevel risk = RiskLevel::kGeneral;
};

/// Read side of the projections.
class ProjectionReader {
 public:
  explicit ProjectionReader(const store::Store& store) : store_(store) {}

  /// Calls `visit` for every projected subject in USCC order (subjects with a class but no
  /// facts yet are skipped) until it returns false.
  absl::Status ForEachSubject(const std::function<bool(const ProjectedRow&)>& visit) const;
  /// One subject, nullopt when not projected.
  absl::StatusOr<std::optional<v1::ProjectedSubject>> FindSubject(std::string_view uscc) const;
  /// Every projected inspector, by id.
  absl::StatusOr<std::vector<v1::ProjectedInspector>> Inspectors() const;
  /// One item, nullopt when never seen.
  absl::StatusOr<std::optional<v1::ProjectedItem>> FindItem(std::string_view code) const;
  /// One department, nullopt when never seen.
  absl::StatusOr<std::optional<v1::ProjectedDepartment>> FindDepartment(
      std::string_view code) const;

 private:
  const store::Store& store_;
};

}  // namespace jianguan::sampling
