// Time as a dependency: domain code asks a Clock, tests hand it a fake one
// (libs/testing/fake_clock.h), so deadlines and ids are reproducible.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace jianguan {

/// The source of "now". Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current instant.
  virtual absl::Time Now() const = 0;
};

/// The machine's real-time clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  /// A process-wide instance, for wiring in main.cc.
  static const SystemClock& Instance();
};

/// Dates in law are Beijing dates (UTC+8, no daylight saving).
absl::TimeZone BeijingTime();

}  // namespace jianguan
