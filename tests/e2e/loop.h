// The closed loop of issue #21, driven over the services' public gRPC APIs as the
// departments would drive it, on a Suite of the seven real binaries:
//
//   catalogue (two departments of Jinhua, an item, a check form and inspectors each)
//   → registry (the run's enterprises, one with a commitment 告知承诺)
//   → plan 1, joint (联合抽查), approved and drawn: every enterprise once
//   → inspections: clean ones, a fire-safety finding, a product-quality violation ordered to
//     rectify and transferred to case handling, an enterprise nobody could be met at (listed
//     as abnormal by the registry), and the commitment verified as breached
//   → results published (一公开)
//   → the lead filed as a case and carried to a fine, its payment and closure
//   → credit deducts, risk rescores
//   → plan 2 over the same enterprises, its ratios higher for worse classes, approved and
//     drawn.
//
// At the end of each phase a FaultPlan may kill one service with SIGKILL (and restart it) or
// restart the broker. What the loop ends with is kept in a LoopRecord; Essence() is the part
// of it that must not depend on timing, faults or randomness, so that a run under faults can
// be compared with a run without.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "jianguan/cases/v1/cases.pb.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "jianguan/risk/v1/risk.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "tests/e2e/suite.h"

namespace jianguan::e2e {

/// The enterprises' parts in the story, by index; every other index is a clean enterprise.
enum Role : int {
  kViolator = 0,     // product-quality violation: rectification ordered, case, fine
  kFireFinding = 1,  // the fire department's check point failed, nothing transferred
  kBreached = 2,     // its commitment (告知承诺) verified as not kept
  kUnreachable = 3,  // nobody at the registered address (Zhejiang result code 6)
  kFirstClean = 4,
};

/// Which fault happens after which phase: a service name (kill -9 and restart) or "kafka"
/// (broker restart), by phase name.
struct FaultPlan {
  uint32_t seed = 0;
  std::map<std::string, std::string> after_phase;
  /// The phases, in order, at whose end a fault may happen.
  static const std::vector<std::string>& Phases();
  /// `kills` services of the seven, chosen and ordered by `seed`, and one broker restart,
  /// spread over the phases by `seed`.
  static FaultPlan FromSeed(uint32_t seed, int kills);
  std::string Describe() const;
};

/// Everything the loop ends with.
struct LoopRecord {
  std::vector<subject::v1::Subject> subjects;  // as imported, by role index
  std::string plan1, plan2;                    // plan names
  std::map<std::string, std::string> task_of;  // USCC → plan 1's task name
  std::string commitment_task;                 // the verification task of kBreached
  std::map<std::string, inspection::v1::Task> tasks;  // by task name, at the end
  cases::v1::CaseView case_view;                       // kViolator's case
  std::map<std::string, credit::v1::ScoreExplanation> credit;      // by USCC
  std::map<std::string, credit::v1::SubjectCredit> standing;       // by USCC
  std::map<std::string, risk::v1::SubjectRisk> risk;               // by USCC
  std::map<std::string, std::vector<subject::v1::TimelineEntry>> timeline;  // by USCC
  subject::v1::Subject unreachable_after;  // kUnreachable as the registry ends
  subject::v1::Subject breached_after;     // kBreached as the registry ends
  sampling::v1::Plan plan1_view, plan2_view;
  std::map<std::string, std::string> candidates1, candidates2;  // USCC → candidate line
  std::set<std::string> drawn2;                                   // USCCs plan 2 drew
  // What the public sees without credentials (一公开).
  sampling::v1::ListPublicTasksResponse public_tasks;
  inspection::v1::ListPublishedResultsResponse public_results;
  cases::v1::ListPublicDecisionsResponse public_decisions;
  // Distinct ce_ids per (topic, USCC, type) and all copies read, over the suite's topics.
  std::map<std::string, std::set<std::string>> event_ids;  // "topic USCC type" → ce_ids
  int64_t copies_read = 0;
  int64_t dead_letters = 0;
  // Things only a person needs to know (identifiers for the log).
  std::map<std::string, std::string> notes;

  /// The lines that must be equal between any two runs of the loop, sorted.
  std::vector<std::string> Essence() const;
};

/// Runs the loop on `suite` with `subjects` enterprises (≥ 5), applying `faults` (may be
/// empty) at the ends of the phases.
LoopRecord RunLoop(Suite& suite, int subjects, const FaultPlan& faults);

}  // namespace jianguan::e2e
