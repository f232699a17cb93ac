// A real gRPC server in the test's process (STYLE.md: "a fixture runs the real service
// in-process and hands out typed clients"): a ServiceHost on loopback port 0 serving the
// handlers a test built, with typed stubs and call contexts that name the caller.
//
//   testing::InProcessServer server({service.get()});
//   auto stub = server.Stub<v1::SubjectRegistry>();
//   auto context = testing::CallAs("330700-SCJG", {roles::kRegistryAdmin});
//   REQUIRE(stub->GetSubject(context.get(), request, &subject).ok());
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/impl/service_type.h"
#include "libs/server/grpc_server.h"

namespace grpc {
class Channel;
}

namespace jianguan::testing {

/// Starts at construction (REQUIRE-fails the test when it cannot), shuts down within five
/// seconds at destruction. The services must outlive the server.
class InProcessServer {
 public:
  explicit InProcessServer(std::vector<grpc::Service*> services,
                           std::string service_name = "in-process-test");
  ~InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub() const {
    return Service::NewStub(channel_);
  }

  ServiceHost& host() { return *host_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  std::unique_ptr<ServiceHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
};

/// A context for a call by `department` (user "tester") with `roles`, as the loopback
/// authenticator reads them. An empty department makes an anonymous call.
std::unique_ptr<grpc::ClientContext> CallAs(std::string_view department,
                                            std::initializer_list<std::string_view> roles = {});

}  // namespace jianguan::testing
