#include "services/sampling/domain/draw_history.h"

#include <algorithm>

#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {

FrequencyRule::FrequencyRule(const v1::Plan& plan)
    : after_(MonthsBefore(IsoDate(plan.inspection_date()), plan.frequency_months())),
      before_(MonthsAfter(IsoDate(plan.inspection_date()), plan.frequency_months())),
      active_(plan.frequency_months() > 0) {
  for (const v1::PlanDepartment& department : plan.departments()) {
    for (const v1::PlanItem& item : department.items()) items_.insert(item.code());
  }
}

bool FrequencyRule::DrawnRecently(const v1::SubjectHistory& history) const {
  if (!active_) return false;
  for (const std::string& code : items_) {
    if (auto last = history.last_drawn().find(code);
        last != history.last_drawn().end() && Within(last->second)) {
      return true;
    }
    if (auto visits = history.visits().find(code); visits != history.visits().end()) {
      // The first day after the window's lower end decides: dates are ascending.
      const auto& dates = visits->second.dates();
      const auto first = std::upper_bound(dates.begin(), dates.end(), after_);
      if (first != dates.end() && *first < before_) return true;
    }
  }
  return false;
}

void AddVisit(v1::SubjectHistory& history, const std::string& code,
              const std::string& iso_date) {
  auto& dates = *(*history.mutable_visits())[code].mutable_dates();
  const auto at = std::lower_bound(dates.begin(), dates.end(), iso_date);
  if (at == dates.end() || *at != iso_date) dates.Add()->assign(iso_date);
  std::sort(dates.begin(), dates.end());  // the new day was appended; a few dates per item
  std::string& latest = (*history.mutable_last_drawn())[code];
  latest = std::max(latest, iso_date);
}

std::string LastVisit(const v1::SubjectHistory& history) {
  if (!history.last_visit().empty()) return history.last_visit();
  std::string latest;
  for (const auto& [code, date] : history.last_drawn()) latest = std::max(latest, date);
  return latest;
}

void RecordInspection(v1::SubjectHistory& inspected, const std::vector<std::string>& item_codes,
                      const std::string& inspection_date, std::vector<std::string> signed_by,
                      std::string_view plan) {
  for (const std::string& code : item_codes) AddVisit(inspected, code, inspection_date);
  if (inspection_date < LastVisit(inspected)) return;
  std::sort(signed_by.begin(), signed_by.end());
  inspected.clear_last_inspectors();
  for (std::string& id : signed_by) inspected.add_last_inspectors(std::move(id));
  inspected.set_last_plan(std::string(plan));
  inspected.set_last_visit(inspection_date);
}

v1::SubjectHistory MergedHistory(const v1::SubjectHistory& drawn,
                                 const v1::SubjectHistory& inspected) {
  v1::SubjectHistory merged = drawn;
  for (const auto& [code, date] : inspected.last_drawn()) {
    std::string& kept = (*merged.mutable_last_drawn())[code];
    kept = std::max(kept, date);
  }
  for (const auto& [code, visits] : inspected.visits()) {
    for (const std::string& date : visits.dates()) AddVisit(merged, code, date);
  }
  const std::string drawn_visit = LastVisit(drawn);
  const std::string inspected_visit = LastVisit(inspected);
  if (!inspected_visit.empty() && inspected_visit >= drawn_visit) {
    *merged.mutable_last_inspectors() = inspected.last_inspectors();
    merged.set_last_plan(inspected.last_plan());
    merged.set_last_visit(inspected_visit);
  } else {
    merged.set_last_visit(drawn_visit);
  }
  return merged;
}

}  // namespace jianguan::sampling
