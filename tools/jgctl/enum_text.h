// Enum values as jgctl shows and takes them: without the type's prefix, lower case, dashes
// ("ALERT_OUTCOME_NOT_INSPECTED" ↔ "not-inspected").
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"

namespace jianguan::jgctl {

/// An enum value's name without its prefix, lower case, dashes: "not-inspected".
inline std::string Dashed(const std::string& name, std::string_view prefix) {
  std::string text = name.substr(std::min(name.size(), prefix.size()));
  for (char& c : text) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

/// The enum value `text` names after `prefix` ("not-inspected", "NOT_INSPECTED" or the full
/// "ALERT_OUTCOME_NOT_INSPECTED"); never the UNSPECIFIED value (0). `parse` is the enum's
/// generated Parse function.
template <typename Enum, typename Parse>
std::optional<Enum> ParseDashed(std::string_view text, std::string_view prefix, Parse parse) {
  std::string upper;
  for (char c : text) {
    upper += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::string name = upper.rfind(prefix, 0) == 0 ? upper : std::string(prefix) + upper;
  Enum value;
  if (text.empty() || !parse(name, &value) || static_cast<int>(value) == 0) return std::nullopt;
  return value;
}

/// The values an enum takes on the command line, for messages: "raised, dispatched, …".
template <typename Valid, typename NameOf>
std::string Choices(std::string_view prefix, Valid valid, NameOf name_of) {
  std::vector<std::string> names;
  for (int v = 1; valid(v); ++v) names.push_back(Dashed(name_of(v), prefix));
  return absl::StrJoin(names, ", ");
}

}  // namespace jianguan::jgctl
