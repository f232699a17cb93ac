// Private to libs/core. Debian's Abseil 20220623 has its own absl::string_view, which does
// not convert implicitly from std::string_view; the public APIs of core take
// std::string_view, so the .cc files bridge with this where Abseil (StrCat, ParseCivilTime,
// Status payload keys) wants absl's type.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace jianguan::core_internal {

/// The same characters as an absl::string_view (no copy).
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace jianguan::core_internal
