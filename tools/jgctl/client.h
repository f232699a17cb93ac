// What every jgctl command that calls a service shares: where the service is (its address
// flag, else JG_GRPC_TARGET, else the local default port), who jgctl says it is, and how a
// failed call is reported. A command file keeps only its requests and its printing.
//
//   auto registry = v1::SubjectRegistry::NewStub(
//       Connect(absl::GetFlag(FLAGS_registry), "127.0.0.1:7102"));
//   grpc::ClientContext context;
//   Identify(context);                                  // x-jg-department: jgctl
//   if (auto s = registry->GetSubject(&context, request, &subject); !s.ok()) return Fail(s);
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace grpc {
class Channel;
class ChannelCredentials;
}  // namespace grpc
namespace google::protobuf {
class Message;
}
namespace jianguan::common::v1 {
class Date;
}

namespace jianguan::jgctl {

/// The department jgctl acts as when a command names none.
inline constexpr std::string_view kJgctlDepartment = "jgctl";

/// A channel to the service at `flag_value`; when that still holds `default_target`,
/// JG_GRPC_TARGET (if set) wins. Mutual TLS with Credentials().
std::shared_ptr<grpc::Channel> Connect(const std::string& flag_value,
                                       std::string_view default_target);

/// How jgctl connects: mutual TLS with --tls_cert/--tls_key/--tls_ca (JG_TLS_CERT …), or with
/// the acting department's certificate from --tls_dir (JG_TLS_DIR: DIR/dept-<department>.pem,
/// .key and DIR/ca.pem, as tools/dev-certs makes them); plaintext when neither is given.
/// Exits with status 2 when a file cannot be read.
std::shared_ptr<grpc::ChannelCredentials> Credentials();

/// Marks `context` as a call by jgctl (x-jg-system) acting as `department` (empty:
/// ActingDepartment()) with `roles` (x-jg-role). Calls to the public APIs are made without
/// it. Under mutual TLS the server takes the department from the certificate instead.
void Identify(grpc::ClientContext& context, std::string_view department = {},
              std::initializer_list<std::string_view> roles = {});

/// The department jgctl acts for: --department (env JG_DEPARTMENT), else kJgctlDepartment.
std::string ActingDepartment();
/// The person acting: --user (env JG_USER); may be empty.
std::string ActingUser();
/// Identify(context, ActingDepartment(), roles), with x-jg-user when ActingUser() is set.
void IdentifyActing(grpc::ClientContext& context,
                    std::initializer_list<std::string_view> roles = {});

/// The whole file at `path` into `*content`; false, after saying so on stderr, when it cannot
/// be read.
bool ReadWholeFile(const std::string& path, std::string* content);

/// "2026-03-01", or "-" for an unset date.
std::string DateText(const common::v1::Date& date);

/// Prints `message` as indented JSON with the contracts' field names.
void PrintJson(const google::protobuf::Message& message);

/// "PERMISSION_DENIED", as gRPC names its codes ("code 42" for one it does not know).
std::string CodeName(grpc::StatusCode code);

/// Prints a failed call to stderr — its message and every field it names — and returns
/// exit status 1.
int Fail(const grpc::Status& status);

}  // namespace jianguan::jgctl
