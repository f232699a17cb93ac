#include "services/sampling/sampling_metrics.h"

namespace jianguan::sampling {
namespace {

// Freezes and draws take from milliseconds (a county) to tens of seconds (a province).
const prometheus::Histogram::BucketBoundaries& SecondsBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                               2.5,  5,    10,  30,   60};
  return buckets;
}

prometheus::Family<prometheus::Counter>& Draws(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jianguan_sampling_draws_total")
      .Help("Draws attempted, by outcome (drawn or infeasible)")
      .Register(registry);
}

}  // namespace

SamplingMetrics::SamplingMetrics(prometheus::Registry& registry)
    : draws_drawn(Draws(registry).Add({{"outcome", "drawn"}})),
      draws_infeasible(Draws(registry).Add({{"outcome", "infeasible"}})),
      tasks_drawn(prometheus::BuildCounter()
                      .Name("jianguan_sampling_tasks_drawn_total")
                      .Help("Inspection tasks of successful draws")
                      .Register(registry)
                      .Add({})),
      freeze_seconds(prometheus::BuildHistogram()
                         .Name("jianguan_sampling_freeze_seconds")
                         .Help("Approval's freeze: candidate list and pool built and stored")
                         .Register(registry)
                         .Add({}, SecondsBuckets())),
      draw_seconds(prometheus::BuildHistogram()
                       .Name("jianguan_sampling_draw_seconds")
                       .Help("A draw from the frozen inputs to its commit (plan drawn, tasks packed)")
                       .Register(registry)
                       .Add({}, SecondsBuckets())),
      frozen_candidates(prometheus::BuildGauge()
                            .Name("jianguan_sampling_frozen_candidates")
                            .Help("Candidates frozen by the last approval")
                            .Register(registry)
                            .Add({})),
      tasks_recorded(prometheus::BuildCounter()
                         .Name("jianguan_sampling_tasks_recorded_total")
                         .Help("Tasks of committed draws whose history and TaskDrawn are "
                               "written (draws are recorded in batches after their commit)")
                         .Register(registry)
                         .Add({})),
      draws_recording(prometheus::BuildGauge()
                          .Name("jianguan_sampling_draws_recording")
                          .Help("Drawn plans whose tasks are not all recorded yet")
                          .Register(registry)
                          .Add({})) {}

}  // namespace jianguan::sampling
