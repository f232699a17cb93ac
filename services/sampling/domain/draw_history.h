// The frequency rule of a plan (频次, docs/draw-algorithm.md §2.3 "recent", §4): a subject
// visited for one of the plan's items less than frequency_months before or after the plan's
// inspection date is marked recent, and a recent subject is not eligible unless its class
// requires full coverage. Plain rules over the generated records.
//
//   const FrequencyRule frequency(plan);
//   marks.recent = frequency.DrawnRecently(history);
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"

namespace jianguan::sampling {

/// The "drawn recently" rule of one plan. Immutable after construction.
class FrequencyRule {
 public:
  /// `plan` is defaulted and checked (a valid inspection date, frequency_months ≥ 0).
  explicit FrequencyRule(const v1::Plan& plan);

  /// Whether `history` has a visit for one of the plan's items on a day d with
  /// MonthsBefore(date, F) < d < MonthsAfter(date, F), F = frequency_months: not again
  /// within F months either way, two visits exactly F months apart allowed. Never with F = 0.
  bool DrawnRecently(const v1::SubjectHistory& history) const;

 private:
  bool Within(const std::string& day) const { return after_ < day && day < before_; }

  std::set<std::string> items_;
  std::string after_;   // the window's open lower end: MonthsBefore(date, F)
  std::string before_;  // its open upper end: MonthsAfter(date, F)
  bool active_ = false;
};

/// Adds a visit of the subject for item `code` on `iso_date` to `history`: to the item's
/// visit days (kept ascending and unique) and to last_drawn when it is the latest.
void AddVisit(v1::SubjectHistory& history, const std::string& code, const std::string& iso_date);

/// A published inspection result (jianguan.inspection.v1 ResultPublished) added to the
/// subject's inspection record: each of `item_codes` counts as visited on `inspection_date`
/// (ISO; an earlier date never replaces a later one), and `signed_by` become the last
/// inspectors unless a later visit is recorded. `plan` is the drawn task's plan, or empty.
/// Replaying the same result changes nothing.
void RecordInspection(v1::SubjectHistory& inspected, const std::vector<std::string>& item_codes,
                      const std::string& inspection_date, std::vector<std::string> signed_by,
                      std::string_view plan);

/// The day of the visit `history`'s last_inspectors belong to: last_visit, or in records
/// written before it existed the latest date of last_drawn; empty without visits.
std::string LastVisit(const v1::SubjectHistory& history);

/// A subject's draws and inspections as one history: per item every visit day and the later
/// visit, and the inspectors of the later visit (the inspection on a tie: who signed, not who
/// was drawn).
v1::SubjectHistory MergedHistory(const v1::SubjectHistory& drawn,
                                 const v1::SubjectHistory& inspected);

}  // namespace jianguan::sampling
