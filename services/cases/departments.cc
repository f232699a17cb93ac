#include "services/cases/departments.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "libs/core/csv.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::cases {
namespace {

bool IsPrefix(std::string_view prefix) {
  if (!IsValidUtf8(prefix)) return false;
  const size_t chars = Utf8Length(prefix);
  if (chars < 1 || chars > 10) return false;
  for (std::string_view banned : {"〔", "〕", "[", "]", "(", ")", "（", "）", " ", "　"}) {
    if (absl::StrContains(AbslView(prefix), AbslView(banned))) return false;
  }
  for (char c : prefix) {
    if ((c >= '0' && c <= '9') || c == '\t' || c == '\n' || c == '\r') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Departments> Departments::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
  return FromRecords(records, path);
}

absl::StatusOr<Departments> Departments::FromCsv(std::string_view text, std::string_view origin) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, origin));
  return FromRecords(records, std::string(origin));
}

absl::StatusOr<Departments> Departments::FromRecords(const std::vector<CsvRecord>& records,
                                                     const std::string& path) {
  if (records.empty()) return absl::InvalidArgumentError(path + ": no header");
  ASSIGN_OR_RETURN(std::vector<size_t> columns,
                   CsvColumns(records.front(), {"code", "name", "document_prefix"}));
  Departments departments;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    auto field = [&](size_t column) -> std::string {
      return columns[column] < record.fields.size() ? record.fields[columns[column]] : "";
    };
    const std::string where = absl::StrCat(path, ":", record.line, ": ");
    DepartmentInfo info{field(0), field(1), field(2)};
    if (info.code.empty() || info.name.empty() || !IsValidUtf8(info.name)) {
      return absl::InvalidArgumentError(where + "code and name must be set (UTF-8)");
    }
    if (!IsPrefix(info.document_prefix)) {
      return absl::InvalidArgumentError(
          where + "document_prefix must be 1-10 characters without brackets, digits or spaces");
    }
    const std::string code = info.code;
    if (!departments.by_code_.emplace(code, std::move(info)).second) {
      return absl::InvalidArgumentError(where + "department " + code + " is given twice");
    }
  }
  return departments;
}

const DepartmentInfo* Departments::Find(std::string_view code) const {
  auto it = by_code_.find(AbslView(code));
  return it == by_code_.end() ? nullptr : &it->second;
}

}  // namespace jianguan::cases
