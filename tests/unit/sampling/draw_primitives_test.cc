// The building blocks of docs/draw-algorithm.md §1–§3, against the spec's test vectors.
#include <catch2/catch.hpp>

#include <limits>

#include "services/sampling/domain/canonical_json.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/draw_rng.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using testing::TestSecret;
using testing::TestUscc;

TEST_CASE("the commitment and the random stream match the spec's test vectors") {
  CHECK(HexOf(CommitmentOf(TestSecret())) ==
        "e4abd5f7a2f0163a0a496a63bf586db240646a5f98b07103526534387a3641b4");
  DrawRng rng(Sha256("abc"));
  CHECK(rng.Next() == 12945922410057392766ull);
  CHECK(rng.Next() == 4867262428608473535ull);
  CHECK(rng.Next() == 6166961564426834185ull);
  CHECK(rng.words_used() == 3);
  // Words 3–7: the second block, counter 1.
  for (uint64_t word : {11179558485585189933ull, 7918360942356546159ull, 15652643042290581057ull,
                        404457735256895439ull, 3562549841149000214ull}) {
    CHECK(rng.Next() == word);
  }
  // Block 256: counter bytes 00 … 01 00. Reached word by word, then by SkipTo.
  while (rng.words_used() < 1024) rng.Next();
  CHECK(rng.Next() == 3399995748343196367ull);
  DrawRng skipped(Sha256("abc"));
  skipped.SkipTo(1027);
  CHECK(skipped.Next() == 4873937921997029673ull);
  CHECK(skipped.words_used() == 1028);
}

TEST_CASE("uniform(n) rejects a word at or above the limit, as the spec's vector does") {
  DrawRng rng(Sha256("abc"));
  rng.SkipTo(1119997475);  // 18446744072887850527 ≥ limit 18446744069414715391
  CHECK(rng.Uniform(4294901761ull) == 2282003447ull);
  CHECK(rng.words_used() == 1119997477);
  // The word before is below the limit: it alone answers.
  DrawRng before(Sha256("abc"));
  before.SkipTo(1119997474);
  before.Uniform(4294901761ull);
  CHECK(before.words_used() == 1119997475);
}

TEST_CASE("uniform(n) stays in range and always consumes a word") {
  DrawRng rng(Sha256("seed"));
  for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 1000ull, 4294967295ull}) {
    const uint64_t before = rng.words_used();
    for (int i = 0; i < 200; ++i) CHECK(rng.Uniform(n) < n);
    CHECK(rng.words_used() >= before + 200);
  }
}

TEST_CASE("canonical JSON matches the spec's test vector") {
  const JsonValue value = JsonValue::Object{
      {"b", JsonValue::Array{std::string("\"\\/\b\f\n\r\t\0\x1f\x7f", 11), 0,
                             std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max(), true, false}},
      {"a", "张三 É 😀 \u2028"},
      {"B", JsonValue::Object{}},
      {"", JsonValue::Array{}},
  };
  const std::string canonical = value.Canonical();
  CHECK(canonical.size() == 130);
  CHECK(HexOf(Sha256(canonical)) ==
        "64d9b9cd003088466b3487def889c1e538d16fbbbfa13c4770240f883c9550e2");
}

TEST_CASE("canonical JSON sorts keys, escapes as specified and has no whitespace") {
  JsonValue value = JsonValue::Object{
      {"b", JsonValue::Array{1, -2, true}},
      {"a", std::string("引号\"\\/\n\t\x01\x7f")},
  };
  CHECK(value.Canonical() == "{\"a\":\"引号\\\"\\\\/\\n\\t\\u0001\x7f\",\"b\":[1,-2,true]}");
}

TEST_CASE("a packed USCC unpacks to itself and orders as the code does") {
  std::string previous;
  PackedUscc previous_packed;
  for (uint64_t n : {0ull, 1ull, 30ull, 31ull, 961ull, 123456789ull, 26439622160670ull}) {
    const std::string code = TestUscc(n);
    absl::StatusOr<PackedUscc> packed = PackUscc(code);
    REQUIRE(packed.ok());
    CHECK(UnpackUscc(*packed) == code);
    if (!previous.empty()) CHECK((previous < code) == (previous_packed < *packed));
    previous = code;
    previous_packed = *packed;
  }
  CHECK(UnpackUscc(*PackUscc("YYYYYYYYYYYYYYYYYY")) == "YYYYYYYYYYYYYYYYYY");
  CHECK_FALSE(PackUscc("91610131MA6TXXXXIX").ok());  // I is not in the alphabet
  CHECK_FALSE(PackUscc("9161013").ok());
}

TEST_CASE("the projection refuses candidates out of order and writes the spec's lines") {
  CandidateProjection candidates;
  REQUIRE(candidates.Append(TestUscc(5), CreditGrade::kB, RiskLevel::kGeneral,
                            {.recent = true, .last_inspectors = {"XA-0112", "XA-0007"}})
              .ok());
  CHECK_FALSE(candidates.Append(TestUscc(5), CreditGrade::kA, RiskLevel::kLow).ok());
  CHECK_FALSE(candidates.Append(TestUscc(4), CreditGrade::kA, RiskLevel::kLow).ok());
  REQUIRE(candidates.Append(TestUscc(6), CreditGrade::kD, RiskLevel::kLow,
                            {.filtered_out = true}).ok());
  CHECK(candidates.Line(0) == TestUscc(5) + ",B,1,0,1,XA-0007;XA-0112");
  CHECK(candidates.Line(1) == TestUscc(6) + ",D,0,1,0,");
  CHECK(candidates.CandidatesDigest() ==
        Sha256(candidates.Line(0) + "\n" + candidates.Line(1) + "\n"));
}

}  // namespace
}  // namespace jianguan::sampling
