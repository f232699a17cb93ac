// The fake clock file (--fake_clock_file): T plus the real time since the file changed,
// moved by rewriting the file, refused at start when unreadable, kept through a bad rewrite.
#include "libs/runtime/file_clock.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "absl/time/clock.h"
#include "libs/testing/temp_dir.h"

namespace jianguan {
namespace {

absl::Time Instant(const char* rfc3339) {
  absl::Time t;
  std::string error;
  REQUIRE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error));
  return t;
}

// Writes `text` as a test does: to a temporary file renamed over the clock file, so that a
// reader never sees half of it.
void Rewrite(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << "\n";
  }
  REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

// Sets the file's modification time to `ago` before now.
void ChangedAgo(const std::string& path, absl::Duration ago) {
  const absl::Time then = absl::Now() - ago;
  const struct timespec times[2] = {absl::ToTimespec(then), absl::ToTimespec(then)};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

SCENARIO("the fake clock reads the file's instant plus the real time since it changed") {
  testing::TempDir dir("jg-file-clock");
  const std::string path = dir.Sub("clock");
  Rewrite(path, "2026-06-20T10:00:00+08:00");
  ChangedAgo(path, absl::Seconds(10));

  auto clock = FileClock::Open(path);
  REQUIRE(clock.ok());
  const absl::Time t = Instant("2026-06-20T10:00:00+08:00");
  const absl::Time first = (*clock)->Now();
  THEN("it is T plus the ten seconds since the file was written, and moves on") {
    CHECK(first >= t + absl::Seconds(10));
    CHECK(first < t + absl::Seconds(12));
    absl::SleepFor(absl::Milliseconds(5));
    CHECK((*clock)->Now() > first);
  }

  WHEN("a test rewrites the file") {
    Rewrite(path, "2026-07-01T08:00:00+08:00");
    absl::SleepFor(absl::Milliseconds(80));  // longer than the 50 ms between looks
    const absl::Time moved = (*clock)->Now();
    THEN("the clock jumps to the new instant and flows from there") {
      const absl::Time t2 = Instant("2026-07-01T08:00:00+08:00");
      CHECK(moved >= t2 + absl::Milliseconds(70));
      CHECK(moved < t2 + absl::Seconds(2));
    }
    AND_WHEN("a second clock (a restarted binary) opens the same file") {
      auto restarted = FileClock::Open(path);
      REQUIRE(restarted.ok());
      THEN("it reads the same time, not the file's instant again") {
        const absl::Duration apart = (*restarted)->Now() - (*clock)->Now();
        CHECK(absl::AbsDuration(apart) < absl::Milliseconds(100));
        CHECK((*restarted)->Now() >= moved);
      }
    }
    AND_WHEN("the file is then garbled") {
      Rewrite(path, "next tuesday");
      absl::SleepFor(absl::Milliseconds(80));
      THEN("the clock keeps its last good reading and keeps flowing") {
        const absl::Time kept = (*clock)->Now();
        CHECK(kept > moved);
        CHECK(kept < moved + absl::Seconds(2));
      }
    }
  }
}

SCENARIO("a clock file that is missing or holds no instant stops the start, naming it") {
  testing::TempDir dir("jg-file-clock");
  const auto missing = FileClock::Open(dir.Sub("absent"));
  CHECK(missing.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains("--fake_clock_file") && Catch::Contains("absent"));

  Rewrite(dir.Sub("garbled"), "2026-13-01T00:00:00Z");
  const auto garbled = FileClock::Open(dir.Sub("garbled"));
  CHECK(garbled.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(garbled.status().message()), Catch::Contains("RFC 3339"));
}

}  // namespace
}  // namespace jianguan
