// The share of high-risk subjects inspected (高风险主体检查覆盖率), a loop KPI: the days each
// subject was inspected, kept on its record from inspection's events, and the count of the
// subjects at RISK_LEVEL_HIGH with an inspection in a period. Pure.
//
//   if (RecordInspection(subject, day)) SaveSubject(tx, subject);
//   v1::HighRiskCoverage coverage;
//   for (const v1::SubjectRecord& s : subjects) AddToCoverage(coverage, s, first, last);
#pragma once

#include "absl/time/civil_time.h"
#include "jianguan/risk/v1/records.pb.h"
#include "jianguan/risk/v1/risk.pb.h"

namespace jianguan::risk {

/// How many inspection days a subject's record keeps (the newest).
inline constexpr int kMaxInspectionDates = 20;

/// Records that `subject` was inspected on `day`: inspection_dates stay distinct and newest
/// first, at most kMaxInspectionDates (the oldest is dropped; a day older than all of a full
/// list is not kept). Returns whether the record changed.
bool RecordInspection(v1::SubjectRecord& subject, absl::CivilDay day);

/// Whether `subject` was inspected on a day from `first` to `last` (inclusive).
bool InspectedWithin(const v1::SubjectRecord& subject, absl::CivilDay first, absl::CivilDay last);

/// Counts `subject` into `coverage` when its level in force is HIGH: high_risk_subjects + 1,
/// inspected + 1 when InspectedWithin(first, last); inspected_ppm follows.
void AddToCoverage(v1::HighRiskCoverage& coverage, const v1::SubjectRecord& subject,
                   absl::CivilDay first, absl::CivilDay last);

}  // namespace jianguan::risk
