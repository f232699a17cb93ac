// A subject's credit ledger (信用记录, DESIGN.md §1.6): how points, grades and restrictions
// change, as pure functions from the record before to the record after and the events that
// say so. The store keeps the record and the entries; the service decides nothing itself.
//
// The invariant every function keeps: record.score == kBaseScore + Σ entry.points over the
// subject's entries, and 0 ≤ score ≤ kMaxScore. A deduction that would take the score below 0
// is written as the points actually taken, so a later restoration gives back exactly those.
//
// Every change that writes anything bumps the record's version once; all its events carry
// the new version (sampling keeps the newest grade per subject by it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/credit/v1/records.pb.h"
#include "services/credit/domain/credit_model.h"

namespace jianguan::credit {

/// The score every subject starts from.
inline constexpr int kBaseScore = 100;
/// The highest score (CreditGradeChanged.score is 0–1000).
inline constexpr int kMaxScore = 1000;

/// What one change of a record produced, in the order the events are published.
struct CreditChange {
  /// The record after the change.
  v1::CreditRecord record;
  /// The entries written, by sequence.
  std::vector<v1::LedgerEntry> entries;
  std::vector<v1::CreditScoreChanged> score_changes;
  std::vector<v1::PunishmentListed> listed;
  std::vector<v1::PunishmentLifted> lifted;
  std::optional<v1::CreditGradeChanged> grade_change;

  /// Whether the change writes anything an event reports (entries, lists, grade).
  bool reported() const {
    return !entries.empty() || !listed.empty() || !lifted.empty() || grade_change.has_value();
  }
};

/// The record of a subject never scored: score 100, grade B under the default bands,
/// version 0.
v1::CreditRecord NewRecord(std::string_view uscc);

/// Whether `restriction` is in force on `day`: not lifted, started, not ended.
bool InForce(const v1::CreditRecord& record, int index, absl::CivilDay day);
/// The restrictions in force on `day`; with `measure` set, only those covering it.
std::vector<v1::Restriction> RestrictionsInForce(const v1::CreditRecord& record, absl::CivilDay day,
                                                 v1::Measure measure = v1::MEASURE_UNSPECIFIED);

/// `rule` of `model` matched `source` (an event of the subject's, on `day`): a RULE entry
/// with the rule's points, its restriction if it has one, and the grade that follows.
CreditChange ApplyRule(const v1::CreditRecord& before, const CompiledModel& model,
                       const v1::Rule& rule, const v1::SourceEvent& source, absl::CivilDay day,
                       absl::Time now);

/// The monthly reclassification of one subject on `month_start` (the month's first day),
/// under `model` (the version in force that day): each RULE deduction whose shown_until is
/// before `month_start` and not yet restored gets an EXPIRY entry giving its points back,
/// each rule restriction whose end is before `month_start` is lifted, and the grade follows
/// the model's bands. `ledger` is the subject's entries (any order).
CreditChange Reclassify(const v1::CreditRecord& before, const std::vector<v1::LedgerEntry>& ledger,
                        const CompiledModel& model, absl::CivilDay month_start, absl::Time now);

/// A granted repair of entry `entry`: a REPAIR entry giving its points back, the restrictions
/// it caused lifted ("信用修复"), the grade that follows under `model`.
CreditChange GrantRepair(const v1::CreditRecord& before, const v1::LedgerEntry& entry,
                         std::string_view repair_name, const CompiledModel& model,
                         absl::CivilDay day, absl::Time now);

/// The subject's status changed in the registry (经营异常名录, 严重违法失信名单): kept for the
/// repair rule "on neither list" when `subject_version` is newer than the one held. No event.
/// Returns whether the record changed.
bool NoteSubjectStatus(v1::CreditRecord& record, subject::v1::SubjectStatus status,
                       int64_t subject_version);

/// A penalty of `case_name` was executed (行政处罚执行完毕): kept for the repair rule
/// "penalty fulfilled". Returns whether the record changed.
bool NotePenaltyExecuted(v1::CreditRecord& record, std::string_view case_name);

}  // namespace jianguan::credit
