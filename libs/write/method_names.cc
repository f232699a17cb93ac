#include "libs/write/method_names.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "libs/core/string_view_compat.h"

namespace jianguan {
namespace {

const google::protobuf::ServiceDescriptor* FindService(std::string_view name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      std::string(name));
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "fatal: %s\n", message.c_str());
  std::abort();
}

}  // namespace

MethodNames::MethodNames(std::string_view service) : service_(service) {
  if (FindService(service_) == nullptr) {
    Die(absl::StrCat("MethodNames: no service ", service_, " in the linked contracts"));
  }
}

std::string MethodNames::operator()(std::string_view method) const {
  const google::protobuf::ServiceDescriptor* service = FindService(service_);
  if (service->FindMethodByName(std::string(method)) == nullptr) {
    Die(absl::StrCat("MethodNames: service ", service_, " has no method ", AbslView(method)));
  }
  return absl::StrCat("/", service_, "/", AbslView(method));
}

}  // namespace jianguan
