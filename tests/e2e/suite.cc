#include "tests/e2e/suite.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/testing/metrics_scrape.h"

namespace jianguan::e2e {
namespace {

const std::map<std::string, std::string>& Paths() {
  static const auto* paths = new std::map<std::string, std::string>{
      {"catalogue", JG_CATALOGUE},   {"subject-registry", JG_SUBJECT_REGISTRY},
      {"sampling", JG_SAMPLING},     {"inspection", JG_INSPECTION},
      {"cases", JG_CASES},           {"credit", JG_CREDIT},
      {"risk", JG_RISK}};
  return *paths;
}

// Σ |value| over every sample of `metric` in a /metrics text (a lag of -1, "not yet
// assigned", counts as busy), of those with outcome="…" when `outcome` is given.
double Sum(const std::string& text, const std::string& metric, const std::string& outcome = "") {
  double sum = 0;
  for (const double value : testing::SampleValues(
           text, metric,
           outcome.empty() ? std::vector<std::string>{}
                           : std::vector<std::string>{"outcome=\"" + outcome + "\""})) {
    sum += std::abs(value);
  }
  return sum;
}

}  // namespace

const std::vector<std::string>& Suite::Names() {
  static const auto* names = new std::vector<std::string>{
      "catalogue", "subject-registry", "sampling", "inspection", "cases", "credit", "risk"};
  return *names;
}

Suite::Suite(const std::string& dir) : broker_(JG_KAFKA_SCRIPT, dir + "/kafka") {
  setenv("JG_KAFKA_BROKERS", broker_.address().c_str(), 1);
  for (const std::string& name : Names()) {
    std::vector<std::string> extra = {"--log_level", "warning"};
    if (name == "inspection") {
      // ResolveCommitment goes to this suite's registry (started before).
      extra.push_back("--registry_target");
      extra.push_back(absl::StrCat("127.0.0.1:", services_.at("subject-registry")->grpc_port()));
    }
    services_[name] = std::make_unique<testing::ServiceBinary>(Paths().at(name),
                                                               dir + "/" + name, extra);
  }
}

Suite::~Suite() { Stop(); }

std::vector<std::string> Suite::Stop() {
  std::vector<std::string> unclean;
  // Consumers first, so that none of them reads from a producer being stopped.
  for (auto it = Names().rbegin(); it != Names().rend(); ++it) {
    testing::ServiceBinary& binary = *services_.at(*it);
    if (!binary.running()) continue;
    const absl::Time start = absl::Now();
    if (!binary.Stop()) unclean.push_back(*it);
    std::printf("[suite] %s stopped in %.1f s\n", it->c_str(),
                absl::ToDoubleSeconds(absl::Now() - start));
  }
  std::fflush(stdout);
  return unclean;
}

testing::ServiceBinary& Suite::service(const std::string& name) {
  auto it = services_.find(name);
  REQUIRE(it != services_.end());
  return *it->second;
}

void Suite::Kill9AndRestart(const std::string& name) {
  testing::ServiceBinary& binary = service(name);
  binary.Kill9();
  binary.Restart();
}

void Suite::RestartBroker() { broker_.Restart(); }

void Suite::AwaitQuiet(absl::Duration within) {
  const absl::Time deadline = absl::Now() + within;
  double last_applied = -1;
  absl::Time stable_since = absl::Now();
  for (;;) {
    double backlog = 0, lag = 0, applied = 0;
    std::string busy;
    for (const std::string& name : Names()) {
      const std::string text = service(name).Metrics();
      const double b = Sum(text, "jianguan_outbox_backlog");
      const double l = Sum(text, "jianguan_consumer_lag");
      if (b != 0 || l != 0) absl::StrAppend(&busy, " ", name, " (outbox ", b, ", lag ", l, ")");
      backlog += b;
      lag += l;
      applied += Sum(text, "jianguan_consumer_events_total", "applied");
    }
    if (backlog != 0 || lag != 0 || applied != last_applied) {
      last_applied = applied;
      stable_since = absl::Now();
    } else if (absl::Now() - stable_since >= absl::Seconds(3)) {
      return;
    }
    INFO("the suite is still busy:" << busy);
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(250));
  }
}

}  // namespace jianguan::e2e
