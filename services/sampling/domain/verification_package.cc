#include "services/sampling/domain/verification_package.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace jianguan::sampling {

JsonValue PublicResult(const DrawInput& input, const DrawResult& result) {
  const InspectorPool& pool = *input.inspectors;
  JsonValue::Array tasks;
  tasks.reserve(result.tasks.size());
  for (size_t t = 0; t < result.tasks.size(); ++t) {
    JsonValue::Array inspectors;
    for (uint32_t p : result.tasks[t].inspectors) {
      inspectors.push_back(JsonValue::Object{{"name", pool[p].name},
                                             {"certificate_no", pool[p].certificate_no}});
    }
    tasks.push_back(JsonValue::Object{
        {"task", static_cast<int64_t>(t + 1)},
        {"uscc", UnpackUscc((*input.candidates)[result.tasks[t].candidate].uscc)},
        {"inspectors", std::move(inspectors)},
    });
  }
  return JsonValue::Object{
      {"format", "jianguan-draw-result-v1"},
      {"plan_id", input.plan->plan_id},
      {"plan_hash", HexOf(result.plan_hash)},
      {"commitment", HexOf(result.commitment)},
      {"entropy", input.entropy},
      {"secret", HexOf(input.secret)},
      {"candidates_digest", HexOf(result.candidates_digest)},
      {"inspectors_digest", HexOf(result.inspectors_digest)},
      {"task_count", static_cast<int64_t>(result.tasks.size())},
      {"visits_saved", result.visits_saved},
      {"tasks", std::move(tasks)},
  };
}

void WritePublicResult(const DrawInput& input, const DrawResult& result,
                       const std::function<void(std::string_view)>& write,
                       size_t piece_bytes) {
  // The members around "tasks" come from the tree itself, with an empty task list, so the
  // streamed text cannot drift from PublicResult's: only the tasks are written by hand, in
  // canonical member order ("inspectors" < "task" < "uscc"; "certificate_no" < "name").
  DrawResult without_tasks;
  without_tasks.plan_hash = result.plan_hash;
  without_tasks.commitment = result.commitment;
  without_tasks.candidates_digest = result.candidates_digest;
  without_tasks.inspectors_digest = result.inspectors_digest;
  without_tasks.visits_saved = result.visits_saved;
  std::string frame = PublicResult(input, without_tasks).Canonical();
  // String values are escaped (no bare '"' inside them), so the member is found only as one.
  constexpr std::string_view kTasks = "\"tasks\":[]";
  const size_t at = frame.find(kTasks);
  constexpr std::string_view kCount = "\"task_count\":0";
  const size_t count_at = frame.find(kCount);
  if (at == std::string::npos || count_at == std::string::npos) std::abort();  // PublicResult
  std::string piece = frame.substr(0, count_at);
  absl::StrAppend(&piece, "\"task_count\":", result.tasks.size(),
                  frame.substr(count_at + kCount.size(), at + kTasks.size() - 1 -
                                                             (count_at + kCount.size())));
  const InspectorPool& pool = *input.inspectors;
  char uscc[18];
  for (size_t t = 0; t < result.tasks.size(); ++t) {
    if (t > 0) piece.push_back(',');
    piece += "{\"inspectors\":[";
    const DrawTask& task = result.tasks[t];
    for (size_t k = 0; k < task.inspectors.size(); ++k) {
      const Inspector& inspector = pool[task.inspectors[k]];
      if (k > 0) piece.push_back(',');
      piece += "{\"certificate_no\":";
      AppendJsonString(piece, inspector.certificate_no);
      piece += ",\"name\":";
      AppendJsonString(piece, inspector.name);
      piece.push_back('}');
    }
    absl::StrAppend(&piece, "],\"task\":", t + 1, ",\"uscc\":\"");
    UnpackUscc((*input.candidates)[task.candidate].uscc, uscc);
    piece.append(uscc, sizeof uscc);
    piece += "\"}";
    if (piece.size() >= piece_bytes) {
      write(piece);
      piece.clear();
    }
  }
  piece.append(frame, at + kTasks.size() - 1, std::string::npos);
  write(piece);
}

Digest ResultDigest(const DrawInput& input, const DrawResult& result) {
  Sha256Stream digest;
  WritePublicResult(input, result, [&](std::string_view piece) { digest.Update(piece); });
  return digest.Finish();
}

JsonValue StratumRootJson(int stratum, const StratumTree& tree) {
  return JsonValue::Object{{"class", StratumName(stratum)},
                           {"size", tree.size},
                           {"eligible", tree.eligible},
                           {"root", HexOf(tree.root)}};
}

