// Per-subject proofs (docs/draw-algorithm.md §10): at approval, one Merkle tree per class over
// its candidate lines (eligible ones first) and one over the inspector pool, each leaf salted
// with a key that is never published, so that a subject can be handed its own line and an
// inclusion proof and check from public data alone whether the seed drew it, while the
// sibling hashes it sees tell nothing about anyone else.
//
//   const ProofCommitment commitment = CommitForProofs(plan, candidates, pool, proof_key);
//   published.strata[s].root = HexOf(commitment.strata[s].root);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

/// salt(id) = SHA-256("jianguan-draw-v1/salt" ‖ 0x00 ‖ proof_key ‖ id), id a USCC or an
/// inspector id.
Digest LeafSalt(const Digest& proof_key, std::string_view id);

/// A leaf: SHA-256(0x00 ‖ salt ‖ content), content a candidate line (no newline) or an
/// inspector's canonical JSON.
Digest LeafHash(const Digest& salt, std::string_view content);

/// An inner node: SHA-256(0x01 ‖ left ‖ right).
Digest NodeHash(const Digest& left, const Digest& right);

/// The root of RFC 9162's Merkle tree (§2.1.1) over leaves fed in order, kept as one partial
/// subtree per set bit of the count, so a province's list needs no more than 64 digests.
class MerkleRootBuilder {
 public:
  void Add(const Digest& leaf);
  uint64_t size() const { return size_; }
  /// The root; SHA-256 of nothing for an empty tree.
  Digest Root() const;

 private:
  std::vector<Digest> subtrees_;  // largest first; their sizes are the set bits of size_
  uint64_t size_ = 0;
};

/// The root over `leaves` (RFC 9162 MTH).
Digest MerkleRoot(const std::vector<Digest>& leaves);

/// The inclusion proof of leaf `index` (RFC 9162 §2.1.3.1), the sibling nearest the leaf
/// first. `index` < leaves.size().
std::vector<Digest> InclusionPath(const std::vector<Digest>& leaves, uint64_t index);

/// The root that `path` leads to from `leaf` at `index` in a tree of `size` leaves (RFC 9162
/// §2.1.3.2); nullopt when the path's length cannot belong to that index and size.
std::optional<Digest> RootFromPath(const Digest& leaf, uint64_t index, uint64_t size,
                                   const std::vector<Digest>& path);

/// The order of class `stratum`'s leaves: indexes into the candidate list, the eligible
/// candidates of §4 step 1 first, then the others, each part in list order.
std::vector<uint32_t> StratumLeafOrder(const SamplingPlan& plan,
                                       const CandidateProjection& candidates, int stratum);

/// One class's tree.
struct StratumTree {
  int64_t size = 0;      ///< candidate lines of the class
  int64_t eligible = 0;  ///< the first `eligible` leaves
  Digest root{};
};

/// What approval publishes for per-subject proofs.
struct ProofCommitment {
  std::array<StratumTree, kStrata> strata{};
  Digest pool_root{};
};

/// The trees of §10 over the frozen inputs, salted with `proof_key`.
ProofCommitment CommitForProofs(const SamplingPlan& plan, const CandidateProjection& candidates,
                                const InspectorPool& pool, const Digest& proof_key);

}  // namespace jianguan::sampling
