#include "libs/core/department_scope.h"

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"

namespace jianguan {

std::string DepartmentToRead(FieldViolations& v, const Caller& caller, std::string_view requested,
                             std::string_view field) {
  if (requested.empty() || requested == caller.department) return caller.department;
  if (caller.HasRole(roles::kOversight)) return std::string(requested);
  v.Add(field, absl::StrCat("a department reads its own; another department's needs the role ",
                            AbslView(roles::kOversight)));
  return caller.department;
}

}  // namespace jianguan
