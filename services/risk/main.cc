// risk: monitoring readings, rules over them and over the suite's events, alerts followed
// from raise to close, risk levels (风险预警). Wiring only.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "libs/core/calendar.h"
#include "libs/core/code_table.h"
#include "libs/core/files.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/runtime/service_runtime.h"
#include "libs/server/flags.h"
#include "services/risk/domain/alert_loop.h"
#include "services/risk/risk_engine.h"
#include "services/risk/risk_intake.h"
#include "services/risk/risk_metrics.h"
#include "services/risk/risk_service.h"
#include "services/risk/risk_store.h"
#include "services/risk/risk_ticker.h"
#include "services/risk/rule_book.h"

ABSL_FLAG(std::string, rules_dir, "",
          "Directory of the rule sets (*.textproto, jianguan.risk.v1.RuleSet), read again every "
          "tick (hot reload). Env JG_RISK_RULES_DIR; default: the source tree's data/risk/rules.");
ABSL_FLAG(std::string, policy, "",
          "The policy file (jianguan.risk.v1.RiskPolicy: time limits, scoring, retention). Env "
          "JG_RISK_POLICY; default: the source tree's data/risk/policy.textproto.");
ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of calendar/cn_workdays.csv and industries.csv. Env JG_REFERENCE_DATA_DIR; "
          "default: the source tree's data/.");
ABSL_FLAG(int, tick_interval_s, 60,
          "Seconds between the ticker's passes (absence, windows, escalation, reload), 1-3600.");
ABSL_FLAG(int, intake_batch, 500, "Suite events applied per commit, 1-10000.");

namespace {

std::string FlagOrEnv(const std::string& flag, const char* env, const std::string& fallback) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

absl::StatusOr<jianguan::risk::v1::RiskPolicy> LoadPolicy(const std::string& path) {
  absl::StatusOr<std::string> text = jianguan::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto policy = jianguan::risk::ParsePolicyText(*text, path);
  if (!policy.ok()) return policy.status();
  if (absl::Status valid = jianguan::risk::ValidatePolicy(*policy); !valid.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(valid.message()));
  }
  return policy;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7107);
  absl::SetFlag(&FLAGS_metrics_port, 9107);
  ParseCommandLine(argc, argv, "risk: monitoring, rules, alerts from raise to close, risk levels");
  const std::string data =
      FlagOrEnv(absl::GetFlag(FLAGS_reference_data_dir), "JG_REFERENCE_DATA_DIR", JG_DEFAULT_DATA_DIR);
  const std::string rules_dir = FlagOrEnv(absl::GetFlag(FLAGS_rules_dir), "JG_RISK_RULES_DIR",
                                          std::string(JG_DEFAULT_DATA_DIR) + "/risk/rules");
  const std::string policy_path = FlagOrEnv(absl::GetFlag(FLAGS_policy), "JG_RISK_POLICY",
                                            std::string(JG_DEFAULT_DATA_DIR) + "/risk/policy.textproto");
  const int tick_interval_s = absl::GetFlag(FLAGS_tick_interval_s);
  const int intake_batch = absl::GetFlag(FLAGS_intake_batch);
  if (tick_interval_s < 1 || tick_interval_s > 3600) {
    return DieAtStart(absl::InvalidArgumentError("--tick_interval_s: must be 1-3600"));
  }
  if (intake_batch < 1 || intake_batch > 10000) {
    return DieAtStart(absl::InvalidArgumentError("--intake_batch: must be 1-10000"));
  }
  auto calendar = WorkingDayCalendar::Load(data + "/calendar/cn_workdays.csv");
  if (!calendar.ok()) return DieAtStart(calendar.status());
  auto industries = CodeTable::Load(data + "/industries.csv");
  if (!industries.ok()) return DieAtStart(industries.status());
  auto policy = LoadPolicy(policy_path);
  if (!policy.ok()) return DieAtStart(policy.status());

  auto runtime =
      ServiceRuntime::Open(RuntimeOptionsFromFlags(risk::kServiceName, risk::RiskStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  const Clock& clock = (*runtime)->clock();
  const risk::RiskStore records((*runtime)->store());
  auto rules = risk::RuleBook::Open(rules_dir, records, clock.Now());
  if (!rules.ok()) return DieAtStart(rules.status());
  risk::RiskMetrics metrics((*runtime)->registry());
  const EventEmitter emitter(topics::kRisk, risk::kServiceName, clock);
  const risk::RiskEngine engine({.rules = **rules,
                                 .policy = *policy,
                                 .calendar = *calendar,
                                 .industries = *industries,
                                 .emitter = emitter},
                                &metrics);
  risk::RiskService service((*runtime)->store(), engine, clock, &metrics);
  (*runtime)->host().AddService(&service);

  // By pattern, so that topics created later by their services are picked up.
  const risk::RiskIntake intake(records, engine, clock);
  (*runtime)->AddConsumer({.group = "risk",
                           .topics = {risk::kSuiteTopicsPattern},
                           .max_batch = static_cast<size_t>(intake_batch)},
                          [&intake](const events::ConsumedEvent& e, store::UnitOfWork& w) {
                            return intake.Apply(e, w);
                          });
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  // Destroyed (stopped) before the runtime, whose store it writes.
  risk::RiskTicker ticker(records, engine, **rules, clock, &metrics,
                          absl::Seconds(tick_interval_s));
  ticker.Start();
  LogInfo("risk serving", {{"port", (*runtime)->host().bound_port()},
                           {"rule_sets", static_cast<int64_t>((*rules)->snapshot()->sets().size())}});
  (*runtime)->WaitForTermination();
  return 0;
}
