// The text checks every request field goes through (libs/core/text_checks.h), on any bytes:
// IsValidUtf8 agrees with a decoder written here from the Unicode standard's table of
// well-formed byte sequences (Table 3-7), and whatever is shown of the input (ShownUtf8,
// QuotedInput, CheckText's violations) is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libs/core/field_violations.h"
#include "libs/core/text_checks.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan {
namespace {

// The number of code points of `text` when it is well-formed UTF-8, else nullopt: each lead
// byte admits the second-byte range Table 3-7 gives it (which excludes overlong forms,
// surrogates and code points above U+10FFFF) and then plain continuation bytes.
std::optional<size_t> ReferenceCodePoints(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    const uint8_t b = static_cast<uint8_t>(text[i]);
    size_t length = 0;
    uint8_t second_low = 0x80, second_high = 0xBF;
    if (b <= 0x7F) {
      length = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) second_low = 0xA0;
      if (b == 0xED) second_high = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) second_low = 0x90;
      if (b == 0xF4) second_high = 0x8F;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
      const uint8_t c = static_cast<uint8_t>(text[i + k]);
      const uint8_t low = k == 1 ? second_low : 0x80, high = k == 1 ? second_high : 0xBF;
      if (c < low || c > high) return std::nullopt;
    }
    i += length;
  }
  return count;
}

}  // namespace
}  // namespace jianguan

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const std::optional<size_t> code_points = ReferenceCodePoints(text);
  JG_FUZZ_CHECK(IsValidUtf8(text) == code_points.has_value());
  if (code_points) JG_FUZZ_CHECK(Utf8Length(text) == *code_points);

  for (size_t i = 0; i < text.size(); ++i) {
    const size_t n = CharacterBytesAt(text, i);
    JG_FUZZ_CHECK(n >= 1 && n <= 4 && i + n <= text.size());
  }

  const std::string shown = ShownUtf8(text);
  JG_FUZZ_CHECK(IsValidUtf8(shown));
  if (code_points) JG_FUZZ_CHECK(shown == text);

  // Quoting the whole input shows it as ShownUtf8 does; a shorter quote is a prefix of that
  // cut between characters, then "…".
  const std::string whole = QuotedInput(text, text.size() + 1);
  JG_FUZZ_CHECK(whole == "'" + shown + "'");
  const size_t max_chars = size > 0 ? data[0] % 16 : 0;
  const std::string cut = QuotedInput(text, max_chars);
  JG_FUZZ_CHECK(IsValidUtf8(cut));
  const std::string_view ellipsis = "…'";
  if (cut.size() >= ellipsis.size() + 1 && cut.ends_with(ellipsis)) {
    const std::string_view body = std::string_view(cut).substr(0, cut.size() - ellipsis.size());
    JG_FUZZ_CHECK(whole.starts_with(body));
  } else {
    JG_FUZZ_CHECK(cut == whole);
  }

  FieldViolations violations;
  const bool accepted = CheckText(violations, "field", text,
                                  {.required = size % 2 == 1, .max_chars = max_chars * 8,
                                   .max_bytes = max_chars * 32});
  JG_FUZZ_CHECK(accepted == violations.empty());
  if (accepted && !text.empty()) {
    JG_FUZZ_CHECK(code_points.has_value() && *code_points <= max_chars * 8 &&
                  text.size() <= max_chars * 32);
  }
  for (const FieldViolation& v : violations.violations()) {
    JG_FUZZ_CHECK(IsValidUtf8(v.description));
  }
  return 0;
}
