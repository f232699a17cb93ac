// The low-level SHA-256 functions (deprecated in OpenSSL 3, still shipped): their context
// can be copied, which the salts' shared first block needs (draw_hash.cc says why they are
// used at all).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "services/sampling/domain/subject_proof.h"

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <span>
#include <string>
#include <thread>

namespace jianguan::sampling {
namespace {

constexpr std::string_view kSaltTag{"jianguan-draw-v1/salt\0", 22};

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
  return Sha256Of({kSaltTag, View(proof_key), id});
}

Digest LeafHash(const Digest& salt, std::string_view content) {
  return Sha256Of({std::string_view("\0", 1), View(salt), content});
}

Digest NodeHash(const Digest& left, const Digest& right) {
  return Sha256Of({std::string_view("\1", 1), View(left), View(right)});
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

namespace {

// The candidates' leaves are hashed a stretch at a time in the trees' order (each class's
// eligible candidates, then the others: one pass over the list per part), on two threads,
// while the previous stretch is folded into the trees on one: the folding must follow the
// order, the leaves need not. Two hashes of the three a candidate costs are its leaf's.
constexpr size_t kStretch = size_t{1} << 15;
constexpr size_t kBlock = 256;  // leaves a thread takes at a time

struct Stretch {
  std::vector<uint32_t> indices;
  std::vector<Digest> leaves;
  std::atomic<size_t> next{0};
};

// The candidates of the trees' order, a stretch at a time.
class LeafOrder {
 public:
  LeafOrder(const SamplingPlan& plan, const CandidateProjection& candidates)
      : plan_(plan), records_(candidates.records()) {}
  // Fills `stretch` with the next indices (none at the end).
  void Next(Stretch& stretch) {
    stretch.indices.clear();
    stretch.next.store(0, std::memory_order_relaxed);
    while (stretch.indices.size() < kStretch && part_ < 2) {
      if (at_ == records_.size()) {
        ++part_;
        at_ = 0;
        continue;
      }
      const CandidateRecord& record = records_[at_];
      const bool eligible = IsEligible(record, plan_.class_rules[record.stratum]);
      if (eligible == (part_ == 0)) stretch.indices.push_back(static_cast<uint32_t>(at_));
      ++at_;
    }
    stretch.leaves.resize(stretch.indices.size());
  }

 private:
  const SamplingPlan& plan_;
  std::span<const CandidateRecord> records_;
  int part_ = 0;  // 0: eligible, 1: the others
  size_t at_ = 0;
};

// LeafSalt for the candidates of one list, one after another. The salt's input is the tag
// and the key (54 bytes) and the USCC: its first SHA-256 block ends 10 characters into the
// USCC, and candidates in USCC order share those 10 (registration authority, type, region
// and the first two of the organisation code) in long runs, so the state after the first
// block is kept and reused while they do: five compressions a candidate instead of six.
class CandidateSalter {
 public:
  explicit CandidateSalter(const Digest& proof_key) {
    SHA256_Init(&keyed_);
    SHA256_Update(&keyed_, kSaltTag.data(), kSaltTag.size());
    SHA256_Update(&keyed_, proof_key.data(), proof_key.size());
  }
  Digest Of(std::string_view uscc) {
    static_assert(kSaltTag.size() + sizeof(Digest) + kFirstBlockChars == 64);
    const std::string_view first = uscc.substr(0, kFirstBlockChars);
    if (first != first_) {
      first_.assign(first);
      after_first_ = keyed_;
      SHA256_Update(&after_first_, first.data(), first.size());
    }
    SHA256_CTX ctx = after_first_;
    const std::string_view rest = uscc.substr(first.size());
    SHA256_Update(&ctx, rest.data(), rest.size());
    Digest out;
    SHA256_Final(out.data(), &ctx);
    return out;
  }

 private:
  static constexpr size_t kFirstBlockChars = 10;
  SHA256_CTX keyed_;        // after the tag and the key
  SHA256_CTX after_first_;  // after the first block, for first_
  std::string first_;
};

// Hashes blocks of `stretch`'s leaves until none is left; run by both threads at once.
void HashLeaves(const CandidateProjection& candidates, const Digest& proof_key,
                Stretch& stretch) {
  CandidateSalter salter(proof_key);
  std::string line;
  const size_t n = stretch.indices.size();
  for (size_t begin = stretch.next.fetch_add(kBlock); begin < n;
       begin = stretch.next.fetch_add(kBlock)) {
    for (size_t j = begin; j < std::min(n, begin + kBlock); ++j) {
      candidates.LineTo(stretch.indices[j], line);
      stretch.leaves[j] = LeafHash(salter.Of(std::string_view(line).substr(0, 18)), line);
    }
  }
}

}  // namespace

ProofCommitment CommitForProofs(const SamplingPlan& plan, const CandidateProjection& candidates,
                                const InspectorPool& pool, const Digest& proof_key) {
  ProofCommitment commitment;
  std::array<MerkleRootBuilder, kStrata> builders;
  const std::span<const CandidateRecord> records = candidates.records();
  const auto fold = [&](const Stretch& stretch) {
    for (size_t j = 0; j < stretch.indices.size(); ++j) {
      const CandidateRecord& record = records[stretch.indices[j]];
      builders[record.stratum].Add(stretch.leaves[j]);
      if (IsEligible(record, plan.class_rules[record.stratum])) {
        ++commitment.strata[record.stratum].eligible;
      }
    }
  };
  LeafOrder order(plan, candidates);
  std::array<Stretch, 2> stretches;
  Stretch* current = &stretches[0];
  Stretch* previous = &stretches[1];
  order.Next(*current);
  while (!current->indices.empty()) {
    std::thread helper(HashLeaves, std::cref(candidates), std::cref(proof_key),
                       std::ref(*current));
    if (!previous->indices.empty()) fold(*previous);
    HashLeaves(candidates, proof_key, *current);
    helper.join();
    std::swap(current, previous);
    order.Next(*current);
  }
  fold(*previous);
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
