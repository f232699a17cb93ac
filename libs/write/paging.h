// One paging policy for every List method (DESIGN.md §5; common.v1.PageRequest): page_size
// 0 means the default, larger than the maximum is lowered to it, negative is refused.
#pragma once

#include "absl/status/statusor.h"
#include "jianguan/common/v1/types.pb.h"

namespace jianguan {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

/// The number of results to return for `page`: kDefaultPageSize for 0, at most
/// kMaxPageSize; INVALID_ARGUMENT naming `field` (by default "page.page_size") when negative.
absl::StatusOr<int> PageSize(const common::v1::PageRequest& page,
                             std::string_view field = "page.page_size");

}  // namespace jianguan
