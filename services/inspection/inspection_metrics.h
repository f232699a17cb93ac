// The inspection service's own metrics; the runtime adds the gRPC, consumer and outbox ones.
//
//   jianguan_inspection_publications_total{timeliness="on_time"|"late"}
//       first publications committed (按时公示率)
//   jianguan_inspection_overdue_tasks
//       tasks overdue (逾期) as of the last count (the dispatcher's loop counts every minute)
//   jianguan_inspection_registry_calls_total{outcome="resolved"|"failed"}
//       ResolveCommitment calls made to the subject registry
//   jianguan_inspection_visits_saved_total
//       visits saved by joint inspection (进一次门、查多项事): Σ (departments − 1) over joint
//       tasks whose result became final (approved on review, or a follow-up completed)
//   jianguan_inspection_results_total{outcome="no_problem"|"violation"|…,
//                                     problem_found="true"|"false"}
//       department results that became final, by outcome (ResultOutcome without its prefix,
//       lower case) and whether it counts as a problem found (发现问题): the
//       problem-discovery rate (问题发现率) is problem_found="true" over all
// The last two are counted once per task, when the write that makes the result final commits
// (UnitOfWork::OnVisible): a retried request is answered from the first commit and counts
// nothing, a result returned by review counts only once approved.
#pragma once

#include <cstdint>
#include <vector>

#include "jianguan/inspection/v1/events.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jianguan::inspection {

class InspectionMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit InspectionMetrics(prometheus::Registry& registry);

  void CountPublished(bool on_time);
  void SetOverdue(int64_t tasks);
  void CountRegistryCall(bool resolved);
  /// A task's result became final: the visits it saved and each department's outcome.
  void CountFinalResult(int64_t visits_saved, const std::vector<v1::ResultOutcome>& outcomes);

 private:
  prometheus::Family<prometheus::Counter>& publications_;
  prometheus::Family<prometheus::Counter>& registry_calls_;
  prometheus::Counter& published_on_time_;
  prometheus::Counter& published_late_;
  prometheus::Gauge& overdue_;
  prometheus::Counter& registry_resolved_;
  prometheus::Counter& registry_failed_;
  prometheus::Counter& visits_saved_;
  prometheus::Family<prometheus::Counter>& results_;
};

}  // namespace jianguan::inspection
