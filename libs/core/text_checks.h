// Checks every text field of a request goes through: valid UTF-8, a size limit, present when
// required. Limits count Unicode characters (a Chinese name of 50 characters is 150 bytes),
// and every field is also capped in bytes so no request can smuggle a huge value.
//
//   FieldViolations v;
//   CheckText(v, "name", request.name(), {.required = true, .max_chars = 200});
#pragma once

#include <cstddef>
#include <string_view>

#include "libs/core/field_violations.h"

namespace jianguan {

/// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// Number of code points in well-formed UTF-8 `text`.
size_t Utf8Length(std::string_view text);

struct TextRule {
  bool required = false;
  /// Maximum length in characters.
  size_t max_chars = 256;
  /// Hard cap in bytes, whatever max_chars says (1 MiB: DESIGN's largest field).
  size_t max_bytes = 1 << 20;
};

/// Adds a violation for `field` when `text` is missing (and required), not UTF-8, or too
/// long. Returns true when the text is acceptable.
bool CheckText(FieldViolations& violations, std::string_view field, std::string_view text,
               const TextRule& rule);

}  // namespace jianguan
