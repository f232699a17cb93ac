// KPIs of a department over a period (检查工作统计, GetInspectionReport): tasks created and
// completed, per source and per inspector, joint tasks and the visits they saved
// (进一次门、查多项事), the problem-discovery rate (问题发现率), the on-time publication rate
// (按时公示率) and the tasks overdue at the period's end. Days are Beijing civil days.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "jianguan/inspection/v1/inspection.pb.h"

namespace jianguan::inspection {

/// Aggregates `tasks` (every task; those the department takes no part in are skipped).
v1::InspectionReport ReportOf(const std::vector<v1::Task>& tasks, std::string_view department,
                              absl::CivilDay first, absl::CivilDay last);

/// Parts per million of `part` in `whole`, 0 when `whole` is 0.
int64_t Ppm(int64_t part, int64_t whole);

/// The visits a completed task saved by being joint (进一次门、查多项事): its departments − 1,
/// 0 for a task of one department.
int64_t VisitsSaved(const v1::Task& task);

/// The outcome of each department's result in the task's result digest, in department order
/// (a joint task gives one per department): what the results counter counts once the result
/// is final.
std::vector<v1::ResultOutcome> DepartmentOutcomes(const v1::Task& task);

}  // namespace jianguan::inspection
