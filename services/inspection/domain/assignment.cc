#include "services/inspection/domain/assignment.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"
#include "services/inspection/domain/deadlines.h"

namespace jianguan::inspection {
namespace {

// Sub-items are at most a few levels deep; the bound only guards against a cycle in the data.
constexpr int kMaxItemDepth = 10;

// Whether `inspector` may inspect item `code`: by its code or an ancestor's, or by its field.
bool Authorised(const catalogue::v1::Inspector& inspector, const std::string& code,
                const CatalogueView& catalogue) {
  const std::set<std::string> codes(inspector.authorised_items().begin(),
                                    inspector.authorised_items().end());
  const std::set<std::string> fields(inspector.authorised_fields().begin(),
                                     inspector.authorised_fields().end());
  std::string at = code;
  for (int depth = 0; depth < kMaxItemDepth && !at.empty(); ++depth) {
    if (codes.count(at) != 0) return true;
    const std::optional<catalogue::v1::RegulatoryItem> item = catalogue.item(at);
    if (!item) return false;
    if (!item->field().empty() && fields.count(item->field()) != 0) return true;
    at = item->parent_code();
  }
  return false;
}

const v1::TaskDepartment* DepartmentOf(const v1::Task& task, std::string_view code) {
  for (const v1::TaskDepartment& d : task.departments()) {
    if (d.department().code() == code) return &d;
  }
  return nullptr;
}

// Why `inspector` may not take the task; empty when they may.
std::string Refusal(const v1::Task& task, const catalogue::v1::Inspector& inspector,
                    const CatalogueView& catalogue, absl::CivilDay today) {
  if (inspector.status() != catalogue::v1::INSPECTOR_STATUS_ACTIVE) return "is not active (在岗)";
  const v1::TaskDepartment* department = DepartmentOf(task, inspector.department().code());
  if (department == nullptr) {
    return absl::StrCat("belongs to ", inspector.department().code(),
                        ", which takes no part in the task");
  }
  const auto& cert = inspector.certificate();
  if (!IsRealDate(cert.valid_from()) || !IsRealDate(cert.valid_until()) ||
      DayOf(cert.valid_from()) > today || DayOf(cert.valid_until()) < DayOf(task.due_date())) {
    return "has no enforcement certificate valid from today through the due date (持证执法)";
  }
  for (const v1::ItemRef& item : department->items()) {
    if (!Authorised(inspector, item.code(), catalogue)) {
      return absl::StrCat("is not authorised for item ", item.code());
    }
  }
  for (const std::string& uscc : inspector.conflicts()) {
    if (uscc == task.uscc()) return "has declared a conflict of interest with the subject (回避)";
  }
  return "";
}

}  // namespace

absl::StatusOr<google::protobuf::RepeatedPtrField<v1::TaskInspector>> AssignmentOf(
    const v1::Task& task, const google::protobuf::RepeatedPtrField<std::string>& ids,
    std::string_view field, const CatalogueView& catalogue, absl::CivilDay today) {
  FieldViolations v;
  const std::string list(field);
  if (ids.size() < 2 || ids.size() > 10) {
    v.Add(list, "must name 2–10 inspectors (行政处罚法 第四十二条: at least two)");
  }
  google::protobuf::RepeatedPtrField<v1::TaskInspector> assigned;
  std::set<std::string> seen;
  std::set<std::string> covered;
  for (int i = 0; i < ids.size(); ++i) {
    const std::string at = absl::StrCat(list, "[", i, "]");
    if (!seen.insert(ids[i]).second) {
      v.Add(at, absl::StrCat("\"", ids[i], "\" is named twice"));
      continue;
    }
    const std::optional<catalogue::v1::Inspector> inspector = catalogue.inspector(ids[i]);
    if (!inspector) {
      v.Add(at, absl::StrCat("\"", ids[i], "\" is not a known inspector"));
      continue;
    }
    if (std::string why = Refusal(task, *inspector, catalogue, today); !why.empty()) {
      v.Add(at, absl::StrCat("inspector ", ids[i], " ", why));
      continue;
    }
    covered.insert(inspector->department().code());
    v1::TaskInspector& entry = *assigned.Add();
    entry.set_inspector_id(inspector->id());
    entry.set_name(inspector->name());
    entry.set_certificate_no(inspector->certificate().number());
    *entry.mutable_department() = inspector->department();
  }
  if (v.empty()) {
    for (const v1::TaskDepartment& d : task.departments()) {
      if (covered.count(d.department().code()) == 0) {
        v.Add(list, absl::StrCat("no inspector of ", d.department().code(), " is named"));
      }
    }
  }
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;
  return assigned;
}

}  // namespace jianguan::inspection
