// The frequency rule of a plan (频次, docs/draw-algorithm.md §2.3 "recent", §4): a subject
// drawn for one of the plan's items within the plan's frequency_months before its inspection
// date is marked recent, and a recent subject is not eligible unless its class requires full
// coverage. Plain rules over the generated records.
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

  /// Whether `history` has a draw for one of the plan's items on or after the cutoff:
  /// frequency_months before the inspection date. An inspection scheduled later than this
  /// plan's counts too: the subject is already due a visit. Never with frequency_months 0.
  bool DrawnRecently(const v1::SubjectHistory& history) const;

 private:
  std::set<std::string> items_;
  std::string cutoff_;
  bool active_ = false;
};

/// A published inspection result (jianguan.inspection.v1 ResultPublished) added to the
/// subject's inspection record: each of `item_codes` counts as visited on `inspection_date`
/// (ISO; an earlier date never replaces a later one), and `signed_by` become the last
/// inspectors unless a later visit is recorded. `plan` is the drawn task's plan, or empty.
/// Replaying the same result changes nothing.
void RecordInspection(v1::SubjectHistory& inspected, const std::vector<std::string>& item_codes,
                      const std::string& inspection_date, std::vector<std::string> signed_by,
                      std::string_view plan);

/// A subject's draws and inspections as one history: per item the later visit, and the
/// inspectors of the later visit (the inspection on a tie: who signed, not who was drawn).
v1::SubjectHistory MergedHistory(const v1::SubjectHistory& drawn,
                                 const v1::SubjectHistory& inspected);

}  // namespace jianguan::sampling
