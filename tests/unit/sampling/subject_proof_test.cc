// Per-subject proofs (docs/draw-algorithm.md §10): RFC 9162's tree shape, inclusion paths
// that verify and stop verifying when the position, the size or the class changes, and the
// class trees approval publishes.
#include "services/sampling/domain/subject_proof.h"

#include <catch2/catch.hpp>

#include "services/sampling/domain/draw.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

Digest Key(uint8_t fill) {
  Digest key{};
  key.fill(fill);
  return key;
}

std::vector<Digest> Leaves(size_t n) {
  std::vector<Digest> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(LeafHash(Key(7), "leaf " + std::to_string(i)));
  return leaves;
}

TEST_CASE("the tree has RFC 9162's shape: complete left subtrees, the rest on the right") {
  const std::vector<Digest> l = Leaves(7);
  CHECK(MerkleRoot({}) == Sha256(""));
  CHECK(MerkleRoot({l[0]}) == l[0]);
  CHECK(MerkleRoot({l[0], l[1], l[2]}) == NodeHash(NodeHash(l[0], l[1]), l[2]));
  const Digest left = NodeHash(NodeHash(l[0], l[1]), NodeHash(l[2], l[3]));
  CHECK(MerkleRoot(l) == NodeHash(left, NodeHash(NodeHash(l[4], l[5]), l[6])));
  // A leaf and a node never hash alike: distinct prefixes.
  CHECK(LeafHash(l[0], "") != NodeHash(l[0], Digest{}));
}

TEST_CASE("every position's path leads to the root, and only from that position") {
  for (size_t n = 1; n <= 33; ++n) {
    const std::vector<Digest> leaves = Leaves(n);
    const Digest root = MerkleRoot(leaves);
    for (size_t i = 0; i < n; ++i) {
      const std::vector<Digest> path = InclusionPath(leaves, i);
      INFO("size " << n << ", index " << i);
      CHECK(RootFromPath(leaves[i], i, n, path) == root);
      if (n > 1) {
        const size_t other = (i + 1) % n;
        CHECK(RootFromPath(leaves[i], other, n, path) != root);
        CHECK(RootFromPath(leaves[other], i, n, path) != root);
      }
      // The size is not bound by a path (index 0 of 5 and of 6 walk alike): it is published
      // beside the root, and a position past it is refused.
      CHECK(!RootFromPath(leaves[i], n, n, path).has_value());
    }
  }
}

TEST_CASE("the builder's root equals the recursive definition at every size") {
  MerkleRootBuilder builder;
  std::vector<Digest> leaves;
  for (size_t n = 0; n <= 70; ++n) {
    CHECK(builder.Root() == MerkleRoot(leaves));
    CHECK(builder.size() == n);
    leaves.push_back(LeafHash(Key(3), std::to_string(n)));
    builder.Add(leaves.back());
  }
}

