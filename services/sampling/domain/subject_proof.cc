#include "services/sampling/domain/subject_proof.h"

#include <bit>
#include <cstring>
#include <string>

namespace jianguan::sampling {
namespace {

constexpr std::string_view kSaltTag{"jianguan-draw-v1/salt\0", 22};

// The thread's hasher: a tree of millions of leaves hashes millions of small inputs.
Sha256Hasher& Hasher() {
  thread_local Sha256Hasher hasher;
  return hasher;
}

std::string_view View(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// The largest power of two below n (n ≥ 2).
uint64_t SplitOf(uint64_t n) { return std::bit_floor(n - 1); }

void AppendPath(const std::vector<Digest>& leaves, uint64_t begin, uint64_t end, uint64_t index,
                std::vector<Digest>& path) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitOf(n);
  if (index < k) {
    AppendPath(leaves, begin, begin + k, index, path);
    path.push_back(MerkleRoot({leaves.begin() + begin + k, leaves.begin() + end}));
  } else {
    AppendPath(leaves, begin + k, end, index - k, path);
    path.push_back(MerkleRoot({leaves.begin() + begin, leaves.begin() + begin + k}));
  }
}

}  // namespace

Digest LeafSalt(const Digest& proof_key, std::string_view id) {
  return Hasher().Of({kSaltTag, View(proof_key), id});
}

Digest LeafHash(const Digest& salt, std::string_view content) {
  return Hasher().Of({std::string_view("\0", 1), View(salt), content});
}

Digest NodeHash(const Digest& left, const Digest& right) {
  return Hasher().Of({std::string_view("\1", 1), View(left), View(right)});
}

void MerkleRootBuilder::Add(const Digest& leaf) {
  // Each set bit of the count is one complete subtree; adding a leaf carries like binary
  // addition, merging the equal-sized subtrees it completes.
  Digest carry = leaf;
  for (uint64_t bit = 1; (size_ & bit) != 0; bit <<= 1) {
    carry = NodeHash(subtrees_.back(), carry);
    subtrees_.pop_back();
  }
  subtrees_.push_back(carry);
  ++size_;
}

Digest MerkleRootBuilder::Root() const {
  if (subtrees_.empty()) return Sha256("");
  // RFC 9162's tree is the complete subtrees from largest to smallest, joined right to left.
  Digest root = subtrees_.back();
  for (size_t i = subtrees_.size() - 1; i-- > 0;) root = NodeHash(subtrees_[i], root);
  return root;
}

Digest MerkleRoot(const std::vector<Digest>& leaves) {
  MerkleRootBuilder builder;
  for (const Digest& leaf : leaves) builder.Add(leaf);
  return builder.Root();
}

std::vector<Digest> InclusionPath(const std::vector<Digest>& leaves, uint64_t index) {
  std::vector<Digest> path;
  AppendPath(leaves, 0, leaves.size(), index, path);
  return path;
}

std::optional<Digest> RootFromPath(const Digest& leaf, uint64_t index, uint64_t size,
                                   const std::vector<Digest>& path) {
  if (index >= size) return std::nullopt;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest r = leaf;
  for (const Digest& p : path) {
    if (sn == 0) return std::nullopt;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return std::nullopt;
  return r;
}

std::vector<uint32_t> StratumLeafOrder(const SamplingPlan& plan,
                                       const CandidateProjection& candidates, int stratum) {
  std::vector<uint32_t> eligible;
  std::vector<uint32_t> others;
  const std::span<const CandidateRecord> records = candidates.records();
  for (uint32_t i = 0; i < records.size(); ++i) {
    if (records[i].stratum != stratum) continue;
    (IsEligible(records[i], plan.class_rules[stratum]) ? eligible : others).push_back(i);
  }
  eligible.insert(eligible.end(), others.begin(), others.end());
  return eligible;
}

ProofCommitment CommitForProofs(const SamplingPlan& plan, const CandidateProjection& candidates,
                                const InspectorPool& pool, const Digest& proof_key) {
  // One pass over the list in list order per part (eligible, then the rest) keeps memory
  // at the builders' few digests for a province of millions.
  ProofCommitment commitment;
  std::array<MerkleRootBuilder, kStrata> builders;
  const std::span<const CandidateRecord> records = candidates.records();
  for (const bool eligible_part : {true, false}) {
    for (uint32_t i = 0; i < records.size(); ++i) {
      const CandidateRecord& record = records[i];
      const bool eligible = IsEligible(record, plan.class_rules[record.stratum]);
      if (eligible != eligible_part) continue;
      const std::string line = candidates.Line(i);
      builders[record.stratum].Add(
          LeafHash(LeafSalt(proof_key, std::string_view(line).substr(0, 18)), line));
      if (eligible) ++commitment.strata[record.stratum].eligible;
    }
  }
  for (int s = 0; s < kStrata; ++s) {
    commitment.strata[s].size = static_cast<int64_t>(builders[s].size());
    commitment.strata[s].root = builders[s].Root();
  }
  MerkleRootBuilder pool_tree;
  for (const Inspector& inspector : pool.inspectors()) {
    pool_tree.Add(LeafHash(LeafSalt(proof_key, inspector.id), InspectorJson(inspector).Canonical()));
  }
  commitment.pool_root = pool_tree.Root();
  return commitment;
}

}  // namespace jianguan::sampling
