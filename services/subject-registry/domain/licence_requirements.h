// Which licences a business needs after registration (先照后证): the licence table
// (data/catalogue/licence-kinds-<version>.csv, data/SOURCES.md) read and checked, and a
// subject matched against it by its industry (GB/T 4754-2017) and its business scope (经营范围).
//
//   ASSIGN_OR_RETURN(LicenceRequirements table, LicenceRequirements::Load(path, industries));
//   for (const LicenceNeed& need : table.Needs(subject)) {
//     ... need.kind->licence_kind == "食品经营许可证", need.trigger == "industry 6210 正餐服务"
//   }
//
// The file is CSV (libs/core/csv.h) with the columns
//   code              the kind's code, 2–40 of A–Z, 0–9 and '-' (FOOD-BUSINESS); unique
//   licence_kind      the licence as written on it and as GrantLicence's Licence.kind carries
//                     it (食品经营许可证), 1–100 characters; unique
//   department_kind   the approving department's kind, the suffix of the catalogue's
//                     department codes (SCJG in 330700-SCJG): 2–10 of A–Z
//   industries        GB/T 4754-2017 codes, ';'-separated; a code matches itself and every
//                     code below it (62 matches 6210); each must be in the industry table
//   scope_terms       business-scope phrases, ';'-separated (食品销售); a scope containing one
//                     matches
//   scope_exclusions  optional: phrases that contain a term but need no licence, ';'-separated
//                     (食品销售（仅销售预包装食品）: 备案, not 许可, 食品安全法 第三十五条); they
//                     are taken out of the scope before the terms are looked for
//   legal_basis       the law that requires the licence; not empty
// A row needs industries, scope terms or both. Other columns are ignored.
//
// Thread-safe: immutable once loaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/code_table.h"
#include "libs/core/csv.h"

namespace jianguan::subject {

/// One row of the licence table.
struct LicenceKind {
  std::string code;
  std::string licence_kind;
  std::string department_kind;
  std::vector<std::string> industries;
  std::vector<std::string> scope_terms;
  std::vector<std::string> scope_exclusions;
  std::string legal_basis;
};

/// A licence kind a subject needs, and what in the subject says so, for people:
/// "industry 6210 正餐服务" or "business scope: 食品销售".
struct LicenceNeed {
  const LicenceKind* kind = nullptr;
  std::string trigger;
};

class LicenceRequirements {
 public:
  /// Reads and checks the table. NOT_FOUND when the file cannot be opened; INVALID_ARGUMENT
  /// "path:line: column <name>: what" for a missing column, a bad or repeated code or
  /// licence kind, an industry code not in `industries`, an empty term, a row with neither
  /// industries nor terms, a missing legal basis, or a table without rows. `industries`
  /// must outlive the table.
  static absl::StatusOr<LicenceRequirements> Load(const std::string& path,
                                                  const CodeTable& industries);
  /// As Load, from CSV text; `origin` names it in errors.
  static absl::StatusOr<LicenceRequirements> FromCsv(std::string_view text,
                                                     std::string_view origin,
                                                     const CodeTable& industries);

  /// The kinds the subject's business needs, in table order, each once: matched by its
  /// industry first (the trigger names the subject's industry code and name), else by its
  /// business scope (the trigger names the term found). Licences held are not looked at.
  std::vector<LicenceNeed> Needs(const v1::Subject& subject) const;

  /// The kind whose licence_kind is `licence_kind` (GrantLicence's Licence.kind), or null.
  const LicenceKind* FindByLicence(std::string_view licence_kind) const;
  /// The kind with `code`, or null.
  const LicenceKind* FindByCode(std::string_view code) const;

  const std::vector<LicenceKind>& kinds() const { return kinds_; }

 private:
  LicenceRequirements(std::vector<LicenceKind> kinds, const CodeTable& industries);
  static absl::StatusOr<LicenceRequirements> FromRecords(const std::vector<CsvRecord>& records,
                                                         std::string_view origin,
                                                         const CodeTable& industries);

  std::vector<LicenceKind> kinds_;
  const CodeTable* industries_;
  // Industry code of the table → the kinds (indexes into kinds_) listing it.
  absl::flat_hash_map<std::string, std::vector<size_t>> by_industry_;
};

/// Whether `subject` holds a licence of `licence_kind` that is VALID (有效) and, when it has
/// an end date, not past it on `today`: such a subject needs no notification for that kind.
bool HoldsValidLicence(const v1::Subject& subject, std::string_view licence_kind,
                       absl::CivilDay today);

}  // namespace jianguan::subject
