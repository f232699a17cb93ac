#include "services/sampling/draw_recorder.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "services/sampling/domain/draw_outcome.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/sampling_metrics.h"

namespace jianguan::sampling {

DrawRecorder::DrawRecorder(store::Store& store, const EventEmitter& emitter,
                           SamplingMetrics* metrics, DrawRecorderOptions options)
    : store_(store),
      plans_(store),
      projection_(store),
      emitter_(emitter),
      metrics_(metrics),
      options_(options) {}

DrawRecorder::~DrawRecorder() { Stop(); }

absl::Status DrawRecorder::RecordPending() {
  absl::MutexLock serialised(&record_mu_);
  ASSIGN_OR_RETURN(std::vector<PlanStore::Recording> pending, plans_.PendingRecordings());
  const auto count = [&](int64_t n) {
    absl::MutexLock lock(&mu_);
    pending_ = n;
    if (metrics_ != nullptr) metrics_->draws_recording.Set(static_cast<double>(n));
  };
  count(static_cast<int64_t>(pending.size()));
  for (size_t p = 0; p < pending.size(); ++p) {
    RETURN_IF_ERROR(Record(std::move(pending[p])));
    count(static_cast<int64_t>(pending.size() - p - 1));
  }
  return absl::OkStatus();
}

absl::Status DrawRecorder::Record(PlanStore::Recording recording) {
  ASSIGN_OR_RETURN(std::optional<StoredPlan> stored, plans_.FindPlan(recording.plan_id));
  if (!stored || !stored->plan.has_draw()) {
    return absl::DataLossError(
        absl::StrCat("a recording mark for ", recording.plan_id, ", which has no draw"));
  }
  const v1::Plan& plan = stored->plan;
  const int64_t task_count = plan.draw().task_count();
  ASSIGN_OR_RETURN(v1::FrozenPool frozen, plans_.LoadPool(recording.plan_id));
  ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen));
  const DrawOutcome outcome(plan, pool);
  std::vector<DrawnTask> chunk;
  size_t loaded = SIZE_MAX;  // the chunk in `chunk`
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // The rest waits for the next start; a caller that needs it all must not go on.
      if (stopping_) return absl::UnavailableError("the sampling service is stopping");
    }
    const int64_t first = recording.next_task;
    store::UnitOfWork work;
    int64_t next = first;
    if (first <= task_count) {
      if (ChunkOfTask(first) != loaded) {
        ASSIGN_OR_RETURN(chunk, plans_.LoadTaskChunk(recording.plan_id, ChunkOfTask(first),
                                                     pool.size()));
        loaded = ChunkOfTask(first);
      }
      // A batch stays within one chunk: at most batch_tasks tasks, to the chunk's end.
      const size_t begin = PlaceInChunk(first);
      const size_t end = std::min(chunk.size(), begin + options_.batch_tasks);
      if (begin >= end) {
        return absl::DataLossError(absl::StrCat("task ", first, " of ", recording.plan_id,
                                                " is missing from its chunk"));
      }
      std::vector<std::string_view> usccs;
      for (size_t t = begin; t < end; ++t) usccs.push_back(chunk[t].uscc);
      ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> histories,
                       store_.MultiGet(kHistoryFamily, usccs));
      for (size_t t = begin; t < end; ++t, ++next) {
        v1::Task task = outcome.Task(next, chunk[t]);
        ASSIGN_OR_RETURN(auto subject, projection_.FindSubject(task.uscc()));
        if (subject) task.set_subject_name(subject->name());
        v1::SubjectHistory history;
        const std::optional<std::string>& before = histories[t - begin];
        if (before && !history.ParseFromString(*before)) {
          return absl::DataLossError(absl::StrCat("the history of ", task.uscc(),
                                                  " does not parse"));
        }
        PlanStore::PutHistory(work, task.uscc(), outcome.HistoryAfter(task, std::move(history)));
        emitter_.Emit(work, task.uscc(), outcome.TaskDrawn(task));
      }
    }
    const bool done = next > task_count;
    if (done) emitter_.Emit(work, PlanResource(plan.plan_id()), DrawCompletedOf(plan));
    PlanStore::AdvanceRecording(work, recording, next, done);
    RETURN_IF_ERROR(store_.Commit(work));
    if (metrics_ != nullptr) metrics_->tasks_recorded.Increment(static_cast<double>(next - first));
    if (done) return absl::OkStatus();
    recording.next_task = next;
    recording.bytes = absl::StrCat(next);
  }
}

void DrawRecorder::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  woken_ = true;  // a first pass for what an earlier process left
  thread_ = std::thread([this] { Loop(); });
}

void DrawRecorder::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](DrawRecorder* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
            return r->woken_ || r->stopping_;
          },
          this));
      if (stopping_) return;
      woken_ = false;
    }
    if (absl::Status status = RecordPending(); !status.ok()) {
      if (absl::MutexLock lock(&mu_); stopping_) return;
      LogWarning("recording a draw's tasks failed; tried again shortly",
                 {{"reason", status.message()}});
      absl::MutexLock lock(&mu_);
      const auto stopping = +[](DrawRecorder* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
        return r->stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(stopping, this), options_.retry);
      woken_ = true;
    }
  }
}

void DrawRecorder::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void DrawRecorder::Wake() {
  {
    absl::MutexLock lock(&mu_);
    if (started_) {
      woken_ = true;
      return;
    }
  }
  if (absl::Status status = RecordPending(); !status.ok()) {
    LogWarning("recording a draw's tasks failed; taken up again at the next draw or approval",
               {{"reason", status.message()}});
  }
}

int64_t DrawRecorder::pending() const {
  absl::MutexLock lock(&mu_);
  return pending_;
}

}  // namespace jianguan::sampling
