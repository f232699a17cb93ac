// The model versions the service scores with: every `*.textproto` file of --model_dir, each
// a jianguan.credit.v1.CreditModel, validated at start (CompiledModel::Compile). A service
// with a bad model does not start: the error names the file and the rule.
//
// A version never changes once loaded: the store keeps each version's SHA-256 from its first
// load, and a file whose version is known with other content is refused ("give the new
// content a new version"), so entries written under a version always mean what they meant.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "services/credit/credit_store.h"
#include "services/credit/domain/credit_model.h"

namespace jianguan::credit {

struct LoadedModels {
  ModelSet set;
  /// One per version, by effective date.
  std::vector<v1::ModelInfo> infos;
};

/// Loads and validates every model file of `dir`. NOT_FOUND when the directory cannot be
/// read; INVALID_ARGUMENT "file: …" for a file that does not parse or compile, and when the
/// directory holds no model.
absl::StatusOr<LoadedModels> LoadModels(const std::string& dir);

/// Refuses (FAILED_PRECONDITION) a version whose digest differs from the one the store
/// holds, and records the digests of versions new to the store.
absl::Status PinModelDigests(const CreditStore& records, const LoadedModels& models);

}  // namespace jianguan::credit
