#include "services/sampling/inspection_history.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/uscc.h"
#include "services/sampling/domain/draw_history.h"
#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {

absl::Status ApplyInspectionEvent(const PlanStore& plans, const events::ConsumedEvent& event,
                                  store::UnitOfWork& work) {
  using inspection::v1::ResultPublished;
  if (event.type() != ResultPublished::descriptor()->full_name()) return absl::OkStatus();
  ASSIGN_OR_RETURN(ResultPublished published, events::Decode<ResultPublished>(event));
  const inspection::v1::TaskSummary& task = published.task();
  if (!ValidateUscc(task.uscc()).ok()) return absl::InvalidArgumentError("task.uscc: not a USCC");
  const common::v1::Date& day = published.result().inspection_date();
  if (!IsValidDate(day)) {
    return absl::InvalidArgumentError("result.inspection_date: not a real date");
  }
  if (published.result().signed_by().empty()) {
    return absl::InvalidArgumentError("result.signed_by: no inspector signed");
  }
  std::vector<std::string> items;
  for (const inspection::v1::TaskDepartment& department : task.departments()) {
    for (const inspection::v1::ItemRef& item : department.items()) items.push_back(item.code());
  }
  std::string_view plan = task.origin().plan();
  if (absl::StartsWith(AbslView(plan), "plans/")) plan.remove_prefix(6);

  ASSIGN_OR_RETURN(std::optional<v1::SubjectHistory> inspected,
                   plans.FindInspected(task.uscc(), work));
  v1::SubjectHistory record = std::move(inspected).value_or(v1::SubjectHistory());
  RecordInspection(record, items, IsoDate(day),
                   {published.result().signed_by().begin(), published.result().signed_by().end()},
                   plan);
  PlanStore::PutInspected(work, task.uscc(), record);
  return absl::OkStatus();
}

}  // namespace jianguan::sampling
