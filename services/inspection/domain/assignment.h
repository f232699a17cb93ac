// Who may be put on a task (任务分派, AssignTask / ReassignTask / OrderRectification): the
// rule, independent of where the inspectors come from (the catalogue's projection).
//
// 行政处罚法 第四十二条: enforcement is carried out by at least two enforcement officers
// holding enforcement certificates (执法人员不得少于两人). So an assignment names 2–10
// distinct inspectors, and each of them
// - is known (projected from the catalogue) and ACTIVE (在岗);
// - belongs to one of the task's participating departments;
// - holds a certificate valid from today through the task's due date (持证执法);
// - is authorised for every item of their department on the task: by the item's code or an
//   ancestor's (a main item covers its sub-items), or by the item's field (授权执法领域);
// - has declared no conflict of interest with the subject (回避);
// and every participating department has at least one of them (联合检查: each department
// answers its own check points).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"

namespace jianguan::inspection {

/// The catalogue as the rule needs it: an inspector or an item by id/code, nullopt when
/// unknown.
struct CatalogueView {
  std::function<std::optional<catalogue::v1::Inspector>(std::string_view id)> inspector;
  std::function<std::optional<catalogue::v1::RegulatoryItem>(std::string_view code)> item;
};

/// The task's inspectors for `ids` (slot order), or INVALID_ARGUMENT naming
/// "{field}" (count) and "{field}[i]" (each refused inspector), every violation at once.
absl::StatusOr<google::protobuf::RepeatedPtrField<v1::TaskInspector>> AssignmentOf(
    const v1::Task& task, const google::protobuf::RepeatedPtrField<std::string>& ids,
    std::string_view field, const CatalogueView& catalogue, absl::CivilDay today);

}  // namespace jianguan::inspection
