#include "services/inspection/inspection_metrics.h"

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
      registry_failed_(registry_calls_.Add({{"outcome", "failed"}})) {}

void InspectionMetrics::CountPublished(bool on_time) {
  (on_time ? published_on_time_ : published_late_).Increment();
}

void InspectionMetrics::SetOverdue(int64_t tasks) { overdue_.Set(static_cast<double>(tasks)); }

void InspectionMetrics::CountRegistryCall(bool resolved) {
  (resolved ? registry_resolved_ : registry_failed_).Increment();
}

}  // namespace jianguan::inspection
