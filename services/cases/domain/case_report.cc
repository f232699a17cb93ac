#include "services/cases/domain/case_report.h"

#include <map>
#include <string>

#include "libs/core/civil_date.h"

namespace jianguan::cases {

absl::CivilDay FoundDayOf(const v1::Lead& lead) {
  if (lead.has_found_date()) return DayOf(lead.found_date());
  if (lead.source() == v1::LEAD_SOURCE_INSPECTION && lead.violation().has_committed_date()) {
    return DayOf(lead.violation().committed_date());
  }
  return DayOf(lead.registered_date());
}

int64_t DaysFoundToExecuted(absl::CivilDay found, absl::CivilDay executed) {
  return executed > found ? static_cast<int64_t>(executed - found) : 0;
}

double AverageDays(int64_t total_days, int64_t count) {
  return count == 0 ? 0.0 : static_cast<double>(total_days) / static_cast<double>(count);
}

v1::CaseReport CaseReportOf(const std::vector<CaseAndLead>& cases, std::string_view department,
                            absl::CivilDay first, absl::CivilDay last) {
  v1::CaseReport report;
  report.mutable_department()->set_code(std::string(department));
  *report.mutable_period_start() = DateOf(first);
  *report.mutable_period_end() = DateOf(last);
  const auto in_period = [&](const common::v1::Date& date) {
    const absl::CivilDay day = DayOf(date);
    return day >= first && day <= last;
  };
  std::map<int, int64_t> by_source;
  for (const CaseAndLead& entry : cases) {
    const v1::Case& c = *entry.case_record;
    if (c.department().code() != department) continue;
    if (c.has_filed_date() && in_period(c.filed_date())) {
      report.set_cases_filed(report.cases_filed() + 1);
      ++by_source[entry.lead->source()];
      if (entry.lead->source() == v1::LEAD_SOURCE_INSPECTION) {
        report.set_cases_from_inspection(report.cases_from_inspection() + 1);
      }
    }
    if (c.has_executed_date() && in_period(c.executed_date())) {
      report.set_penalties_executed(report.penalties_executed() + 1);
      report.set_found_to_executed_days(
          report.found_to_executed_days() +
          DaysFoundToExecuted(FoundDayOf(*entry.lead), DayOf(c.executed_date())));
    }
  }
  for (const auto& [source, filed] : by_source) {
    v1::SourceCaseCount& count = *report.add_sources();
    count.set_source(static_cast<v1::LeadSource>(source));
    count.set_filed(filed);
  }
  report.set_average_found_to_executed_days(
      AverageDays(report.found_to_executed_days(), report.penalties_executed()));
  return report;
}

}  // namespace jianguan::cases
