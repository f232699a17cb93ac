// The draw's test vectors (docs/draw-vectors/): every vector recomputed by the C++ draw from
// the inputs its package holds — canonical JSON, commitment, digests, seed, draw, result or
// failure report — and the fixed inputs that made them still making the same bytes; then one
// input flipped at a time, which the C++ recomputation and tools/verify-draw must both see,
// the verifier naming the check.
//
// With JG_WRITE_DRAW_VECTORS=1 the test first rewrites the vectors from their fixed inputs
// (docs/draw-vectors/README.md).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/domain/draw_rng.h"
#include "services/sampling/domain/verification_package.h"
#include "tests/unit/sampling/draw_vectors.h"

namespace jianguan::sampling {
namespace {

using testing::FilesOf;
using testing::FixedVectors;
using testing::ParsePackage;
using testing::VectorFiles;
using testing::VectorInputs;

std::string SourceRoot() {
  const char* root = std::getenv("JG_SOURCE_ROOT");
  return root != nullptr ? root : JG_SOURCE_DIR;
}

std::string VectorDir() { return SourceRoot() + "/docs/draw-vectors"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

// The vectors on disk, by name (the stems of *.package.json).
std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(VectorDir())) {
    const std::string file = entry.path().filename().string();
    if (absl::EndsWith(file, ".package.json")) {
      names.push_back(file.substr(0, file.size() - std::string(".package.json").size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Verdict {
  int exit_code = -1;
  std::string stderr_text;
};

// tools/verify-draw on `package`, with the outside values of `published` when not empty.
Verdict VerifyDraw(const std::string& package, const std::string& published = "") {
  static jianguan::testing::TempDir scratch("jg-verify-draw");
  const std::string err = scratch.Sub("stderr");
  std::string command = absl::StrCat("'", JG_PYTHON, "' '", SourceRoot(), "/tools/verify-draw' '",
                                     package, "'");
  if (!published.empty()) absl::StrAppend(&command, " --published '", published, "'");
  absl::StrAppend(&command, " > /dev/null 2> '", err, "'");
  const int status = std::system(command.c_str());
  return Verdict{.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 .stderr_text = ReadFile(err)};
}

// `text` with the occurrence of `from` found by `find` (first or last) replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to,
                     bool last = false) {
  const size_t at = last ? text.rfind(from) : text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("every draw vector is what the C++ draw makes of its inputs") {
  if (std::getenv("JG_WRITE_DRAW_VECTORS") != nullptr) {
    for (const VectorInputs& v : FixedVectors()) {
      const VectorFiles files = FilesOf(v);
      WriteFile(VectorDir() + "/" + v.name + ".package.json", files.package);
      WriteFile(VectorDir() + "/" + v.name + ".published.json", files.published);
    }
  }

  std::vector<std::string> fixed;
  for (const VectorInputs& v : FixedVectors()) {
    fixed.push_back(v.name);
    INFO("vector " << v.name << ": regenerate with JG_WRITE_DRAW_VECTORS=1 if intended");
    const VectorFiles files = FilesOf(v);
    CHECK(ReadFile(VectorDir() + "/" + v.name + ".package.json") == files.package);
    CHECK(ReadFile(VectorDir() + "/" + v.name + ".published.json") == files.published);
  }
  std::sort(fixed.begin(), fixed.end());
  CHECK(VectorNames() == fixed);  // no stray vector, none missing
  CHECK(fixed.size() >= 4);

  for (const std::string& name : VectorNames()) {
    INFO("vector " << name);
    const std::string package = ReadFile(VectorDir() + "/" + name + ".package.json");
    const std::string published = ReadFile(VectorDir() + "/" + name + ".published.json");
    // Canonical JSON (§1): the files are their own canonical form.
    auto canonical = testing::Recanonical(package);
    REQUIRE(canonical.ok());
    CHECK(*canonical + "\n" == package);
    auto canonical_published = testing::Recanonical(published);
    REQUIRE(canonical_published.ok());
    CHECK(*canonical_published + "\n" == published);

    // The inputs read back write the same plan object, lines and inspector objects.
    absl::StatusOr<VectorInputs> v = ParsePackage(name, package);
    REQUIRE(v.ok());
    CHECK(absl::StrContains(package, "\"plan\":" + PlanJson(v->plan).Canonical()));
    CHECK(absl::StrContains(package, "\"inspectors\":" + v->pool.PoolJson().Canonical()));
    for (uint32_t i = 0; i < v->candidates.size(); ++i) {
      CHECK(absl::StrContains(package, "\"" + v->candidates.Line(i) + "\""));
    }

    // Commitment, digests and seed recomputed, against the package and the outside values.
    const std::string commitment = HexOf(CommitmentOf(v->secret));
    CHECK(v->plan.commitment == commitment);
    const Digest plan_hash = PlanHash(v->plan);
    const Digest candidates_digest = v->candidates.CandidatesDigest();
    const Digest inspectors_digest = v->pool.PoolDigest();
    const Digest seed =
        DrawSeed(v->secret, plan_hash, candidates_digest, inspectors_digest, v->entropy);
    for (const std::string& document : {package, published}) {
      CHECK(absl::StrContains(document, "\"commitment\":\"" + commitment + "\""));
      CHECK(absl::StrContains(document, "\"plan_hash\":\"" + HexOf(plan_hash) + "\""));
      CHECK(absl::StrContains(document,
                              "\"candidates_digest\":\"" + HexOf(candidates_digest) + "\""));
      CHECK(absl::StrContains(document,
                              "\"inspectors_digest\":\"" + HexOf(inspectors_digest) + "\""));
    }
    CHECK(absl::StrContains(published, "\"seed\":\"" + HexOf(seed) + "\""));

    // The draw: a completed one writes exactly the package (strata, result, result digest);
    // a failed one exactly the package's report.
    DrawFailure failure;
    absl::StatusOr<DrawResult> result = Draw(v->Input(), &failure);
    if (absl::StrContains(package, "\"failure\":")) {
      REQUIRE(absl::IsFailedPrecondition(result.status()));
      CHECK(absl::StrContains(package,
                              "\"failure\":" + testing::FailureJson(failure).Canonical()));
    } else {
      REQUIRE(result.ok());
      CHECK(result->seed == seed);
      CHECK(result->tasks.size() > 0);
      std::string written;
      WriteVerificationPackage(v->Input(), *result,
                               [&](std::string_view piece) { written.append(piece); });
      CHECK(written + "\n" == package);
      CHECK(absl::StrContains(published, "\"result_digest\":\"" +
                                             HexOf(ResultDigest(v->Input(), *result)) + "\""));
    }
    CHECK(FilesOf(*v).package == package);
    CHECK(FilesOf(*v).published == published);
  }
}

TEST_CASE("tools/verify-draw accepts every vector, against its outside values too") {
  for (const std::string& name : VectorNames()) {
    INFO("vector " << name);
    const std::string base = VectorDir() + "/" + name;
    const Verdict alone = VerifyDraw(base + ".package.json");
    CHECK(alone.exit_code == 0);
    INFO(alone.stderr_text);
    const Verdict outside = VerifyDraw(base + ".package.json", base + ".published.json");
    CHECK(outside.exit_code == 0);
    INFO(outside.stderr_text);
  }
}

// One input of the joint vector changed: the C++ recomputation differs, and verify-draw
// names the check, both for the package edited in place (inconsistent with itself) and for a
// package forged consistently from the changed input (caught only by the outside values).
TEST_CASE("a flipped input is seen by the C++ draw and named by tools/verify-draw") {
  const std::string base = VectorDir() + "/joint";
  const std::string package = ReadFile(base + ".package.json");
  const std::string published = base + ".published.json";
  absl::StatusOr<VectorInputs> original = ParsePackage("joint", package);
  REQUIRE(original.ok());
  const VectorFiles genuine = FilesOf(*original);
  jianguan::testing::TempDir dir("jg-draw-vectors");

  struct Flip {
    std::string what;
    std::function<std::string(const std::string&)> edit;  // the package text, edited
    std::function<void(VectorInputs&)> change;             // the same change on the inputs
    std::string check_alone;    // named for the edited package without outside values
    std::string check_outside;  // named for the consistent forgery against outside values
  };
  const VectorInputs& o = *original;
  const std::string secret_hex = HexOf(o.secret);
  const std::string line = o.candidates.Line(5);
  const std::string name = o.pool[2].name;
  std::string flipped_secret = secret_hex;
  flipped_secret[63] = flipped_secret[63] == '0' ? '1' : '0';
  std::string flipped_line = line;
  flipped_line[25] = flipped_line[25] == '0' ? '1' : '0';  // the recent mark

  const std::vector<Flip> flips = {
      {"one bit of the secret",
       [&](const std::string& text) {
         return Replaced(text, "\"secret\":\"" + secret_hex, "\"secret\":\"" + flipped_secret,
                         /*last=*/true);
       },
       [&](VectorInputs& v) {
         v.secret[31] ^= 1;
         v.plan.commitment = HexOf(CommitmentOf(v.secret));
       },
       "commitment", "commitment"},
      {"one character of the entropy",
       [&](const std::string& text) {
         return Replaced(text, "\"entropy\":\"" + o.entropy, "\"entropy\":\"" + o.entropy + "7");
       },
       [&](VectorInputs& v) { v.entropy += "7"; }, "result", "entropy"},
      {"the recent mark of a candidate line",
       [&](const std::string& text) { return Replaced(text, line, flipped_line); },
       [&](VectorInputs& v) {
         CandidateProjection changed;
         for (uint32_t i = 0; i < v.candidates.size(); ++i) {
           const CandidateRecord& r = v.candidates[i];
           const std::span<const std::string> last = v.candidates.LastInspectors(i);
           const bool recent = ((r.flags & CandidateRecord::kRecent) != 0) != (i == 5);
           REQUIRE(changed
                       .AppendPacked(r.uscc, static_cast<CreditGrade>(r.stratum / 4),
                                     static_cast<RiskLevel>(r.stratum % 4),
                                     {.filtered_out = (r.flags & CandidateRecord::kFilteredOut) != 0,
                                      .recent = recent,
                                      .last_inspectors = {last.begin(), last.end()}})
                       .ok());
         }
         v.candidates = std::move(changed);
       },
       "candidates_digest", "candidates_digest"},
      {"an inspector's name",
       [&](const std::string& text) {
         return Replaced(text, "\"name\":\"" + name, "\"name\":\"" + name + "之");
       },
       [&](VectorInputs& v) {
         std::vector<Inspector> people(v.pool.inspectors().begin(), v.pool.inspectors().end());
         people[2].name += "之";
         v.pool = *InspectorPool::Create(std::move(people));
       },
       "inspectors_digest", "inspectors_digest"},
      {"the plan's frequency",
       [&](const std::string& text) {
         return Replaced(text, "\"frequency_months\":12", "\"frequency_months\":11");
       },
       [&](VectorInputs& v) { v.plan.frequency_months = 11; }, "plan_hash", "plan_hash"},
  };

  for (const Flip& flip : flips) {
    INFO("flipped: " << flip.what);
    // The C++ recomputation from the changed inputs differs from the vector.
    VectorInputs changed = *ParsePackage("joint", package);
    flip.change(changed);
    const VectorFiles forged = FilesOf(changed);
    CHECK(forged.package != genuine.package);
    CHECK(forged.published != genuine.published);

    // Edited in place: the package disagrees with itself.
    const std::string edited_path = dir.Sub("edited.package.json");
    const std::string edited = flip.edit(package);
    REQUIRE(edited != package);
    WriteFile(edited_path, edited);
    const Verdict edited_verdict = VerifyDraw(edited_path);
    INFO(edited_verdict.stderr_text);
    CHECK(edited_verdict.exit_code == 1);
    CHECK(absl::StrContains(edited_verdict.stderr_text, "MISMATCH [" + flip.check_alone + "]"));

    // Forged consistently: only what was published outside the package catches it.
    const std::string forged_path = dir.Sub("forged.package.json");
    WriteFile(forged_path, forged.package);
    const Verdict forged_alone = VerifyDraw(forged_path);
    CHECK(forged_alone.exit_code == 0);
    const Verdict forged_outside = VerifyDraw(forged_path, published);
    INFO(forged_outside.stderr_text);
    CHECK(forged_outside.exit_code == 1);
    CHECK(absl::StrContains(forged_outside.stderr_text,
                            "MISMATCH [" + flip.check_outside + "]"));
  }
}

}  // namespace
}  // namespace jianguan::sampling
