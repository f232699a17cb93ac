// The registry's name, written once: the ce_source of its events (by which the timeline
// projection recognises its own events coming back from Kafka) and its name at start-up.
#pragma once

namespace jianguan::subject {

inline constexpr char kServiceName[] = "subject-registry";

}  // namespace jianguan::subject
