#include "services/risk/domain/coverage.h"

#include <algorithm>

#include "libs/core/civil_date.h"

namespace jianguan::risk {

bool RecordInspection(v1::SubjectRecord& subject, absl::CivilDay day) {
  auto& dates = *subject.mutable_inspection_dates();
  // The first kept day not newer than `day`: equal means known, else `day` goes before it.
  int at = 0;
  while (at < dates.size() && DayOf(dates[at]) > day) ++at;
  if (at < dates.size() && DayOf(dates[at]) == day) return false;
  if (at >= kMaxInspectionDates) return false;  // older than every day a full list keeps
  *dates.Add() = DateOf(day);
  // Move the new last element to its place.
  for (int i = dates.size() - 1; i > at; --i) dates.SwapElements(i, i - 1);
  while (dates.size() > kMaxInspectionDates) dates.RemoveLast();
  return true;
}

bool InspectedWithin(const v1::SubjectRecord& subject, absl::CivilDay first, absl::CivilDay last) {
  return std::any_of(subject.inspection_dates().begin(), subject.inspection_dates().end(),
                     [&](const common::v1::Date& date) {
                       const absl::CivilDay day = DayOf(date);
                       return day >= first && day <= last;
                     });
}

void AddToCoverage(v1::HighRiskCoverage& coverage, const v1::SubjectRecord& subject,
                   absl::CivilDay first, absl::CivilDay last) {
  if (subject.risk().level() != v1::RISK_LEVEL_HIGH) return;
  coverage.set_high_risk_subjects(coverage.high_risk_subjects() + 1);
  if (InspectedWithin(subject, first, last)) coverage.set_inspected(coverage.inspected() + 1);
  coverage.set_inspected_ppm(coverage.inspected() * 1'000'000 / coverage.high_risk_subjects());
}

}  // namespace jianguan::risk
