// Flags with environment fallbacks: command line > environment > default.
#include "libs/server/flags.h"

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "libs/core/log.h"
#include "libs/testing/command_run.h"
#include "libs/testing/temp_dir.h"

namespace jianguan {
namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

// Runs ParseCommandLine on `args` (argv[0] is added).
std::vector<std::string> Parse(std::vector<std::string> args) {
  std::vector<std::string> storage = {"service"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  const LogLevel level_before = GetLogLevel();
  std::vector<char*> positional =
      ParseCommandLine(static_cast<int>(argv.size()), argv.data(), "flags test");
  SetLogLevel(level_before);
  return std::vector<std::string>(positional.begin(), positional.end());
}

TEST_CASE("each shared flag has its JG_ environment variable", "[flags]") {
  CHECK(EnvironmentVariableFor("grpc_port") == "JG_GRPC_PORT");
  CHECK(EnvironmentVariableFor("kafka_brokers") == "JG_KAFKA_BROKERS");
  CHECK(EnvironmentVariableFor("tls_cert") == "JG_TLS_CERT");
  CHECK(EnvironmentVariableFor("kafka_tls_ca") == "JG_KAFKA_TLS_CA");
  CHECK(EnvironmentVariableFor("fake_clock_file") == "JG_FAKE_CLOCK_FILE");
  CHECK(CommonFlagNames().size() == 16);
}

SCENARIO("the environment fills in flags the command line does not give", "[flags]") {
  absl::FlagSaver saver;
  GIVEN("JG_GRPC_PORT and JG_DATA_DIR in the environment") {
    ScopedEnv port("JG_GRPC_PORT", "7333");
    ScopedEnv dir("JG_DATA_DIR", "/var/lib/jianguan/subject");

    WHEN("the command line gives neither") {
      Parse({});
      THEN("both come from the environment, the rest keep their defaults") {
        CHECK(absl::GetFlag(FLAGS_grpc_port) == 7333);
        CHECK(absl::GetFlag(FLAGS_data_dir) == "/var/lib/jianguan/subject");
        CHECK(absl::GetFlag(FLAGS_kafka_brokers) == "127.0.0.1:9092");
        CHECK(absl::GetFlag(FLAGS_grpc_host) == "127.0.0.1");
      }
    }
    WHEN("the command line gives the port") {
      const std::vector<std::string> positional = Parse({"--grpc_port=7444", "extra"});
      THEN("the command line wins, and positional arguments are returned") {
        CHECK(absl::GetFlag(FLAGS_grpc_port) == 7444);
        CHECK(absl::GetFlag(FLAGS_data_dir) == "/var/lib/jianguan/subject");
        CHECK(positional == std::vector<std::string>{"service", "extra"});
      }
    }
  }
  GIVEN("a binary default set before parsing, and the variable set but empty") {
    absl::SetFlag(&FLAGS_metrics_port, 9102);
    ScopedEnv empty("JG_METRICS_PORT", "");
    Parse({});
    THEN("the empty variable counts as unset") { CHECK(absl::GetFlag(FLAGS_metrics_port) == 9102); }
  }
}

SCENARIO("a malformed setting is reported, naming where it came from", "[flags]") {
  absl::FlagSaver saver;
  GIVEN("a port that is not a number in the environment") {
    ScopedEnv port("JG_GRPC_PORT", "71o2");
    const absl::Status status = ApplyEnvironmentToFlags();
    THEN("INVALID_ARGUMENT names the variable and the flag") {
      CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      CHECK_THAT(std::string(status.message()),
                 Catch::Contains("JG_GRPC_PORT='71o2'") && Catch::Contains("--grpc_port"));
    }
  }
  GIVEN("a number that is no port") {
    absl::SetFlag(&FLAGS_metrics_port, 70000);
    const absl::Status status = ValidateCommonFlags();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains("--metrics_port=70000"));
  }
  GIVEN("an unknown log level") {
    absl::SetFlag(&FLAGS_log_level, "verbose");
    CHECK(ValidateCommonFlags().code() == absl::StatusCode::kInvalidArgument);
  }
  GIVEN("a health port that is no port") {
    absl::SetFlag(&FLAGS_health_port, -1);
    const absl::Status status = ValidateCommonFlags();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains("--health_port=-1"));
  }
  GIVEN("a Kafka client certificate without its key") {
    absl::SetFlag(&FLAGS_kafka_tls_ca, "/etc/jianguan/kafka/ca.crt");
    absl::SetFlag(&FLAGS_kafka_tls_cert, "/etc/jianguan/kafka/user.crt");
    const absl::Status status = ValidateCommonFlags();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains("--kafka_tls_key"));
  }
  GIVEN("a Kafka client certificate and key without the brokers' CA") {
    absl::SetFlag(&FLAGS_kafka_tls_cert, "/etc/jianguan/kafka/user.crt");
    absl::SetFlag(&FLAGS_kafka_tls_key, "/etc/jianguan/kafka/user.key");
    const absl::Status status = ValidateCommonFlags();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains("--kafka_tls_ca"));
  }
  GIVEN("only the brokers' CA (TLS without client authentication)") {
    absl::SetFlag(&FLAGS_kafka_tls_ca, "/etc/jianguan/kafka/ca.crt");
    CHECK(ValidateCommonFlags().ok());
  }
  GIVEN("the defaults") { CHECK(ValidateCommonFlags().ok()); }
}

