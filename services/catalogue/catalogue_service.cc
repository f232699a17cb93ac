// CatalogueService: construction and the reads every resource's handler shares — whether a
// referenced department, main item or authorised item exists, the item in force, a form's
// resolved check points. The RPCs themselves are in catalogue_service_<resource>.cc.
#include "services/catalogue/catalogue_service.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/write/resource_name.h"
#include "services/catalogue/domain/forms.h"
#include "services/catalogue/domain/hierarchy.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

// An item's or a form's event holds the record and a few numbers and times besides.
static_assert(Limits::kRecordBytes + 60'000 <= store::kMaxEventBytes);

CatalogueService::CatalogueService(store::Store& store, const Clock& clock,
                                   const CodeTable& regions, const CodeTable& industries)
    : store_(store),
      clock_(clock),
      regions_(regions),
      industries_(industries),
      catalogue_(store),
      writes_(store, clock),
      emitter_(topics::kCatalogue, kServiceName, clock),
      ids_(clock) {}

void CatalogueService::CheckDepartmentRef(FieldViolations& v, std::string_view field,
                                          std::string_view code) const {
  auto found = catalogue_.FindDepartment(code);
  if (!found.ok() || !*found) {
    v.Add(field, absl::StrCat("no department ", AbslView(code)));
  } else if ((*found)->value.status() != v1::DEPARTMENT_STATUS_ACTIVE) {
    v.Add(field, absl::StrCat("department ", AbslView(code), " is dissolved"));
  }
}

void CatalogueService::CheckDepartmentRefs(
    FieldViolations& v, std::string_view field,
    const google::protobuf::RepeatedPtrField<common::v1::DepartmentRef>& refs) const {
  for (int i = 0; i < refs.size(); ++i) {
    CheckDepartmentRef(v, absl::StrCat(AbslView(field), "[", i, "].code"), refs[i].code());
  }
}

void CatalogueService::CheckItemParent(FieldViolations& v, std::string_view field,
                                       std::string_view code, std::string_view parent) const {
  if (parent.empty()) return;
  auto head = catalogue_.items().FindHead(parent);
  if (!head.ok() || !*head) {
    v.Add(field, absl::StrCat("no item ", AbslView(parent)));
    return;
  }
  const auto parent_of = [this](std::string_view at) -> std::string {
    auto current = CurrentItem(at);
    return current.ok() ? current->item().parent_code() : "";
  };
  if (MakesCycle(code, parent, parent_of)) {
    v.Add(field, absl::StrCat("making ", AbslView(parent), " the main item of ", AbslView(code),
                              " closes a loop in the item hierarchy"));
  }
}

absl::Status CatalogueService::CheckInspectorRefs(FieldViolations& v,
                                                  const v1::Inspector& inspector,
                                                  std::string_view self) const {
  CheckDepartmentRef(v, "inspector.department.code", inspector.department().code());
  for (int i = 0; i < inspector.authorised_items_size(); ++i) {
    ASSIGN_OR_RETURN(auto head, catalogue_.items().FindHead(inspector.authorised_items(i)));
    if (!head) v.Add(absl::StrCat("inspector.authorised_items[", i, "]"), "no such item");
  }
  ASSIGN_OR_RETURN(auto holder,
                   catalogue_.InspectorWithCertificate(inspector.certificate().number()));
  if (holder && *holder != self) {
    v.Add("inspector.certificate.number",
          absl::StrCat("held by ", ResourceName("inspectors", *holder)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ItemView> CatalogueService::CurrentItem(std::string_view code) const {
  ASSIGN_OR_RETURN(auto pair,
                   catalogue_.items().ReadVersion(code, 0, ResourceName("items", code)));
  v1::ItemView view;
  *view.mutable_item() = std::move(pair.first);
  *view.mutable_lifecycle() = std::move(pair.second);
  return view;
}

absl::Status CatalogueService::ResolveForm(FieldViolations& v, v1::FormTemplate& form) const {
  std::vector<v1::RegulatoryItem> items;
  items.reserve(form.sections_size());
  for (int i = 0; i < form.sections_size(); ++i) {
    auto current = CurrentItem(form.sections(i).item_code());
    const std::string field = absl::StrCat("form.sections[", i, "].item_code");
    if (absl::IsNotFound(current.status())) {
      v.Add(field, "no such item");
    } else if (!current.ok()) {
      return current.status();
    } else if (!InForce(current->lifecycle().state())) {
      v.Add(field, "the item is not in force");
    } else {
      items.push_back(std::move(*current->mutable_item()));
      continue;
    }
    return absl::OkStatus();  // the sections after a bad one cannot be lined up; named above
  }
  std::vector<const v1::RegulatoryItem*> pointers;
  for (const auto& item : items) pointers.push_back(&item);
  form.clear_check_points();
  for (auto& point : ResolveFormCheckPoints(v, "form.", form, pointers)) {
    *form.add_check_points() = std::move(point);
  }
  CheckRecordSize(v, "form.sections", form, "the form with its items' check points");
  return absl::OkStatus();
}

}  // namespace jianguan::catalogue
