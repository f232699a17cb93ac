#include "libs/testing/service_fixture.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace jianguan::testing {

InProcessServer::InProcessServer(std::vector<grpc::Service*> services, std::string service_name)
    : host_(std::make_unique<ServiceHost>(
          ServiceHostOptions{.service_name = std::move(service_name)})) {
  for (grpc::Service* service : services) host_->AddService(service);
  const absl::Status started = host_->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", host_->bound_port()),
                                 grpc::InsecureChannelCredentials());
}

InProcessServer::~InProcessServer() { host_->Shutdown(absl::Now() + absl::Seconds(5)); }

std::unique_ptr<grpc::ClientContext> CallAs(std::string_view department,
                                            std::initializer_list<std::string_view> roles) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (department.empty()) return context;
  context->AddMetadata("x-jg-department", std::string(department));
  context->AddMetadata("x-jg-user", "tester");
  for (std::string_view role : roles) context->AddMetadata("x-jg-role", std::string(role));
  return context;
}

}  // namespace jianguan::testing
