#include "libs/core/string_view_compat.h"
#include "libs/server/flags.h"

#include <cstdlib>
#include <mutex>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/credentials.h"
#include "libs/core/log.h"
#include "libs/server/access_policy.h"
#include "libs/server/tls.h"

ABSL_FLAG(int32_t, grpc_port, 0,
          "gRPC port; 0 picks a free one. Environment: JG_GRPC_PORT.");
ABSL_FLAG(std::string, grpc_host, "127.0.0.1",
          "Address to listen on for gRPC and /metrics (0.0.0.0 in Kubernetes). "
          "Environment: JG_GRPC_HOST.");
ABSL_FLAG(int32_t, metrics_port, 0,
          "Port of the Prometheus endpoint /metrics; 0 serves none. "
          "Environment: JG_METRICS_PORT.");
ABSL_FLAG(std::string, data_dir, "",
          "Directory of the service's state (RocksDB). Environment: JG_DATA_DIR.");
ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:9092",
          "Kafka bootstrap servers, comma-separated host:port. Environment: JG_KAFKA_BROKERS.");
ABSL_FLAG(std::string, log_level, "info",
          "Lowest level logged: debug, info, warning or error. Environment: JG_LOG_LEVEL.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate (chain) of this service for mutual TLS; with --tls_key and "
          "--tls_ca. Environment: JG_TLS_CERT.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert. Environment: JG_TLS_KEY.");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM certificate(s) of the suite's CA: the only issuer of callers' and peers' "
          "certificates. Environment: JG_TLS_CA.");
ABSL_FLAG(bool, insecure_dev, false,
          "Allow plaintext gRPC on a non-loopback address (development clusters only; "
          "callers then name their department in metadata nobody checks). Environment: "
          "JG_INSECURE_DEV.");
ABSL_FLAG(std::string, access_policy, "",
          "The access policy file (departments admitted, roles granted, methods that need a "
          "role; docs/security.md). Required with mutual TLS; without it plaintext loopback "
          "development admits every department a caller names. Environment: JG_ACCESS_POLICY.");

ABSL_FLAG(int32_t, health_port, 0,
          "Port of a plaintext gRPC listener that serves only grpc.health.v1, for probes that "
          "cannot present a client certificate (the kubelet's gRPC probe); 0 serves none. "
          "Environment: JG_HEALTH_PORT.");
ABSL_FLAG(std::string, kafka_tls_ca, "",
          "PEM certificate(s) of the CA that issued the Kafka brokers' certificates: the Kafka "
          "clients then speak TLS. Environment: JG_KAFKA_TLS_CA.");
ABSL_FLAG(std::string, kafka_tls_cert, "",
          "PEM certificate of this service for TLS client authentication to Kafka (with "
          "--kafka_tls_key and --kafka_tls_ca). Environment: JG_KAFKA_TLS_CERT.");
ABSL_FLAG(std::string, kafka_tls_key, "",
          "PEM private key of --kafka_tls_cert. Environment: JG_KAFKA_TLS_KEY.");
ABSL_FLAG(std::string, fake_clock_file, "",
          "Tests only: a file holding an RFC 3339 instant; the service's clock reads it plus "
          "the real time elapsed since the file last changed, so a test moves time by "
          "rewriting it. Needs --insecure_dev (JG_INSECURE_DEV=1). Environment: "
          "JG_FAKE_CLOCK_FILE.");

