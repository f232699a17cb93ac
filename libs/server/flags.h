// The flags every service binary shares, each with an environment fallback.
//
// Precedence, highest first:
//   1. the command line        --grpc_port=7102
//   2. the environment         JG_GRPC_PORT=7102   (JG_ + the flag name in upper case)
//   3. the binary's default    absl::SetFlag(&FLAGS_grpc_port, 7102) before ParseCommandLine
//   4. the flag's default      as defined below
//
// A malformed value from any source stops the binary at start with a message naming the
// flag, the source and the problem (DESIGN §3: misconfiguration at start is fatal).
//
//   int main(int argc, char** argv) {
//     absl::SetFlag(&FLAGS_grpc_port, 7102);
//     absl::SetFlag(&FLAGS_metrics_port, 9102);
//     jianguan::ParseCommandLine(argc, argv, "subject-registry: the registry of subjects");
//     jianguan::ServiceHost host(jianguan::HostOptionsFromFlags("subject-registry"));
//     ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/server/grpc_server.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

/// gRPC port; 0 picks a free one. Env JG_GRPC_PORT.
ABSL_DECLARE_FLAG(int32_t, grpc_port);
/// Address to listen on: 127.0.0.1 locally, 0.0.0.0 in Kubernetes. Env JG_GRPC_HOST.
ABSL_DECLARE_FLAG(std::string, grpc_host);
/// Port of /metrics; 0 serves none. Env JG_METRICS_PORT.
ABSL_DECLARE_FLAG(int32_t, metrics_port);
/// Directory of the service's RocksDB and other state; services that keep state require
/// it. Env JG_DATA_DIR.
ABSL_DECLARE_FLAG(std::string, data_dir);
/// Kafka bootstrap servers, comma-separated host:port. Env JG_KAFKA_BROKERS.
ABSL_DECLARE_FLAG(std::string, kafka_brokers);
/// debug, info, warning or error. Env JG_LOG_LEVEL.
ABSL_DECLARE_FLAG(std::string, log_level);
/// PEM files of mutual TLS: this party's certificate, its key, the suite's CA. All three or
/// none. Env JG_TLS_CERT, JG_TLS_KEY, JG_TLS_CA.
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_ca);
/// Serve plaintext on a non-loopback address (a development cluster only). Env
/// JG_INSECURE_DEV.
ABSL_DECLARE_FLAG(bool, insecure_dev);
/// The access policy file (libs/server/access_policy.h); required under mutual TLS. Env
/// JG_ACCESS_POLICY.
ABSL_DECLARE_FLAG(std::string, access_policy);
/// Port of a plaintext listener serving only grpc.health.v1 (for the kubelet's gRPC probe,
/// which cannot present a client certificate); 0 serves none. Env JG_HEALTH_PORT.
ABSL_DECLARE_FLAG(int32_t, health_port);
/// PEM files for TLS to Kafka: the brokers' CA, and for client authentication this
/// service's certificate and key (both or neither). Env JG_KAFKA_TLS_CA, JG_KAFKA_TLS_CERT,
/// JG_KAFKA_TLS_KEY. Without the CA the clients speak plaintext.
ABSL_DECLARE_FLAG(std::string, kafka_tls_ca);
ABSL_DECLARE_FLAG(std::string, kafka_tls_cert);
ABSL_DECLARE_FLAG(std::string, kafka_tls_key);
/// Tests only: a file holding an RFC 3339 instant the service's clock reads instead of the
/// real time (libs/runtime/file_clock.h). Refused without --insecure_dev. Env
/// JG_FAKE_CLOCK_FILE.
ABSL_DECLARE_FLAG(std::string, fake_clock_file);

namespace jianguan {

/// The names of the shared flags, in the order above.
const std::vector<std::string_view>& CommonFlagNames();

/// "JG_" + `flag_name` in upper case: "grpc_port" → "JG_GRPC_PORT".
std::string EnvironmentVariableFor(std::string_view flag_name);

/// Sets each shared flag whose environment variable is set and not empty. INVALID_ARGUMENT
/// naming the variable when a value does not parse; flags before the bad one keep their
/// new values. ParseCommandLine calls it before reading the command line, which is how
/// the command line wins. Not thread-safe with other flag writers.
absl::Status ApplyEnvironmentToFlags();

/// INVALID_ARGUMENT when a shared flag holds a value of the right type that is still
/// unusable (a port outside 0–65535, an unknown log level, an empty host, only some of the
/// TLS files, plaintext on a non-loopback address without --insecure_dev, mutual TLS
/// without an access policy, a Kafka client certificate without its key or without the
/// brokers' CA, a fake clock file without --insecure_dev).
absl::Status ValidateCommonFlags();

/// Parses argv with Abseil (handles --help, --flagfile, unknown flags), applying the
/// environment fallbacks first, then validates the shared flags and sets the log level.
/// Exits the process with status 2 and one clear log line on any misconfiguration.
/// Returns the positional arguments, argv[0] first. Call once, from main, before any thread
/// that reads flags starts. `usage` is shown by --help.
std::vector<char*> ParseCommandLine(int argc, char** argv, std::string_view usage);

/// ServiceHostOptions from the shared flags (host, ports; metrics_port 0 → none; mutual TLS
/// credentials, certificate authenticator and access policy when the files are given).
/// Exits with status 2 and one clear log line when a file cannot be read or parsed.
ServiceHostOptions HostOptionsFromFlags(std::string service_name);

/// librdkafka properties every Kafka client of the service adds (security.protocol and
/// the ssl.* files) from --kafka_tls_*; empty for plaintext. Exits with status 2 and one
/// clear log line when a file cannot be read. `expiry`, when given, receives the notAfter
/// of the Kafka certificates ("kafka_ca", "kafka_client") for the expiry gauge.
std::map<std::string, std::string> KafkaClientPropertiesFromFlags(
    std::map<std::string, absl::Time>* expiry = nullptr);

/// Credentials for the service's own calls to other services: mutual TLS with its own
/// certificate when --tls_* are set, insecure otherwise. Exits like HostOptionsFromFlags.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFromFlags();

/// Credentials of a public listener (ServiceHostOptions::public_credentials): TLS with the
/// service's certificate and no client certificate when --tls_* are set; null (plaintext)
/// otherwise. Exits like HostOptionsFromFlags.
std::shared_ptr<grpc::ServerCredentials> PublicServerCredentialsFromFlags();

/// True for addresses only this machine reaches: 127.0.0.0/8, ::1, localhost.
bool IsLoopbackHost(std::string_view host);

}  // namespace jianguan
