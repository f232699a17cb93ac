// The random stream of a draw (docs/draw-algorithm.md §3): blocks SHA-256(seed ‖
// uint64_be(i)) read as big-endian 64-bit words, and uniform integers by rejection. Chosen
// so that a dozen lines of Python reproduce it.
//
//   DrawRng rng(DrawSeed(secret, plan_hash, candidates_digest, inspectors_digest, entropy));
//   uint64_t j = i + rng.Uniform(n - i);
#pragma once

#include <cstdint>
#include <string_view>

#include "services/sampling/domain/draw_hash.h"

namespace jianguan::sampling {

/// SHA-256("jianguan-draw-v1/seed" ‖ 0x00 ‖ secret ‖ plan_hash ‖ candidates_digest ‖
/// inspectors_digest ‖ uint32_be(|entropy|) ‖ entropy).
Digest DrawSeed(const Digest& secret, const Digest& plan_hash, const Digest& candidates_digest,
                const Digest& inspectors_digest, std::string_view entropy);

/// The deterministic word stream of one draw. Not thread-safe.
class DrawRng {
 public:
  explicit DrawRng(const Digest& seed);

  /// The next 64-bit word of the stream.
  uint64_t Next();

  /// A uniform integer in [0, n) for 1 ≤ n < 2^32, by rejection below
  /// 2^64 − (2^64 mod n). Always consumes at least one word.
  uint64_t Uniform(uint64_t n);

  /// Words consumed so far (for tests and the audit trail).
  uint64_t words_used() const { return words_used_; }

  /// Positions the stream so that the next word is word `index` (0-based), as if `index`
  /// words had been consumed: checks a word deep in the stream without drawing the ones
  /// before it (the spec's test vectors).
  void SkipTo(uint64_t index);

 private:
  void Refill();

  uint8_t input_[40];  // seed ‖ uint64_be(block index)
  uint64_t block_index_ = 0;
  uint64_t words_[4];
  int next_word_ = 4;
  uint64_t words_used_ = 0;
};

}  // namespace jianguan::sampling
