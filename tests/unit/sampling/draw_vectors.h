// The draw's test vectors (docs/draw-vectors/, docs/draw-algorithm.md §8.4): fixed inputs,
// the verification package and published values the C++ draw makes of them, and the way
// back from a package file to the draw's inputs, so a test can recompute every vector from
// what the file holds.
//
//   for (const VectorInputs& v : FixedVectors()) files = VectorFiles(v);   // the generator
//   ASSIGN_OR_RETURN(VectorInputs parsed, ParsePackage(name, package_text));  // the reader
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/canonical_json.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/inspector_pool.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling::testing {

/// Everything a vector's draw reads.
struct VectorInputs {
  std::string name;  ///< file stem: docs/draw-vectors/<name>.package.json
  SamplingPlan plan;
  CandidateProjection candidates;
  InspectorPool pool;
  Digest secret{};
  std::string entropy;
  Digest proof_key{};  ///< salts the proof trees (§10); in the package, never published

  DrawInput Input() const {
    return DrawInput{.plan = &plan, .candidates = &candidates, .inspectors = &pool,
                     .secret = secret, .entropy = entropy, .proof_key = proof_key};
  }
};

/// The vectors' fixed inputs: small, medium, joint, infeasible, infeasible-capacity.
std::vector<VectorInputs> FixedVectors();

/// A vector's two files, as the C++ draw makes them: the verification package (§8.2; for a
/// failed draw the failure package, with `failure` instead of `strata` and `result`) and
/// the values published outside it (§8.3: approval's commitment and digests, the entropy,
/// the seed, and for a completed draw the result digest and figures). Canonical JSON and a
/// newline each.
struct VectorFiles {
  std::string package;
  std::string published;
};
VectorFiles FilesOf(const VectorInputs& inputs);

/// The §7 failure report as an object.
JsonValue FailureJson(const DrawFailure& failure);

/// The inputs a package file holds (plan, candidates, inspectors, secret, entropy).
/// INVALID_ARGUMENT naming what is malformed.
absl::StatusOr<VectorInputs> ParsePackage(const std::string& name, std::string_view text);

/// `text` parsed as JSON and written canonically (§1), without a newline.
absl::StatusOr<std::string> Recanonical(std::string_view text);

}  // namespace jianguan::sampling::testing
