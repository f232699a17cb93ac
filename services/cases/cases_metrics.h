// The case handling service's own metrics; the runtime adds the gRPC, consumer (lag of the
// "cases" group) and outbox ones.
//
//   jianguan_cases_steps_total{action="FILE"|"NOTICE"|"DECIDE"|…}
//       case steps committed, by action (CaseAction without its prefix)
//   jianguan_cases_leads_registered_total{source="inspection"|"complaint"|…}
//       leads registered, by source (an inspection transfer once, however often delivered)
//   jianguan_cases_lead_decisions_total{outcome="filed"|"not_filed", late="true"|"false"}
//       decisions to file or not; late: after the filing period (立案期限) ran out
//   jianguan_cases_on_spot_decisions_total
//       decisions under the summary procedure (当场处罚)
//   jianguan_cases_filed_total{source="inspection"|"risk_alert"|"complaint"|…}
//       cases filed (立案), by the source of their lead; counted when the filing commits, so a
//       retried FileCase counts once (loop KPI: cases opened from inspections)
//   jianguan_cases_found_to_executed_seconds (histogram, whole days in seconds)
//       days from the violation found (the lead's found date: the inspection's day for an
//       inspection transfer, else the registration) to the penalty executed (执行完毕),
//       observed when an EXECUTE step commits (loop KPI: the average is _sum / _count)
//   jianguan_cases_decision_limit_at_risk{department}
//       undecided cases with fewer than --at_risk_days left of the decision limit (临期,
//       第六十条), as of the watch's last round (every minute)
//   jianguan_cases_decision_limit_past{department}
//       undecided cases past their decision limit (超期), same round
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "jianguan/cases/v1/cases.pb.h"

namespace jianguan::cases {

/// Thread-safe (prometheus-cpp counters are).
class CasesMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit CasesMetrics(prometheus::Registry& registry);

  void CountStep(v1::CaseAction action);
  void CountLeadRegistered(v1::LeadSource source);
  /// Counts a lead's decision (FILED or NOT_FILED) and whether it came late.
  void CountLeadDecision(const v1::Lead& lead);
  void CountOnSpotDecision();
  /// A case filed from a lead of `source` (call when the filing committed).
  void CountFiled(v1::LeadSource source);
  /// A penalty executed `days` after its violation was found (call when the step committed).
  void ObserveFoundToExecuted(int64_t days);
  /// The decision-limit counts of `department` (CaseWatch's round).
  void SetDecisionLimits(const std::string& department, int64_t at_risk, int64_t past);

 private:
  prometheus::Family<prometheus::Counter>& steps_;
  prometheus::Family<prometheus::Counter>& leads_registered_;
  prometheus::Family<prometheus::Counter>& lead_decisions_;
  prometheus::Counter& on_spot_;
  prometheus::Family<prometheus::Counter>& filed_;
  prometheus::Histogram& found_to_executed_;
  prometheus::Family<prometheus::Gauge>& at_risk_;
  prometheus::Family<prometheus::Gauge>& past_limit_;
};

}  // namespace jianguan::cases
