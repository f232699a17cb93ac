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
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
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

 private:
  prometheus::Family<prometheus::Counter>& steps_;
  prometheus::Family<prometheus::Counter>& leads_registered_;
  prometheus::Family<prometheus::Counter>& lead_decisions_;
  prometheus::Counter& on_spot_;
};

}  // namespace jianguan::cases
