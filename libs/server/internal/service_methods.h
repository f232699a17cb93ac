// The methods of a grpc::Service, which gRPC keeps private; private to libs/server.
//
// The host wraps each method's handler before it registers the service (see
// request_refusals.h), and needs the list for that. grpc::Service (grpcpp 1.51) has no
// public route to it: AddMethod, GetHandler and the MarkMethod* family are protected and
// take an index whose range only the private vector knows, and nothing tells the base class
// its service's name or number of methods; ServerBuilder and Server read the vector as
// friends. service_methods.cc is the one place that reaches it, through an explicit
// template instantiation (the only construct C++ lets name a private member: access is not
// checked in one), so the compiler checks the member's name and type, and MethodsOf checks
// at run time that what it reads is what grpc::Service reads itself.
#pragma once

#include <memory>
#include <vector>

#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/impl/service_type.h"

namespace jianguan::server_internal {

using ServiceMethods = std::vector<std::unique_ptr<grpc::internal::RpcServiceMethod>>;

/// The methods of `service` in the order they were added (a null entry is a method marked
/// generic). Aborts with a message naming gRPC's layout when the vector disagrees with the
/// service's own public account of its methods (has_async_methods() and the like): the
/// access would then be reading the wrong thing, and serving on that would be worse.
ServiceMethods& MethodsOf(grpc::Service& service);

}  // namespace jianguan::server_internal