namespace jianguan {
namespace {

[[noreturn]] void DieOfMisconfiguration(const absl::Status& status) {
  const absl::string_view message = status.message();
  LogError("invalid configuration", {{"error", std::string_view(message.data(), message.size())}});
  std::exit(2);
}

absl::Status CheckPort(std::string_view flag_name, int32_t port) {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", AbslView(flag_name), "=", port, " is not a port (0-65535)"));
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string_view>& CommonFlagNames() {
  static const std::vector<std::string_view>* const names = new std::vector<std::string_view>{
      "grpc_port", "grpc_host", "metrics_port", "data_dir", "kafka_brokers", "log_level",
      "tls_cert", "tls_key", "tls_ca", "insecure_dev", "access_policy",
      "health_port", "kafka_tls_ca", "kafka_tls_cert", "kafka_tls_key", "fake_clock_file"};
  return *names;
}

std::string EnvironmentVariableFor(std::string_view flag_name) {
  return absl::StrCat("JG_", absl::AsciiStrToUpper(AbslView(flag_name)));
}

absl::Status ApplyEnvironmentToFlags() {
  for (std::string_view name : CommonFlagNames()) {
    const std::string variable = EnvironmentVariableFor(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr || *value == '\0') continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(AbslView(name));
    if (flag == nullptr) {
      return absl::InternalError(absl::StrCat("flag --", AbslView(name), " is not linked in"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", variable, "='",
                                                     value, "' is not a valid --", AbslView(name),
                                                     ": ", error));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCommonFlags() {
  if (absl::Status s = CheckPort("grpc_port", absl::GetFlag(FLAGS_grpc_port)); !s.ok()) return s;
  if (absl::Status s = CheckPort("metrics_port", absl::GetFlag(FLAGS_metrics_port)); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPort("health_port", absl::GetFlag(FLAGS_health_port)); !s.ok()) {
    return s;
  }
  if (absl::GetFlag(FLAGS_grpc_host).empty()) {
    return absl::InvalidArgumentError("--grpc_host is empty");
  }
  LogLevel level;
  if (const std::string text = absl::GetFlag(FLAGS_log_level); !ParseLogLevel(text, &level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log_level='", text, "' is not one of debug, info, warning, error"));
  }
  const int tls_files = !absl::GetFlag(FLAGS_tls_cert).empty() +
                        !absl::GetFlag(FLAGS_tls_key).empty() +
                        !absl::GetFlag(FLAGS_tls_ca).empty();
  if (tls_files != 0 && tls_files != 3) {
    return absl::InvalidArgumentError(
        "mutual TLS needs all three of --tls_cert, --tls_key and --tls_ca");
  }
  if (tls_files == 0 && !IsLoopbackHost(absl::GetFlag(FLAGS_grpc_host)) &&
      !absl::GetFlag(FLAGS_insecure_dev)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--grpc_host=", absl::GetFlag(FLAGS_grpc_host),
        " is not a loopback address: serve mutual TLS (--tls_cert, --tls_key, --tls_ca) or, "
        "on a development cluster only, pass --insecure_dev"));
  }
  if (tls_files == 3 && absl::GetFlag(FLAGS_access_policy).empty()) {
    return absl::InvalidArgumentError(
        "mutual TLS needs --access_policy: which departments may call, with which roles");
  }
  const bool kafka_cert = !absl::GetFlag(FLAGS_kafka_tls_cert).empty();
  const bool kafka_key = !absl::GetFlag(FLAGS_kafka_tls_key).empty();
  if (kafka_cert != kafka_key) {
    return absl::InvalidArgumentError(
        "a Kafka client certificate needs both --kafka_tls_cert and --kafka_tls_key");
  }
  if (kafka_cert && absl::GetFlag(FLAGS_kafka_tls_ca).empty()) {
    return absl::InvalidArgumentError(
        "--kafka_tls_cert needs --kafka_tls_ca: the CA the brokers' certificates are checked "
        "against");
  }
  // A clock read from a file lets whoever writes the file decide deadlines and listings:
  // acceptable on a test machine, never in production, so it rides on the development flag.
  if (!absl::GetFlag(FLAGS_fake_clock_file).empty() && !absl::GetFlag(FLAGS_insecure_dev)) {
    return absl::InvalidArgumentError(
        "--fake_clock_file (JG_FAKE_CLOCK_FILE) replaces the real clock and is for tests only: "
        "it needs --insecure_dev (JG_INSECURE_DEV=1)");
  }
  return absl::OkStatus();
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

std::vector<char*> ParseCommandLine(int argc, char** argv, std::string_view usage) {
  // Abseil refuses a second usage message; tests parse more than once.
  static std::once_flag usage_once;
  std::call_once(usage_once, [usage] { absl::SetProgramUsageMessage(AbslView(usage)); });

  if (absl::Status s = ApplyEnvironmentToFlags(); !s.ok()) DieOfMisconfiguration(s);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (absl::Status s = ValidateCommonFlags(); !s.ok()) DieOfMisconfiguration(s);

  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level);
  SetLogLevel(level);
  return positional;
}

ServiceHostOptions HostOptionsFromFlags(std::string service_name) {
  ServiceHostOptions options;
  options.service_name = std::move(service_name);
  options.host = absl::GetFlag(FLAGS_grpc_host);
  options.grpc_port = absl::GetFlag(FLAGS_grpc_port);
  if (const int32_t port = absl::GetFlag(FLAGS_metrics_port); port != 0) {
    options.metrics_port = port;
  }
  if (const int32_t port = absl::GetFlag(FLAGS_health_port); port != 0) {
    options.health_port = port;
  }
  if (const std::string path = absl::GetFlag(FLAGS_access_policy); !path.empty()) {
    absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(path);
    if (!policy.ok()) DieOfMisconfiguration(policy.status());
    LogInfo("access policy loaded", {{"path", path}, {"rules", policy->size()}});
    options.policy = std::make_shared<const AccessPolicy>(*std::move(policy));
  } else {
    LogWarning("no --access_policy: every department a caller names is admitted with the roles "
               "it claims (loopback development only)", {});
  }
  if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    absl::StatusOr<TlsFiles> files = ReadTlsFiles(
        absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_tls_ca));
    if (!files.ok()) DieOfMisconfiguration(files.status());
    auto authenticator = CertificateAuthenticator::Create(files->ca_pem, options.policy);
    if (!authenticator.ok()) DieOfMisconfiguration(authenticator.status());
    options.authenticator = *std::move(authenticator);
    options.credentials = MutualTlsServerCredentials(*files);
    for (const auto& [name, pem] : {std::pair<std::string, const std::string*>{"serving", &files->cert_pem},
                                    {"ca", &files->ca_pem}}) {
      absl::StatusOr<absl::Time> expiry = EarliestExpiry(*pem);
      if (!expiry.ok()) DieOfMisconfiguration(expiry.status());
      options.certificate_expiry[name] = *expiry;
    }
  }
  return options;
}

std::map<std::string, std::string> KafkaClientPropertiesFromFlags(
    std::map<std::string, absl::Time>* expiry) {
  std::map<std::string, std::string> properties;
  const std::string ca = absl::GetFlag(FLAGS_kafka_tls_ca);
  if (ca.empty()) return properties;
  struct File {
    std::string_view flag;
    std::string path;
    std::string_view property;
    std::string_view certificate;  // the expiry gauge's label; empty for the key
  };
  const File files[] = {{"kafka_tls_ca", ca, "ssl.ca.location", "kafka_ca"},
                        {"kafka_tls_cert", absl::GetFlag(FLAGS_kafka_tls_cert),
                         "ssl.certificate.location", "kafka_client"},
                        {"kafka_tls_key", absl::GetFlag(FLAGS_kafka_tls_key), "ssl.key.location", ""}};
  properties["security.protocol"] = "ssl";
  for (const File& file : files) {
    if (file.path.empty()) continue;
    // Read here, although librdkafka reads the files itself, so that a missing or garbled
    // file stops the binary at start naming the flag.
    absl::StatusOr<std::string> pem = ReadPemFile(file.flag, file.path);
    if (!pem.ok()) DieOfMisconfiguration(pem.status());
    properties[std::string(file.property)] = file.path;
    if (expiry != nullptr && !file.certificate.empty()) {
      absl::StatusOr<absl::Time> not_after = EarliestExpiry(*pem);
      if (!not_after.ok()) {
        DieOfMisconfiguration(absl::InvalidArgumentError(
            absl::StrCat("--", AbslView(file.flag), ": ", file.path, " holds no certificate")));
      }
      (*expiry)[std::string(file.certificate)] = *not_after;
    }
  }
  return properties;
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFromFlags() {
  if (absl::GetFlag(FLAGS_tls_cert).empty()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<TlsFiles> files = ReadTlsFiles(
      absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_tls_ca));
  if (!files.ok()) DieOfMisconfiguration(files.status());
  return MutualTlsChannelCredentials(*files);
}

std::shared_ptr<grpc::ServerCredentials> PublicServerCredentialsFromFlags() {
  if (absl::GetFlag(FLAGS_tls_cert).empty()) return nullptr;
  absl::StatusOr<TlsFiles> files = ReadTlsFiles(
      absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_tls_ca));
  if (!files.ok()) DieOfMisconfiguration(files.status());
  return ServerTlsCredentials(*files);
}

}  // namespace jianguan
