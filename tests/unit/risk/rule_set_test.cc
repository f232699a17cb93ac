// Risk rule sets (风险预警模型, issue #13): "a rule set with an unknown event type or field, or a
// window without a bound, is refused at load with the rule named", and every other refusal of
// services/risk/domain/rule_set.h likewise.
#include "services/risk/domain/rule_set.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "jianguan/credit/v1/events.pb.h"
#include "libs/core/text_checks.h"

namespace jianguan::risk {
namespace {

using Catch::Matchers::Contains;

// A valid first rule, so that every refusal below is about the rule after it.
constexpr char kHead[] = R"pb(
  name: "test" version: "t.1" effective_date { year: 2026 month: 1 day: 1 }
  rules {
    id: "grade-d" name: "信用等级降为D" level: ALERT_LEVEL_ORANGE field: "ecology-environment"
    state {
      enter { event_type: "jianguan.credit.v1.CreditGradeChanged"
              conditions { field: "grade" op: OPERATOR_EQ values: "CREDIT_GRADE_D" } }
    }
  }
)pb";

v1::RuleSet SetOf(const std::string& rules, const char* head = kHead) {
  absl::StatusOr<v1::RuleSet> set = ParseRuleSetText(std::string(head) + rules, "test");
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  return *std::move(set);
}

std::string Refusal(const std::string& rules, const char* head = kHead) {
  absl::StatusOr<CompiledRuleSet> compiled = CompiledRuleSet::Compile(SetOf(rules, head));
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string error(compiled.status().message());
  CHECK_THAT(error, !Contains("rules[0] ("));  // The valid first rule is never blamed.
  return error;
}

// A window rule "w" with the given body.
std::string Window(const std::string& body, const std::string& id = "complaints-30d") {
  return "rules { id: \"" + id + "\" name: \"投诉集中\" level: ALERT_LEVEL_YELLOW field: \"ecology-environment\" window { " +
         body + " } }";
}

constexpr char kComplaint[] =
    "events { event_type: \"jianguan.cases.v1.LeadRegistered\" "
    "conditions { field: \"source\" op: OPERATOR_EQ values: \"LEAD_SOURCE_COMPLAINT\" } }";

TEST_CASE("the known event types are every message of the suite's six events.proto files") {
  const std::vector<std::string>& types = KnownEventTypes();
  CHECK(std::set<std::string>(types.begin(), types.end()).size() == types.size());
  for (const char* name :
       {"jianguan.subject.v1.SubjectStatusChanged", "jianguan.sampling.v1.TaskDrawn",
        "jianguan.inspection.v1.ResultPublished", "jianguan.cases.v1.LeadRegistered",
        "jianguan.credit.v1.CreditGradeChanged", "jianguan.catalogue.v1.ItemPublished"}) {
    INFO(name);
    CHECK(std::find(types.begin(), types.end(), name) != types.end());
  }
  std::set<std::string> packages;
  for (const std::string& type : types) packages.insert(type.substr(0, type.rfind('.')));
  CHECK(packages == std::set<std::string>{"jianguan.subject.v1", "jianguan.sampling.v1",
                                          "jianguan.inspection.v1", "jianguan.cases.v1",
                                          "jianguan.credit.v1", "jianguan.catalogue.v1"});
  CHECK(std::find(types.begin(), types.end(), "jianguan.risk.v1.AlertRaised") == types.end());
}

SCENARIO("a valid rule set of every kind compiles") {
  const CompiledRuleSet set = [] {
    absl::StatusOr<CompiledRuleSet> compiled = CompiledRuleSet::Compile(SetOf(
        Window(std::string(kComplaint) + " min_count: 3 days: 30") +
        R"pb(
          rules { id: "nh3" name: "氨氮超标" level: ALERT_LEVEL_RED field: "ecology-environment"
                  threshold { metric: "ammonia_nitrogen" metric_name: "氨氮" unit: "mg/L"
                              comparison: OPERATOR_GT limit: 8 consecutive: 3 } }
          rules { id: "silent" name: "数据中断" level: ALERT_LEVEL_BLUE field: "ecology-environment"
                  absence { reading { metric: "ammonia_nitrogen" metric_name: "氨氮" hours: 6 } } }
          rules { id: "both" name: "组合" level: ALERT_LEVEL_RED field: "ecology-environment"
                  combination { join: JOIN_ALL rules: ["grade-d", "complaints-30d"]
                                within_days: 30 } }
        )pb"));
    INFO(compiled.status().ToString());
    REQUIRE(compiled.ok());
    return *std::move(compiled);
  }();
  CHECK(set.rules().size() == 5);
  CHECK(set.version() == "t.1");
  CHECK(set.name() == "test");
  CHECK(set.effective_day() == absl::CivilDay(2026, 1, 1));
  REQUIRE(set.Find("nh3") != nullptr);
  CHECK(set.Find("nh3")->kind == RuleKind::kThreshold);
  CHECK(set.Find("nh3")->PerDevice());
  CHECK(set.Find("nh3")->TakesReading("ammonia_nitrogen"));
  CHECK_FALSE(set.Find("nh3")->TakesReading("cod"));
  CHECK(set.Find("silent")->kind == RuleKind::kReadingAbsence);
  CHECK(set.Find("complaints-30d")->TakesEvent("jianguan.cases.v1.LeadRegistered"));
  CHECK_FALSE(set.Find("complaints-30d")->PerDevice());
  CHECK(set.Find("grade-d")->TakesEvent("jianguan.credit.v1.CreditGradeChanged"));
  CHECK(set.Find("missing") == nullptr);
  REQUIRE(set.CombinationsOf("grade-d").size() == 1);
  CHECK(set.CombinationsOf("grade-d")[0]->id() == "both");
  CHECK(set.CombinationsOf("nh3").empty());
}

SCENARIO("a rule set that could alert wrongly is refused at load, naming the rule") {
  WHEN("a rule names no supervision field to route its alerts by, or a malformed one") {
    const std::string none = Refusal(
        R"pb(rules { id: "loose" name: "无领域" level: ALERT_LEVEL_BLUE
                     state { enter { event_type: "jianguan.credit.v1.CreditGradeChanged" } } })pb");
    CHECK_THAT(none, Contains("rules[1] (loose): field must be 1–40 characters of [a-z0-9-]"));
    const std::string upper = Refusal(
        R"pb(rules { id: "loose" name: "大写" level: ALERT_LEVEL_BLUE field: "Ecology"
                     state { enter { event_type: "jianguan.credit.v1.CreditGradeChanged" } } })pb");
    CHECK_THAT(upper, Contains("got \"Ecology\""));
  }
  WHEN("an event type is not an event of the suite") {
    const std::string error = Refusal(Window(
        "events { event_type: \"jianguan.cases.v1.ComplaintFiled\" } min_count: 3 days: 30"));
    CHECK_THAT(error, Contains("rules[1] (complaints-30d): window.events[0].event_type "
                               "\"jianguan.cases.v1.ComplaintFiled\" is not an event of the "
                               "suite"));
  }
  WHEN("a condition names a field the event does not have") {
    const std::string error = Refusal(Window(
        "events { event_type: \"jianguan.cases.v1.LeadRegistered\" "
        "conditions { field: \"channel\" op: OPERATOR_EQ values: \"x\" } } min_count: 3 days: 30"));
    CHECK_THAT(error, Contains("rules[1] (complaints-30d): window.events[0].conditions[0] field "
                               "\"channel\": jianguan.cases.v1.LeadRegistered has no field"));
  }
  WHEN("a condition's value is no value of the field") {
    const std::string error = Refusal(Window(
        "events { event_type: \"jianguan.cases.v1.LeadRegistered\" "
        "conditions { field: \"source\" op: OPERATOR_EQ values: \"LEAD_SOURCE_RUMOUR\" } } "
        "min_count: 3 days: 30"));
    CHECK_THAT(error, Contains("rules[1] (complaints-30d): window.events[0].conditions[0] "
                               "values[0] \"LEAD_SOURCE_RUMOUR\" is not a value of "
                               "jianguan.cases.v1.LeadSource"));
  }
  WHEN("a window has no bound") {
    const std::string no_days = Refusal(Window(std::string(kComplaint) + " min_count: 3"));
    const std::string no_count = Refusal(Window(std::string(kComplaint) + " days: 30"));
    const std::string too_long =
        Refusal(Window(std::string(kComplaint) + " min_count: 3 days: 3661"));
    const std::string nothing = Refusal(Window("min_count: 3 days: 30"));
    CHECK_THAT(no_days, Contains("rules[1] (complaints-30d): window.days must be 1–3660, got 0"));
    CHECK_THAT(no_count,
               Contains("rules[1] (complaints-30d): window.min_count must be 1–1000, got 0"));
    CHECK_THAT(too_long,
               Contains("rules[1] (complaints-30d): window.days must be 1–3660, got 3661"));
    CHECK_THAT(nothing, Contains("rules[1] (complaints-30d): window.events is empty"));
  }
  WHEN("a threshold has no N ≥ 1 or no proper comparison") {
    const auto threshold = [](const std::string& body) {
      return "rules { id: \"nh3\" name: \"氨氮超标\" level: ALERT_LEVEL_RED field: \"ecology-environment\" threshold { " + body +
             " } }";
    };
    const std::string base = "metric: \"ammonia_nitrogen\" unit: \"mg/L\" limit: 8 ";
    CHECK_THAT(Refusal(threshold(base + "comparison: OPERATOR_GT")),
               Contains("rules[1] (nh3): threshold.consecutive must be 1–1000, got 0"));
    CHECK_THAT(Refusal(threshold(base + "comparison: OPERATOR_EQ consecutive: 3")),
               Contains("rules[1] (nh3): threshold.comparison must be OPERATOR_LT"));
    CHECK_THAT(Refusal(threshold("metric: \"氨氮\" unit: \"mg/L\" comparison: OPERATOR_GT "
                                 "consecutive: 3")),
               Contains("rules[1] (nh3): threshold.metric must be 1–64 characters"));
    CHECK_THAT(Refusal(threshold("metric: \"nh3\" comparison: OPERATOR_GT consecutive: 3")),
               Contains("rules[1] (nh3): threshold.unit is empty"));
    CHECK_THAT(Refusal(threshold(base + "comparison: OPERATOR_GT consecutive: 3 "
                                        "clear_consecutive: -1")),
               Contains("rules[1] (nh3): threshold.clear_consecutive must be 0–1000, got -1"));
    CHECK_THAT(Refusal(threshold("metric: \"nh3\" unit: \"mg/L\" comparison: OPERATOR_GT "
                                 "consecutive: 3 limit: inf")),
               Contains("rules[1] (nh3): threshold.limit is not a finite number"));
  }
  WHEN("an absence has no duration, or not exactly one kind") {
    const auto absence = [](const std::string& body) {
      return "rules { id: \"silent\" name: \"数据中断\" level: ALERT_LEVEL_BLUE field: \"ecology-environment\" absence { " + body +
             " } }";
    };
    CHECK_THAT(Refusal(absence("reading { metric: \"cod\" }")),
               Contains("rules[1] (silent): absence.reading.hours must be 1–8784, got 0"));
    CHECK_THAT(Refusal(absence("event { expected { "
                               "event_type: \"jianguan.inspection.v1.ResultPublished\" } }")),
               Contains("rules[1] (silent): absence.event.days must be 1–3660, got 0"));
    CHECK_THAT(Refusal(absence("event { days: 30 }")),
               Contains("rules[1] (silent): absence.event.expected is not set"));
    CHECK_THAT(Refusal(absence("")),
               Contains("rules[1] (silent): absence needs exactly one of reading and event"));
  }
  WHEN("a state's clear can match the very event that enters it") {
    const std::string error = Refusal(R"pb(
      rules { id: "grade-low" name: "信用等级低" level: ALERT_LEVEL_YELLOW field: "ecology-environment"
              state { enter { event_type: "jianguan.credit.v1.CreditGradeChanged"
                              conditions { field: "grade" op: OPERATOR_EQ
                                           values: "CREDIT_GRADE_D" } }
                      clear { event_type: "jianguan.credit.v1.CreditGradeChanged"
                              conditions { field: "score" op: OPERATOR_GE values: "60" } } } }
    )pb");
    CHECK_THAT(error, Contains("rules[1] (grade-low): state.clear can match the same event as "
                               "state.enter"));
  }
  WHEN("a combination names an unknown rule, itself, or closes a cycle") {
    const std::string unknown = Refusal(R"pb(
      rules { id: "both" name: "组合" level: ALERT_LEVEL_RED field: "ecology-environment"
              combination { join: JOIN_ALL rules: ["grade-d", "nobody"] } }
    )pb");
    CHECK_THAT(unknown, Contains("rules[1] (both): combination.rules[1] \"nobody\" is not a rule "
                                 "of the set"));
    const std::string itself = Refusal(R"pb(
      rules { id: "both" name: "组合" level: ALERT_LEVEL_RED field: "ecology-environment"
              combination { join: JOIN_ANY rules: ["grade-d", "both"] } }
    )pb");
    CHECK_THAT(itself, Contains("rules[1] (both): combination.rules[1] is the rule itself"));
    const std::string cycle = Refusal(R"pb(
      rules { id: "a" name: "甲" level: ALERT_LEVEL_RED field: "ecology-environment"
              combination { join: JOIN_ANY rules: ["grade-d", "b"] } }
      rules { id: "b" name: "乙" level: ALERT_LEVEL_RED field: "ecology-environment"
              combination { join: JOIN_ANY rules: ["grade-d", "a"] } }
    )pb");
    CHECK_THAT(cycle, Contains("rules[1] (a): combination.rules form a cycle: a → b → a"));
    const std::string few = Refusal(R"pb(
      rules { id: "one" name: "单" level: ALERT_LEVEL_RED field: "ecology-environment"
              combination { join: JOIN_ALL rules: ["grade-d"] } }
    )pb");
    CHECK_THAT(few, Contains("rules[1] (one): combination.rules needs at least two rules, got 1"));
  }
  WHEN("ids repeat or break the charset, or name, level or kind are missing") {
    CHECK_THAT(Refusal(Window(std::string(kComplaint) + " min_count: 3 days: 30", "grade-d")),
               Contains("rules[1] (grade-d): id already used by rules[0]"));
    CHECK_THAT(Refusal(Window(std::string(kComplaint) + " min_count: 3 days: 30", "投诉 30")),
               Contains("rules[1] (投诉 30): id must be 1–64 characters of [A-Za-z0-9._-]"));
    CHECK_THAT(Refusal("rules { id: \"x\" level: ALERT_LEVEL_RED field: \"ecology-environment\" window { " +
                       std::string(kComplaint) + " min_count: 1 days: 1 } }"),
               Contains("rules[1] (x): name is empty"));
    CHECK_THAT(Refusal("rules { id: \"x\" name: \"无级别\" window { " + std::string(kComplaint) +
                       " min_count: 1 days: 1 } }"),
               Contains("rules[1] (x): level must be ALERT_LEVEL_BLUE … _RED, got 0"));
    CHECK_THAT(Refusal("rules { id: \"x\" name: \"无类型\" level: ALERT_LEVEL_RED field: \"ecology-environment\" }"),
               Contains("rules[1] (x): no kind"));
  }
  WHEN("the error echoes a rule id that is not UTF-8") {
    const std::string error =
        Refusal(Window(std::string(kComplaint) + " min_count: 3", "bad\\xff"));
    THEN("the error is valid UTF-8 all the same") {
      CHECK_THAT(error, Contains("rules[1] (bad\xEF\xBF\xBD)"));
      CHECK(IsValidUtf8(error));
    }
  }
}