namespace {

// Every member of the package but "candidates", around the public result and its digest.
JsonValue::Object PackageWithoutCandidates(const DrawInput& input, const DrawResult& result,
                                           JsonValue public_result,
                                           const std::string& result_digest,
                                           const ProofCommitment* proofs) {
  JsonValue::Array strata;
  for (int s = 0; s < kStrata; ++s) {
    strata.push_back(JsonValue::Object{{"class", StratumName(s)},
                                       {"candidates", result.strata[s].candidates},
                                       {"eligible", result.strata[s].eligible},
                                       {"quota", result.strata[s].quota}});
  }
  JsonValue::Object published{{"commitment", HexOf(result.commitment)},
                               {"plan_hash", HexOf(result.plan_hash)},
                               {"candidates_digest", HexOf(result.candidates_digest)},
                               {"inspectors_digest", HexOf(result.inspectors_digest)},
                               {"result_digest", result_digest}};
  JsonValue::Object package{
      {"format", "jianguan-draw-package-v1"},
      {"plan", PlanJson(*input.plan)},
      {"inspectors", input.inspectors->PoolJson()},
      {"secret", HexOf(input.secret)},
      {"entropy", input.entropy},
      {"strata", std::move(strata)},
  };
  if (input.proof_key) {
    // §10: the key lets an auditor rebuild every tree and hand a subject its proof.
    const ProofCommitment built =
        proofs != nullptr ? *proofs
                          : CommitForProofs(*input.plan, *input.candidates, *input.inspectors,
                                            *input.proof_key);
    JsonValue::Array roots;
    for (int s = 0; s < kStrata; ++s) roots.push_back(StratumRootJson(s, built.strata[s]));
    published.emplace("strata_roots", std::move(roots));
    published.emplace("pool_root", HexOf(built.pool_root));
    package.emplace("proof_key", HexOf(*input.proof_key));
  }
  package.emplace("result", std::move(public_result));
  package.emplace("published", std::move(published));
  return package;
}

}  // namespace

JsonValue VerificationPackage(const DrawInput& input, const DrawResult& result) {
  JsonValue::Array lines;
  lines.reserve(input.candidates->size());
  for (uint32_t i = 0; i < input.candidates->size(); ++i) {
    lines.emplace_back(input.candidates->Line(i));
  }
  JsonValue public_result = PublicResult(input, result);
  const std::string digest = HexOf(Sha256(public_result.Canonical()));
  JsonValue::Object package =
      PackageWithoutCandidates(input, result, std::move(public_result), digest, nullptr);
  package.emplace("candidates", std::move(lines));
  return package;
}

void WriteVerificationPackage(const DrawInput& input, const DrawResult& result,
                              const std::function<void(std::string_view)>& write,
                              size_t piece_bytes) {
  WriteVerificationPackage(input, result, ResultDigest(input, result), nullptr, write,
                           piece_bytes);
}

void WriteVerificationPackage(const DrawInput& input, const DrawResult& result,
                              const Digest& result_digest, const ProofCommitment* proofs,
                              const std::function<void(std::string_view)>& write,
                              size_t piece_bytes) {
  // "candidates" sorts before every other key, so the canonical package is
  // {"candidates":[…], followed by the other members as their own object encodes them, the
  // public result streamed in the place of an empty "result" ("secret" is the next key).
  const std::string rest =
      JsonValue(PackageWithoutCandidates(input, result, JsonValue::Object{},
                                         HexOf(result_digest), proofs))
          .Canonical();
  constexpr std::string_view kResult = "\"result\":{},\"secret\":";
  const size_t at = rest.find(kResult);
  if (at == std::string::npos || rest.find(kResult, at + 1) != std::string::npos) std::abort();
  std::string piece = "{\"candidates\":[";
  for (uint32_t i = 0; i < input.candidates->size(); ++i) {
    if (i > 0) piece.push_back(',');
    AppendJsonString(piece, input.candidates->Line(i));
    if (piece.size() >= piece_bytes) {
      write(piece);
      piece.clear();
    }
  }
  piece += "],";
  // The members before "result", without the object's opening brace.
  piece.append(rest, 1, at + kResult.find('{') - 1);
  write(piece);
  WritePublicResult(input, result, write, piece_bytes);
  write(std::string_view(rest).substr(at + kResult.find('}') + 1));
}

}  // namespace jianguan::sampling
