// The building blocks of docs/draw-algorithm.md §1–§3, against the spec's test vectors.
#include <catch2/catch.hpp>

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
}

TEST_CASE("uniform(n) stays in range and always consumes a word") {
  DrawRng rng(Sha256("seed"));
  for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 1000ull, 4294967295ull}) {
    const uint64_t before = rng.words_used();
    for (int i = 0; i < 200; ++i) CHECK(rng.Uniform(n) < n);
    CHECK(rng.words_used() >= before + 200);
  }
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
