// What a draw publishes (一公开) and what auditors get (docs/draw-algorithm.md §8): the
// public result — subjects and the name and certificate number of their inspectors, no
// classes — and the verification package from which tools/verify-draw recomputes the draw.
//
//   std::string published = PublicResult(input, *result).Canonical();
//   std::string package = VerificationPackage(input, *result).Canonical();
#pragma once

#include <functional>
#include <string_view>

#include "services/sampling/domain/canonical_json.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/subject_proof.h"

namespace jianguan::sampling {

/// The public result object of §8.
JsonValue PublicResult(const DrawInput& input, const DrawResult& result);

/// The canonical encoding of PublicResult(input, result), handed to `write` in pieces of
/// about `piece_bytes`, without building the tree: a draw's digest is taken while its
/// department waits, and the tree of a city's 70,000 tasks costs a quarter of a second.
void WritePublicResult(const DrawInput& input, const DrawResult& result,
                       const std::function<void(std::string_view)>& write,
                       size_t piece_bytes = 1 << 16);

/// result_digest: SHA-256 of the canonical public result (streamed, WritePublicResult).
Digest ResultDigest(const DrawInput& input, const DrawResult& result);

/// One class's published tree (§10): {"class", "size", "eligible", "root"}.
JsonValue StratumRootJson(int stratum, const StratumTree& tree);

/// The verification package of §8, classes included: for auditors only.
JsonValue VerificationPackage(const DrawInput& input, const DrawResult& result);

/// The canonical encoding of VerificationPackage(input, result), handed to `write` in pieces
/// of about `piece_bytes` without ever holding the candidate list as JSON: the package of a
/// 10-million-subject province is 400 MB, most of it candidate lines.
void WriteVerificationPackage(const DrawInput& input, const DrawResult& result,
                              const std::function<void(std::string_view)>& write,
                              size_t piece_bytes = 1 << 20);
/// As above, with the public result's digest already taken (ResultDigest(input, result))
/// and the proof trees of `input.proof_key` if already built (nullptr: built here), so a
/// caller that checked the digest and the roots first does not compute them twice. The
/// public result inside is streamed too (WritePublicResult): a province's is 110 MB of text.
void WriteVerificationPackage(const DrawInput& input, const DrawResult& result,
                              const Digest& result_digest, const ProofCommitment* proofs,
                              const std::function<void(std::string_view)>& write,
                              size_t piece_bytes = 1 << 20);

}  // namespace jianguan::sampling
