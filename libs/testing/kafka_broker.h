// A broker of a test's own, for tests that must restart the broker or need topics no other
// test writes to: tools/kafka/kafka started on free loopback ports in a directory of the
// test, restarted on the same ports and data (a broker restart as operations would do it),
// stopped at the end.
//
//   testing::KafkaBroker broker(JG_KAFKA_SCRIPT, dir.Sub("kafka"));
//   setenv("JG_KAFKA_BROKERS", broker.address().c_str(), 1);  // every helper uses it
//   broker.Restart();
#pragma once

#include <string>

namespace jianguan::testing {

class KafkaBroker {
 public:
  /// Starts the broker of `script` (tools/kafka/kafka) with its data in `dir`; REQUIRE-fails
  /// with the script's output when it does not come up.
  KafkaBroker(std::string script, std::string dir);
  /// Stops it.
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  /// Stops the broker (SIGTERM, as the script does) and starts it again on the same ports
  /// and data.
  void Restart();

  /// "127.0.0.1:port".
  const std::string& address() const { return address_; }

 private:
  void Run(const std::string& command) const;

  std::string script_;
  std::string dir_;
  int port_ = 0;
  int controller_port_ = 0;
  std::string address_;
};

}  // namespace jianguan::testing
