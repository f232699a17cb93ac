// The departments a dual notification can go to: the catalogue's (统一执法主体库), read once at
// start from the catalogue bundle the suite is loaded with (data/catalogue/catalogue.json, a
// jianguan.catalogue.v1.CatalogueBundle in protobuf JSON). The registry does not call the
// catalogue service for them: a registration must not wait for, or fail with, another service.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/subject-registry/domain/notification_rules.h"

namespace jianguan::subject {

/// The codes of the bundle's departments that are not dissolved. NOT_FOUND when the file
/// cannot be read; INVALID_ARGUMENT naming the file when it is not a bundle or holds no
/// department.
absl::StatusOr<DepartmentCodes> LoadCatalogueDepartments(const std::string& path);

}  // namespace jianguan::subject
