// Case handling's part of the loop KPIs (闭环监管指标, GetCaseReport) for a department over a
// period: cases filed per lead source and those opened from inspections (检查移送立案),
// penalties executed (执行完毕) and the average days from the violation found to the penalty
// executed. Days are Beijing civil days; "found" is FoundDayOf(lead).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"

namespace jianguan::cases {

/// The day the lead's violation was found (发现违法行为之日): its found_date; for a lead
/// registered before found_date existed, its violation.committed_date when it came from an
/// inspection (the intake set that to the inspection's day) and its registered_date otherwise.
absl::CivilDay FoundDayOf(const v1::Lead& lead);

/// Days from `found` to `executed`; 0 when `executed` comes first (a found day recorded after
/// the execution cannot make a negative duration).
int64_t DaysFoundToExecuted(absl::CivilDay found, absl::CivilDay executed);

/// `total_days` / `count`, 0 when `count` is 0.
double AverageDays(int64_t total_days, int64_t count);

/// A case with the lead it was filed from.
struct CaseAndLead {
  const v1::Case* case_record = nullptr;
  const v1::Lead* lead = nullptr;
};

/// The report of `department` from `first` to `last` (inclusive) over `cases` (cases of other
/// departments are skipped): a case counts as filed on its filed_date and executed on its
/// executed_date.
v1::CaseReport CaseReportOf(const std::vector<CaseAndLead>& cases, std::string_view department,
                            absl::CivilDay first, absl::CivilDay last);

}  // namespace jianguan::cases
