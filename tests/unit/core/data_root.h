// Where the reference data lives in tests: $JG_DATA_ROOT (set by CTest, see jg_test), or the
// repository's data/ when a test binary is run by hand.
#pragma once

#include <cstdlib>
#include <string>

namespace jianguan::testing {

inline std::string DataRoot() {
  if (const char* root = std::getenv("JG_DATA_ROOT"); root != nullptr && *root != '\0') {
    return root;
  }
  return JG_TEST_DEFAULT_DATA_ROOT;
}

}  // namespace jianguan::testing
