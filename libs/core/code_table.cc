#include "libs/core/code_table.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/csv.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"

namespace jianguan {

namespace {

absl::StatusOr<std::vector<CodeEntry>> ValidatedEntries(const std::vector<CsvRecord>& records,
                                                        std::string_view origin);

// `what` quotes codes and levels from the file, which need not be UTF-8: shown with such
// bytes as \xNN, the message is valid UTF-8 wherever it goes.
absl::Status ErrorAt(std::string_view origin, int line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(ShownUtf8(origin), ":", line, ": ", ShownUtf8(what)));
}

bool ByCode(const CodeEntry& a, std::string_view code) { return a.code < code; }

}  // namespace

absl::StatusOr<CodeTable> CodeTable::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
  ASSIGN_OR_RETURN(std::vector<CodeEntry> entries, ValidatedEntries(records, path));
  return CodeTable(std::move(entries));
}

absl::StatusOr<CodeTable> CodeTable::FromCsv(std::string_view text, std::string_view origin) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, origin));
  ASSIGN_OR_RETURN(std::vector<CodeEntry> entries, ValidatedEntries(records, origin));
  return CodeTable(std::move(entries));
}

const CodeEntry* CodeTable::Find(std::string_view code) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), code, ByCode);
  if (it == entries_.end() || it->code != code) return nullptr;
  return &*it;
}

absl::StatusOr<std::vector<const CodeEntry*>> CodeTable::Ancestors(std::string_view code) const {
  const CodeEntry* entry = Find(code);
  // The code may come from a request: quoted so the message is valid UTF-8 and bounded.
  if (entry == nullptr) return absl::NotFoundError(absl::StrCat("unknown code ", QuotedInput(code)));
  std::vector<const CodeEntry*> chain;
  // Levels strictly increase from parent to child (checked on load), so this ends.
  while (!entry->parent_code.empty()) {
    entry = Find(entry->parent_code);
    chain.push_back(entry);
  }
  return chain;
}

namespace {

absl::StatusOr<std::vector<CodeEntry>> ValidatedEntries(const std::vector<CsvRecord>& records,
                                                        std::string_view origin) {
  if (records.empty()) return ErrorAt(origin, 1, "no header");
  ASSIGN_OR_RETURN(std::vector<size_t> col,
                   CsvColumns(records[0], {"code", "name", "parent_code", "level"}, origin));

  struct Row {
    CodeEntry entry;
    int line;
  };
  std::vector<Row> rows;
  rows.reserve(records.size() - 1);
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    CodeEntry e{rec.fields[col[0]], rec.fields[col[1]], rec.fields[col[2]], 0};
    if (e.code.empty()) return ErrorAt(origin, rec.line, "empty code");
    if (e.name.empty()) {
      return ErrorAt(origin, rec.line, absl::StrCat("code ", e.code, ": empty name"));
    }
    const std::string& level = rec.fields[col[3]];
    if (!absl::SimpleAtoi(level, &e.level) || e.level < 1) {
      return ErrorAt(origin, rec.line,
                     absl::StrCat("code ", e.code, ": level \"", level,
                                  "\" is not a positive integer"));
    }
    if (e.level == 1 && !e.parent_code.empty()) {
      return ErrorAt(origin, rec.line,
                     absl::StrCat("code ", e.code, ": a level-1 code has no parent"));
    }
    if (e.level > 1 && e.parent_code.empty()) {
      return ErrorAt(origin, rec.line,
                     absl::StrCat("code ", e.code, ": level ", e.level, " needs a parent"));
    }
    rows.push_back(Row{std::move(e), rec.line});
  }

  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.entry.code < b.entry.code; });
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].entry.code == rows[i - 1].entry.code) {
      return ErrorAt(origin, rows[i].line,
                     absl::StrCat("duplicate code ", rows[i].entry.code, " (first on line ",
                                  rows[i - 1].line, ")"));
    }
  }
  auto find = [&rows](std::string_view code) -> const Row* {
    auto it = std::lower_bound(rows.begin(), rows.end(), code,
                               [](const Row& r, std::string_view c) { return r.entry.code < c; });
    return it != rows.end() && it->entry.code == code ? &*it : nullptr;
  };
  // Report the first offending line of the file, not of the sorted order.
  const Row* worst = nullptr;
  std::string problem;
  for (const Row& row : rows) {
    if (row.entry.parent_code.empty()) continue;
    const Row* parent = find(row.entry.parent_code);
    std::string what;
    if (parent == nullptr) {
      what = absl::StrCat("code ", row.entry.code, ": unknown parent ", row.entry.parent_code);
    } else if (parent->entry.level >= row.entry.level) {
      what = absl::StrCat("code ", row.entry.code, ": level ", row.entry.level,
                          " is not below its parent ", parent->entry.code, "'s level ",
                          parent->entry.level);
    } else {
      continue;
    }
    if (worst == nullptr || row.line < worst->line) {
      worst = &row;
      problem = std::move(what);
    }
  }
  if (worst != nullptr) return ErrorAt(origin, worst->line, problem);

  std::vector<CodeEntry> entries;
  entries.reserve(rows.size());
  for (Row& row : rows) entries.push_back(std::move(row.entry));
  return entries;
}

}  // namespace
}  // namespace jianguan
