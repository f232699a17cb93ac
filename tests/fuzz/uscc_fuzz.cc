// The USCC validator (libs/core/uscc.h) on any bytes: what it accepts is a well-formed code
// of GB 32100-2015, what it refuses it explains in valid UTF-8, and a code built from the
// input with the right check character is accepted while any one substitution of it is not.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/core/uscc.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void CheckAccepted(std::string_view code) {
  JG_FUZZ_CHECK(code.size() == 18);
  for (size_t i = 0; i < code.size(); ++i) {
    JG_FUZZ_CHECK(kUsccAlphabet.find(code[i]) != std::string_view::npos);
    if (i >= 2 && i < 8) JG_FUZZ_CHECK(IsDigit(code[i]));
  }
  JG_FUZZ_CHECK(UsccCheckCharacter(code.substr(0, 17)) == code[17]);
}

// The first 17 characters of a code drawn from `data` (each byte picks a character of the
// alphabet, or a digit in positions 3–8), so that any input yields one.
std::string First17(const uint8_t* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < 17; ++i) {
    const uint8_t b = i < size ? data[i] : 0;
    const bool region = i >= 2 && i < 8;
    out += region ? static_cast<char>('0' + b % 10) : kUsccAlphabet[b % kUsccAlphabet.size()];
  }
  return out;
}

}  // namespace
}  // namespace jianguan

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const absl::Status status = ValidateUscc(input);
  const absl::StatusOr<Uscc> parsed = Uscc::Parse(input);
  JG_FUZZ_CHECK(status.ok() == parsed.ok());
  if (status.ok()) {
    CheckAccepted(input);
    JG_FUZZ_CHECK(parsed->str() == input);
    JG_FUZZ_CHECK(parsed->region_code() == input.substr(2, 6));
  } else {
    JG_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(status);
  }
  // '\0' unless given 17 characters of the alphabet.
  const char check = UsccCheckCharacter(input);
  JG_FUZZ_CHECK(check == '\0' || kUsccAlphabet.find(check) != std::string_view::npos);
  if (size != 17) JG_FUZZ_CHECK(check == '\0');

  // A code made well-formed from the input must be accepted …
  std::string code = First17(data, size);
  code += UsccCheckCharacter(code);
  JG_FUZZ_CHECK(ValidateUscc(code).ok());
  // … and the check character catches every single substitution (the weights 3^(i−1) are
  // nonzero modulo the prime 31, so any change of one value changes the sum).
  if (size > 17) {
    const size_t position = data[17] % 18;
    const char replacement = kUsccAlphabet[(size > 18 ? data[18] : 1) % kUsccAlphabet.size()];
    const bool in_region = position >= 2 && position < 8;
    if (replacement != code[position] && !(in_region && !IsDigit(replacement))) {
      std::string changed = code;
      changed[position] = replacement;
      JG_FUZZ_CHECK(!ValidateUscc(changed).ok());
    }
  }
  return 0;
}
