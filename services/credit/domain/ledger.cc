#include "services/credit/domain/ledger.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/timestamps.h"

namespace jianguan::credit {
namespace {

// Why a grade changed, in CreditGradeChanged.reason.
constexpr char kReasonRule[] = "评价规则计分";
constexpr char kReasonReclassification[] = "按月动态分类";
constexpr char kReasonRepair[] = "信用修复";
// Why a restriction ended.
constexpr char kLiftedGradeRose[] = "信用等级回升";
constexpr char kLiftedExpired[] = "期满";
constexpr char kGradeDReason[] = "信用等级为D级";

bool IsGradeDRestriction(const v1::Restriction& restriction) {
  return restriction.entry_sequence() == 0;
}

// The last day of a period of `months` starting on `day`.
absl::CivilDay LastDayOf(absl::CivilDay day, int months) { return AddMonths(day, months) - 1; }

// Accumulates one change of a record: entries, restrictions, then the grade and the version.
class ChangeBuilder {
 public:
  ChangeBuilder(const v1::CreditRecord& before, absl::CivilDay day, absl::Time now)
      : day_(day), now_(now) {
    change_.record = before;
  }

  v1::CreditRecord& record() { return change_.record; }

  // Appends `entry` with its sequence and score; a deduction takes at most the score left and
  // an addition at most what reaches kMaxScore.
  const v1::LedgerEntry& AddEntry(v1::LedgerEntry entry) {
    v1::CreditRecord& r = change_.record;
    const int points = std::clamp(entry.points(), -r.score(), kMaxScore - r.score());
    entry.set_points(points);
    entry.set_sequence(r.entry_count() + 1);
    *entry.mutable_effective_date() = DateOf(day_);
    entry.set_score_after(r.score() + points);
    v1::CreditScoreChanged& changed = change_.score_changes.emplace_back();
    changed.set_uscc(r.uscc());
    changed.set_previous_score(r.score());
    changed.set_score(entry.score_after());
    *changed.mutable_entry() = entry;
    r.set_score(entry.score_after());
    r.set_entry_count(entry.sequence());
    if (entry.kind() != v1::ENTRY_KIND_RULE) r.add_restored(entry.restores());
    return change_.entries.emplace_back(std::move(entry));
  }

  void List(v1::Restriction restriction) {
    v1::CreditRecord& r = change_.record;
    restriction.set_name(
        absl::StrCat("subjects/", r.uscc(), "/restrictions/", r.restrictions_size() + 1));
    *r.add_restrictions() = restriction;
    r.add_lifted(false);
    v1::PunishmentListed& listed = change_.listed.emplace_back();
    listed.set_uscc(r.uscc());
    *listed.mutable_restriction() = std::move(restriction);
  }

  void Lift(int index, std::string_view reason) {
    v1::CreditRecord& r = change_.record;
    r.set_lifted(index, true);
    v1::PunishmentLifted& lifted = change_.lifted.emplace_back();
    lifted.set_uscc(r.uscc());
    *lifted.mutable_restriction() = r.restrictions(index);
    lifted.set_reason(std::string(reason));
  }

  // Grade under `model`, the grade D restriction that follows it, the version and the
  // events' versions.
  CreditChange Finish(const CompiledModel& model, std::string_view reason) && {
    v1::CreditRecord& r = change_.record;
    const v1::CreditGrade grade = model.GradeOf(r.score());
    if (grade != r.grade()) {
      v1::CreditGradeChanged& changed = change_.grade_change.emplace();
      changed.set_uscc(r.uscc());
      changed.set_grade(grade);
      changed.set_previous_grade(r.grade());
      changed.set_score(r.score());
      *changed.mutable_effective_time() = ToTimestamp(now_);
      changed.set_reason(std::string(reason));
      r.set_grade(grade);
    }
    FollowGradeD(model, grade);
    if (!change_.reported()) return std::move(change_);
    r.set_version(r.version() + 1);
    *r.mutable_update_time() = ToTimestamp(now_);
    for (auto& e : change_.score_changes) e.set_version(r.version());
    for (auto& e : change_.listed) e.set_version(r.version());
    for (auto& e : change_.lifted) e.set_version(r.version());
    if (change_.grade_change) change_.grade_change->set_version(r.version());
    return std::move(change_);
  }

