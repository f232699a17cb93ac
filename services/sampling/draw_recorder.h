// Recording a drawn plan's tasks (issue #19; README "The draw's commit"). A draw commits,
// in ONE unit of work, the plan drawn, its tasks packed (domain/drawn_tasks.h) and a
// recording mark in the `recording` family: that commit is the draw, and the department is
// answered once it is durable. What follows from each task — the subject's history (what the
// frequency rule of later plans reads) and one TaskDrawn for inspection — is then written by
// this recorder in batches of bounded size. Each batch is one unit of work holding its
// histories, its events and the mark moved past its last task (compare-and-set on the mark);
// the last batch also adds DrawCompleted and removes the mark.
//
// So a crash (kill -9) can leave only two states, both complete in effect: no draw at all
// (the plan still approved, no task, no event), or the draw with its mark at the first task
// not yet recorded, which the next start records from there: no task recorded twice, none
// lost. The events are derived from stored facts alone (the packed tasks, the frozen pool,
// the plan), so a batch redone after a crash emits what the lost one would have.
//
// Anything that reads the histories or must follow the draw's events records first: approval
// (the freeze reads the histories), publication and completion call RecordPending.
//
//   DrawRecorder recorder(store, emitter, &metrics);
//   recorder.Start();          // the service's own thread; without it Wake records inline
//   ... commit a draw ...; recorder.Wake();
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {

class SamplingMetrics;

struct DrawRecorderOptions {
  /// Tasks a batch records at most (its histories read and written, its events queued).
  size_t batch_tasks = 2048;
  /// How long the thread waits before trying again after a failed batch.
  absl::Duration retry = absl::Seconds(1);
};

class DrawRecorder {
 public:
  /// `store`, `emitter` (the service's) and `metrics` (may be null) must outlive the
  /// recorder.
  DrawRecorder(store::Store& store, const EventEmitter& emitter, SamplingMetrics* metrics,
               DrawRecorderOptions options = {});
  ~DrawRecorder();
  DrawRecorder(const DrawRecorder&) = delete;
  DrawRecorder& operator=(const DrawRecorder&) = delete;

  /// Records every pending draw to its end and returns once none is pending, or with the
  /// first error (what is recorded stays recorded; the rest waits for the next call). Calls
  /// are serialised: one made while another runs waits for it, then finds less to do.
  absl::Status RecordPending();

  /// From now on the recorder's own thread records: at once (draws an earlier process left
  /// unrecorded), then after each Wake, and again `retry` after a failure.
  void Start();
  /// Stops the thread after its current batch. Idempotent.
  void Stop();
  /// A draw was committed: the thread records it, or, before Start, the caller does, at once.
  void Wake();
  /// Draws whose recording is still to be finished, as last counted.
  int64_t pending() const;

 private:
  // Records `recording` batch by batch to its end.
  absl::Status Record(PlanStore::Recording recording);
  void Loop();

  store::Store& store_;
  const PlanStore plans_;
  const ProjectionReader projection_;
  const EventEmitter& emitter_;
  SamplingMetrics* metrics_;
  const DrawRecorderOptions options_;

  absl::Mutex record_mu_;  // held by the one RecordPending running
  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  int64_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace jianguan::sampling
