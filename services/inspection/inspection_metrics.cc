#include "services/inspection/inspection_metrics.h"

#include <cctype>
#include <string>

#include "services/inspection/domain/result_categories.h"

namespace jianguan::inspection {
namespace {

prometheus::Family<prometheus::Counter>& Publications(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jianguan_inspection_publications_total")
      .Help("First publications of results, by timeliness (按时公示)")
      .Register(registry);
}

prometheus::Family<prometheus::Counter>& RegistryCalls(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jianguan_inspection_registry_calls_total")
      .Help("ResolveCommitment calls to the subject registry, by outcome")
      .Register(registry);
}

}  // namespace

InspectionMetrics::InspectionMetrics(prometheus::Registry& registry)
    : publications_(Publications(registry)),
      registry_calls_(RegistryCalls(registry)),
      published_on_time_(publications_.Add({{"timeliness", "on_time"}})),
      published_late_(publications_.Add({{"timeliness", "late"}})),
      overdue_(prometheus::BuildGauge()
                   .Name("jianguan_inspection_overdue_tasks")
                   .Help("Tasks overdue (逾期) as of the last count")
                   .Register(registry)
                   .Add({})),
      registry_resolved_(registry_calls_.Add({{"outcome", "resolved"}})),
      registry_failed_(registry_calls_.Add({{"outcome", "failed"}})),
      visits_saved_(prometheus::BuildCounter()
                        .Name("jianguan_inspection_visits_saved_total")
                        .Help("Visits saved by joint inspection (进一次门、查多项事): "
                              "departments - 1 per joint task whose result became final")
                        .Register(registry)
                        .Add({})),
      results_(prometheus::BuildCounter()
                   .Name("jianguan_inspection_results_total")
                   .Help("Department results that became final, by outcome and whether a "
                         "problem was found (发现问题)")
                   .Register(registry)) {}

void InspectionMetrics::CountPublished(bool on_time) {
  (on_time ? published_on_time_ : published_late_).Increment();
}

void InspectionMetrics::SetOverdue(int64_t tasks) { overdue_.Set(static_cast<double>(tasks)); }

void InspectionMetrics::CountRegistryCall(bool resolved) {
  (resolved ? registry_resolved_ : registry_failed_).Increment();
}

void InspectionMetrics::CountFinalResult(int64_t visits_saved,
                                         const std::vector<v1::ResultOutcome>& outcomes) {
  if (visits_saved > 0) visits_saved_.Increment(static_cast<double>(visits_saved));
  for (v1::ResultOutcome outcome : outcomes) {
    // "RESULT_OUTCOME_NO_PROBLEM" → "no_problem".
    const std::string name = v1::ResultOutcome_Name(outcome);
    constexpr size_t kPrefix = sizeof("RESULT_OUTCOME_") - 1;
    std::string label = name.size() > kPrefix ? name.substr(kPrefix) : "unspecified";
    for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char* problem_found = IsProblemFound(outcome) ? "true" : "false";
    results_.Add({{"outcome", label}, {"problem_found", problem_found}}).Increment();
  }
}

}  // namespace jianguan::inspection
