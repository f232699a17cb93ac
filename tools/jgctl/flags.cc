#include "tools/jgctl/flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:9092",
          "Kafka bootstrap servers. Environment: JG_KAFKA_BROKERS.");
ABSL_FLAG(std::string, kafka_tls_ca, "",
          "For 'events tail' on a TLS listener: the brokers' CA (PEM). Environment: "
          "JG_KAFKA_TLS_CA.");
ABSL_FLAG(std::string, kafka_tls_cert, "",
          "For 'events tail': the client certificate the brokers require (PEM), with "
          "--kafka_tls_key. Environment: JG_KAFKA_TLS_CERT.");
ABSL_FLAG(std::string, kafka_tls_key, "",
          "The key of --kafka_tls_cert (PEM). Environment: JG_KAFKA_TLS_KEY.");
ABSL_FLAG(std::string, host, "127.0.0.1", "Host of the services for 'health'.");
ABSL_FLAG(std::string, descriptor_set, "",
          "Descriptor set of the contracts, for decoding events. Environment: "
          "JG_DESCRIPTOR_SET. Default: the build's jianguan.desc, else the built-in contracts.");
ABSL_FLAG(std::vector<std::string>, target, {},
          "For 'health': host:port addresses to check instead of the seven services.");
ABSL_FLAG(bool, from_beginning, false, "For 'events tail': start at the oldest event.");
ABSL_FLAG(int64_t, count, 0, "For 'events tail': stop after this many events (0: never).");
ABSL_FLAG(int32_t, idle_timeout_s, 0,
          "For 'events tail': stop when no event came for this many seconds (0: never).");
ABSL_FLAG(std::string, data_dir, "", "For 'audit verify': the service's data directory.");

namespace jianguan::jgctl {

std::string WithEnvironment(const std::string& flag_value, const std::string& default_value,
                            const char* variable) {
  if (flag_value != default_value) return flag_value;
  const char* env = std::getenv(variable);
  return env && *env ? env : flag_value;
}

}  // namespace jianguan::jgctl
