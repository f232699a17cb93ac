// The consume side of jianguan.inspection.v1 for sampling: a published inspection result is a
// visit of its subject, whatever made the task (a draw, a commitment verification, a special
// inspection, a complaint). The frequency rule of later plans and "not the inspectors who
// last inspected it" then rest on what was inspected, not only on what was drawn.
//
//   ResultPublished → the subject's inspection record (PlanStore::PutInspected): its items
//   visited on the result's inspection date, its signers the last inspectors
//   (domain/draw_history.h RecordInspection).
//
// Other event types on the topic are skipped. The record is read through the consumer's
// batch (UnitOfWork::Pending), so the topic is consumed in batches.
#pragma once

#include "absl/status/status.h"
#include "libs/events/event.h"
#include "libs/store/unit_of_work.h"
#include "services/sampling/plan_store.h"

namespace jianguan::sampling {

/// Applies one event of jianguan.inspection.v1. INVALID_ARGUMENT (dead-lettered) for a
/// ResultPublished without a USCC, a real inspection date or a signer.
absl::Status ApplyInspectionEvent(const PlanStore& plans, const events::ConsumedEvent& event,
                                  store::UnitOfWork& work);

}  // namespace jianguan::sampling
