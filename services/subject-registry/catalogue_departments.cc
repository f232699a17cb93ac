#include "services/subject-registry/catalogue_departments.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/files.h"
#include "libs/core/status_macros.h"

namespace jianguan::subject {

absl::StatusOr<DepartmentCodes> LoadCatalogueDepartments(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string content, ReadWholeFile(path));
  catalogue::v1::CatalogueBundle bundle;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(content.data(), content.size()), &bundle);
      !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a catalogue bundle: ",
        std::string(parsed.message().data(), parsed.message().size())));
  }
  DepartmentCodes codes;
  for (const catalogue::v1::Department& department : bundle.departments()) {
    if (department.status() == catalogue::v1::DEPARTMENT_STATUS_DISSOLVED) continue;
    codes.insert(department.code());
  }
  if (codes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": holds no active department"));
  }
  return codes;
}

}  // namespace jianguan::subject
