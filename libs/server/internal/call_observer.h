// The per-call interceptor of a ServiceHost; private to libs/server.
//
// For every call it: counts it in the GrpcServerProbe (started, messages, handled, handling
// time); runs the host's Authenticator once, when the client's metadata has arrived, admits
// the caller by the AccessPolicy, and records the answer for CallerOf(); puts the refusal of
// a callback call whose request did not parse in place of gRPC's status
// (unparsable_requests.h); writes one log line when the status is sent.
#pragma once

#include <memory>
#include <string>

#include "grpcpp/support/server_interceptor.h"

namespace jianguan {
class AccessPolicy;
class Authenticator;
class GrpcServerProbe;
}  // namespace jianguan

namespace jianguan::server_internal {

/// Creates one CallObserver per call. Thread-safe. Each observer shares ownership of the
/// probe and the authenticator, so they live as long as the last call that uses them.
class CallObserverFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  /// A null `policy` admits every caller the authenticator resolves (the public listener).
  CallObserverFactory(std::string service_name, std::shared_ptr<GrpcServerProbe> probe,
                      std::shared_ptr<const Authenticator> authenticator,
                      std::shared_ptr<const AccessPolicy> policy);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  /// What every observer of this host shares.
  struct Shared {
    std::string service_name;
    std::shared_ptr<GrpcServerProbe> probe;
    std::shared_ptr<const Authenticator> authenticator;
    std::shared_ptr<const AccessPolicy> policy;
  };

 private:
  std::shared_ptr<const Shared> shared_;
};

}  // namespace jianguan::server_internal
