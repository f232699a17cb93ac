// What the fuzz targets share: a property check that stops the run with the input saved
// (libFuzzer treats the abort as a crash and writes the input to its artifact path), and
// the two properties every parser's output must have where it reaches a caller.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/core/code_table.h"
#include "libs/core/text_checks.h"

// Aborts with the failed property and where it is, so a finding names what broke rather
// than only the input. A macro for __FILE__/__LINE__; kept when NDEBUG is set, unlike assert.
#define JG_FUZZ_CHECK(condition)                                                          \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

namespace jianguan::fuzz {

/// Error text goes into FieldViolation.description, DeadLetter.reason and JSON logs, all of
/// which need valid UTF-8 (a proto3 string that is not fails to parse on the other side).
inline void CheckMessageIsUtf8(const absl::Status& status) {
  const std::string_view message(status.message().data(), status.message().size());
  if (!IsValidUtf8(message)) {
    std::fprintf(stderr, "status message is not valid UTF-8: %s\n",
                 ShownUtf8(message).c_str());
    std::abort();
  }
}

/// A reference table of data/ (regions.csv, industries.csv), loaded once per target and kept
/// for the process; a table that does not load stops the target at once (nothing to fuzz).
inline const CodeTable& ReferenceTable(const char* file) {
  auto table = CodeTable::Load(std::string(JG_FUZZ_DATA_ROOT) + "/" + file);
  if (!table.ok()) {
    std::fprintf(stderr, "%s: %s\n", file, std::string(table.status().message()).c_str());
    std::abort();
  }
  return *new CodeTable(*std::move(table));
}

}  // namespace jianguan::fuzz
