#include "services/credit/credit_metrics.h"

namespace jianguan::credit {
namespace {

const char* KindLabel(v1::EntryKind kind) {
  switch (kind) {
    case v1::ENTRY_KIND_REPAIR:
      return "repair";
    case v1::ENTRY_KIND_EXPIRY:
      return "expiry";
    default:
      return "rule";
  }
}

}  // namespace

CreditMetrics::CreditMetrics(prometheus::Registry& registry)
    : entries_(prometheus::BuildCounter()
                   .Name("jianguan_credit_entries_total")
                   .Help("Ledger entries written, by kind (rule, repair, expiry)")
                   .Register(registry)),
      grade_changes_(prometheus::BuildCounter()
                         .Name("jianguan_credit_grade_changes_total")
                         .Help("Credit grade changes, by the new grade")
                         .Register(registry)),
      repairs_(prometheus::BuildCounter()
                   .Name("jianguan_credit_repairs_total")
                   .Help("Credit repair requests decided, by outcome (granted, refused)")
                   .Register(registry)),
      reclassified_(prometheus::BuildCounter()
                        .Name("jianguan_credit_reclassified_subjects_total")
                        .Help("Subjects done by monthly reclassifications")
                        .Register(registry)
                        .Add({})) {}

void CreditMetrics::CountScored(const CreditChange& change) {
  for (const auto& entry : change.entries) entries_.Add({{"kind", KindLabel(entry.kind())}}).Increment();
  if (change.grade_change) {
    grade_changes_.Add({{"grade", GradeLetter(change.grade_change->grade())}}).Increment();
  }
}

void CreditMetrics::CountRepair(v1::RepairState state) {
  repairs_.Add({{"outcome", state == v1::REPAIR_STATE_GRANTED ? "granted" : "refused"}})
      .Increment();
}

void CreditMetrics::CountReclassified(int subjects) {
  reclassified_.Increment(static_cast<double>(subjects));
}

}  // namespace jianguan::credit
