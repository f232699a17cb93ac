// The consume side of the risk service (DESIGN.md §4 consume path): every event of the
// suite's topics but its own, read by the group "risk".
//
// - Projections, each kept newest-version-wins: the registry's facts of each subject (name,
//   type, industry, region, tags, licence kinds: what routing matches the catalogue's
//   applicability against); the catalogue's departments (level and parent: the supervising
//   chain), items in force and claims; credit's grade of each subject; violations found
//   (an inspection result with outcome VIOLATION, a penalty decided), once per event; the
//   days each subject was inspected (ResultSubmitted, TaskStateChanged to REVIEWED,
//   FollowUpCompleted: the result's inspection date), for the share of high-risk subjects
//   inspected (domain/coverage.h).
// - The alert loop: inspection's TaskCreated for an alert (origin.alert) moves it to
//   INSPECTING; TaskStateChanged to REVIEWED closes it with the result, to CANCELLED takes it
//   back to ACCEPTED.
// - Rules: every event about a subject (Kafka key a USCC) goes through the rules in force
//   (RiskEngine::OnEvent).
// A grade change and a violation rescore the subject (RiskLevelChanged when its level moves).
//
// Exactly once: the consumer commits all of it with its position in one write, skipping
// copies of an event before they reach Apply; several events per commit read each other's
// writes through the unit of work (RiskTx).
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "libs/core/clock.h"
#include "libs/events/event.h"
#include "libs/store/unit_of_work.h"
#include "services/risk/risk_engine.h"

namespace google::protobuf {
class Message;
}

namespace jianguan::risk {

/// The topics the intake reads, as a librdkafka pattern.
inline constexpr char kSuiteTopicsPattern[] =
    "^jianguan\\.(subject|sampling|inspection|cases|credit|catalogue)\\.v1$";

class RiskIntake {
 public:
  /// Everything must outlive the intake.
  RiskIntake(const RiskStore& records, const RiskEngine& engine, const Clock& clock);

  /// Applies one consumed event (see the file comment).
  absl::Status Apply(const events::ConsumedEvent& event, store::UnitOfWork& work) const;

 private:
  absl::Status Project(RiskTx& tx, const events::ConsumedEvent& event,
                       const google::protobuf::Message& message, absl::Time time) const;

  const RiskStore& records_;
  const RiskEngine& engine_;
  const Clock& clock_;
  /// The events risk reads (KnownEventTypes()), by full name.
  absl::flat_hash_map<std::string, const google::protobuf::Message*> prototypes_;
};

}  // namespace jianguan::risk
