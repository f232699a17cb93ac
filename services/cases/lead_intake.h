// The consume side of the case handling service: inspection's LeadTransferred (线索移交立案
// 查处) registers a lead (案源登记) with the receiving department, once per transfer name
// (tasks/{task_id}/transfers/{n}, stable on republication), and publishes LeadRegistered.
// Other events of the topics consumed change nothing.
//
// The lead's violation date and found date are the inspection's day (the violation was seen
// then; never after the registration); its registration day is the Beijing date of the
// event's ce_time; its summary lists the findings (check point, answer, note) and the
// transfer's remarks.
//
// Exactly once: the consumer commits the lead, its source index, the event and its position
// in one write; a republished copy finds the source index taken and is skipped.
#pragma once

#include "absl/status/status.h"
#include "libs/core/calendar.h"
#include "libs/core/clock.h"
#include "libs/core/ids.h"
#include "libs/events/event.h"
#include "libs/store/unit_of_work.h"
#include "libs/write/event_emitter.h"
#include "services/cases/case_store.h"
#include "services/cases/domain/limitation.h"

namespace jianguan::cases {

class CasesMetrics;

class LeadIntake {
 public:
  /// Everything must outlive the intake; `metrics` may be null.
  LeadIntake(const CaseStore& records, const EventEmitter& emitter,
             const WorkingDayCalendar& calendar, const Clock& clock, FilingPeriod period,
             CasesMetrics* metrics);

  /// Applies one consumed event (see the file comment). INVALID_ARGUMENT (dead-lettered by
  /// the consumer) when a transfer cannot become a lead, e.g. its USCC is invalid.
  absl::Status Apply(const events::ConsumedEvent& event, store::UnitOfWork& work);

 private:
  const CaseStore& records_;
  const EventEmitter& emitter_;
  const WorkingDayCalendar& calendar_;
  const Clock& clock_;
  const FilingPeriod period_;
  CasesMetrics* metrics_;
  IdGenerator ids_;
};

}  // namespace jianguan::cases
