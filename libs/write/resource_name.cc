#include "libs/write/resource_name.h"

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"

namespace jianguan {
namespace {

std::string Expected(std::string_view collection, std::string_view id_label) {
  return absl::StrCat("must be ", AbslView(collection), "/{", AbslView(id_label), "}");
}

}  // namespace

std::string ResourceName(std::string_view collection, std::string_view id) {
  return absl::StrCat(AbslView(collection), "/", AbslView(id));
}

std::optional<std::string_view> ResourceIdOf(std::string_view name, std::string_view collection,
                                             IdCheck valid) {
  if (name.size() <= collection.size() + 1 || !name.starts_with(collection) ||
      name[collection.size()] != '/') {
    return std::nullopt;
  }
  const std::string_view id = name.substr(collection.size() + 1);
  if (!valid(id)) return std::nullopt;
  return id;
}

absl::StatusOr<std::string> ParseResourceName(std::string_view field, std::string_view name,
                                              std::string_view collection, IdCheck valid,
                                              std::string_view id_label) {
  if (auto id = ResourceIdOf(name, collection, valid)) return std::string(*id);
  return InvalidField(field, Expected(collection, id_label));
}

std::string ParseResourceName(FieldViolations& violations, std::string_view field,
                              std::string_view name, std::string_view collection, IdCheck valid,
                              std::string_view id_label) {
  if (auto id = ResourceIdOf(name, collection, valid)) return std::string(*id);
  violations.Add(field, Expected(collection, id_label));
  return "";
}

}  // namespace jianguan
