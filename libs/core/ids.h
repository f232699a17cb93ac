// Time-sortable resource ids (DESIGN §4 "Identifiers"), after the ULID layout: 48 bits of
// Unix milliseconds followed by 80 random bits, written as 26 characters of Crockford's
// base32 (0-9, A-Z without I, L, O, U). Sorting ids as strings sorts them by creation time,
// which keeps RocksDB keys of recent resources together and makes pages stable.
//
//   IdGenerator ids(SystemClock::Instance());
//   std::string task_id = ids.Next();   // e.g. "01JDQ7ZJ6V8X4D0Q9W3E5R2T1Y"
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"

namespace jianguan {

/// Length of every id.
inline constexpr size_t kIdLength = 26;

/// Makes ids. Thread-safe: Next() may be called from any thread.
///
/// Promise: within one generator every id is strictly greater (as a string) than the one
/// before, even when many are made in the same millisecond or the clock steps back. In those
/// cases the generator keeps the last millisecond and adds one to the random part; should
/// that ever overflow it moves on to the next millisecond, so ids may run slightly ahead of
/// the clock but never repeat. Ids from different generators are unique with overwhelming
/// probability (80 random bits per millisecond).
class IdGenerator {
 public:
  /// `clock` must outlive the generator. The random part is seeded from std::random_device.
  explicit IdGenerator(const Clock& clock);
  /// As above with a fixed seed, for reproducible tests.
  IdGenerator(const Clock& clock, uint64_t seed);

  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  /// A new id.
  std::string Next();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 random_;      // guarded by mu_
  uint64_t last_millis_ = 0;    // guarded by mu_
  uint16_t last_high_ = 0;      // top 16 of the 80 random bits; guarded by mu_
  uint64_t last_low_ = 0;       // low 64 of the 80 random bits; guarded by mu_
  bool started_ = false;        // guarded by mu_
};

/// The creation time encoded in an id (millisecond precision). INVALID_ARGUMENT when `id`
/// is not 26 characters of Crockford's base32 (upper case) or overflows 48 bits of time.
absl::StatusOr<absl::Time> IdTime(std::string_view id);

}  // namespace jianguan
