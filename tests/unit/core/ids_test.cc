// Specification of time-sortable ids.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "libs/core/ids.h"
#include "libs/testing/fake_clock.h"

namespace jianguan {
namespace {

SCENARIO("ids carry their creation time in their first ten characters") {
  GIVEN("a clock at 1469918176385 ms, the example instant of the ULID specification") {
    testing::FakeClock clock(absl::FromUnixMillis(1469918176385));
    IdGenerator ids(clock, 42);
    const std::string id = ids.Next();
    THEN("the id is 26 Crockford base32 characters starting 01ARYZ6S41") {
      CHECK(id.size() == kIdLength);
      CHECK(id.substr(0, 10) == "01ARYZ6S41");
      CHECK(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
    }
    THEN("IdTime gives the instant back") {
      auto t = IdTime(id);
      REQUIRE(t.ok());
      CHECK(*t == absl::FromUnixMillis(1469918176385));
    }
  }
}

SCENARIO("string order is creation order") {
  testing::FakeClock clock;
  IdGenerator ids(clock, 7);
  WHEN("many ids are made in the same millisecond") {
    std::vector<std::string> made;
    for (int i = 0; i < 1000; ++i) made.push_back(ids.Next());
    THEN("each is greater than the one before") {
      for (size_t i = 1; i < made.size(); ++i) CHECK(made[i - 1] < made[i]);
    }
    AND_WHEN("the clock moves on by a millisecond") {
      clock.Advance(absl::Milliseconds(1));
      const std::string later = ids.Next();
      THEN("the new id sorts after all of them") { CHECK(made.back() < later); }
    }
    AND_WHEN("the clock steps back a second") {
      clock.Advance(-absl::Seconds(1));
      const std::string after_step = ids.Next();
      THEN("the generator still never goes backwards") { CHECK(made.back() < after_step); }
    }
  }
  WHEN("two generators make ids a millisecond apart") {
    IdGenerator other(clock, 8);
    const std::string first = ids.Next();
    clock.Advance(absl::Milliseconds(1));
    const std::string second = other.Next();
    THEN("the later one sorts after, whatever the random part") { CHECK(first < second); }
  }
}

SCENARIO("100,000 ids from four threads are all different") {
  testing::FakeClock clock;
  IdGenerator ids(clock);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      made[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 1000 == 0) clock.Advance(absl::Microseconds(300));
        made[t].push_back(ids.Next());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<std::string> unique;
  for (const auto& per_thread : made) {
    // Each thread sees its own ids in increasing order.
    CHECK(std::is_sorted(per_thread.begin(), per_thread.end()));
    unique.insert(per_thread.begin(), per_thread.end());
  }
  CHECK(unique.size() == static_cast<size_t>(kThreads * kPerThread));
}

SCENARIO("IdTime rejects what is not an id") {
  CHECK(IdTime("01ARYZ6S41").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(IdTime("01ARYZ6S41TSV4RRFFQ69G5FAU").status().message()) ==
        "illegal character 'U' at position 26");
  CHECK(IdTime("80000000000000000000000000").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(IdTime("7ZZZZZZZZZ0000000000000000").ok());
}

}  // namespace
}  // namespace jianguan
