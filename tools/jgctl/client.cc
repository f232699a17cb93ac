#include "tools/jgctl/client.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "jianguan/common/v1/types.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/server/grpc_status.h"
#include "libs/server/tls.h"
#include "tools/jgctl/flags.h"

ABSL_DECLARE_FLAG(std::string, department);
ABSL_DECLARE_FLAG(std::string, user);
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate naming jgctl's department (mutual TLS; env JG_TLS_CERT)");
ABSL_FLAG(std::string, tls_key, "", "PEM key of --tls_cert (env JG_TLS_KEY)");
ABSL_FLAG(std::string, tls_ca, "", "PEM certificate of the suite's CA (env JG_TLS_CA)");
ABSL_FLAG(std::string, tls_dir, "",
          "directory of tools/dev-certs certificates: the acting department's is used "
          "(env JG_TLS_DIR)");

namespace jianguan::jgctl {

std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  std::string cert = WithEnvironment(absl::GetFlag(FLAGS_tls_cert), "", "JG_TLS_CERT");
  std::string key = WithEnvironment(absl::GetFlag(FLAGS_tls_key), "", "JG_TLS_KEY");
  std::string ca = WithEnvironment(absl::GetFlag(FLAGS_tls_ca), "", "JG_TLS_CA");
  const std::string dir = WithEnvironment(absl::GetFlag(FLAGS_tls_dir), "", "JG_TLS_DIR");
  if (cert.empty() && !dir.empty()) {
    const std::string base = absl::StrCat(dir, "/dept-", ActingDepartment());
    cert = base + ".pem";
    key = base + ".key";
    if (ca.empty()) ca = dir + "/ca.pem";
  }
  if (cert.empty() && key.empty() && ca.empty()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<TlsFiles> files = ReadTlsFiles(cert, key, ca);
  if (!files.ok()) {
    std::fprintf(stderr, "jgctl: %s\n", std::string(files.status().message()).c_str());
    std::exit(2);
  }
  return MutualTlsChannelCredentials(*files);
}

std::shared_ptr<grpc::Channel> Connect(const std::string& flag_value,
                                       std::string_view default_target) {
  return grpc::CreateChannel(
      WithEnvironment(flag_value, std::string(default_target), "JG_GRPC_TARGET"),
      Credentials());
}

void Identify(grpc::ClientContext& context, std::string_view department,
              std::initializer_list<std::string_view> roles) {
  context.AddMetadata("x-jg-department",
                      department.empty() ? ActingDepartment() : std::string(department));
  context.AddMetadata("x-jg-system", "jgctl");
  for (std::string_view role : roles) context.AddMetadata("x-jg-role", std::string(role));
}

std::string ActingDepartment() {
  const std::string department =
      WithEnvironment(absl::GetFlag(FLAGS_department), "", "JG_DEPARTMENT");
  return department.empty() ? std::string(kJgctlDepartment) : department;
}

std::string ActingUser() { return WithEnvironment(absl::GetFlag(FLAGS_user), "", "JG_USER"); }

void IdentifyActing(grpc::ClientContext& context,
                    std::initializer_list<std::string_view> roles) {
  Identify(context, ActingDepartment(), roles);
  if (const std::string user = ActingUser(); !user.empty()) {
    context.AddMetadata("x-jg-user", user);
  }
}

bool ReadWholeFile(const std::string& path, std::string* content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "jgctl: cannot read %s\n", path.c_str());
    return false;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  *content = bytes.str();
  return true;
}

std::string CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : absl::StrCat("code ", index);
}

int Fail(const grpc::Status& status) {
  std::fprintf(stderr, "jgctl: %s\n", status.error_message().c_str());
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    std::fprintf(stderr, "  %s: %s\n", v.field.c_str(), v.description.c_str());
  }
  return 1;
}

std::string DateText(const common::v1::Date& date) {
  if (date.year() == 0) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return text;
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::printf("%s", json.c_str());
}

}  // namespace jianguan::jgctl
