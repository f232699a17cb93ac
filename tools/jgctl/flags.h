// jgctl's flags, shared by its commands.
#pragma once

#include <string>
#include <vector>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, kafka_brokers);
ABSL_DECLARE_FLAG(std::string, kafka_tls_ca);
ABSL_DECLARE_FLAG(std::string, kafka_tls_cert);
ABSL_DECLARE_FLAG(std::string, kafka_tls_key);
ABSL_DECLARE_FLAG(std::string, host);
ABSL_DECLARE_FLAG(std::string, descriptor_set);
ABSL_DECLARE_FLAG(std::vector<std::string>, target);
ABSL_DECLARE_FLAG(bool, from_beginning);
ABSL_DECLARE_FLAG(int64_t, count);
ABSL_DECLARE_FLAG(int32_t, idle_timeout_s);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, tls_ca);

namespace jianguan::jgctl {

/// The flag's value, or the environment variable's when the flag was left at its default.
std::string WithEnvironment(const std::string& flag_value, const std::string& default_value,
                            const char* variable);

}  // namespace jianguan::jgctl
