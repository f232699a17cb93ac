#include "libs/write/paging.h"

#include <algorithm>

#include "libs/core/field_violations.h"

namespace jianguan {

absl::StatusOr<int> PageSize(const common::v1::PageRequest& page, std::string_view field) {
  if (page.page_size() < 0) return InvalidField(field, "must not be negative");
  if (page.page_size() == 0) return kDefaultPageSize;
  return std::min(page.page_size(), kMaxPageSize);
}

}  // namespace jianguan
