#include "services/inspection/domain/result_categories.h"

#include "absl/strings/str_cat.h"
#include "libs/core/csv.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::inspection {

absl::StatusOr<ResultCategories> ResultCategories::Load(const std::string& path,
                                                        std::string scheme) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
  return Build(records, std::move(scheme), path);
}

absl::StatusOr<ResultCategories> ResultCategories::FromCsv(std::string_view text,
                                                           std::string scheme,
                                                           std::string_view origin) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, origin));
  return Build(records, std::move(scheme), origin);
}

absl::StatusOr<ResultCategories> ResultCategories::Build(const std::vector<CsvRecord>& records,
                                                         std::string scheme,
                                                         std::string_view path) {
  ResultCategories loaded;
  loaded.scheme_ = std::move(scheme);
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat(AbslView(path), ": empty"));
  ASSIGN_OR_RETURN(std::vector<size_t> col,
                   CsvColumns(records[0], {"code", "label", "outcome", "detail_of"}, path));
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& row = records[r];
    const std::string where = absl::StrCat(AbslView(path), ":", row.line, ": ");
    v1::ResultOutcome outcome;
    if (!v1::ResultOutcome_Parse(absl::StrCat("RESULT_OUTCOME_", row.fields[col[2]]), &outcome) ||
        outcome == v1::RESULT_OUTCOME_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown outcome \"", row.fields[col[2]], "\""));
    }
    const std::string& code = row.fields[col[0]];
    if (code.empty() || loaded.entries_.count(code) > 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, "empty or repeated code \"", code, "\""));
    }
    loaded.entries_[code] = Entry{row.fields[col[1]], outcome, row.fields[col[3]]};
  }
  for (const auto& [code, entry] : loaded.entries_) {
    if (entry.detail_of.empty()) continue;
    const Entry* main = loaded.Find(entry.detail_of);
    if (main == nullptr || !main->detail_of.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          AbslView(path), ": detail code ", code, " names \"", entry.detail_of, "\", not a main code"));
    }
  }
  return loaded;
}


const ResultCategories::Entry* ResultCategories::Find(std::string_view code) const {
  auto it = entries_.find(code);
  return it == entries_.end() ? nullptr : &it->second;
}

void ResultCategories::Resolve(v1::ResultCategory& category, std::string_view field,
                               FieldViolations& violations) const {
  const Entry* entry = Find(category.code());
  if (entry == nullptr || !entry->detail_of.empty()) {
    violations.Add(absl::StrCat(AbslView(field), ".code"),
                   absl::StrCat("\"", category.code(), "\" is not a result category of scheme ",
                                scheme_));
    return;
  }
  for (int i = 0; i < category.detail_codes_size(); ++i) {
    const Entry* detail = Find(category.detail_codes(i));
    if (detail == nullptr || detail->detail_of != category.code()) {
      violations.Add(absl::StrCat(AbslView(field), ".detail_codes[", i, "]"),
                     absl::StrCat("\"", category.detail_codes(i), "\" is not a detail of ",
                                  category.code()));
    }
  }
  category.set_scheme(scheme_);
  category.set_label(entry->label);
  category.set_outcome(entry->outcome);
}

bool IsProblemFound(v1::ResultOutcome outcome) {
  return outcome == v1::RESULT_OUTCOME_VIOLATION || outcome == v1::RESULT_OUTCOME_PROBLEM_PENDING ||
         outcome == v1::RESULT_OUTCOME_PROBLEM_RECTIFIED || outcome == v1::RESULT_OUTCOME_OBSTRUCTED;
}

bool NobodyToMeet(v1::ResultOutcome outcome) {
  return outcome == v1::RESULT_OUTCOME_UNREACHABLE || outcome == v1::RESULT_OUTCOME_CLOSED ||
         outcome == v1::RESULT_OUTCOME_NO_LONGER_REGISTERED;
}

}  // namespace jianguan::inspection
