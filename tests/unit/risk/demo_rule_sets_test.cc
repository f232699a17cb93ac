// The demo rule sets in data/risk/rules (issue #13): every file compiles, names its sources, and the
// Jinhua and Xianning rules alert as their files say.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "jianguan/cases/v1/events.pb.h"
#include "services/risk/domain/evaluator.h"
#include "services/risk/domain/rule_set.h"

namespace jianguan::risk {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(JG_SOURCE_DIR) / "data" / "risk" / "rules";

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file under data/risk/rules, compiled, by file name.
std::map<std::string, CompiledRuleSet> LoadAll() {
  std::map<std::string, CompiledRuleSet> sets;
  for (const fs::directory_entry& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() != ".textproto") continue;
    INFO(entry.path().string());
    absl::StatusOr<v1::RuleSet> text = ParseRuleSetText(Read(entry.path()), entry.path().string());
    INFO(text.status().ToString());
    REQUIRE(text.ok());
    absl::StatusOr<CompiledRuleSet> compiled = CompiledRuleSet::Compile(*std::move(text));
    INFO(compiled.status().ToString());
    REQUIRE(compiled.ok());
    sets.emplace(entry.path().filename().string(), *std::move(compiled));
  }
  return sets;
}

const CompiledRule& RuleOf(const std::map<std::string, CompiledRuleSet>& sets,
                           const std::string& file, const std::string& id) {
  REQUIRE(sets.count(file) == 1);
  const CompiledRule* rule = sets.at(file).Find(id);
  REQUIRE(rule != nullptr);
  return *rule;
}

absl::Time Hour(int h) {
  return absl::FromCivil(absl::CivilHour(2026, 7, 1, 0), absl::UTCTimeZone()) + absl::Hours(h);
}

TEST_CASE("every rule set under data/risk/rules compiles, and rule ids are unique across them") {
  const std::map<std::string, CompiledRuleSet> sets = LoadAll();
  CHECK(sets.count("jinhua-ecology-2026.1.textproto") == 1);
  CHECK(sets.count("xianning-five-models-2026.1.textproto") == 1);
  std::map<std::string, std::string> owner;
  for (const auto& [file, set] : sets) {
    INFO(file);
    CHECK(file == set.name() + "-" + set.version() + ".textproto");
    for (const CompiledRule& rule : set.rules()) {
      INFO(rule.id());
      CHECK(owner.emplace(rule.id(), file).second);
      CHECK_FALSE(rule.rule->legal_basis().empty());
      CHECK_FALSE(rule.rule->description().empty());
    }
  }
}

TEST_CASE("every demo rule is preceded by a comment naming its source (来源)") {
  for (const fs::directory_entry& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() != ".textproto") continue;
    std::istringstream lines(Read(entry.path()));
    std::string line;
    std::string previous;
    int rules = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("rules {", 0) == 0) {
        ++rules;
        INFO(entry.path().filename().string() << " rule " << rules << ": " << previous);
        CHECK(previous.rfind("# 来源: ", 0) == 0);
      }
      previous = line;
    }
    CHECK(rules > 0);
  }
}

SCENARIO("Jinhua: ammonia nitrogen above 8 mg/L in 3 consecutive readings raises one alert") {
  const std::map<std::string, CompiledRuleSet> sets = LoadAll();
  const CompiledRule& rule =
      RuleOf(sets, "jinhua-ecology-2026.1.textproto", "ammonia-nitrogen-exceedance");
  v1::RuleState state;
  std::vector<Verdict> verdicts;
  std::string reason;
  int h = 0;
  for (double value : {7.5, 9.1, 10.2, 12.4, 11.0, 4.0, 3.0, 2.0}) {
    absl::StatusOr<Evaluation> e = Evaluate(
        rule, state,
        Reading{.device_id = "PA-WS-01", .uscc = "91330727MA2DEMO002", .metric = "ammonia_nitrogen",
                .value = value, .unit = "mg/L", .time = Hour(h++)});
    REQUIRE(e.ok());
    state = e->state;
    verdicts.push_back(e->verdict);
    if (e->verdict == Verdict::kRaise) reason = e->reason;
  }
  CHECK(verdicts == std::vector<Verdict>{Verdict::kNone, Verdict::kNone, Verdict::kNone,
                                         Verdict::kRaise, Verdict::kPersist, Verdict::kNone,
                                         Verdict::kNone, Verdict::kClear});
  CHECK(reason == "氨氮 12.4 mg/L > 8 mg/L，连续 3 次");  // AlertRaised.reason's example.
}

SCENARIO("Xianning: two drug-sales cases within 90 days raise the illegal drug sales model") {
  const std::map<std::string, CompiledRuleSet> sets = LoadAll();
  const CompiledRule& rule =
      RuleOf(sets, "xianning-five-models-2026.1.textproto", "xn-illegal-drug-sales");
  cases::v1::CaseFiled drugs;
  drugs.mutable_summary()->add_item_codes("XN-YP-01");
  cases::v1::CaseFiled food;
  food.mutable_summary()->add_item_codes("SCJG-01-01");
  v1::RuleState state;
  std::vector<Verdict> verdicts;
  int n = 0;
  for (const auto& [message, day] : std::vector<std::pair<const cases::v1::CaseFiled*, int>>{
           {&drugs, 0}, {&food, 10}, {&drugs, 100}, {&drugs, 150}}) {
    absl::StatusOr<Evaluation> e = Evaluate(
        rule, state,
        SuiteEvent{.message = message, .uscc = "91421200MA4DEMO003",
                   .time = Hour(24 * day),
                   .ref = {.topic = "jianguan.cases.v1", .offset = ++n, .ce_id = std::to_string(n),
                           .type = "jianguan.cases.v1.CaseFiled"}});
    REQUIRE(e.ok());
    state = e->state;
    verdicts.push_back(e->verdict);
  }
  THEN("a food case does not count, and cases 100 days apart do not make two in 90 days") {
    CHECK(verdicts == std::vector<Verdict>{Verdict::kNone, Verdict::kNone, Verdict::kNone,
                                           Verdict::kRaise});
  }
}

}  // namespace
}  // namespace jianguan::risk
