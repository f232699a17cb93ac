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
#include "services/sampling/domain/verification_package.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling {
namespace {

using namespace testing;

struct Verdict {
  int exit_code = -1;
  std::string output;
};

// Writes `package` to a temporary file and runs tools/verify-draw on it.
Verdict RunVerifier(const std::string& package, const std::string& name) {
  const char* root = std::getenv("JG_SOURCE_ROOT");
  REQUIRE(root != nullptr);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("jg-verify-draw-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / (name + ".json");
  const std::filesystem::path out = dir / (name + ".out");
  std::ofstream(file, std::ios::binary) << package;
  const std::string command = "python3 '" + std::string(root) + "/tools/verify-draw' '" +
                              file.string() + "' > '" + out.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  Verdict verdict;
  verdict.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  verdict.output = text.str();
  std::filesystem::remove_all(dir);
  return verdict;
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
    const DrawInput input = TestInput(plan, candidates, pool, "福彩3D 第2024118期 5 8 2");
    absl::StatusOr<DrawResult> result = Draw(input);
    REQUIRE(result.ok());
    REQUIRE(result->tasks.size() > 100);

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
  }
}

}  // namespace
}  // namespace jianguan::sampling
