// Valid USCCs in ascending order for tests and benchmarks: an 8-character prefix
// (registration authority, subject type, region), the 9-character organisation code spelling
// n in base 31 over the GB 32100 alphabet, and the correct check character.
//
//   SeriesUscc("92330702", 0) == "92330702000000000" + check character
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/core/uscc.h"

namespace jianguan::testing {

inline std::string SeriesUscc(std::string_view prefix8, uint64_t n) {
  std::string code(prefix8);
  std::string organisation(9, '0');
  for (int i = 8; i >= 0; --i, n /= 31) organisation[i] = kUsccAlphabet[n % 31];
  code += organisation;
  return code + UsccCheckCharacter(code);
}

}  // namespace jianguan::testing
