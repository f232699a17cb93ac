// The risk service's clock work, one pass every --tick_interval (default one minute):
//   1. the rule directory read again (hot reload: a changed, valid rule set is swapped in; a
//      bad one is logged and counted and the sets in force stay);
//   2. every stored state of the rules that take ticks (absence, windows, combinations)
//      given the clock: a device silent for 6 hours raises, a window whose events aged out
//      clears;
//   3. every open alert: routed again while RAISED (the catalogue or registry projection
//      may have caught up), escalated when a limit passed (AlertEscalated), counted for the
//      open and overdue gauges; the subjects counted for the high-risk gauges (HIGH, and
//      inspected this Beijing year);
//   4. readings older than the policy's retention deleted.
// Each page of keys is one unit of work, committed, and retried when another writer changed
// a key it read. A pass that fails is logged and tried again at the next one.
#pragma once

#include <cstdint>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "services/risk/risk_engine.h"
#include "services/risk/risk_store.h"

namespace jianguan::risk {

class RiskMetrics;

/// What one pass did.
struct TickReport {
  bool rules_reloaded = false;
  int64_t states_ticked = 0;
  int64_t alerts_checked = 0;
  int64_t readings_purged = 0;
};

class RiskTicker {
 public:
  /// Everything must outlive the ticker; `metrics` may be null.
  RiskTicker(const RiskStore& records, const RiskEngine& engine, RuleBook& rules,
             const Clock& clock, RiskMetrics* metrics, absl::Duration every = absl::Minutes(1));
  ~RiskTicker();
  RiskTicker(const RiskTicker&) = delete;
  RiskTicker& operator=(const RiskTicker&) = delete;

  /// A pass now, then every `every` until Stop (or destruction).
  void Start();
  void Stop();

  /// One pass at the clock's time (see the file comment).
  absl::StatusOr<TickReport> TickOnce();

 private:
  /// Runs `apply(tx, key)` for each key of `family` under `prefix`, a page per commit.
  template <typename Apply>
  absl::StatusOr<int64_t> ForEachKey(const char* family, const std::string& prefix, Apply&& apply);
  absl::StatusOr<int64_t> PurgeReadings(absl::Time now);

  const RiskStore& records_;
  const RiskEngine& engine_;
  RuleBook& rules_;
  const Clock& clock_;
  RiskMetrics* metrics_;
  const absl::Duration every_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace jianguan::risk
