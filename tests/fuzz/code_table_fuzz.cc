// The loader of code lists (CodeTable::FromCsv, libs/core/code_table.h) on any bytes: a table
// that loads is consistent as its header promises (every code found again, every chain of
// parents ends at level 1 with levels falling), and a table that does not is refused with an
// error in valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/core/code_table.h"
#include "libs/core/csv.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<CodeTable> table = CodeTable::FromCsv(text, "<fuzz>");
  if (!table.ok()) {
    JG_FUZZ_CHECK(table.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(table.status());
    return 0;
  }
  // The rows of the text, to look each code up again.
  const absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  JG_FUZZ_CHECK(records.ok() && !records->empty());
  JG_FUZZ_CHECK(table->size() == records->size() - 1);
  const absl::StatusOr<std::vector<size_t>> col = CsvColumns(records->front(), {"code"});
  JG_FUZZ_CHECK(col.ok());
  for (size_t r = 1; r < records->size(); ++r) {
    const std::string& code = (*records)[r].fields[(*col)[0]];
    const CodeEntry* entry = table->Find(code);
    JG_FUZZ_CHECK(entry != nullptr && entry->code == code && entry->level >= 1);
    const auto ancestors = table->Ancestors(code);
    JG_FUZZ_CHECK(ancestors.ok());
    const CodeEntry* last = entry;
    for (const CodeEntry* parent : *ancestors) {
      JG_FUZZ_CHECK(parent != nullptr && parent->code == last->parent_code &&
                    parent->level < last->level);
      last = parent;
    }
    JG_FUZZ_CHECK(last->parent_code.empty() && last->level == 1);
  }
  return 0;
}
