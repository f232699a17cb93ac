// Timestamp ↔ absl::Time: exact both ways, before the epoch too, and clamped at the ends.
#include <catch2/catch.hpp>

#include "libs/core/timestamps.h"

namespace jianguan {
namespace {

TEST_CASE("a time goes to a Timestamp and back to the nanosecond") {
  for (const absl::Time time :
       {absl::UnixEpoch(), absl::FromUnixNanos(1796358356761123456),
        absl::FromUnixNanos(-1),  // 1969-12-31T23:59:59.999999999Z
        absl::FromUnixSeconds(-62135596800)}) {
    const google::protobuf::Timestamp stamp = ToTimestamp(time);
    INFO(absl::FormatTime(time));
    CHECK(stamp.nanos() >= 0);
    CHECK(stamp.nanos() < 1'000'000'000);
    CHECK(FromTimestamp(stamp) == time);
  }
  const google::protobuf::Timestamp before_epoch = ToTimestamp(absl::FromUnixNanos(-1));
  CHECK(before_epoch.seconds() == -1);
  CHECK(before_epoch.nanos() == 999'999'999);
}

TEST_CASE("times outside Timestamp's range are clamped to its ends") {
  CHECK(ToTimestamp(absl::InfiniteFuture()).seconds() == 253402300799);
  CHECK(ToTimestamp(absl::InfinitePast()).seconds() == -62135596800);
  CHECK(ToTimestamp(absl::InfinitePast()).nanos() == 0);
}

}  // namespace
}  // namespace jianguan
