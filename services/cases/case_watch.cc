#include "services/cases/case_watch.h"

#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"

namespace jianguan::cases {

CaseWatch::CaseWatch(const CaseStore& records, const WorkingDayCalendar& calendar,
                     const Clock& clock, DeadlineOptions options, CasesMetrics& metrics,
                     absl::Duration every)
    : records_(records),
      calendar_(calendar),
      clock_(clock),
      options_(options),
      metrics_(metrics),
      every_(every) {}

CaseWatch::~CaseWatch() { Stop(); }

void CaseWatch::Start() {
  thread_ = std::thread([this] {
    do {
      if (auto counted = CountOnce(); !counted.ok()) {
        LogWarning("decision limits not counted", {{"reason", counted.status().message()}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(every_));
  });
}

void CaseWatch::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

absl::StatusOr<std::map<std::string, DecisionLimitCounts>> CaseWatch::CountOnce() {
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), BeijingTime());
  std::map<std::string, DecisionLimitCounts> counts;
  int64_t unknown = 0;
  RETURN_IF_ERROR(records_.ForEachCase([&](const v1::Case& c) {
    auto deadlines = DeadlinesOf(c, today, calendar_, options_);
    if (!deadlines.ok()) {
      ++unknown;
      return true;
    }
    // A department seen once keeps its series (at 0), so a count falling to 0 is reported.
    DecisionLimitCounts& mine = counts[c.department().code()];
    if (!deadlines->at_risk()) return true;
    if (deadlines->decision_days_remaining() < 0) {
      ++mine.past;
    } else {
      ++mine.at_risk;
    }
    return !stop_.HasBeenNotified();
  }));
  if (unknown > 0) {
    LogWarning("cases whose deadlines fall outside the calendar", {{"cases", unknown}});
  }
  if (stop_.HasBeenNotified()) return counts;  // a round cut short reports nothing
  for (const auto& [department, n] : counts) {
    metrics_.SetDecisionLimits(department, n.at_risk, n.past);
  }
  return counts;
}

}  // namespace jianguan::cases
