// Checks every text field of a request goes through: valid UTF-8, a size limit, present when
// required. Limits count Unicode characters (a Chinese name of 50 characters is 150 bytes),
// and every field is also capped in bytes so no request can smuggle a huge value.
//
//   FieldViolations v;
//   CheckText(v, "name", request.name(), {.required = true, .max_chars = 200});
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "libs/core/field_violations.h"

namespace jianguan {

/// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// Number of code points in well-formed UTF-8 `text`.
size_t Utf8Length(std::string_view text);

/// Bytes of the character at text[i]: its UTF-8 sequence, or 1 for a byte that starts none.
size_t CharacterBytesAt(std::string_view text, size_t i);

/// `text` made fit for an error message, which must itself be valid UTF-8: well-formed
/// characters kept, each byte that is not part of one written as \xNN.
std::string ShownUtf8(std::string_view text);

/// Input echoed in an error message: at most `max_chars` characters of `text` in single
/// quotes, cut between characters (never inside one), malformed bytes as \xNN, and "…" when
/// cut. QuotedInput("１１００００９９", 4) is "'１１００…'".
std::string QuotedInput(std::string_view text, size_t max_chars = 32);

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
