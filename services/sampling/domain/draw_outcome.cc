#include "services/sampling/domain/draw_outcome.h"

#include <algorithm>

#include "services/sampling/domain/draw_history.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/domain/verification_package.h"

namespace jianguan::sampling {

DrawOutcome::DrawOutcome(const v1::Plan& plan, const InspectorPool& pool)
    : plan_(plan),
      pool_(pool),
      resource_(PlanResource(plan.plan_id())),
      inspection_date_(IsoDate(plan.inspection_date())) {
  for (const v1::PlanDepartment& department : plan.departments()) {
    for (const v1::PlanItem& item : department.items()) item_codes_.push_back(item.code());
  }
}

v1::Task TaskOf(int64_t number, const DrawnTask& drawn, const InspectorPool& pool) {
  v1::Task task;
  task.set_task_number(number);
  task.set_uscc(drawn.uscc);
  for (uint32_t index : drawn.inspectors) {
    const Inspector& inspector = pool[index];
    v1::AssignedInspector& assigned = *task.add_inspectors();
    assigned.set_inspector_id(inspector.id);
    assigned.set_name(inspector.name);
    assigned.set_certificate_no(inspector.certificate_no);
    assigned.mutable_department()->set_code(inspector.department_id);
  }
  return task;
}

v1::Task DrawOutcome::Task(int64_t number, const DrawnTask& drawn) const {
  return TaskOf(number, drawn, pool_);
}

v1::SubjectHistory DrawOutcome::HistoryAfter(const v1::Task& task,
                                             v1::SubjectHistory history) const {
  // A draw for a day before the subject's latest visit adds its visits but leaves the
  // latest visit's inspectors (docs/draw-algorithm.md §2.3 "last inspectors").
  const bool latest = inspection_date_ >= LastVisit(history);
  for (const std::string& code : item_codes_) AddVisit(history, code, inspection_date_);
  if (!latest) return history;
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(task.inspectors_size()));
  for (const v1::AssignedInspector& inspector : task.inspectors()) {
    ids.push_back(inspector.inspector_id());
  }
  std::sort(ids.begin(), ids.end());
  history.clear_last_inspectors();
  for (std::string& id : ids) history.add_last_inspectors(std::move(id));
  history.set_last_plan(plan_.plan_id());
  history.set_last_visit(inspection_date_);
  return history;
}

v1::TaskDrawn DrawOutcome::TaskDrawn(const v1::Task& task) const {
  v1::TaskDrawn event;
  event.set_plan(resource_);
  event.set_task_number(task.task_number());
  event.set_uscc(task.uscc());
  event.set_subject_name(task.subject_name());
  *event.mutable_departments() = plan_.departments();
  *event.mutable_inspectors() = task.inspectors();
  *event.mutable_period_start() = plan_.period_start();
  *event.mutable_period_end() = plan_.period_end();
  *event.mutable_inspection_date() = plan_.inspection_date();
  return event;
}

v1::DrawSummary DrawSummaryOf(const DrawInput& input, const DrawResult& result,
                              std::string_view entropy_source,
                              const google::protobuf::Timestamp& draw_time) {
  v1::DrawSummary draw;
  draw.set_entropy(input.entropy);
  draw.set_entropy_source(std::string(entropy_source));
  draw.set_secret(HexOf(input.secret));
  draw.set_seed(HexOf(result.seed));
  draw.set_task_count(static_cast<int64_t>(result.tasks.size()));
  draw.set_visits_saved(result.visits_saved);
  draw.set_result_digest(HexOf(ResultDigest(input, result)));
  for (int s = 0; s < kStrata; ++s) {
    v1::ClassCount& count = *draw.add_classes();
    count.set_class_name(StratumName(s));
    count.set_candidates(result.strata[s].candidates);
    count.set_eligible(result.strata[s].eligible);
    count.set_quota(result.strata[s].quota);
  }
  // The spread of workloads among the inspectors who got any task.
  int64_t min_load = 0, max_load = 0;
  for (int64_t load : result.loads) {
    if (load == 0) continue;
    min_load = min_load == 0 ? load : std::min(min_load, load);
    max_load = std::max(max_load, load);
  }
  draw.set_min_load(min_load);
  draw.set_max_load(max_load);
  *draw.mutable_draw_time() = draw_time;
  return draw;
}

v1::DrawCompleted DrawCompletedOf(const v1::Plan& drawn) {
  v1::DrawCompleted completed;
  completed.set_plan(PlanResource(drawn.plan_id()));
  *completed.mutable_draw() = drawn.draw();
  completed.set_department_count(drawn.departments_size());
  return completed;
}

v1::DrawFailureReport FailureReportOf(const DrawFailure& failure) {
  v1::DrawFailureReport report;
  report.set_reason(failure.reason);
  report.set_task_number(failure.task);
  report.set_uscc(failure.uscc);
  report.set_slot(failure.slot);
  for (int e = 0; e < kExclusions; ++e) {
    if (failure.excluded[e] > 0) {
      (*report.mutable_excluded())[ExclusionName(static_cast<Exclusion>(e))] = failure.excluded[e];
    }
  }
  report.set_message(failure.message);
  return report;
}

}  // namespace jianguan::sampling
