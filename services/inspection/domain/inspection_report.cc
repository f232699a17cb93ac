#include "services/inspection/domain/inspection_report.h"

#include <map>

#include "libs/core/clock.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/result_categories.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {
namespace {

absl::CivilDay BeijingDay(const google::protobuf::Timestamp& stamp) {
  return absl::ToCivilDay(absl::FromUnixSeconds(stamp.seconds()), BeijingTime());
}

struct Counts {
  int64_t created = 0;
  int64_t completed = 0;
};

// The department's own outcome in a result, UNSPECIFIED when it gave none.
v1::ResultOutcome OwnOutcome(const v1::Task& task, std::string_view department) {
  for (const auto& result : task.result_digest().departments()) {
    if (result.department().code() == department) return result.category().outcome();
  }
  return v1::RESULT_OUTCOME_UNSPECIFIED;
}

}  // namespace

int64_t Ppm(int64_t part, int64_t whole) { return whole == 0 ? 0 : part * 1'000'000 / whole; }

int64_t VisitsSaved(const v1::Task& task) {
  return task.departments_size() > 1 ? task.departments_size() - 1 : 0;
}

std::vector<v1::ResultOutcome> DepartmentOutcomes(const v1::Task& task) {
  std::vector<v1::ResultOutcome> outcomes;
  for (const v1::DepartmentResult& result : task.result_digest().departments()) {
    outcomes.push_back(result.category().outcome());
  }
  return outcomes;
}

v1::InspectionReport ReportOf(const std::vector<v1::Task>& tasks, std::string_view department,
                              absl::CivilDay first, absl::CivilDay last) {
  v1::InspectionReport report;
  report.mutable_department()->set_code(std::string(department));
  *report.mutable_period_start() = DateOf(first);
  *report.mutable_period_end() = DateOf(last);
  std::map<int, Counts> sources;
  std::map<std::string, v1::InspectorLoad> loads;
  const auto in_period = [&](absl::CivilDay day) { return day >= first && day <= last; };
  for (const v1::Task& task : tasks) {
    if (!TakesPart(task, department)) continue;
    const bool created = in_period(BeijingDay(task.create_time()));
    const bool completed = task.has_result() && in_period(BeijingDay(task.result().submit_time()));
    if (created) {
      report.set_tasks_created(report.tasks_created() + 1);
      ++sources[task.origin().source()].created;
    }
    for (const v1::TaskInspector& inspector : task.inspectors()) {
      if (inspector.department().code() != department || !(created || completed)) continue;
      v1::InspectorLoad& load = loads[inspector.inspector_id()];
      load.set_inspector_id(inspector.inspector_id());
      load.set_name(inspector.name());
      if (created) load.set_assigned(load.assigned() + 1);
      if (completed) load.set_completed(load.completed() + 1);
    }
    if (completed) {
      report.set_tasks_completed(report.tasks_completed() + 1);
      ++sources[task.origin().source()].completed;
      if (VisitsSaved(task) > 0) {
        report.set_joint_tasks(report.joint_tasks() + 1);
        report.set_visits_saved(report.visits_saved() + VisitsSaved(task));
      }
      if (IsProblemFound(OwnOutcome(task, department))) {
        report.set_problems_found(report.problems_found() + 1);
      }
    }
    if (task.publications_size() > 0 &&
        in_period(BeijingDay(task.publications(0).publish_time()))) {
      report.set_published(report.published() + 1);
      if (task.publications(0).on_time()) {
        report.set_published_on_time(report.published_on_time() + 1);
      }
    }
    if (IsOverdue(task, last)) report.set_overdue_tasks(report.overdue_tasks() + 1);
  }
  for (const auto& [source, counts] : sources) {
    v1::SourceCount& count = *report.add_sources();
    count.set_source(static_cast<v1::TaskSource>(source));
    count.set_created(counts.created);
    count.set_completed(counts.completed);
  }
  for (auto& [id, load] : loads) *report.add_inspectors() = std::move(load);
  report.set_problem_discovery_ppm(Ppm(report.problems_found(), report.tasks_completed()));
  report.set_on_time_publication_ppm(Ppm(report.published_on_time(), report.published()));
  return report;
}

}  // namespace jianguan::inspection
