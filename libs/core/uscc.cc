#include "libs/core/uscc.h"

#include <array>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"

namespace jianguan {

namespace {

constexpr size_t kLength = 18;

// Value of an alphabet character, or -1.
int ValueOf(char c) {
  const size_t pos = kUsccAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// The weights 3^(i−1) mod 31 for positions 1..17 (GB 32100-2015 §5):
// 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28.
constexpr std::array<int, 17> MakeWeights() {
  std::array<int, 17> w{};
  int v = 1;
  for (int& x : w) {
    x = v;
    v = v * 3 % 31;
  }
  return w;
}
constexpr std::array<int, 17> kWeights = MakeWeights();
static_assert(kWeights[3] == 27 && kWeights[4] == 19 && kWeights[16] == 28);

// Splits `text` into characters: well-formed UTF-8 sequences, and each byte that starts
// none on its own (so a stray byte is still reported as one character, and a malformed
// sequence is never taken for one).
std::vector<std::string_view> Characters(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = CharacterBytesAt(text, i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    const int v = ValueOf(first17[i]);
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  return kUsccAlphabet[(31 - sum % 31) % 31];
}

absl::Status ValidateUscc(std::string_view code) {
  const std::vector<std::string_view> chars = Characters(code);
  if (chars.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be 18 characters, found ", chars.size()));
  }
  for (size_t i = 0; i < chars.size(); ++i) {
    if (chars[i].size() != 1 || ValueOf(chars[i][0]) < 0) {
      // Quoted as text_checks.h shows input, so the message stays valid UTF-8 whatever the
      // bytes were (it ends up in a FieldViolation, a proto3 string).
      return absl::InvalidArgumentError(absl::StrCat(
          "illegal character ", QuotedInput(chars[i]), " at position ", i + 1,
          ": only digits and upper-case letters other than I, O, S, V, Z are used"));
    }
  }
  // Positions 3–8 are the registering authority's region (GB/T 2260): six digits, although
  // the alphabet would allow letters there and the check character would still come out.
  for (size_t i = 2; i < 8; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return absl::InvalidArgumentError(absl::StrCat(
          "position ", i + 1, " is '", std::string(1, code[i]),
          "': positions 3–8 are the registration authority's GB/T 2260 region code, six digits"));
    }
  }
  const char expected = UsccCheckCharacter(code.substr(0, 17));
  if (code[17] != expected) {
    return absl::InvalidArgumentError(absl::StrCat("check character should be ",
                                                   std::string(1, expected), ", found ",
                                                   std::string(1, code[17])));
  }
  return absl::OkStatus();
}

absl::StatusOr<Uscc> Uscc::Parse(std::string_view code) {
  RETURN_IF_ERROR(ValidateUscc(code));
  return Uscc(std::string(code));
}

}  // namespace jianguan
