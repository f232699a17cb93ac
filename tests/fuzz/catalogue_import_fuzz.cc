// The catalogue's import (ImportCatalogue) from its content on, without the store: the content
// read as a bundle in protobuf JSON and as a CSV of inspectors
// (services/catalogue/domain/import_content.h), then each row through the record checks the
// single RPCs run first (ValidateDepartment, ValidateItem, ValidateForm, ValidateInspector,
// against the GB/T 2260 and GB/T 4754 tables of data/). Properties: every error and every
// violation is valid UTF-8, and the import's answer built from them serializes and parses
// back, so the client can read which row was refused and why.
//
// Input: the content of a request. The handler refuses content that is not UTF-8 before
// reading it, so only such content goes further here.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/core/code_table.h"
#include "libs/core/field_violations.h"
#include "libs/core/text_checks.h"
#include "libs/write/import_rows.h"
#include "services/catalogue/domain/import_content.h"
#include "services/catalogue/domain/record_checks.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan::catalogue {
namespace {

// Records one row's verdict as the handler's ImportLedger does.
void Record(v1::ImportCatalogueResponse& response, std::string_view row,
            const FieldViolations& violations) {
  v1::ImportRowResult* result = response.add_rows();
  result->set_row(std::string(row));
  const absl::Status status = violations.ToStatus();
  if (status.ok()) return;
  fuzz::CheckMessageIsUtf8(status);
  result->set_error(std::string(status.message()));
  AddRowViolations(*result, status);
}

void CheckAnswer(const v1::ImportCatalogueResponse& response) {
  v1::ImportCatalogueResponse read_back;
  JG_FUZZ_CHECK(read_back.ParseFromString(response.SerializeAsString()));
  JG_FUZZ_CHECK(read_back.rows_size() == response.rows_size());
}

void ImportJson(std::string_view content, const CodeTable& regions, const CodeTable& industries) {
  const absl::StatusOr<v1::CatalogueBundle> bundle = ParseCatalogueJson(content);
  if (!bundle.ok()) {
    JG_FUZZ_CHECK(!FieldViolationsOf(bundle.status()).empty());
    fuzz::CheckMessageIsUtf8(bundle.status());
    return;
  }
  v1::ImportCatalogueResponse response;
  for (int i = 0; i < bundle->departments_size(); ++i) {
    FieldViolations v;
    ValidateDepartment(v, "department.", bundle->departments(i), regions);
    Record(response, absl::StrCat("departments[", i, "]"), v);
  }
  for (int i = 0; i < bundle->items_size(); ++i) {
    FieldViolations v;
    ValidateItem(v, "item.", bundle->items(i), industries);
    Record(response, absl::StrCat("items[", i, "]"), v);
  }
  for (int i = 0; i < bundle->forms_size(); ++i) {
    FieldViolations v;
    ValidateForm(v, "form.", bundle->forms(i));
    Record(response, absl::StrCat("forms[", i, "]"), v);
  }
  for (int i = 0; i < bundle->inspectors_size(); ++i) {
    FieldViolations v;
    ValidateInspector(v, "inspector.", bundle->inspectors(i));
    Record(response, absl::StrCat("inspectors[", i, "]"), v);
  }
  CheckAnswer(response);
}

void ImportInspectorsCsv(std::string_view content) {
  const absl::StatusOr<std::vector<CsvInspector>> rows = ParseInspectorsCsv(content);
  if (!rows.ok()) {
    JG_FUZZ_CHECK(rows.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(rows.status());
    return;
  }
  v1::ImportCatalogueResponse response;
  for (const CsvInspector& row : *rows) {
    FieldViolations v;
    ValidateInspector(v, "inspector.", row.inspector);
    Record(response, row.row, v);
  }
  CheckAnswer(response);
}

}  // namespace
}  // namespace jianguan::catalogue

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  using namespace jianguan::catalogue;
  static const CodeTable& regions = fuzz::ReferenceTable("regions.csv");
  static const CodeTable& industries = fuzz::ReferenceTable("industries.csv");
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  if (!IsValidUtf8(content)) return 0;
  ImportJson(content, regions, industries);
  ImportInspectorsCsv(content);
  return 0;
}
