#include "libs/core/timestamps.h"

#include <algorithm>

#include "google/protobuf/util/time_util.h"

namespace jianguan {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  using google::protobuf::util::TimeUtil;
  // TimeUtil refuses (and logs) what lies outside its range; absl::Time does not.
  const absl::Time earliest = absl::FromUnixSeconds(TimeUtil::kTimestampMinSeconds);
  const absl::Time latest = absl::FromUnixSeconds(TimeUtil::kTimestampMaxSeconds);
  time = std::clamp(time, earliest, latest);
  const int64_t seconds = absl::ToUnixSeconds(time);
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

}  // namespace jianguan
