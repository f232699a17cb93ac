#include "libs/write/event_emitter.h"

#include "libs/events/event.h"

namespace jianguan {

void EventEmitter::Emit(store::UnitOfWork& work, std::string_view key,
                        const google::protobuf::Message& event) const {
  Emit(work, key, event, clock_.Now());
}

void EventEmitter::Emit(store::UnitOfWork& work, std::string_view key,
                        const google::protobuf::Message& event, absl::Time time) const {
  work.AddEvent(events::MakeEvent({.topic = topic_,
                                   .key = std::string(key),
                                   .source = source_,
                                   .subject = std::string(key),
                                   .time = time},
                                  event));
}

}  // namespace jianguan
