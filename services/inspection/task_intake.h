// The consume side of the inspection service (DESIGN.md §4 consume path): tasks from other
// services' events and the form projection.
//
// - jianguan.sampling.v1 TaskDrawn → one task per drawn subject, created and assigned to the
//   drawn inspectors in one write (TaskCreated, TaskAssigned), carrying every department's
//   items and forms (联合检查: 进一次门、查多项事).
// - jianguan.subject.v1 CommitmentRecorded → a verification task (告知承诺核查), CREATED,
//   due within the configured working days (never after verify_by) (TaskCreated).
// - jianguan.catalogue.v1 FormPublished → the forms projection (every published version kept,
//   the newest per code via PutIfNewer); InspectorRegistered / InspectorChanged and
//   ItemPublished / ItemRevised → the inspector and item projections AssignTask reads (the
//   newest version per inspector / item code wins; a stale copy changes nothing).
// - jianguan.risk.v1 AlertDispatched → a verification task of the alert (风险预警核查), CREATED
//   for the alert's department and items, due on the alert's last day to close; one per alert.
// Other event types on these topics are skipped, so the consumers subscribe by pattern.
//
// Replays create nothing twice: a task's id is derived from its source and an event whose
// task exists, in the store or earlier in the consumer's batch (UnitOfWork::Pending),
// changes nothing; so the task sources may be consumed in batches. The catalogue's events
// are consumed one per commit (PutIfNewer and the forms generation read the store).
//
// A drawn task consumed before the FormPublished of its department's forms is created with
// no form for that department; it takes the forms published by then when it is accepted or
// reached on site (InspectionService, AttachMissingForms).
#pragma once

#include "absl/status/status.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/clock.h"
#include "libs/events/event.h"
#include "libs/store/unit_of_work.h"
#include "libs/write/event_emitter.h"
#include "services/inspection/inspection_store.h"

namespace jianguan::inspection {

class TaskIntake {
 public:
  /// Everything must outlive the intake. `commitment_working_days` is
  /// --commitment_verify_working_days.
  TaskIntake(const InspectionStore& tasks, const EventEmitter& emitter,
             const WorkingDayCalendar& calendar, const Clock& clock, int commitment_working_days)
      : tasks_(tasks),
        emitter_(emitter),
        calendar_(calendar),
        clock_(clock),
        commitment_working_days_(commitment_working_days) {}

  /// Applies one event of the sampling, subject or risk topic (TaskDrawn, CommitmentRecorded,
  /// AlertDispatched).
  absl::Status ApplyTaskSource(const events::ConsumedEvent& event, store::UnitOfWork& work) const;
  /// Applies one event of the catalogue topic (forms, inspectors, items).
  absl::Status ApplyCatalogue(const events::ConsumedEvent& event, store::UnitOfWork& work) const;

 private:
  absl::Status ApplyDrawn(const events::ConsumedEvent& event, store::UnitOfWork& work) const;
  absl::Status ApplyCommitment(const events::ConsumedEvent& event, store::UnitOfWork& work) const;
  absl::Status ApplyAlert(const events::ConsumedEvent& event, store::UnitOfWork& work) const;
  absl::Status ApplyInspector(const catalogue::v1::Inspector& inspector,
                              store::UnitOfWork& work) const;
  absl::Status ApplyItem(const catalogue::v1::RegulatoryItem& item, store::UnitOfWork& work) const;
  /// Writes a new task and its TaskCreated (and TaskAssigned when it has inspectors).
  void Create(const v1::Task& task, store::UnitOfWork& work) const;

  const InspectionStore& tasks_;
  const EventEmitter& emitter_;
  const WorkingDayCalendar& calendar_;
  const Clock& clock_;
  const int commitment_working_days_;
};

}  // namespace jianguan::inspection
