// The one way a service queues its events: into the unit of work's outbox, as CloudEvents
// on the service's own topic (DESIGN.md §4), committed with the state they describe.
//
//   EventEmitter emitter(topics::kSubject, "subject-registry", clock);
//   emitter.Emit(decision.work, subject.uscc(), registered);   // key and ce_subject: USCC
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/store/unit_of_work.h"

namespace google::protobuf {
class Message;
}

namespace jianguan {

/// Thread-safe (const after construction).
class EventEmitter {
 public:
  /// `topic` is the service's topic (libs/events/topics.h), `source` its name (ce_source).
  EventEmitter(std::string topic, std::string source, const Clock& clock)
      : topic_(std::move(topic)), source_(std::move(source)), clock_(clock) {}

  /// Queues `event` with Kafka key and ce_subject `key` — the subject's USCC when the event
  /// is about a subject, else the resource name — and ce_time now.
  void Emit(store::UnitOfWork& work, std::string_view key,
            const google::protobuf::Message& event) const;
  /// The same with ce_time `time` (when the change happened, if not now).
  void Emit(store::UnitOfWork& work, std::string_view key, const google::protobuf::Message& event,
            absl::Time time) const;

  const std::string& topic() const { return topic_; }
  const std::string& source() const { return source_; }

 private:
  std::string topic_;
  std::string source_;
  const Clock& clock_;
};

}  // namespace jianguan
