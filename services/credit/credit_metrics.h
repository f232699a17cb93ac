// The credit service's own metrics; the runtime adds the gRPC, consumer (lag of the
// "credit" group) and outbox ones.
//
//   jianguan_credit_entries_total{kind="rule"|"repair"|"expiry"}
//       ledger entries written (rule: counted when the consumer stages the event, so a batch
//       retried after a failed commit counts again; repair and expiry after their commit)
//   jianguan_credit_grade_changes_total{grade="A"|"B"|"C"|"D"}
//       grade changes, by the new grade
//   jianguan_credit_repairs_total{outcome="granted"|"refused"}
//       repair requests decided
//   jianguan_credit_reclassified_subjects_total
//       subjects done by monthly reclassifications
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "jianguan/credit/v1/credit.pb.h"
#include "services/credit/domain/ledger.h"

namespace jianguan::credit {

class CreditMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit CreditMetrics(prometheus::Registry& registry);

  /// Counts the entries and the grade change of one change.
  void CountScored(const CreditChange& change);
  /// Counts one decided repair.
  void CountRepair(v1::RepairState state);
  /// Counts subjects done by a reclassification.
  void CountReclassified(int subjects);

 private:
  prometheus::Family<prometheus::Counter>& entries_;
  prometheus::Family<prometheus::Counter>& grade_changes_;
  prometheus::Family<prometheus::Counter>& repairs_;
  prometheus::Counter& reclassified_;
};

}  // namespace jianguan::credit
