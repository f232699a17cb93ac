// The independent verifier (tools/verify-draw, Python, written from the spec) reproduces a
// C++ draw bit for bit, and rejects a published result altered by one subject or one inspector.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "services/sampling/domain/subject_proof.h"
#include "services/sampling/domain/verification_package.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

struct Verdict {
  int exit_code = -1;
  std::string output;
};

// Files in a temporary directory and tools/verify-draw run on them with arguments.
class ToolFiles {
 public:
  ToolFiles() { std::filesystem::create_directories(dir_); }
  ~ToolFiles() { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / (name + ".json")).string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name), std::ios::binary | std::ios::trunc) << text;
  }
  Verdict Run(const std::vector<std::string>& args) const {
    const char* root = std::getenv("JG_SOURCE_ROOT");
    REQUIRE(root != nullptr);
    const std::string out = (dir_ / "tool.out").string();
    const std::string err = (dir_ / "tool.err").string();
    std::string command = "python3 '" + std::string(root) + "/tools/verify-draw'";
    for (const std::string& arg : args) command += " '" + arg + "'";
    command += " > '" + out + "' 2> '" + err + "'";
    const int status = std::system(command.c_str());
    Verdict verdict;
    verdict.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    for (const std::string& file : {out, err}) {
      std::stringstream text;  // one stream each: an empty file would fail the next read
      text << std::ifstream(file).rdbuf();
      verdict.output += text.str();
    }
    return verdict;
  }

 private:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("jg-verify-subject-" + std::to_string(getpid()));
};

// Writes `package` to a temporary file and runs tools/verify-draw on it.
Verdict RunVerifier(const std::string& package, const std::string& name) {
  const ToolFiles files;
  files.Write(name, package);
  return files.Run({files.Path(name)});
}

