// The CSV reader of reference tables and imports (libs/core/csv.h) on any bytes: it never
// crashes, every record it returns has the first record's number of fields, lines only go
// forward, its errors are valid UTF-8, and the records written back as CSV (every field
// quoted) read back as the same fields.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/csv.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan {
namespace {

// RFC 4180 with every field quoted, so nothing in a field needs telling apart from the
// separators: the form that must always read back unchanged.
std::string Written(const std::vector<CsvRecord>& records) {
  std::string out;
  for (const CsvRecord& record : records) {
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : record.fields[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace
}  // namespace jianguan

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text, "<fuzz>");
  if (!records.ok()) {
    JG_FUZZ_CHECK(records.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(records.status());
    return 0;
  }
  int line = 0;
  for (const CsvRecord& record : *records) {
    JG_FUZZ_CHECK(record.fields.size() == records->front().fields.size());
    JG_FUZZ_CHECK(record.line > line);
    line = record.line;
  }

  const absl::StatusOr<std::vector<CsvRecord>> again = ParseCsv(Written(*records), "<written>");
  JG_FUZZ_CHECK(again.ok());
  JG_FUZZ_CHECK(again->size() == records->size());
  for (size_t r = 0; r < records->size(); ++r) {
    JG_FUZZ_CHECK((*again)[r].fields == (*records)[r].fields);
  }

  // The header as CsvColumns reads it: the columns it names are where it says, and its
  // errors (a column named twice quotes the name) are valid UTF-8.
  if (!records->empty()) {
    const CsvRecord& header = records->front();
    const std::string wanted = header.fields.back();
    const absl::StatusOr<std::vector<size_t>> columns =
        CsvColumns(header, {"code", std::string_view(wanted)}, "<fuzz>");
    if (columns.ok()) {
      JG_FUZZ_CHECK(header.fields[(*columns)[0]] == "code");
      JG_FUZZ_CHECK(header.fields[(*columns)[1]] == wanted);
    } else {
      fuzz::CheckMessageIsUtf8(columns.status());
    }
  }
  return 0;
}
