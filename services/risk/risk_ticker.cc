#include "services/risk/risk_ticker.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/timestamps.h"
#include "services/risk/risk_metrics.h"

namespace jianguan::risk {
namespace {

constexpr int kPage = 200;
constexpr int kMaxAttempts = 4;

}  // namespace

RiskTicker::RiskTicker(const RiskStore& records, const RiskEngine& engine, RuleBook& rules,
                       const Clock& clock, RiskMetrics* metrics, absl::Duration every)
    : records_(records), engine_(engine), rules_(rules), clock_(clock), metrics_(metrics),
      every_(every) {}

RiskTicker::~RiskTicker() { Stop(); }

void RiskTicker::Start() {
  thread_ = std::thread([this] {
    do {
      if (auto report = TickOnce(); !report.ok()) {
        LogWarning("risk tick failed, retried at the next", {{"reason", report.status().message()}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(every_));
  });
}

void RiskTicker::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

template <typename Apply>
absl::StatusOr<int64_t> RiskTicker::ForEachKey(const char* family, const std::string& prefix,
                                               Apply&& apply) {
  int64_t done = 0;
  std::string after;
  while (!stop_.HasBeenNotified()) {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, records_.KeysAfter(family, prefix, after, kPage));
    if (keys.empty()) break;
    for (int attempt = 1;; ++attempt) {
      store::UnitOfWork work;
      work.set_sync(false);  // the clock's work is done again by the next pass if lost
      RiskTx tx(records_.store(), work);
      for (const std::string& key : keys) RETURN_IF_ERROR(apply(tx, key));
      if (work.empty()) break;
      absl::Status committed = records_.store().Commit(work);
      if (committed.ok()) break;
      if (!absl::IsFailedPrecondition(committed) || attempt >= kMaxAttempts) return committed;
    }
    done += static_cast<int64_t>(keys.size());
    after = keys.back();
    if (static_cast<int>(keys.size()) < kPage) break;
  }
  return done;
}

absl::StatusOr<TickReport> RiskTicker::TickOnce() {
  TickReport report;
  const absl::Time now = clock_.Now();
  // 1. Hot reload.
  absl::StatusOr<bool> reloaded = rules_.Reload(now);
  if (!reloaded.ok()) {
    LogWarning("rule sets not reloaded; the sets in force stay",
               {{"dir", rules_.dir()}, {"reason", reloaded.status().message()}});
    if (metrics_ != nullptr) metrics_->CountReload("refused");
  } else {
    report.rules_reloaded = *reloaded;
    if (*reloaded) LogInfo("rule sets reloaded", {{"dir", rules_.dir()}});
    if (metrics_ != nullptr) metrics_->CountReload(*reloaded ? "loaded" : "unchanged");
  }

  // 2. The states of the rules that take ticks.
  const std::shared_ptr<const RuleBookSnapshot> book = rules_.snapshot();
  std::set<std::string> ticked_rules;
  for (const RuleBookSnapshot::InForce& in_force :
       book->ForDay(absl::ToCivilDay(now, BeijingTime()))) {
    if (in_force.rule->TakesTicks()) ticked_rules.insert(in_force.rule->id());
  }
  for (const std::string& rule : ticked_rules) {
    ASSIGN_OR_RETURN(int64_t ticked,
                     ForEachKey(kRuleStatesFamily, absl::StrCat(rule, "/"),
                                [&](RiskTx& tx, const std::string& key) {
                                  return engine_.OnTick(tx, key, now);
                                }));
    report.states_ticked += ticked;
  }

  // 3. Open alerts: routing, escalation, then the gauges.
  ASSIGN_OR_RETURN(report.alerts_checked,
                   ForEachKey(kOpenAlertsFamily, "", [&](RiskTx& tx, const std::string& id) {
                     RETURN_IF_ERROR(engine_.RetryRouting(tx, id, now));
                     return engine_.EscalateIfDue(tx, id, now);
                   }));
  if (metrics_ != nullptr) {
    const absl::CivilDay today = absl::ToCivilDay(now, BeijingTime());
    std::map<std::pair<std::string, std::string>, int64_t> open;
    std::map<std::string, int64_t> overdue;
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       records_.KeysAfter(kOpenAlertsFamily, "", after, kPage));
      for (const std::string& id : ids) {
        ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, records_.FindAlert(id));
        if (!alert) continue;
        const v1::AlertSummary& s = alert->summary();
        const std::string department = s.department().code().empty() ? "-" : s.department().code();
        ++open[{department, std::string(StateName(s.state()))}];
        const bool past_accept = s.state() == v1::ALERT_STATE_DISPATCHED &&
                                 alert->has_accept_due_date() &&
                                 today > DayOf(alert->accept_due_date());
        const bool past_close = alert->has_close_due_date() && today > DayOf(alert->close_due_date());
        if (past_accept || past_close) ++overdue[department];
      }
      if (static_cast<int>(ids.size()) < kPage) break;
      after = ids.back();
    }
    metrics_->SetOpen(open, overdue);
    // The share of high-risk subjects inspected this (Beijing) year, recomputed from the
    // subjects: always what the store says, and right again the day the year turns.
    ASSIGN_OR_RETURN(const v1::HighRiskCoverage coverage,
                     records_.HighRiskCoverageOf("", absl::CivilDay(today.year(), 1, 1), today));
    metrics_->SetHighRisk(coverage.high_risk_subjects(), coverage.inspected());
  }

  // 4. Retention.
  ASSIGN_OR_RETURN(report.readings_purged, PurgeReadings(now));
  return report;
}

absl::StatusOr<int64_t> RiskTicker::PurgeReadings(absl::Time now) {
  const int days = engine_.context().policy.reading_retention_days();
  if (days <= 0) return 0;
  const absl::Time cutoff = now - absl::Hours(24) * days;
  int64_t purged = 0;
  // Per device and metric, the readings are in time order: delete from the first key until
  // one is young enough.
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<std::string> devices,
                     records_.KeysAfter(kDevicesFamily, "", after, kPage));
    for (const std::string& id : devices) {
      ASSIGN_OR_RETURN(std::optional<v1::Device> device, records_.FindDevice(id));
      if (!device) continue;
      for (const std::string& metric : device->metrics()) {
        const std::string prefix = absl::StrCat(id, "/", metric, "/");
        const std::string limit = ReadingKey(id, metric, cutoff);
        for (;;) {
          ASSIGN_OR_RETURN(std::vector<std::string> keys,
                           records_.KeysAfter(kReadingsFamily, prefix, "", 1000));
          store::UnitOfWork work;
          work.set_sync(false);
          for (const std::string& key : keys) {
            if (key >= limit) break;
            work.Delete(kReadingsFamily, key);
          }
          if (work.empty()) break;
          purged += static_cast<int64_t>(work.mutations().size());
          RETURN_IF_ERROR(records_.store().Commit(work));
          if (stop_.HasBeenNotified()) return purged;
        }
      }
    }
    if (static_cast<int>(devices.size()) < kPage) break;
    after = devices.back();
  }
  return purged;
}

}  // namespace jianguan::risk
