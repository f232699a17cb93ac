// google.protobuf.Timestamp ↔ absl::Time, the one conversion every event and record needs
// (events carry Timestamps, clocks give absl::Time). Nanosecond exact both ways within
// Timestamp's range (years 1–9999).
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace jianguan {

/// `time` as a Timestamp; clamped to Timestamp's range.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

/// `timestamp` as an absl::Time.
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace jianguan