 private:
  // 一处失信、处处受限: grade D restricts the model's measures for as long as it lasts.
  void FollowGradeD(const CompiledModel& model, v1::CreditGrade grade) {
    const v1::CreditRecord& r = change_.record;
    int active = -1;
    for (int i = 0; i < r.restrictions_size(); ++i) {
      if (!r.lifted(i) && IsGradeDRestriction(r.restrictions(i))) active = i;
    }
    if (grade == v1::CREDIT_GRADE_D && active < 0 && !model.model().grade_d_measures().empty()) {
      v1::Restriction restriction;
      restriction.mutable_measures()->CopyFrom(model.model().grade_d_measures());
      restriction.set_reason(kGradeDReason);
      restriction.set_basis(model.model().grade_d_basis());
      *restriction.mutable_start_date() = DateOf(day_);
      List(std::move(restriction));
    } else if (grade != v1::CREDIT_GRADE_D && active >= 0) {
      Lift(active, kLiftedGradeRose);
    }
  }

  const absl::CivilDay day_;
  const absl::Time now_;
  CreditChange change_;
};

v1::LedgerEntry EntryOfRule(const CompiledModel& model, const v1::Rule& rule) {
  v1::LedgerEntry entry;
  entry.set_rule_id(rule.id());
  entry.set_rule_name(rule.name());
  entry.set_model_version(model.model().version());
  entry.set_legal_basis(rule.legal_basis());
  *entry.mutable_department() = rule.department();
  entry.set_item_code(rule.item_code());
  return entry;
}

// An entry giving back the points of `restored`, of kind REPAIR or EXPIRY.
v1::LedgerEntry RestorationOf(const v1::LedgerEntry& restored, v1::EntryKind kind) {
  v1::LedgerEntry entry;
  entry.set_kind(kind);
  entry.set_points(-restored.points());
  entry.set_rule_id(restored.rule_id());
  entry.set_rule_name(restored.rule_name());
  entry.set_model_version(restored.model_version());
  entry.set_legal_basis(restored.legal_basis());
  *entry.mutable_department() = restored.department();
  entry.set_item_code(restored.item_code());
  entry.set_restores(restored.sequence());
  return entry;
}

bool IsRestored(const v1::CreditRecord& record, int64_t sequence) {
  return std::find(record.restored().begin(), record.restored().end(), sequence) !=
         record.restored().end();
}

}  // namespace

v1::CreditRecord NewRecord(std::string_view uscc) {
  v1::CreditRecord record;
  record.set_uscc(std::string(uscc));
  record.set_score(kBaseScore);
  return record;
}

bool InForce(const v1::CreditRecord& record, int index, absl::CivilDay day) {
  if (index >= record.lifted_size() || record.lifted(index)) return false;
  const v1::Restriction& restriction = record.restrictions(index);
  if (DayOf(restriction.start_date()) > day) return false;
  return !restriction.has_end_date() || DayOf(restriction.end_date()) >= day;
}

std::vector<v1::Restriction> RestrictionsInForce(const v1::CreditRecord& record, absl::CivilDay day,
                                                 v1::Measure measure) {
  std::vector<v1::Restriction> found;
  for (int i = 0; i < record.restrictions_size(); ++i) {
    if (!InForce(record, i, day)) continue;
    const auto& measures = record.restrictions(i).measures();
    if (measure != v1::MEASURE_UNSPECIFIED &&
        std::find(measures.begin(), measures.end(), measure) == measures.end()) {
      continue;
    }
    found.push_back(record.restrictions(i));
  }
  return found;
}

CreditChange ApplyRule(const v1::CreditRecord& before, const CompiledModel& model,
                       const v1::Rule& rule, const v1::SourceEvent& source, absl::CivilDay day,
                       absl::Time now) {
  ChangeBuilder change(before, day, now);
  v1::LedgerEntry entry = EntryOfRule(model, rule);
  entry.set_kind(v1::ENTRY_KIND_RULE);
  entry.set_points(rule.points());
  *entry.mutable_source() = source;
  if (rule.points() < 0) *entry.mutable_shown_until() = DateOf(LastDayOf(day, rule.shown_months()));
  const v1::LedgerEntry& written = change.AddEntry(std::move(entry));
  if (rule.has_restricts()) {
    v1::Restriction restriction;
    restriction.mutable_measures()->CopyFrom(rule.restricts().measures());
    restriction.set_reason(rule.restricts().reason());
    restriction.set_basis(rule.restricts().basis());
    *restriction.mutable_start_date() = DateOf(day);
    *restriction.mutable_end_date() = DateOf(LastDayOf(day, rule.restricts().months()));
    restriction.set_entry_sequence(written.sequence());
    change.List(std::move(restriction));
  }
  return std::move(change).Finish(model, kReasonRule);
}

CreditChange Reclassify(const v1::CreditRecord& before, const std::vector<v1::LedgerEntry>& ledger,
                        const CompiledModel& model, absl::CivilDay month_start, absl::Time now) {
  ChangeBuilder change(before, month_start, now);
  std::vector<const v1::LedgerEntry*> expired;
  for (const v1::LedgerEntry& entry : ledger) {
    if (entry.kind() == v1::ENTRY_KIND_RULE && entry.points() < 0 && entry.has_shown_until() &&
        DayOf(entry.shown_until()) < month_start && !IsRestored(before, entry.sequence())) {
      expired.push_back(&entry);
    }
  }
  std::sort(expired.begin(), expired.end(),
            [](const auto* a, const auto* b) { return a->sequence() < b->sequence(); });
  for (const v1::LedgerEntry* entry : expired) {
    change.AddEntry(RestorationOf(*entry, v1::ENTRY_KIND_EXPIRY));
  }
  for (int i = 0; i < before.restrictions_size(); ++i) {
    const v1::Restriction& restriction = before.restrictions(i);
    if (!before.lifted(i) && restriction.has_end_date() &&
        DayOf(restriction.end_date()) < month_start) {
      change.Lift(i, kLiftedExpired);
    }
  }
  return std::move(change).Finish(model, kReasonReclassification);
}

CreditChange GrantRepair(const v1::CreditRecord& before, const v1::LedgerEntry& entry,
                         std::string_view repair_name, const CompiledModel& model,
                         absl::CivilDay day, absl::Time now) {
  ChangeBuilder change(before, day, now);
  v1::LedgerEntry restoration = RestorationOf(entry, v1::ENTRY_KIND_REPAIR);
  restoration.set_repair(std::string(repair_name));
  change.AddEntry(std::move(restoration));
  for (int i = 0; i < before.restrictions_size(); ++i) {
    if (!before.lifted(i) && before.restrictions(i).entry_sequence() == entry.sequence()) {
      change.Lift(i, kReasonRepair);
    }
  }
  return std::move(change).Finish(model, kReasonRepair);
}

bool NoteSubjectStatus(v1::CreditRecord& record, subject::v1::SubjectStatus status,
                       int64_t subject_version) {
  if (subject_version <= record.subject_version()) return false;
  record.set_status(status);
  record.set_subject_version(subject_version);
  return true;
}

bool NotePenaltyExecuted(v1::CreditRecord& record, std::string_view case_name) {
  const auto& cases = record.executed_cases();
  if (std::find(cases.begin(), cases.end(), case_name) != cases.end()) return false;
  record.add_executed_cases(std::string(case_name));
  return true;
}

}  // namespace jianguan::credit
