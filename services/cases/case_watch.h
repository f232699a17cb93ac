// The decision limit watched (第六十条): every open case's deadlines computed as of today, on a
// cadence, so that a case about to miss its 90 days (临期) or past them is reported on
// /metrics per department without anyone asking for the list (ListCases has at_risk_only
// for that). The count reads every case once per round: about 0.3 s of one core for 100,000
// cases, once a minute by default.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/core/calendar.h"
#include "services/cases/case_store.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/domain/deadlines.h"

namespace jianguan::cases {

/// Undecided cases of one department by how their decision limit stands.
struct DecisionLimitCounts {
  int64_t at_risk = 0;  // fewer than at_risk_days left, limit not past
  int64_t past = 0;     // the limit is past and no decision was made
};

class CaseWatch {
 public:
  CaseWatch(const CaseStore& records, const WorkingDayCalendar& calendar, const Clock& clock,
            DeadlineOptions options, CasesMetrics& metrics,
            absl::Duration every = absl::Minutes(1));
  ~CaseWatch();
  CaseWatch(const CaseWatch&) = delete;
  CaseWatch& operator=(const CaseWatch&) = delete;

  /// Counts now, then every `every` until Stop (or destruction).
  void Start();
  void Stop();

  /// One round: the counts by department as of the clock's Beijing day, also set on the
  /// metrics. A case whose deadlines cannot be computed (a date outside the calendar) is
  /// left out and logged.
  absl::StatusOr<std::map<std::string, DecisionLimitCounts>> CountOnce();

 private:
  const CaseStore& records_;
  const WorkingDayCalendar& calendar_;
  const Clock& clock_;
  const DeadlineOptions options_;
  CasesMetrics& metrics_;
  const absl::Duration every_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace jianguan::cases