SCENARIO("a fake clock file is honoured only on a development setup", "[flags]") {
  absl::FlagSaver saver;
  GIVEN("JG_FAKE_CLOCK_FILE without JG_INSECURE_DEV") {
    ScopedEnv clock("JG_FAKE_CLOCK_FILE", "/tmp/clock");
    REQUIRE(ApplyEnvironmentToFlags().ok());
    const absl::Status status = ValidateCommonFlags();
    THEN("the start is refused, saying what the file needs") {
      CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      CHECK_THAT(std::string(status.message()),
                 Catch::Contains("--fake_clock_file") && Catch::Contains("JG_INSECURE_DEV=1"));
    }
    AND_WHEN("JG_INSECURE_DEV=1 is set too") {
      ScopedEnv dev("JG_INSECURE_DEV", "1");
      REQUIRE(ApplyEnvironmentToFlags().ok());
      THEN("it is accepted") {
        CHECK(absl::GetFlag(FLAGS_fake_clock_file) == "/tmp/clock");
        CHECK(ValidateCommonFlags().ok());
      }
    }
  }
}

TEST_CASE("host options follow the flags; metrics port 0 serves no /metrics", "[flags]") {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_grpc_host, "0.0.0.0");
  absl::SetFlag(&FLAGS_grpc_port, 7102);
  ServiceHostOptions options = HostOptionsFromFlags("subject-registry");
  CHECK(options.service_name == "subject-registry");
  CHECK(options.host == "0.0.0.0");
  CHECK(options.grpc_port == 7102);
  CHECK_FALSE(options.metrics_port.has_value());

  absl::SetFlag(&FLAGS_metrics_port, 9102);
  CHECK(HostOptionsFromFlags("subject-registry").metrics_port == 9102);

  CHECK_FALSE(options.health_port.has_value());
  absl::SetFlag(&FLAGS_health_port, 8102);
  CHECK(HostOptionsFromFlags("subject-registry").health_port == 8102);
  CHECK(options.certificate_expiry.empty());  // no TLS
}

TEST_CASE("Kafka TLS flags become librdkafka's ssl properties", "[flags]") {
  absl::FlagSaver saver;
  CHECK(KafkaClientPropertiesFromFlags().empty());  // plaintext by default

  testing::TempDir dir("jg-kafka-tls");
  const testing::CommandOutput made =
      testing::RunCommand({JG_DEV_CERTS, dir.path(), "--plain", "kafka-user", "spiffe://jianguan/system/credit"});
  REQUIRE(made.exit_code == 0);
  const std::string ca = dir.path() + "/ca.pem";
  const std::string cert = dir.path() + "/kafka-user.pem";
  const std::string key = dir.path() + "/kafka-user.key";

  absl::SetFlag(&FLAGS_kafka_tls_ca, ca);
  std::map<std::string, absl::Time> expiry;
  std::map<std::string, std::string> properties = KafkaClientPropertiesFromFlags(&expiry);
  CHECK(properties == std::map<std::string, std::string>{{"security.protocol", "ssl"},
                                                         {"ssl.ca.location", ca}});
  REQUIRE(expiry.count("kafka_ca") == 1);
  CHECK(expiry["kafka_ca"] > absl::Now());

  absl::SetFlag(&FLAGS_kafka_tls_cert, cert);
  absl::SetFlag(&FLAGS_kafka_tls_key, key);
  properties = KafkaClientPropertiesFromFlags(&expiry);
  CHECK(properties["ssl.certificate.location"] == cert);
  CHECK(properties["ssl.key.location"] == key);
  REQUIRE(expiry.count("kafka_client") == 1);
  CHECK(expiry["kafka_client"] > absl::Now());
}

}  // namespace
}  // namespace jianguan
