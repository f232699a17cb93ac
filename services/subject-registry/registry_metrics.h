// The registry's own metrics; the runtime adds the gRPC, consumer (timeline lag) and outbox
// ones.
//
//   jianguan_registry_import_rows_total{outcome="accepted"|"unchanged"|"refused"}
//       rows of committed ImportSubjects batches: written, already registered as given
//       (a re-import), refused with their row errors
//   jianguan_registry_status_changes_total{action}
//       ChangeSubjectStatus transitions committed, by action ("list_abnormal", "revoke", …)
#pragma once

#include <array>

#include "jianguan/subject/v1/subject.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace jianguan::subject {

class RegistryMetrics {
 public:
  /// Registers the families in `registry`, which must outlive this.
  explicit RegistryMetrics(prometheus::Registry& registry);

  /// Counts the rows of one committed import batch.
  void CountImport(const v1::ImportSubjectsResponse& answer);
  /// Counts one committed status change.
  void CountStatusChange(v1::StatusAction action);

  prometheus::Counter& rows_accepted;
  prometheus::Counter& rows_unchanged;
  prometheus::Counter& rows_refused;

 private:
  prometheus::Family<prometheus::Counter>& status_changes_;
};

}  // namespace jianguan::subject
