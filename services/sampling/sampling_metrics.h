// The sampling service's own metrics; the runtime adds the gRPC, consumer (projection lag)
// and outbox ones.
//
//   jianguan_sampling_draws_total{outcome="drawn"|"infeasible"}   draws attempted
//   jianguan_sampling_tasks_drawn_total                           tasks of successful draws
//   jianguan_sampling_freeze_seconds                              approval's freeze (histogram)
//   jianguan_sampling_draw_seconds                                a draw with its commit (histogram)
//   jianguan_sampling_frozen_candidates                           candidates of the last approval
//   jianguan_sampling_tasks_recorded_total                        tasks whose history and
//                                                                 TaskDrawn are written
//   jianguan_sampling_draws_recording                             drawn plans not yet recorded
#pragma once

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace jianguan::sampling {

class SamplingMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit SamplingMetrics(prometheus::Registry& registry);

  prometheus::Counter& draws_drawn;
  prometheus::Counter& draws_infeasible;
  prometheus::Counter& tasks_drawn;
  prometheus::Histogram& freeze_seconds;
  prometheus::Histogram& draw_seconds;
  prometheus::Gauge& frozen_candidates;
  prometheus::Counter& tasks_recorded;
  prometheus::Gauge& draws_recording;
};

}  // namespace jianguan::sampling
