// The real broker for integration tests. CTest's "kafka" fixture starts one broker per test
// run (tests/CMakeLists.txt) and passes its address in JG_KAFKA_TEST_BROKERS; a developer
// may point the tests at another broker with JG_KAFKA_BROKERS. With neither, the tests
// fail loudly: they never skip.
#pragma once

#include <string>

namespace jianguan::testing {

/// The broker address; throws std::runtime_error with instructions when none is set.
std::string KafkaBrokers();

/// The test broker's TLS listener, which requires client certificates: its address and the
/// directory of certificates tools/dev-certs made for it (ca.pem, and <name>.pem/<name>.key
/// for every service, the demo departments and the broker). CTest's "kafka" fixture starts
/// it; throws std::runtime_error when the tests run against a broker of their own
/// (JG_KAFKA_BROKERS), which has none.
struct KafkaTlsListener {
  std::string brokers;
  std::string certificates;
};
KafkaTlsListener KafkaTls();

/// A name no other test run uses: `prefix` + "." + time + random suffix, valid as a Kafka
/// topic or group name.
std::string UniqueName(const std::string& prefix);

}  // namespace jianguan::testing