SCENARIO("the set's own fields are checked") {
  constexpr char kRule[] = R"pb(
    rules { id: "x" name: "x" level: ALERT_LEVEL_RED field: "ecology-environment"
            state { enter { event_type: "jianguan.credit.v1.CreditGradeChanged" } } }
  )pb";
  CHECK_THAT(Refusal("", "name: \"s\" version: \"t.1\" effective_date { year: 2026 month: 1 }"),
             Contains("rules: a rule set needs at least one rule"));
  CHECK_THAT(Refusal(kRule, "name: \"s\" version: \"t 1\" "
                            "effective_date { year: 2026 month: 1 day: 1 }"),
             Contains("version must be 1–32 characters"));
  const std::string both =
      Refusal(kRule, "version: \"t.1\" effective_date { year: 2026 month: 2 day: 30 }");
  CHECK_THAT(both, Contains("effective_date 2026-02-30 is not a date"));
  CHECK_THAT(both, Contains("name must be 1–64 characters"));
}

SCENARIO("every problem of a rule set is reported at once") {
  const std::string error = Refusal(Window(std::string(kComplaint) + " days: 30", "a") +
                                    Window(std::string(kComplaint) + " min_count: 3", "b"));
  CHECK_THAT(error, Contains("rules[1] (a): window.min_count"));
  CHECK_THAT(error, Contains("rules[2] (b): window.days"));
}

}  // namespace
}  // namespace jianguan::risk