SCENARIO("tools/verify-draw confirms a C++ draw and catches a single alteration") {
  GIVEN("a joint draw over all 16 strata with conflicts, last inspectors and exclusions") {
    SamplingPlan plan = TestPlan(2);
    plan.inspectors_per_task = 3;
    plan.name = "联合抽查 \"引号\"\t与控制字符\x01";  // exercises the canonical escapes
    plan.filter.regions = {"610131"};
    CandidateProjection candidates;
    for (uint64_t i = 0; i < 1600; ++i) {
      const int s = static_cast<int>((i * 5 + i / 16) % kStrata);
      CandidateMarks marks{.filtered_out = i % 29 == 0, .recent = i % 13 == 0};
      if (i % 17 == 0) marks.last_inspectors = {"D1-0003", "D2-0007"};
      REQUIRE(candidates
                  .Append(TestUscc(50'000 + i * 1009), static_cast<CreditGrade>(s / 4),
                          static_cast<RiskLevel>(s % 4), marks)
                  .ok());
    }
    std::vector<Inspector> inspectors;
    for (int d = 1; d <= 2; ++d) {
      for (int i = 1; i <= 25; ++i) {
        inspectors.push_back(TestInspector(d, i));
        if (i % 6 == 0) inspectors.back().conflicts = {TestUscc(50'000 + i * 1009)};
      }
    }
    inspectors[4].valid_until = "2024-01-31";
    const InspectorPool pool = *InspectorPool::Create(inspectors);
    DrawInput input = TestInput(plan, candidates, pool, "福彩3D 第2024118期 5 8 2");
    input.proof_key = Digest{};
    input.proof_key->fill(0x5a);
    absl::StatusOr<DrawResult> result = Draw(input);
    REQUIRE(result.ok());
    REQUIRE(result->tasks.size() > 100);

    WHEN("the public result is written in pieces, as the draw digests it") {
      // An entropy spelling the members the writer splices in must not confuse it.
      DrawInput tricky = input;
      tricky.entropy = "\"task_count\":0,\"tasks\":[] ]}";
      for (const DrawInput* in : {&input, &tricky}) {
        std::string streamed;
        size_t pieces = 0;
        WritePublicResult(*in, *result, [&](std::string_view piece) {
          streamed += piece;
          ++pieces;
        }, 1024);
        THEN("the pieces make exactly the canonical public result, and its digest") {
          const std::string canonical = PublicResult(*in, *result).Canonical();
          CHECK(pieces > 5);
          CHECK(streamed == canonical);
          CHECK(ResultDigest(*in, *result) == Sha256(canonical));
        }
      }
    }

    WHEN("the package is written in pieces, as the service streams it") {
      std::string streamed;
      size_t pieces = 0;
      WriteVerificationPackage(input, *result, [&](std::string_view piece) {
        streamed += piece;
        ++pieces;
      }, 4096);
      THEN("the pieces make exactly the canonical package") {
        CHECK(pieces > 10);
        CHECK(streamed == VerificationPackage(input, *result).Canonical());
      }
    }
    WHEN("the honest package is verified") {
      const Verdict verdict = RunVerifier(VerificationPackage(input, *result).Canonical(), "ok");
      THEN("it matches") {
        INFO(verdict.output);
        CHECK(verdict.exit_code == 0);
        CHECK(absl::StrContains(verdict.output, "OK: " + std::to_string(result->tasks.size())));
      }
    }
    WHEN("one drawn subject is swapped for one that was not drawn") {
      DrawResult altered = *result;
      const size_t task = altered.tasks.size() / 2;
      uint32_t replacement = altered.tasks[task].candidate + 1;
      while (std::any_of(altered.tasks.begin(), altered.tasks.end(),
                         [&](const DrawTask& t) { return t.candidate == replacement; })) {
        ++replacement;
      }
      altered.tasks[task].candidate = replacement;
      const Verdict verdict = RunVerifier(VerificationPackage(input, altered).Canonical(), "uscc");
      THEN("the verifier names that task's subject") {
        INFO(verdict.output);
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "task " + std::to_string(task + 1) + " uscc"));
      }
    }
    WHEN("one inspector of one task is swapped for another of the same department") {
      DrawResult altered = *result;
      const size_t task = 7;
      uint32_t& inspector = altered.tasks[task].inspectors[0];
      inspector = inspector == 1 ? 2 : 1;
      const Verdict verdict =
          RunVerifier(VerificationPackage(input, altered).Canonical(), "inspector");
      THEN("the verifier names that task's inspector") {
        INFO(verdict.output);
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "task 8 ("));
        CHECK(absl::StrContains(verdict.output, "inspector 1 differs"));
      }
    }
    WHEN("an auditor's copy has one class changed") {
      std::string package = VerificationPackage(input, *result).Canonical();
      const std::string line = candidates.Line(10);
      std::string changed = line;
      changed[19] = changed[19] == 'A' ? 'B' : 'A';
      package.replace(package.find(line), line.size(), changed);
      const Verdict verdict = RunVerifier(package, "class");
      THEN("the candidate digest no longer matches") {
        INFO(verdict.output);
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "candidates_digest"));
      }
    }
    WHEN("the package's proof roots are not the ones the lines and the key give") {
      std::string package = VerificationPackage(input, *result).Canonical();
      const ProofCommitment proofs = CommitForProofs(plan, candidates, pool, *input.proof_key);
      const std::string root = HexOf(proofs.strata[6].root);
      REQUIRE(package.find(root) != std::string::npos);
      package.replace(package.find(root), 64, HexOf(proofs.strata[7].root));
      const Verdict verdict = RunVerifier(package, "root");
      THEN("the verifier names the class") {
        INFO(verdict.output);
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "published.strata_roots[6] (B-medium)"));
      }
    }
    WHEN("subjects are given their proofs and check them against the public documents") {
      // The public plan as GetPublicPlan publishes it (the fields verify-subject reads).
      JsonValue::Array roots;
      const ProofCommitment proofs = CommitForProofs(plan, candidates, pool, *input.proof_key);
      for (int s = 0; s < kStrata; ++s) {
        roots.push_back(JsonValue::Object{{"class_name", StratumName(s)},
                                          {"size", std::to_string(proofs.strata[s].size)},
                                          {"eligible", std::to_string(proofs.strata[s].eligible)},
                                          {"root", HexOf(proofs.strata[s].root)}});
      }
      const std::string public_plan =
          JsonValue(JsonValue::Object{
                        {"plan_json", PlanJson(plan).Canonical()},
                        {"plan_hash", HexOf(result->plan_hash)},
                        {"commitment", HexOf(result->commitment)},
                        {"candidates_digest", HexOf(result->candidates_digest)},
                        {"inspectors_digest", HexOf(result->inspectors_digest)},
                        {"strata", std::move(roots)}})
              .Canonical();
      const std::string public_result = PublicResult(input, *result).Canonical();
      const std::string package = VerificationPackage(input, *result).Canonical();
      // A drawn subject, an eligible one not drawn, and one the frequency rule excluded.
      const std::string drawn = UnpackUscc(candidates[result->tasks[3].candidate].uscc);
      std::string not_drawn;
      std::string recent;
      for (uint32_t i = 0; i < candidates.size() && (not_drawn.empty() || recent.empty()); ++i) {
        const bool was_drawn = std::any_of(result->tasks.begin(), result->tasks.end(),
                                           [&](const DrawTask& t) { return t.candidate == i; });
        const bool eligible = IsEligible(candidates[i], plan.class_rules[candidates[i].stratum]);
        if (eligible && !was_drawn && not_drawn.empty()) not_drawn = UnpackUscc(candidates[i].uscc);
        if ((candidates[i].flags & CandidateRecord::kRecent) && !eligible && recent.empty()) {
          recent = UnpackUscc(candidates[i].uscc);
        }
      }
      REQUIRE(!not_drawn.empty());
      REQUIRE(!recent.empty());
      ToolFiles files;
      files.Write("package", package);
      files.Write("plan", public_plan);
      files.Write("result", public_result);
      auto check_subject = [&](const std::string& uscc, const std::string& expected) {
        const Verdict proved = files.Run({"prove", files.Path("package"), uscc});
        INFO(proved.output);
        REQUIRE(proved.exit_code == 0);
        files.Write("proof", proved.output);
        const Verdict verdict = files.Run({"verify-subject", files.Path("proof"), "--plan",
                                           files.Path("plan"), "--result",
                                           files.Path("result")});
        INFO(verdict.output);
        CHECK(verdict.exit_code == 0);
        CHECK(absl::StrContains(verdict.output, uscc + " " + expected));
        return proved.output;
      };
      THEN("each learns the truth about itself: drawn, not drawn, or not eligible") {
        check_subject(drawn, "was drawn fairly: task 4 of");
        check_subject(not_drawn, "was eligible and not drawn");
        check_subject(recent, "was not eligible");
      }
      THEN("a proof whose class or position was changed fails, naming the inclusion check") {
        const std::string proof = check_subject(not_drawn, "was eligible and not drawn");
        const size_t index_at = proof.find("\"leaf_index\": ");
        REQUIRE(index_at != std::string::npos);
        const size_t digits = index_at + 14;
        const size_t end = proof.find_first_not_of("0123456789", digits);
        const int index = std::stoi(proof.substr(digits, end - digits));
        std::string moved_position = proof;
        moved_position.replace(digits, end - digits, std::to_string(index == 0 ? 1 : index - 1));
        files.Write("proof", moved_position);
        Verdict verdict = files.Run({"verify-subject", files.Path("proof"), "--plan",
                                     files.Path("plan"), "--result", files.Path("result")});
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "MISMATCH [inclusion]"));

        // Moved to another class: line and class rewritten consistently.
        const std::string line = candidates.Line(static_cast<uint32_t>(
            std::find_if(candidates.records().begin(), candidates.records().end(),
                         [&](const CandidateRecord& r) { return UnpackUscc(r.uscc) == not_drawn; }) -
            candidates.records().begin()));
        std::string moved_class = proof;
        std::string other_line = line;
        other_line[19] = line[19] == 'A' ? 'B' : 'A';
        moved_class.replace(moved_class.find(line), line.size(), other_line);
        const std::string name = StratumName(4 * (line[19] - 'A') + (line[21] - '0'));
        const std::string other_name =
            StratumName(4 * (other_line[19] - 'A') + (other_line[21] - '0'));
        moved_class.replace(moved_class.find("\"" + name + "\""), name.size() + 2,
                            "\"" + other_name + "\"");
        files.Write("proof", moved_class);
        verdict = files.Run({"verify-subject", files.Path("proof"), "--plan", files.Path("plan"),
                             "--result", files.Path("result")});
        INFO(verdict.output);
        CHECK(verdict.exit_code == 1);
        CHECK(absl::StrContains(verdict.output, "MISMATCH [inclusion]"));
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::sampling
