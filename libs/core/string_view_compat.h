// Debian 12 builds Abseil with its own absl::string_view (not an alias of std::string_view),
// so absl::StrCat, absl::Status::message() and friends do not mix with std::string_view.
// These two conversions are the bridge; both are free (pointer and length).
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace jianguan {

inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view StdView(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace jianguan
