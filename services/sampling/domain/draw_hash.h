// SHA-256 as the draw uses it (docs/draw-algorithm.md §1–§3): digests of the plan, the
// candidate list and the inspector pool, the commitment to the secret, and hex spelling.
//
//   Digest plan_hash = Sha256(CanonicalJson(plan));
//   std::string published = HexOf(plan_hash);
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jianguan::sampling {

/// A SHA-256 digest (32 raw bytes); also the type of the 32-byte secret.
using Digest = std::array<uint8_t, 32>;

/// SHA-256 of `bytes`.
Digest Sha256(std::string_view bytes);

/// Incremental SHA-256 over data fed in pieces, for inputs too large to concatenate (the
/// candidate list of 10 million subjects). Not thread-safe; one per computation.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view bytes);
  /// The digest of everything fed so far; the stream must not be used afterwards.
  Digest Finish();

 private:
  struct Context;
  Context* context_;
};

/// SHA-256 of the parts concatenated, without building them into one string: for the
/// millions of short inputs of a Merkle tree.
Digest Sha256Of(std::initializer_list<std::string_view> parts);

/// Lower-case hex of `digest` (64 characters).
std::string HexOf(const Digest& digest);

/// The 32 bytes spelt by 64 hex digits (either case); INVALID_ARGUMENT otherwise.
absl::StatusOr<Digest> DigestFromHex(std::string_view hex);

/// The commitment published at approval: SHA-256("jianguan-draw-v1/commitment" ‖ 0x00 ‖
/// secret) (docs/draw-algorithm.md §3).
Digest CommitmentOf(const Digest& secret);

}  // namespace jianguan::sampling
