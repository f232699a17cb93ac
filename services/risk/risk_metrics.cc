#include "services/risk/risk_metrics.h"

#include "jianguan/risk/v1/events.pb.h"

namespace jianguan::risk {
namespace {

// "ALERT_LEVEL_ORANGE" → "ORANGE".
std::string LevelLabel(v1::AlertLevel level) {
  const std::string name = v1::AlertLevel_Name(level);
  return name.size() > 12 ? name.substr(12) : name;
}

}  // namespace

RiskMetrics::RiskMetrics(prometheus::Registry& registry)
    : raised_(prometheus::BuildCounter()
                  .Name("jianguan_risk_alerts_raised_total")
                  .Help("Alerts raised (预警产生), by rule and level")
                  .Register(registry)),
      steps_(prometheus::BuildCounter()
                 .Name("jianguan_risk_alert_steps_total")
                 .Help("Alert steps by the department responsible: dispatched, accepted, "
                       "escalated (by the supervising department), closed_on_time, closed_late")
                 .Register(registry)),
      unrouted_(prometheus::BuildCounter()
                    .Name("jianguan_risk_alerts_unrouted_total")
                    .Help("Alerts no responsible department could be found for")
                    .Register(registry)
                    .Add({})),
      open_(prometheus::BuildGauge()
                .Name("jianguan_risk_alerts_open")
                .Help("Alerts not closed, by department and state (as of the ticker's last pass)")
                .Register(registry)),
      overdue_(prometheus::BuildGauge()
                   .Name("jianguan_risk_alerts_overdue")
                   .Help("Open alerts past their accept or close limit, by department")
                   .Register(registry)),
      level_changes_(prometheus::BuildCounter()
                         .Name("jianguan_risk_level_changes_total")
                         .Help("Risk level changes (RiskLevelChanged), by the new level")
                         .Register(registry)),
      readings_(prometheus::BuildCounter()
                    .Name("jianguan_risk_readings_total")
                    .Help("Monitoring readings received, by result")
                    .Register(registry)),
      reloads_(prometheus::BuildCounter()
                   .Name("jianguan_risk_rule_reloads_total")
                   .Help("Reads of the rule directory, by result")
                   .Register(registry)),
      high_risk_(prometheus::BuildGauge()
                     .Name("jianguan_risk_high_risk_subjects")
                     .Help("Subjects at risk level HIGH (高风险主体), as of the ticker's last pass")
                     .Register(registry)
                     .Add({})),
      high_risk_inspected_(prometheus::BuildGauge()
                               .Name("jianguan_risk_high_risk_inspected_subjects")
                               .Help("High-risk subjects inspected in the current Beijing "
                                     "calendar year, as of the ticker's last pass")
                               .Register(registry)
                               .Add({})) {}

void RiskMetrics::CountRaised(const std::string& rule, v1::AlertLevel level) {
  raised_.Add({{"rule", rule}, {"level", LevelLabel(level)}}).Increment();
}

void RiskMetrics::CountAlertEvent(const google::protobuf::Message& event, const v1::Alert& alert) {
  const std::string& department = alert.summary().department().code();
  const auto count = [&](const char* step, const std::string& who) {
    steps_.Add({{"step", step}, {"department", who}}).Increment();
  };
  const auto* descriptor = event.GetDescriptor();
  if (descriptor == v1::AlertDispatched::descriptor()) {
    count("dispatched", department);
  } else if (descriptor == v1::AlertAccepted::descriptor()) {
    count("accepted", department);
  } else if (descriptor == v1::AlertEscalated::descriptor()) {
    const auto& escalated = static_cast<const v1::AlertEscalated&>(event);
    count("escalated", escalated.supervising_department().code());
  } else if (descriptor == v1::AlertClosed::descriptor()) {
    count(alert.on_time() ? "closed_on_time" : "closed_late", department);
  }
}

void RiskMetrics::CountUnrouted() { unrouted_.Increment(); }

void RiskMetrics::CountLevelChange(v1::RiskLevel level) {
  const std::string name = v1::RiskLevel_Name(level);
  level_changes_.Add({{"level", name.size() > 11 ? name.substr(11) : name}}).Increment();
}

void RiskMetrics::CountReadings(int64_t accepted, int64_t duplicates, int64_t refused) {
  readings_.Add({{"result", "accepted"}}).Increment(static_cast<double>(accepted));
  readings_.Add({{"result", "duplicate"}}).Increment(static_cast<double>(duplicates));
  readings_.Add({{"result", "refused"}}).Increment(static_cast<double>(refused));
}

void RiskMetrics::CountReload(const char* result) {
  reloads_.Add({{"result", result}}).Increment();
}

void RiskMetrics::SetOpen(const std::map<std::pair<std::string, std::string>, int64_t>& open,
                          const std::map<std::string, int64_t>& overdue) {
  for (auto& [labels, gauge] : open_seen_) gauge->Set(0);
  for (auto& [department, gauge] : overdue_seen_) gauge->Set(0);
  for (const auto& [labels, count] : open) {
    prometheus::Gauge& gauge = open_.Add({{"department", labels.first}, {"state", labels.second}});
    gauge.Set(static_cast<double>(count));
    open_seen_[labels] = &gauge;
  }
  for (const auto& [department, count] : overdue) {
    prometheus::Gauge& gauge = overdue_.Add({{"department", department}});
    gauge.Set(static_cast<double>(count));
    overdue_seen_[department] = &gauge;
  }
}

void RiskMetrics::SetHighRisk(int64_t subjects, int64_t inspected_this_year) {
  high_risk_.Set(static_cast<double>(subjects));
  high_risk_inspected_.Set(static_cast<double>(inspected_this_year));
}

}  // namespace jianguan::risk
