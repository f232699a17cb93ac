#include "libs/core/text_checks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace jianguan {

namespace {

// Length of the well-formed UTF-8 sequence at text[i] (no overlong forms, no surrogates,
// ≤ U+10FFFF), or 0 when the bytes there are not one.
size_t ValidSequenceAt(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Appends the character at text[i] as it may be shown (a malformed byte as \xNN); returns
// the bytes it took.
size_t AppendShown(std::string& out, std::string_view text, size_t i) {
  const size_t n = ValidSequenceAt(text, i);
  if (n == 0) {
    absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(text[i]), absl::kZeroPad2));
    return 1;
  }
  out.append(text.substr(i, n));
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = ValidSequenceAt(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t CharacterBytesAt(std::string_view text, size_t i) {
  return std::max<size_t>(ValidSequenceAt(text, i), 1);
}

std::string ShownUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) i += AppendShown(out, text, i);
  return out;
}

std::string QuotedInput(std::string_view text, size_t max_chars) {
  std::string out = "'";
  size_t i = 0;
  for (size_t shown = 0; i < text.size() && shown < max_chars; ++shown) {
    i += AppendShown(out, text, i);
  }
  if (i < text.size()) out += "…";
  out += "'";
  return out;
}

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool CheckText(FieldViolations& violations, std::string_view field, std::string_view text,
               const TextRule& rule) {
  if (text.empty()) {
    if (rule.required) violations.Add(field, "must not be empty");
    return !rule.required;
  }
  if (text.size() > rule.max_bytes) {
    violations.Add(field, absl::StrCat("is ", text.size(), " bytes, at most ", rule.max_bytes,
                                       " are allowed"));
    return false;
  }
  if (!IsValidUtf8(text)) {
    violations.Add(field, "is not valid UTF-8");
    return false;
  }
  if (const size_t length = Utf8Length(text); length > rule.max_chars) {
    violations.Add(field, absl::StrCat("is ", length, " characters, at most ", rule.max_chars,
                                       " are allowed"));
    return false;
  }
  return true;
}

}  // namespace jianguan
