#include "services/catalogue/domain/forms.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::catalogue {
namespace {

std::string At(std::string_view prefix, std::string_view field, int index) {
  return absl::StrCat(AbslView(prefix), AbslView(field), "[", index, "]");
}

}  // namespace

std::vector<v1::FormCheckPoint> ResolveFormCheckPoints(
    FieldViolations& v, std::string_view prefix, const v1::FormTemplate& form,
    const std::vector<const v1::RegulatoryItem*>& items) {
  std::vector<v1::FormCheckPoint> out;
  for (int i = 0; i < form.sections_size() && i < static_cast<int>(items.size()); ++i) {
    const v1::RegulatoryItem& item = *items[i];
    auto add = [&](const v1::CheckPoint& point) {
      v1::FormCheckPoint& resolved = out.emplace_back();
      resolved.set_item_code(item.code());
      resolved.set_item_version(item.version());
      if (!item.owning_departments().empty()) {
        *resolved.mutable_department() = item.owning_departments(0);
      }
      *resolved.mutable_check_point() = point;
    };
    const v1::FormSection& section = form.sections(i);
    if (section.check_point_codes().empty()) {
      for (const v1::CheckPoint& point : item.check_points()) add(point);
      continue;
    }
    for (int j = 0; j < section.check_point_codes_size(); ++j) {
      auto found = std::find_if(item.check_points().begin(), item.check_points().end(),
                                [&](const auto& p) { return p.code() == section.check_point_codes(j); });
      if (found == item.check_points().end()) {
        v.Add(At(At(prefix, "sections", i) + ".", "check_point_codes", j),
              "is not a check point of the item in force");
      } else {
        add(*found);
      }
    }
  }
  return out;
}
}  // namespace jianguan::catalogue
