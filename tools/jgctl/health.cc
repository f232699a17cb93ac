// jgctl health: one grpc.health.v1 Check per service.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/flags.h"

namespace jianguan::jgctl {
namespace {

// DESIGN.md §2: local default ports.
constexpr std::pair<const char*, int> kServices[] = {
    {"catalogue", 7101}, {"subject-registry", 7102}, {"sampling", 7103}, {"inspection", 7104},
    {"cases", 7105},     {"credit", 7106},           {"risk", 7107},
};

std::string Check(const std::string& address) {
  auto channel = grpc::CreateChannel(address, Credentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return "UNREACHABLE";
  }
  if (!status.ok()) return absl::StrCat("ERROR ", status.error_message());
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

}  // namespace

int Health(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "jgctl health: unexpected argument '%s'\n", args[0].c_str());
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> targets;  // name, address
  for (const auto& address : absl::GetFlag(FLAGS_target)) targets.emplace_back(address, address);
  if (targets.empty()) {
    for (const auto& [name, port] : kServices) {
      targets.emplace_back(name, absl::StrCat(absl::GetFlag(FLAGS_host), ":", port));
    }
  }
  int not_serving = 0;
  std::printf("%-18s %-22s %s\n", "SERVICE", "ADDRESS", "STATUS");
  for (const auto& [name, address] : targets) {
    const std::string status = Check(address);
    not_serving += status != "SERVING";
    std::printf("%-18s %-22s %s\n", name.c_str(), address.c_str(), status.c_str());
  }
  return not_serving == 0 ? 0 : 1;
}

}  // namespace jianguan::jgctl
