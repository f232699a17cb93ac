#include "libs/server/internal/service_methods.h"

#include <cstdio>
#include <cstdlib>

#include "grpcpp/version_info.h"

namespace jianguan::server_internal {
namespace {

using MethodsMember = ServiceMethods grpc::Service::*;

// Defined as a friend by the one instantiation below; declared first so that the friend
// declaration refers to it rather than declaring a new function.
MethodsMember MethodsPointer();

template <MethodsMember Member>
struct MethodsAccess {
  friend MethodsMember MethodsPointer() { return Member; }
};

// [temp.spec.general]: "The usual access checking rules do not apply to names used to
// specify explicit instantiations." A change of the member's name or type in a later gRPC
// fails to compile here.
template struct MethodsAccess<&grpc::Service::methods_>;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr,
               "fatal: reading the methods of a grpc::Service (libs/server/internal/"
               "service_methods.cc) found %s: grpc::Service is not laid out as in gRPC 1.51, "
               "which this was written for (built with gRPC " GRPC_CPP_VERSION_STRING ")\n",
               what);
  std::abort();
}

}  // namespace

ServiceMethods& MethodsOf(grpc::Service& service) {
  using ApiType = grpc::internal::RpcServiceMethod::ApiType;
  ServiceMethods& methods = service.*MethodsPointer();
  bool generic = false, async = false, sync = false, callback = false;
  for (const auto& method : methods) {
    if (method == nullptr) {
      generic = true;
      continue;
    }
    async = async || method->handler() == nullptr;
    sync = sync || method->api_type() == ApiType::SYNC;
    callback = callback || method->api_type() == ApiType::CALL_BACK ||
               method->api_type() == ApiType::RAW_CALL_BACK;
  }
  // The same four questions grpc::Service answers from its own member: different answers
  // mean the pointer does not lead to that member.
  if (generic != service.has_generic_methods() || async != service.has_async_methods() ||
      sync != service.has_synchronous_methods() || callback != service.has_callback_methods()) {
    Die("methods that disagree with the service's own has_*_methods()");
  }
  for (const auto& method : methods) {
    if (method != nullptr && (method->name() == nullptr || method->name()[0] != '/')) {
      Die("a method whose name is not \"/package.Service/Method\"");
    }
  }
  return methods;
}

}  // namespace jianguan::server_internal
