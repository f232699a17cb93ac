#include "libs/testing/kafka.h"

#include <cstdlib>
#include <random>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace jianguan::testing {

std::string KafkaBrokers() {
  for (const char* name : {"JG_KAFKA_BROKERS", "JG_KAFKA_TEST_BROKERS"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  throw std::runtime_error(
      "no Kafka broker for integration tests: run them through ctest (its 'kafka' fixture "
      "starts one) or set JG_KAFKA_BROKERS=host:port");
}

KafkaTlsListener KafkaTls() {
  const char* brokers = std::getenv("JG_KAFKA_TEST_TLS_BROKERS");
  const char* certificates = std::getenv("JG_KAFKA_TEST_TLS_DIR");
  const char* external = std::getenv("JG_KAFKA_BROKERS");
  if (external != nullptr && *external != '\0') {
    throw std::runtime_error(
        "this test needs the TLS listener of the broker CTest's 'kafka' fixture starts; "
        "JG_KAFKA_BROKERS points at another broker: unset it");
  }
  if (brokers == nullptr || *brokers == '\0' || certificates == nullptr || *certificates == '\0') {
    throw std::runtime_error(
        "no Kafka TLS listener for integration tests: run them through ctest (its 'kafka' "
        "fixture starts one)");
  }
  return {brokers, certificates};
}

std::string UniqueName(const std::string& prefix) {
  std::random_device device;
  return absl::StrCat(prefix, ".", absl::ToUnixMillis(absl::Now()), ".",
                      std::uniform_int_distribution<uint32_t>(0, 0xFFFFFF)(device));
}

}  // namespace jianguan::testing
