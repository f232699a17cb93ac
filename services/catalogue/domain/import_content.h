// What an ImportCatalogue request's content holds, read before any row is applied: a
// catalogue bundle in protobuf JSON (IMPORT_FORMAT_JSON) or a CSV of inspectors
// (IMPORT_FORMAT_INSPECTORS_CSV). The handler (catalogue_import.cc) checks and commits each
// row through the single RPCs; this part only reads the bytes, so it is a pure function the
// fuzz target tests/fuzz/catalogue_import_fuzz.cc can run on its own.
//
//   ASSIGN_OR_RETURN(std::vector<CsvInspector> rows, ParseInspectorsCsv(request.content()));
//   ASSIGN_OR_RETURN(v1::CatalogueBundle bundle, ParseCatalogueJson(request.content()));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"

namespace jianguan::catalogue {

/// One inspector of an IMPORT_FORMAT_INSPECTORS_CSV file: its row's name ("line-N"), the
/// inspector as RegisterInspector would receive it, and the status it should end in.
struct CsvInspector {
  std::string row;
  v1::Inspector inspector;
  std::string status;
};

/// The inspectors of a CSV file with the columns name, department, certificate_number,
/// certificate_issuer, valid_from, valid_until (YYYY-MM-DD), authorised_items,
/// authorised_fields, conflicts (';'-separated lists), photo_ref, signature_ref and status.
/// What does not parse in a row (a date) is left for validation to name. INVALID_ARGUMENT
/// on "content" for a malformed file, no header row or a missing column.
absl::StatusOr<std::vector<CsvInspector>> ParseInspectorsCsv(std::string_view content);

/// A CatalogueBundle in protobuf JSON. INVALID_ARGUMENT on "content" naming what does not
/// parse.
absl::StatusOr<v1::CatalogueBundle> ParseCatalogueJson(std::string_view content);

}  // namespace jianguan::catalogue
