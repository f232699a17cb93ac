#include "services/cases/cases_metrics.h"

#include <cctype>
#include <initializer_list>
#include <string>

namespace jianguan::cases {
namespace {

// "CASE_ACTION_DECIDE" → "DECIDE"; "LEAD_SOURCE_RISK_ALERT" → "risk_alert".
std::string Suffix(const std::string& name, size_t prefix, bool lower) {
  std::string label = name.size() > prefix ? name.substr(prefix) : name;
  if (lower) {
    for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return label;
}

constexpr double kSecondsPerDay = 86'400;

// Bucket bounds given in days, in seconds.
prometheus::Histogram::BucketBoundaries DayBuckets(std::initializer_list<double> days) {
  prometheus::Histogram::BucketBoundaries bounds;
  for (double d : days) bounds.push_back(d * kSecondsPerDay);
  return bounds;
}

}  // namespace

CasesMetrics::CasesMetrics(prometheus::Registry& registry)
    : steps_(prometheus::BuildCounter()
                 .Name("jianguan_cases_steps_total")
                 .Help("Case steps committed, by action")
                 .Register(registry)),
      leads_registered_(prometheus::BuildCounter()
                            .Name("jianguan_cases_leads_registered_total")
                            .Help("Leads registered, by source")
                            .Register(registry)),
      lead_decisions_(prometheus::BuildCounter()
                          .Name("jianguan_cases_lead_decisions_total")
                          .Help("Decisions to file a lead or not, by outcome and whether they "
                                "came after the filing period")
                          .Register(registry)),
      on_spot_(prometheus::BuildCounter()
                   .Name("jianguan_cases_on_spot_decisions_total")
                   .Help("Decisions under the summary procedure (当场处罚)")
                   .Register(registry)
                   .Add({})),
      filed_(prometheus::BuildCounter()
                 .Name("jianguan_cases_filed_total")
                 .Help("Cases filed (立案), by the source of their lead")
                 .Register(registry)),
      found_to_executed_(
          prometheus::BuildHistogram()
              .Name("jianguan_cases_found_to_executed_seconds")
              .Help("Time from the violation found to the penalty executed (执行完毕), in "
                    "seconds of whole days (Prometheus' base unit; divide by 86400 for days)")
              .Register(registry)
              .Add({}, DayBuckets({7, 15, 30, 60, 90, 120, 180, 270, 365, 730}))),
      at_risk_(prometheus::BuildGauge()
                   .Name("jianguan_cases_decision_limit_at_risk")
                   .Help("Undecided cases close to their decision limit (临期), by department")
                   .Register(registry)),
      past_limit_(prometheus::BuildGauge()
                      .Name("jianguan_cases_decision_limit_past")
                      .Help("Undecided cases past their decision limit (超期), by department")
                      .Register(registry)) {}

void CasesMetrics::CountStep(v1::CaseAction action) {
  steps_.Add({{"action", Suffix(v1::CaseAction_Name(action), 12, false)}}).Increment();
}

void CasesMetrics::CountLeadRegistered(v1::LeadSource source) {
  leads_registered_.Add({{"source", Suffix(v1::LeadSource_Name(source), 12, true)}}).Increment();
}

void CasesMetrics::CountLeadDecision(const v1::Lead& lead) {
  const char* outcome = lead.state() == v1::LEAD_STATE_FILED ? "filed" : "not_filed";
  lead_decisions_.Add({{"outcome", outcome}, {"late", lead.decided_late() ? "true" : "false"}})
      .Increment();
}

void CasesMetrics::CountOnSpotDecision() { on_spot_.Increment(); }

void CasesMetrics::CountFiled(v1::LeadSource source) {
  filed_.Add({{"source", Suffix(v1::LeadSource_Name(source), 12, true)}}).Increment();
}

void CasesMetrics::ObserveFoundToExecuted(int64_t days) {
  found_to_executed_.Observe(static_cast<double>(days) * kSecondsPerDay);
}

void CasesMetrics::SetDecisionLimits(const std::string& department, int64_t at_risk,
                                     int64_t past) {
  at_risk_.Add({{"department", department}}).Set(static_cast<double>(at_risk));
  past_limit_.Add({{"department", department}}).Set(static_cast<double>(past));
}

}  // namespace jianguan::cases