SCENARIO("approval commits to each class's lines, eligible ones first") {
  GIVEN("candidates in four classes, some recent or filtered out, and a B-general rule "
        "that covers every subject") {
    SamplingPlan plan = TestPlan(1);
    plan.class_rules[13].full_coverage = true;  // D-general: the frequency rule is waived
    CandidateProjection candidates;
    const int strata[] = {5, 9, 13, 5, 5, 9, 13, 5, 0, 5, 13, 9};
    for (uint64_t i = 0; i < 12; ++i) {
      const int s = strata[i];
      const CandidateMarks marks{.filtered_out = i == 3, .recent = i == 4 || i == 6};
      REQUIRE(candidates
                  .Append(TestUscc(i), static_cast<CreditGrade>(s / 4),
                          static_cast<RiskLevel>(s % 4), marks)
                  .ok());
    }
    const InspectorPool pool = TestPool(1, 3);
    const ProofCommitment commitment = CommitForProofs(plan, candidates, pool, Key(1));

    THEN("sizes and eligible counts are the draw's, and the order puts eligible first") {
      const DrawInput input = TestInput(plan, candidates, pool, "entropy");
      const absl::StatusOr<DrawResult> result = Draw(input);
      REQUIRE(result.ok());
      for (int s = 0; s < kStrata; ++s) {
        INFO(StratumName(s));
        CHECK(commitment.strata[s].size == result->strata[s].candidates);
        CHECK(commitment.strata[s].eligible == result->strata[s].eligible);
      }
      // B-general: lines 0, 3 (filtered out), 4 (recent), 7, 9 → 0, 7, 9, then 3, 4.
      CHECK(StratumLeafOrder(plan, candidates, 5) == std::vector<uint32_t>{0, 7, 9, 3, 4});
      // D-general covers all: 6 is recent but eligible, in list order.
      CHECK(StratumLeafOrder(plan, candidates, 13) == std::vector<uint32_t>{2, 6, 10});
    }
    THEN("a class's root is the tree over its salted lines in that order") {
      std::vector<Digest> leaves;
      for (uint32_t i : StratumLeafOrder(plan, candidates, 5)) {
        leaves.push_back(LeafHash(LeafSalt(Key(1), TestUscc(i)), candidates.Line(i)));
      }
      CHECK(commitment.strata[5].root == MerkleRoot(leaves));
      CHECK(commitment.strata[1].root == Sha256(""));
    }
    THEN("a subject's proof verifies in its class and fails when moved or reordered") {
      const std::vector<uint32_t> order = StratumLeafOrder(plan, candidates, 9);
      std::vector<Digest> leaves;
      for (uint32_t i : order) {
        leaves.push_back(LeafHash(LeafSalt(Key(1), TestUscc(i)), candidates.Line(i)));
      }
      const std::vector<Digest> path = InclusionPath(leaves, 1);
      const uint64_t size = commitment.strata[9].size;
      CHECK(RootFromPath(leaves[1], 1, size, path) == commitment.strata[9].root);
      // The same line claimed at another position of its class.
      CHECK(RootFromPath(leaves[1], 0, size, path) != commitment.strata[9].root);
      // The line rewritten into another class (C-general → B-general) is not a leaf.
      std::string moved = candidates.Line(order[1]);
      moved[19] = 'B';
      const Digest moved_leaf = LeafHash(LeafSalt(Key(1), TestUscc(order[1])), moved);
      CHECK(RootFromPath(moved_leaf, 1, size, path) != commitment.strata[9].root);
      CHECK(RootFromPath(moved_leaf, 1, commitment.strata[5].size, path) !=
            commitment.strata[5].root);
    }
    THEN("another key gives other roots: leaves cannot be guessed without it") {
      const ProofCommitment other = CommitForProofs(plan, candidates, pool, Key(2));
      for (int s : {5, 9, 13, 0}) CHECK(other.strata[s].root != commitment.strata[s].root);
      CHECK(other.pool_root != commitment.pool_root);
    }
  }
}

TEST_CASE("over a province's list the trees are still each class's leaves in order") {
  // The commitment hashes leaves a stretch of 32,768 at a time on two threads and folds
  // them in order: three stretches and a part of one, every class, both parts in each,
  // some last inspectors (longer lines), against the trees built one leaf after another.
  SamplingPlan plan = TestPlan(1);
  plan.class_rules[2].full_coverage = true;
  CandidateProjection candidates;
  const uint64_t n = 3 * 32768 + 1234;
  candidates.Reserve(n);
  uint64_t mix = 88172645463325252ull;  // xorshift: a fixed, uneven spread of classes
  for (uint64_t i = 0; i < n; ++i) {
    mix ^= mix << 13;
    mix ^= mix >> 7;
    mix ^= mix << 17;
    // Most in B-general, as in a province; every class present.
    const int s = (mix % 4 != 0) ? 5 : static_cast<int>((mix >> 8) % kStrata);
    CandidateMarks marks{.filtered_out = (mix >> 20) % 11 == 0, .recent = (mix >> 24) % 7 == 0};
    if ((mix >> 28) % 97 == 0) marks.last_inspectors = {"INS-" + std::to_string(i % 5), "INS-9"};
    REQUIRE(candidates
                .Append(TestUscc(i), static_cast<CreditGrade>(s / 4),
                        static_cast<RiskLevel>(s % 4), marks)
                .ok());
  }
  const ProofCommitment commitment = CommitForProofs(plan, candidates, TestPool(1, 3), Key(4));
  int64_t total = 0;
  for (int s = 0; s < kStrata; ++s) {
    INFO(StratumName(s));
    MerkleRootBuilder tree;
    int64_t eligible = 0;
    for (uint32_t i : StratumLeafOrder(plan, candidates, s)) {
      tree.Add(LeafHash(LeafSalt(Key(4), TestUscc(i)), candidates.Line(i)));
      eligible += IsEligible(candidates[i], plan.class_rules[s]) ? 1 : 0;
    }
    CHECK(commitment.strata[s].root == tree.Root());
    CHECK(commitment.strata[s].size == static_cast<int64_t>(tree.size()));
    CHECK(commitment.strata[s].eligible == eligible);
    total += commitment.strata[s].size;
  }
  CHECK(total == static_cast<int64_t>(n));
}

}  // namespace
}  // namespace jianguan::sampling
