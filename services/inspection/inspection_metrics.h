// The inspection service's own metrics; the runtime adds the gRPC, consumer and outbox ones.
//
//   jianguan_inspection_publications_total{timeliness="on_time"|"late"}
//       first publications committed (按时公示率)
//   jianguan_inspection_overdue_tasks
//       tasks overdue (逾期) as of the last count (the dispatcher's loop counts every minute)
//   jianguan_inspection_registry_calls_total{outcome="resolved"|"failed"}
//       ResolveCommitment calls made to the subject registry
#pragma once

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

 private:
  prometheus::Family<prometheus::Counter>& publications_;
  prometheus::Family<prometheus::Counter>& registry_calls_;
  prometheus::Counter& published_on_time_;
  prometheus::Counter& published_late_;
  prometheus::Gauge& overdue_;
  prometheus::Counter& registry_resolved_;
  prometheus::Counter& registry_failed_;
};

}  // namespace jianguan::inspection
