#include "services/inspection/domain/rectification.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {
namespace {

using CheckPointKey = std::tuple<std::string, std::string, std::string>;

CheckPointKey KeyOf(const v1::CheckPointRef& ref) {
  return {ref.form_code(), ref.item_code(), ref.check_point_code()};
}

// The findings the ORDER_RECTIFICATION measures concern: those they name, or all of their
// department's.
std::vector<v1::Finding> OrderedFindings(const v1::ResultDigest& digest) {
  std::vector<v1::Finding> ordered;
  std::set<CheckPointKey> taken;
  for (const v1::DepartmentResult& department : digest.departments()) {
    for (const v1::FollowUpAction& action : department.actions()) {
      if (action.measure() != v1::FOLLOW_UP_MEASURE_ORDER_RECTIFICATION) continue;
      std::set<CheckPointKey> named;
      for (const v1::CheckPointRef& ref : action.check_points()) named.insert(KeyOf(ref));
      for (const v1::Finding& finding : digest.findings()) {
        const bool concerned =
            named.empty() ? finding.department().code() == department.department().code()
                          : named.count(KeyOf(finding.check_point())) != 0;
        if (concerned && taken.insert(KeyOf(finding.check_point())).second) {
          ordered.push_back(finding);
        }
      }
    }
  }
  return ordered;
}

}  // namespace

std::string FollowUpTaskId(std::string_view task_id) {
  return absl::StrCat("f-", AbslView(task_id));
}

absl::StatusOr<std::vector<v1::Finding>> FindingsToRectify(
    const v1::Task& task, const google::protobuf::RepeatedPtrField<v1::CheckPointRef>& requested) {
  if (task.has_rectification()) {
    return absl::FailedPreconditionError(
        absl::StrCat(task.name(), " has an order to rectify already: ",
                     task.rectification().follow_up_task()));
  }
  std::vector<v1::Finding> ordered = OrderedFindings(task.result_digest());
  if (ordered.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the result of ", task.name(), " orders no rectification of a finding"));
  }
  if (requested.empty()) return ordered;
  FieldViolations v;
  std::vector<v1::Finding> chosen;
  std::set<CheckPointKey> seen;
  for (int i = 0; i < requested.size(); ++i) {
    const CheckPointKey key = KeyOf(requested[i]);
    auto finding = std::find_if(ordered.begin(), ordered.end(), [&](const v1::Finding& f) {
      return KeyOf(f.check_point()) == key;
    });
    if (finding == ordered.end()) {
      v.Add(absl::StrCat("check_points[", i, "]"),
            "is not a finding the result orders to rectify");
    } else if (!seen.insert(key).second) {
      v.Add(absl::StrCat("check_points[", i, "]"), "is named twice");
    } else {
      chosen.push_back(*finding);
    }
  }
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;
  return chosen;
}

v1::Task FollowUpTaskOf(const v1::Task& original, const std::vector<v1::Finding>& findings,
                        const common::v1::Date& due_date, const common::v1::Actor& actor,
                        absl::Time now) {
  const std::string original_id = original.name().substr(std::string("tasks/").size());
  v1::Task task;
  task.set_name(TaskName(FollowUpTaskId(original_id)));
  task.set_uscc(original.uscc());
  task.set_subject_name(original.subject_name());
  task.mutable_origin()->set_source(v1::TASK_SOURCE_FOLLOW_UP);
  task.mutable_origin()->set_follow_up_of(original.name());
  *task.mutable_lead_department() = original.lead_department();
  // Only the departments, items and forms of the findings, in the original's order.
  for (const v1::TaskDepartment& department : original.departments()) {
    v1::TaskDepartment kept;
    *kept.mutable_department() = department.department();
    for (const v1::ItemRef& item : department.items()) {
      for (const v1::Finding& f : findings) {
        if (f.department().code() != department.department().code()) continue;
        if (f.check_point().item_code() != item.code()) continue;
        *kept.add_items() = item;
        break;
      }
    }
    for (const v1::FormRef& form : department.forms()) {
      for (const v1::Finding& f : findings) {
        if (f.department().code() != department.department().code()) continue;
        if (f.check_point().form_code() != form.code()) continue;
        *kept.add_forms() = form;
        break;
      }
    }
    if (kept.items_size() > 0) *task.add_departments() = std::move(kept);
  }
  for (const v1::Finding& f : findings) *task.add_check_points() = f.check_point();
  task.set_description(absl::StrCat("回头看: 整改复查 ", original.name()));
  *task.mutable_due_date() = due_date;
  RecordTransition(task, v1::TASK_STATE_CREATED, TriggerOf(Action::kOrderRectification), actor,
                   now, "");
  return task;
}

absl::Status CheckFollowUpOutcome(v1::RectificationOutcome outcome,
                                  const v1::ResultDigest& digest) {
  if (outcome != v1::RECTIFICATION_OUTCOME_RECTIFIED &&
      outcome != v1::RECTIFICATION_OUTCOME_NOT_RECTIFIED) {
    return InvalidField("outcome", "must be RECTIFIED or NOT_RECTIFIED");
  }
  if (outcome == v1::RECTIFICATION_OUTCOME_RECTIFIED && digest.findings_size() > 0) {
    return InvalidField("outcome", absl::StrCat("RECTIFIED, but ", digest.findings_size(),
                                                " check points are still answered with a problem"));
  }
  return absl::OkStatus();
}

}  // namespace jianguan::inspection
