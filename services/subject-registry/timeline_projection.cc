#include "services/subject-registry/timeline_projection.h"

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "services/subject-registry/domain/subject_rules.h"
#include "services/subject-registry/registry_name.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject {

absl::Status RecordOnTimeline(const events::ConsumedEvent& event, store::UnitOfWork& work) {
  if (event.topic == events::kDeadLetterTopic || event.source() == kServiceName) {
    return absl::OkStatus();
  }
  const std::string_view uscc = event.subject();
  if (!ValidateUscc(uscc).ok()) return absl::OkStatus();

  absl::Time time = absl::Now();
  std::string error;
  if (auto text = event.Header(events::header::kTime)) {
    absl::Time parsed;
    if (absl::ParseTime(absl::RFC3339_full, AbslView(*text), &parsed, &error)) time = parsed;
  }
  v1::TimelineEntry entry;
  // ce_id when present; otherwise the message's place in Kafka names it uniquely.
  entry.set_event_id(event.id().empty()
                         ? absl::StrCat(event.topic, "-", event.partition, "-", event.offset)
                         : std::string(event.id()));
  entry.set_type(std::string(event.type()));
  *entry.mutable_time() = ToTimestamp(time);
  entry.set_source(std::string(event.source()));
  entry.set_topic(event.topic);
  entry.set_summary(SummarizeEvent(event.type(), event.value, event.source()));
  SubjectStore::AddTimelineEntry(work, uscc, entry, time);
  return absl::OkStatus();
}

}  // namespace jianguan::subject
