#include "services/catalogue/domain/import_content.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "libs/core/csv.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::catalogue {
namespace {

// "2026-03-01" as a Date; what does not parse stays zero and is named by validation.
common::v1::Date ParseDate(std::string_view text) {
  common::v1::Date date;
  std::vector<absl::string_view> parts = absl::StrSplit(AbslView(text), '-');
  int y = 0, m = 0, d = 0;
  if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &y) && absl::SimpleAtoi(parts[1], &m) &&
      absl::SimpleAtoi(parts[2], &d)) {
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
  }
  return date;
}

void AddList(google::protobuf::RepeatedPtrField<std::string>* list, std::string_view text) {
  for (absl::string_view entry : absl::StrSplit(AbslView(text), ';', absl::SkipEmpty())) {
    list->Add(std::string(entry));
  }
}

}  // namespace

absl::StatusOr<std::vector<CsvInspector>> ParseInspectorsCsv(std::string_view content) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(content, "content"));
  if (records.empty()) return InvalidField("content", "no header row");
  ASSIGN_OR_RETURN(std::vector<size_t> col,
                   CsvColumns(records[0],
                              {"name", "department", "certificate_number", "certificate_issuer",
                               "valid_from", "valid_until", "authorised_items",
                               "authorised_fields", "conflicts", "photo_ref", "signature_ref",
                               "status"},
                              "content"));
  std::vector<CsvInspector> out;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& f = records[r].fields;
    CsvInspector& row = out.emplace_back();
    row.row = absl::StrCat("line-", records[r].line);
    v1::Inspector& inspector = row.inspector;
    inspector.set_name(f[col[0]]);
    inspector.mutable_department()->set_code(f[col[1]]);
    inspector.mutable_certificate()->set_number(f[col[2]]);
    inspector.mutable_certificate()->set_issuer(f[col[3]]);
    *inspector.mutable_certificate()->mutable_valid_from() = ParseDate(f[col[4]]);
    *inspector.mutable_certificate()->mutable_valid_until() = ParseDate(f[col[5]]);
    AddList(inspector.mutable_authorised_items(), f[col[6]]);
    AddList(inspector.mutable_authorised_fields(), f[col[7]]);
    AddList(inspector.mutable_conflicts(), f[col[8]]);
    inspector.set_photo_ref(f[col[9]]);
    inspector.set_signature_ref(f[col[10]]);
    row.status = f[col[11]];
  }
  return out;
}

absl::StatusOr<v1::CatalogueBundle> ParseCatalogueJson(std::string_view content) {
  v1::CatalogueBundle bundle;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(content.data(), content.size()), &bundle);
      !parsed.ok()) {
    return InvalidField("content", std::string(parsed.message().data(), parsed.message().size()));
  }
  return bundle;
}

}  // namespace jianguan::catalogue
