// The risk service's own metrics (one probe); the runtime adds the gRPC, consumer (lag of
// the group "risk") and outbox ones.
//
//   jianguan_risk_alerts_raised_total{rule, level}            alerts raised
//   jianguan_risk_alert_steps_total{step, department}          dispatched | accepted |
//       escalated | closed_on_time | closed_late, by the responsible department
//       (escalated: by the supervising department) — 对监管的监管
//   jianguan_risk_alerts_unrouted_total                        alerts no department could be
//       found for (each new routing problem)
//   jianguan_risk_alerts_open{department, state}               open alerts (the ticker's count)
//   jianguan_risk_alerts_overdue{department}                   open alerts past a limit
//   jianguan_risk_level_changes_total{level}                   RiskLevelChanged, by new level
//   jianguan_risk_readings_total{result}                       accepted | duplicate | refused
//   jianguan_risk_rule_reloads_total{result}                   loaded | unchanged | refused
//   jianguan_risk_high_risk_subjects                           subjects at RISK_LEVEL_HIGH
//   jianguan_risk_high_risk_inspected_subjects                 of those, the ones inspected
//       (a result submitted or reviewed, a follow-up completed) in the current Beijing
//       calendar year: the loop KPI "share of high-risk subjects inspected" is the ratio
//       (both recomputed from the subjects family on each of the ticker's passes)
//
// Counters of work done in a unit of work are counted when it is staged (a batch retried
// after a failed commit counts again); the ticker's gauges are exact as of its last pass.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "jianguan/risk/v1/risk.pb.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::risk {

class RiskMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit RiskMetrics(prometheus::Registry& registry);

  void CountRaised(const std::string& rule, v1::AlertLevel level);
  /// Counts the step an alert event records (AlertDispatched, AlertAccepted, AlertEscalated,
  /// AlertClosed); other messages are not counted.
  void CountAlertEvent(const google::protobuf::Message& event, const v1::Alert& alert);
  void CountUnrouted();
  void CountLevelChange(v1::RiskLevel level);
  void CountReadings(int64_t accepted, int64_t duplicates, int64_t refused);
  void CountReload(const char* result);
  /// Sets the open and overdue gauges from a full count: (department, state) → alerts, and
  /// department → overdue; departments missing from a later count are set to 0.
  void SetOpen(const std::map<std::pair<std::string, std::string>, int64_t>& open,
               const std::map<std::string, int64_t>& overdue);
  /// Sets the high-risk gauges: subjects at HIGH, and of those inspected this year.
  void SetHighRisk(int64_t subjects, int64_t inspected_this_year);

 private:
  prometheus::Family<prometheus::Counter>& raised_;
  prometheus::Family<prometheus::Counter>& steps_;
  prometheus::Counter& unrouted_;
  prometheus::Family<prometheus::Gauge>& open_;
  prometheus::Family<prometheus::Gauge>& overdue_;
  prometheus::Family<prometheus::Counter>& level_changes_;
  prometheus::Family<prometheus::Counter>& readings_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Gauge& high_risk_;
  prometheus::Gauge& high_risk_inspected_;
  // The labels set by the last SetOpen, to zero those that disappear.
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> open_seen_;
  std::map<std::string, prometheus::Gauge*> overdue_seen_;
};

}  // namespace jianguan::risk
