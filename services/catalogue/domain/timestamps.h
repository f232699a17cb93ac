// The one conversion of an instant into a protobuf Timestamp for the catalogue's records,
// so the domain stamps versions, heads and claims without protobuf's util library.
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace jianguan::catalogue {

/// `time` as a Timestamp (nanosecond precision, as recorded by the store before).
inline google::protobuf::Timestamp StampOf(absl::Time time) {
  const int64_t nanos = absl::ToUnixNanos(time);
  google::protobuf::Timestamp stamp;
  int64_t seconds = nanos / 1'000'000'000;
  int64_t rest = nanos % 1'000'000'000;
  if (rest < 0) {
    rest += 1'000'000'000;
    --seconds;
  }
  stamp.set_seconds(seconds);
  stamp.set_nanos(static_cast<int32_t>(rest));
  return stamp;
}

}  // namespace jianguan::catalogue
