// What the risk service does with an input inside one unit of work: the rules in force on
// the input's day evaluate it (services/risk/domain/evaluator.h), and their verdicts move
// alerts (domain/alert_loop.h), route them to the department responsible over the store's
// projection of the catalogue (libs/applicability), and rescore the subject's risk level
// (domain/risk_level.h), queueing AlertRaised, AlertDispatched, AlertClosed,
// AlertEscalated and RiskLevelChanged on jianguan.risk.v1 in the same unit.
//
//   RiskTx tx(store, work);
//   RETURN_IF_ERROR(engine.OnReading(tx, reading, now));   // states, alerts, events
//   store.Commit(work);                                    // all or nothing
//
// Whoever calls it commits (the consumer with its position, the readings stream per batch,
// the ticker per page); a failed precondition means another writer changed a key read here
// first, and the caller runs the input again on fresh state.
//
// One alert per (rule, subject) whose loop is open: RAISE opens it (or, while the loop of an
// earlier one is still open, updates that one), PERSIST updates it, CLEAR marks its condition
// closed; an alert closes only with its feedback. Per-device rules raise per subject: the
// first device to go over raises, the others add evidence to that alert.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/risk/v1/policy.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/code_table.h"
#include "libs/write/event_emitter.h"
#include "services/risk/domain/alert_loop.h"
#include "services/risk/domain/evaluator.h"
#include "services/risk/risk_store.h"
#include "services/risk/rule_book.h"

namespace jianguan::risk {

class RiskMetrics;

/// The reference data and policy the engine decides with.
struct EngineContext {
  const RuleBook& rules;
  const v1::RiskPolicy& policy;
  const WorkingDayCalendar& calendar;
  /// GB/T 4754-2017, to expand a subject's industry to its ancestors.
  const CodeTable& industries;
  const EventEmitter& emitter;
};

class RiskEngine {
 public:
  /// Everything must outlive the engine; `metrics` may be null.
  RiskEngine(EngineContext context, RiskMetrics* metrics);

  /// A suite event about a subject (event.uscc): every rule in force that takes its type.
  absl::Status OnEvent(RiskTx& tx, const SuiteEvent& event, absl::Time now) const;

  /// A reading already checked against its device: stored, and every rule in force that
  /// takes its metric. Returns false for a duplicate (same device, metric and time: nothing
  /// changes).
  absl::StatusOr<bool> OnReading(RiskTx& tx, const Reading& reading, absl::Time now) const;

  /// The clock at `now` for one stored rule state (the ticker walks them): absence and
  /// windows run out. Writes only when the verdict is not NONE.
  absl::Status OnTick(RiskTx& tx, std::string_view state_key, absl::Time now) const;

  /// Inspection created the alert's task (TaskCreated, origin.alert).
  absl::Status OnTaskCreated(RiskTx& tx, const inspection::v1::TaskSummary& task,
                             absl::Time now) const;
  /// An alert's task moved (TaskStateChanged): REVIEWED closes the alert with the result,
  /// CANCELLED takes it back to ACCEPTED. Tasks of no alert change nothing.
  absl::Status OnTaskStateChanged(RiskTx& tx, const inspection::v1::TaskStateChanged& changed,
                                  absl::Time now) const;

  /// Routes a RAISED alert again (the projection may have caught up); nothing for others.
  absl::Status RetryRouting(RiskTx& tx, std::string_view alert_id, absl::Time now) const;
  /// Records the escalation due on `today` for an open alert, if any.
  absl::Status EscalateIfDue(RiskTx& tx, std::string_view alert_id, absl::Time now) const;

  /// Saves a changed alert with its indexes and the subject's open alerts, rescoring the
  /// subject; `event` (the alert event describing the change, or nullptr) is queued.
  absl::Status SaveChangedAlert(RiskTx& tx, const v1::Alert& before, const v1::Alert& after,
                                const google::protobuf::Message* event, absl::Time now) const;

  /// Rescores the subject and queues RiskLevelChanged when its level changed.
  absl::Status Reassess(RiskTx& tx, v1::SubjectRecord& subject, absl::Time now) const;

  /// The subject's record as the unit leaves it (a new one when unknown).
  absl::StatusOr<v1::SubjectRecord> SubjectOf(RiskTx& tx, std::string_view uscc) const;
  /// Saves the subject's record.
  void SaveSubject(RiskTx& tx, const v1::SubjectRecord& subject) const;

  /// The department of `code`'s parent in the projection (empty at the top or unknown).
  std::string ParentOf(RiskTx& tx, std::string_view code) const;

  const EngineContext& context() const { return context_; }

 private:
  absl::Status Evaluated(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                         std::string_view uscc, std::string_view device, const Input& input,
                         absl::Time now, int depth) const;
  absl::Status ActOnVerdict(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                       std::string_view uscc, const Evaluation& evaluation, absl::Time input_time,
                       absl::Time now, int depth) const;
  absl::Status Raised(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                      std::string_view uscc, const Evaluation& evaluation, absl::Time input_time,
                      absl::Time now) const;
  absl::Status Route(RiskTx& tx, v1::Alert& alert, const std::string& field, absl::Time now,
                     const google::protobuf::Message** event, v1::AlertDispatched& dispatched) const;
  /// Whether another device of a per-device rule is still open for the subject.
  absl::StatusOr<bool> AnyDeviceOpen(RiskTx& tx, std::string_view rule, std::string_view uscc) const;

  EngineContext context_;
  RiskMetrics* metrics_;
};

}  // namespace jianguan::risk
