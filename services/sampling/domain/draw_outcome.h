// What a draw's result becomes (DESIGN §1.3; docs/draw-algorithm.md §8): the tasks in
// task order, each subject's history after the draw (what the frequency rule of later plans
// reads), one TaskDrawn per task, the plan's DrawSummary and the DrawCompleted that closes
// the draw, or the report of a draw that could not be completed. Generated messages out of
// the draw's plain result; the service only looks up names and writes what it gets.
//
//   const DrawOutcome outcome(plan, input, *result);
//   for (size_t t = 0; t < outcome.task_count(); ++t) {
//     v1::Task task = outcome.Task(t);
//     ... the subject's name, PutTask, PutHistory(outcome.HistoryAfter(task, previous)) ...
//     emitter.Emit(work, task.uscc(), outcome.TaskDrawn(task));
//   }
//   plan = Drawn(std::move(plan), outcome.Summary(entropy_source, now));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "services/sampling/domain/draw.h"

namespace jianguan::sampling {

/// The messages of one completed draw. Borrows `plan`, `input` and `result`, which must
/// outlive it; builds each message on demand so a draw of a province's tasks holds none of
/// them longer than its commit needs. Thread-compatible.
class DrawOutcome {
 public:
  /// `plan` is the approved plan drawn, `input` and `result` the draw's.
  DrawOutcome(const v1::Plan& plan, const DrawInput& input, const DrawResult& result);

  size_t task_count() const { return result_.tasks.size(); }

  /// Task `t` (0-based): number t + 1, the subject's USCC and its inspectors in slot order.
  /// The subject's name is the service's projection's, not the draw's: the caller adds it.
  v1::Task Task(size_t t) const;

  /// The subject's history after `task`: a visit for every item of the plan on its
  /// inspection date and, unless the subject already has a later visit, the task's
  /// inspectors (sorted) as the last ones and the plan as the latest. `history` is what was
  /// recorded before (empty when nothing was).
  v1::SubjectHistory HistoryAfter(const v1::Task& task, v1::SubjectHistory history) const;

  /// The event announcing `task` to the departments (inspection takes it from here).
  v1::TaskDrawn TaskDrawn(const v1::Task& task) const;

  /// The plan's record of the draw: entropy and its source, the revealed secret, seed,
  /// counts per class, result digest, the spread of inspector workloads, drawn at `draw_time`.
  v1::DrawSummary Summary(std::string_view entropy_source,
                          const google::protobuf::Timestamp& draw_time) const;

 private:
  const v1::Plan& plan_;
  const DrawInput& input_;
  const DrawResult& result_;
  std::string resource_;
  std::vector<std::string> item_codes_;
  std::string inspection_date_;
};

/// The event closing a drawn plan's draw (its summary, for every department).
v1::DrawCompleted DrawCompletedOf(const v1::Plan& drawn);

/// The report of a draw that could not be completed, as the API details carry it.
v1::DrawFailureReport FailureReportOf(const DrawFailure& failure);

}  // namespace jianguan::sampling
