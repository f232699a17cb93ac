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

std::string UniqueName(const std::string& prefix) {
  std::random_device device;
  return absl::StrCat(prefix, ".", absl::ToUnixMillis(absl::Now()), ".",
                      std::uniform_int_distribution<uint32_t>(0, 0xFFFFFF)(device));
}

}  // namespace jianguan::testing
