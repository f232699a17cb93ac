#include "libs/core/ids.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan {

namespace {

// Crockford's base32 alphabet (https://www.crockford.com/base32.html): value order, so that
// string order equals numeric order.
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr uint64_t kMaxMillis = (uint64_t{1} << 48) - 1;

// Writes `value`'s lowest 5·count bits as `count` characters, most significant first.
void Encode(uint64_t value, int count, char* out) {
  for (int i = count - 1; i >= 0; --i) {
    out[i] = kCrockford[value & 31];
    value >>= 5;
  }
}

}  // namespace

IdGenerator::IdGenerator(const Clock& clock) : IdGenerator(clock, std::random_device{}()) {}

IdGenerator::IdGenerator(const Clock& clock, uint64_t seed) : clock_(clock), random_(seed) {}

std::string IdGenerator::Next() {
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  uint64_t millis = now_ms < 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(now_ms), kMaxMillis);

  std::lock_guard lock(mu_);
  if (started_ && millis <= last_millis_) {
    // Same millisecond, or the clock went back: stay on the last millisecond, count up.
    millis = last_millis_;
    if (++last_low_ == 0 && ++last_high_ == 0) {
      millis = std::min(millis + 1, kMaxMillis);  // 2^80 ids in one millisecond: move on
    }
  } else {
    last_low_ = random_();
    last_high_ = static_cast<uint16_t>(random_());
  }
  started_ = true;
  last_millis_ = millis;

  // 10 characters of time (50 bits, top 2 zero) and 16 of randomness (80 bits, as two
  // 40-bit halves).
  std::string id(kIdLength, '0');
  Encode(millis, 10, id.data());
  const uint64_t upper40 = (uint64_t{last_high_} << 24) | (last_low_ >> 40);
  const uint64_t lower40 = last_low_ & ((uint64_t{1} << 40) - 1);
  Encode(upper40, 8, id.data() + 10);
  Encode(lower40, 8, id.data() + 18);
  return id;
}

absl::StatusOr<absl::Time> IdTime(std::string_view id) {
  if (id.size() != kIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("an id has ", kIdLength, " characters, found ", id.size()));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (kCrockford.find(id[i]) == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("illegal character ", QuotedInput(id.substr(i, CharacterBytesAt(id, i))),
                       " at position ", i + 1));
    }
  }
  uint64_t millis = 0;
  for (size_t i = 0; i < 10; ++i) millis = millis << 5 | kCrockford.find(id[i]);
  if (millis > kMaxMillis) {
    return absl::InvalidArgumentError("time part exceeds 48 bits");
  }
  return absl::FromUnixMillis(static_cast<int64_t>(millis));
}

}  // namespace jianguan
