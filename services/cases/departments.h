// The departments that handle cases, as the documents name them: each one's name (the issuer
// on every document) and document prefix (机关代字, the 金市监 of 金市监罚〔2026〕12号). Loaded at
// start from a CSV file (data/cases/departments.csv: code,name,document_prefix).
//
//   ASSIGN_OR_RETURN(Departments departments, Departments::Load(path));
//   const DepartmentInfo* info = departments.Find("330700-SCJG");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/core/csv.h"

namespace jianguan::cases {

struct DepartmentInfo {
  std::string code;
  std::string name;
  /// 1–10 characters of UTF-8, no brackets, digits or white space.
  std::string document_prefix;
};

/// Immutable after loading; thread-safe.
class Departments {
 public:
  /// INVALID_ARGUMENT naming the line for a missing column, an empty field, a prefix that is
  /// not 1–10 characters without brackets, digits or white space, or a code given twice;
  /// NOT_FOUND when the file cannot be read.
  static absl::StatusOr<Departments> Load(const std::string& path);
  static absl::StatusOr<Departments> FromCsv(std::string_view text, std::string_view origin);

  /// nullptr when the department is not configured.
  const DepartmentInfo* Find(std::string_view code) const;
  size_t size() const { return by_code_.size(); }

 private:
  static absl::StatusOr<Departments> FromRecords(const std::vector<CsvRecord>& records,
                                                 const std::string& origin);

  absl::flat_hash_map<std::string, DepartmentInfo> by_code_;
};

}  // namespace jianguan::cases
