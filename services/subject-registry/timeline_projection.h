// The panoramic profile's feed (全景画像): every event on any suite topic whose ce_subject is
// a USCC becomes a timeline entry of that subject. Subscribed by a topic regex, so topics
// created later are picked up without a change here (topics::AllSuitePatternExcept: every
// suite topic but the registry's own, whose events enter the timeline with the change that
// caused them; the DLQ matches too and is skipped).
#pragma once

#include "libs/events/consumer.h"

namespace jianguan::subject {

/// Applies one consumed event to the timeline. Skips dead letters, events whose
/// ce_subject is not a valid USCC, and the registry's own events (written with the change
/// that caused them). Never fails on an event's content.
absl::Status RecordOnTimeline(const events::ConsumedEvent& event, store::UnitOfWork& work);

}  // namespace jianguan::subject
