// What a draw's result becomes (DESIGN §1.3; docs/draw-algorithm.md §8): the plan's
// DrawSummary and, for each task (as the store keeps it, domain/drawn_tasks.h), the task
// message, the subject's history after the draw (what the frequency rule of later plans
// reads) and one TaskDrawn; then the DrawCompleted that closes the draw, or the report of a
// draw that could not be completed. Generated messages; the service only looks up names and
// writes what it gets.
//
//   plan = Drawn(std::move(plan), DrawSummaryOf(input, result, entropy_source, now));
//   const DrawOutcome outcome(plan, pool);
//   for (const DrawnTask& drawn : UnpackTasks(chunk, pool.size())) {
//     v1::Task task = outcome.Task(number++, drawn);
//     ... the subject's name, PutHistory(outcome.HistoryAfter(task, previous)) ...
//     emitter.Emit(work, task.uscc(), outcome.TaskDrawn(task));
//   }
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/drawn_tasks.h"
#include "services/sampling/domain/inspector_pool.h"

namespace jianguan::sampling {

/// The messages of a drawn plan's tasks. Borrows `plan` and `pool` (the frozen pool the
/// tasks' inspector positions index), which must outlive it; builds each message on demand
/// so that recording a province's tasks holds none of them longer than a batch needs.
/// Thread-compatible.
class DrawOutcome {
 public:
  DrawOutcome(const v1::Plan& plan, const InspectorPool& pool);

  /// Task `number` (1-based): the subject's USCC and its inspectors in slot order. The
  /// subject's name is the service's projection's, not the draw's: the caller adds it.
  v1::Task Task(int64_t number, const DrawnTask& drawn) const;

  /// The subject's history after `task`: a visit for every item of the plan on its
  /// inspection date and, unless the subject already has a later visit, the task's
  /// inspectors (sorted) as the last ones and the plan as the latest. `history` is what was
  /// recorded before (empty when nothing was).
  v1::SubjectHistory HistoryAfter(const v1::Task& task, v1::SubjectHistory history) const;

  /// The event announcing `task` to the departments (inspection takes it from here).
  v1::TaskDrawn TaskDrawn(const v1::Task& task) const;

 private:
  const v1::Plan& plan_;
  const InspectorPool& pool_;
  std::string resource_;
  std::vector<std::string> item_codes_;
  std::string inspection_date_;
};

/// Task `number` (1-based) as the APIs show it: the subject's USCC and its inspectors (id,
/// name, certificate, department) in slot order, from `pool`; no subject name.
v1::Task TaskOf(int64_t number, const DrawnTask& drawn, const InspectorPool& pool);

/// The plan's record of the draw: entropy and its source, the revealed secret, seed, counts
/// per class, result digest, the spread of inspector workloads, drawn at `draw_time`.
v1::DrawSummary DrawSummaryOf(const DrawInput& input, const DrawResult& result,
                              std::string_view entropy_source,
                              const google::protobuf::Timestamp& draw_time);

/// The event closing a drawn plan's draw (its summary, for every department).
v1::DrawCompleted DrawCompletedOf(const v1::Plan& drawn);

/// The report of a draw that could not be completed, as the API details carry it.
v1::DrawFailureReport FailureReportOf(const DrawFailure& failure);

}  // namespace jianguan::sampling
