#include "services/credit/domain/repair.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jianguan/cases/v1/events.pb.h"
#include "libs/core/civil_date.h"

namespace jianguan::credit {
namespace {

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

bool OnAList(subject::v1::SubjectStatus status) {
  return status == subject::v1::SUBJECT_STATUS_ABNORMAL_OPERATION ||
         status == subject::v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
}

}  // namespace

const v1::LedgerEntry* FindEntry(const std::vector<v1::LedgerEntry>& ledger, int64_t sequence) {
  auto it = std::find_if(ledger.begin(), ledger.end(),
                         [&](const v1::LedgerEntry& e) { return e.sequence() == sequence; });
  return it == ledger.end() ? nullptr : &*it;
}

absl::StatusOr<std::vector<std::string>> RepairRefusals(const v1::CreditRecord& record,
                                                        const std::vector<v1::LedgerEntry>& ledger,
                                                        const v1::LedgerEntry& entry,
                                                        const v1::Rule* rule,
                                                        absl::CivilDay today) {
  if (entry.kind() != v1::ENTRY_KIND_RULE || entry.points() >= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("entry_sequence: entry ", entry.sequence(), " is not a deduction"));
  }
  const auto& restored = record.restored();
  if (std::find(restored.begin(), restored.end(), entry.sequence()) != restored.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("entry_sequence: entry ", entry.sequence(), " was already restored"));
  }
  std::vector<std::string> refusals;
  if (rule == nullptr) {
    refusals.push_back(absl::StrCat("规则 ", entry.rule_id(), " (model ", entry.model_version(),
                                    ") is not loaded: its repair terms are unknown"));
  } else if (rule->repair_after_months() <= 0) {
    refusals.push_back(absl::StrCat("规则 ", rule->id(), " does not allow repair (不可修复)"));
  } else {
    const absl::CivilDay from = AddMonths(DayOf(entry.effective_date()), rule->repair_after_months());
    if (today < from) {
      refusals.push_back(absl::StrCat("repair may be asked from ", DayText(from), ", ",
                                      rule->repair_after_months(),
                                      " months after the entry took effect (公示期未满)"));
    }
  }
  if (entry.source().type() == cases::v1::PenaltyDecided::descriptor()->full_name()) {
    const auto& executed = record.executed_cases();
    if (std::find(executed.begin(), executed.end(), entry.source().resource()) == executed.end()) {
      refusals.push_back(absl::StrCat("the penalty of ", entry.source().resource(),
                                      " is not executed (行政处罚未履行)"));
    }
  }
  for (const v1::LedgerEntry& later : ledger) {
    if (later.kind() == v1::ENTRY_KIND_RULE && later.sequence() > entry.sequence() &&
        later.rule_id() == entry.rule_id()) {
      refusals.push_back(absl::StrCat("the same violation (", entry.rule_id(),
                                      ") was repeated in entry ", later.sequence(),
                                      " (再次发生同类违法行为)"));
      break;
    }
  }
  if (OnAList(record.status())) {
    refusals.push_back(absl::StrCat("the subject is on the ",
                                    record.status() == subject::v1::SUBJECT_STATUS_SERIOUS_VIOLATION
                                        ? "serious violation list (严重违法失信名单)"
                                        : "abnormal operation list (经营异常名录)"));
  }
  return refusals;
}

}  // namespace jianguan::credit
