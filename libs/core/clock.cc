#include "libs/core/clock.h"

namespace jianguan {

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

absl::TimeZone BeijingTime() {
  // A fixed offset: China has not observed daylight saving since 1991, and a fixed zone
  // needs no tzdata on the machine.
  static const absl::TimeZone zone = absl::FixedTimeZone(8 * 60 * 60);
  return zone;
}

}  // namespace jianguan
