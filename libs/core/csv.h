// A small reader for the reference tables (regions, industries, calendars) and for subject
// imports: RFC 4180 CSV with the usual tolerances.
//
//   ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
//   ASSIGN_OR_RETURN(std::vector<size_t> col, CsvColumns(records[0], {"code", "name"}, path));
//   for (size_t r = 1; r < records.size(); ++r) use(records[r].fields[col[0]]);
//
// What is accepted: fields separated by ',', records ended by CRLF or LF (or the end of the
// text); fields in double quotes may hold ',', CR, LF and doubled quotes ("" for ");
// a UTF-8 byte order mark at the start is skipped; completely empty lines are skipped.
// Every record must have as many fields as the first one (RFC 4180 §2.4).
// Errors are INVALID_ARGUMENT "origin:line: what", line being the 1-based line on which the
// offending record starts.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace jianguan {

/// One record: its fields (unquoted) and the 1-based line where it starts.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

/// Parses CSV text. `origin` (a file name, "<request>") prefixes error messages.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text,
                                                std::string_view origin = "<csv>");

/// Reads and parses a file. NOT_FOUND when it cannot be opened.
absl::StatusOr<std::vector<CsvRecord>> ReadCsvFile(const std::string& path);

/// For a header record, the column index of each name in `required`, in the same order.
/// INVALID_ARGUMENT naming the first missing column, or a column named twice in the header.
/// Extra columns are allowed.
absl::StatusOr<std::vector<size_t>> CsvColumns(const CsvRecord& header,
                                               std::initializer_list<std::string_view> required,
                                               std::string_view origin = "<csv>");

}  // namespace jianguan
