#include "libs/core/csv.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan {

namespace {

// `what` may quote the text (a header's column name), which need not be UTF-8: the message
// shows such bytes as \xNN, so that it is valid UTF-8 wherever it goes (a FieldViolation).
absl::Status ErrorAt(std::string_view origin, int line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(ShownUtf8(origin), ":", line, ": ", ShownUtf8(what)));
}

bool IsBlank(const CsvRecord& r) { return r.fields.size() == 1 && r.fields[0].empty(); }

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view origin) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  std::vector<CsvRecord> records;
  int line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    CsvRecord record;
    record.line = line;
    bool record_quoted = false;  // a quoted empty field makes a line non-blank
    // One record: fields until an unquoted line end or the end of the text.
    while (true) {
      std::string field;
      if (i < n && text[i] == '"') {
        record_quoted = true;
        const int quote_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (!closed) return ErrorAt(origin, quote_line, "quoted field is not closed");
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return ErrorAt(origin, line, "text after a closing quote (a quote inside a field "
                                       "must be doubled)");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            return ErrorAt(origin, line, "quote inside an unquoted field");
          }
          field += text[i];
          ++i;
        }
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    // Line end: CRLF, LF, or a lone CR (tolerated as a line end).
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
    if (!record_quoted && IsBlank(record)) continue;
    if (!records.empty() && record.fields.size() != records.front().fields.size()) {
      return ErrorAt(origin, record.line,
                     absl::StrCat("expected ", records.front().fields.size(), " fields, found ",
                                  record.fields.size()));
    }
    records.push_back(std::move(record));
  }
  return records;
}

absl::StatusOr<std::vector<CsvRecord>> ReadCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return ParseCsv(contents.str(), path);
}

absl::StatusOr<std::vector<size_t>> CsvColumns(const CsvRecord& header,
                                               std::initializer_list<std::string_view> required,
                                               std::string_view origin) {
  for (size_t a = 0; a < header.fields.size(); ++a) {
    for (size_t b = a + 1; b < header.fields.size(); ++b) {
      if (header.fields[a] == header.fields[b]) {
        return ErrorAt(origin, header.line,
                       absl::StrCat("column \"", header.fields[a], "\" appears twice"));
      }
    }
  }
  std::vector<size_t> indexes;
  for (std::string_view name : required) {
    size_t found = header.fields.size();
    for (size_t c = 0; c < header.fields.size(); ++c) {
      if (header.fields[c] == name) found = c;
    }
    if (found == header.fields.size()) {
      return ErrorAt(origin, header.line, absl::StrCat("missing column \"", AbslView(name), "\""));
    }
    indexes.push_back(found);
  }
  return indexes;
}

}  // namespace jianguan
