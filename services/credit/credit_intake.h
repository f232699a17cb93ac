// The consume side of the credit service (DESIGN.md §4 consume path): every event of the
// subject, inspection and cases topics, scored by the model version in force on the event's
// day (Beijing date of its ce_time).
//
// - An event a rule matches adds a RULE entry to its subject's ledger (the Kafka key is the
//   subject's USCC) and publishes CreditScoreChanged, and CreditGradeChanged /
//   PunishmentListed / PunishmentLifted when the grade or the list changes.
// - SubjectFacts in any subject event keeps the registry's status for the repair rule "on
//   neither list"; PenaltyExecuted keeps the case as executed for "penalty fulfilled".
// - Other events, and events whose key is no USCC, change nothing.
//
// Exactly once: the consumer commits the ledger, the record, the events and its position in
// one write, and copies of an event are skipped by the consumer before they reach Apply. The
// consumer applies many events per commit and reads a record through the batch
// (CreditStore::FindRecord with the unit of work), so two events of one subject in one batch
// both count.
#pragma once

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "libs/core/clock.h"
#include "libs/events/event.h"
#include "libs/store/unit_of_work.h"
#include "libs/write/event_emitter.h"
#include "services/credit/credit_store.h"
#include "services/credit/domain/credit_model.h"
#include "services/credit/domain/ledger.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::credit {

class CreditMetrics;

/// Queues the events of `change` on `emitter` for `work`, in contract order.
void EmitChange(const EventEmitter& emitter, store::UnitOfWork& work, const CreditChange& change);

class CreditIntake {
 public:
  /// Everything must outlive the intake; `metrics` may be null.
  CreditIntake(const CreditStore& records, const ModelSet& models, const EventEmitter& emitter,
               const Clock& clock, CreditMetrics* metrics);

  /// Applies one consumed event (see the file comment).
  absl::Status Apply(const events::ConsumedEvent& event, store::UnitOfWork& work) const;

 private:
  const CreditStore& records_;
  const ModelSet& models_;
  const EventEmitter& emitter_;
  const Clock& clock_;
  CreditMetrics* metrics_;
  /// The events credit consumes (KnownEventTypes()), by full name.
  absl::flat_hash_map<std::string, const google::protobuf::Message*> prototypes_;
};

}  // namespace jianguan::credit
