// A hierarchical code list loaded from reference data: GB/T 2260 administrative divisions
// (data/regions.csv), GB/T 4754-2017 industries (data/industries.csv), and the like.
//
//   ASSIGN_OR_RETURN(CodeTable regions, CodeTable::Load(data_root + "/regions.csv"));
//   if (const CodeEntry* e = regions.Find("330782")) { ... e->name == "义乌市" ... }
//
// The file is CSV (see csv.h) with the columns code,name,parent_code,level (others are
// ignored). Loading checks the whole table; a table that loads is consistent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace jianguan {

/// One row of a code table.
struct CodeEntry {
  std::string code;
  std::string name;
  /// Empty for a top-level entry.
  std::string parent_code;
  /// 1 for top level; strictly greater than the parent's level (a county may hang directly
  /// under a province, so the step can be more than one).
  int level = 0;
};

/// An immutable, validated code table. Thread-safe for concurrent reads.
class CodeTable {
 public:
  /// Loads a CSV file. NOT_FOUND when the file cannot be opened; INVALID_ARGUMENT naming the
  /// file and line for: a missing column, an empty code or name, a duplicate code, a level
  /// that is not a positive integer, a parent that is not in the table, a top-level entry
  /// (level 1) with a parent or a lower-level entry without one, or a level not greater than
  /// the parent's.
  static absl::StatusOr<CodeTable> Load(const std::string& path);

  /// As Load, from CSV text; `origin` names it in errors.
  static absl::StatusOr<CodeTable> FromCsv(std::string_view text,
                                           std::string_view origin = "<csv>");

  /// The entry for `code`, or nullptr. The pointer lives as long as the table.
  const CodeEntry* Find(std::string_view code) const;

  bool Contains(std::string_view code) const { return Find(code) != nullptr; }

  /// The chain of parents of `code`, nearest first (e.g. 330782 → [330700, 330000]); empty
  /// for a top-level code. NOT_FOUND when `code` is not in the table.
  absl::StatusOr<std::vector<const CodeEntry*>> Ancestors(std::string_view code) const;

  /// Number of entries.
  size_t size() const { return entries_.size(); }

 private:
  explicit CodeTable(std::vector<CodeEntry> entries) : entries_(std::move(entries)) {}
  std::vector<CodeEntry> entries_;  // sorted by code
};

}  // namespace jianguan
