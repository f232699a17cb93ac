// The credit model (信用评价模型, DESIGN.md §1.6): what a model may say, which rule scores an
// event, the grades, and which version applies on a day.
#include "services/credit/domain/credit_model.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/text_checks.h"
#include "libs/testing/dates.h"

namespace jianguan::credit {
namespace {

namespace cases = ::jianguan::cases::v1;
namespace inspection = ::jianguan::inspection::v1;
namespace subject = ::jianguan::subject::v1;
using Catch::Matchers::Contains;
using jianguan::testing::DateOf;

const std::string kPenaltyDecided = "jianguan.cases.v1.PenaltyDecided";
const std::string kResultPublished = "jianguan.inspection.v1.ResultPublished";
const std::string kStatusChanged = "jianguan.subject.v1.SubjectStatusChanged";
const std::string kCommitmentResolved = "jianguan.subject.v1.CommitmentResolved";

// One condition in text format: Cond("fine.fen", "GE", {"1000000"}).
std::string Cond(const std::string& field, const std::string& op,
                 const std::vector<std::string>& values) {
  std::string text = "conditions { field: \"" + field + "\" op: OPERATOR_" + op;
  for (const std::string& value : values) text += " values: \"" + value + "\"";
  return text + " }";
}

struct RuleSpec {
  std::string id;
  std::string event_type;
  std::vector<std::string> conditions;
  int priority = 0;
};

std::string RuleText(const RuleSpec& rule) {
  std::string text = "rules { id: \"" + rule.id + "\" event_type: \"" + rule.event_type +
                     "\" points: -5 shown_months: 3 legal_basis: \"test\" priority: " +
                     std::to_string(rule.priority);
  for (const std::string& condition : rule.conditions) text += " " + condition;
  return text + " }\n";
}

v1::CreditModel ModelOf(const std::vector<RuleSpec>& rules, const std::string& version = "t.1",
                        int month = 1) {
  std::string text = "version: \"" + version + "\" effective_date { year: 2026 month: " +
                     std::to_string(month) + " day: 1 }\n";
  for (const RuleSpec& rule : rules) text += RuleText(rule);
  absl::StatusOr<v1::CreditModel> model = ParseModelText(text, "test");
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  return *std::move(model);
}

CompiledModel Compiled(const v1::CreditModel& model) {
  absl::StatusOr<CompiledModel> compiled = CompiledModel::Compile(model);
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return *std::move(compiled);
}

CompiledModel Compiled(const std::vector<RuleSpec>& rules) { return Compiled(ModelOf(rules)); }

std::string CompileError(const v1::CreditModel& model) {
  absl::StatusOr<CompiledModel> compiled = CompiledModel::Compile(model);
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(compiled.status().message());
}

std::string CompileError(const std::vector<RuleSpec>& rules) {
  return CompileError(ModelOf(rules));
}

bool Accepted(const std::vector<RuleSpec>& rules) {
  absl::StatusOr<CompiledModel> compiled = CompiledModel::Compile(ModelOf(rules));
  INFO(compiled.status().ToString());
  return compiled.ok();
}

const char* IdOf(const v1::Rule* rule) { return rule == nullptr ? "(none)" : rule->id().c_str(); }

cases::PenaltyDecided Penalty(std::vector<cases::PenaltyKind> kinds, int64_t fen,
                                  bool serious = false,
                                  cases::PartyKind party = cases::PARTY_KIND_CITIZEN) {
  cases::PenaltyDecided event;
  for (cases::PenaltyKind kind : kinds) event.add_kinds(kind);
  event.mutable_fine()->set_fen(fen);
  event.set_serious(serious);
  event.mutable_summary()->set_party_kind(party);
  return event;
}

inspection::ResultPublished Published(const std::vector<std::string>& category_codes) {
  inspection::ResultPublished event;
  for (const std::string& code : category_codes) {
    event.mutable_result()->add_departments()->mutable_category()->set_code(code);
  }
  return event;
}

// A rule that compiles, placed before the rule under test so errors must name the right one.
const RuleSpec kGood{"GOOD", "jianguan.cases.v1.PenaltyDecided",
                     {Cond("serious", "EQ", {"true"})}, 100};

// ---------------------------------------------------------------------------------------

TEST_CASE("credit consumes every event of the subject, inspection and cases topics") {
  const std::vector<std::string>& types = KnownEventTypes();
  CHECK(types.size() == 6 + 9 + 8);
  CHECK(std::set<std::string>(types.begin(), types.end()).size() == types.size());
  for (const char* name :
       {"jianguan.subject.v1.SubjectStatusChanged", "jianguan.subject.v1.CommitmentResolved",
        "jianguan.inspection.v1.ResultPublished", "jianguan.inspection.v1.LeadTransferred",
        "jianguan.cases.v1.LeadTransferred", "jianguan.cases.v1.PenaltyDecided",
        "jianguan.cases.v1.CaseClosed"}) {
    INFO(name);
    CHECK(std::find(types.begin(), types.end(), name) != types.end());
  }
  for (const std::string& type : types) {
    INFO(type);
    const CompiledModel model = Compiled({{"ANY", type, {}}});
    CHECK(model.HandlesType(type));
  }
}

SCENARIO("a model that could score wrongly is refused, naming the rule") {
  GIVEN("a valid rule followed by a rule with one defect") {
    const auto refusal = [](RuleSpec bad) { return CompileError({kGood, bad}); };

    WHEN("the event type is not one credit consumes") {
      const std::string error = refusal({"BAD", "jianguan.cases.v1.PenaltyForgiven", {}});
      THEN("the rule and the type are named") {
        CHECK_THAT(error, Contains("rules[1] (BAD): event_type "
                                   "\"jianguan.cases.v1.PenaltyForgiven\" is not an event "
                                   "credit consumes"));
        CHECK_THAT(error, !Contains("rules[0]"));
      }
    }
    WHEN("a condition names a field the event does not have") {
      const std::string error =
          refusal({"BAD", kPenaltyDecided, {Cond("fine.yuan", "GE", {"10000"})}});
      THEN("the path and the missing field are named") {
        CHECK_THAT(error, Contains("rules[1] (BAD): conditions[0] field \"fine.yuan\": "
                                   "jianguan.common.v1.Money has no field \"yuan\""));
      }
    }
    WHEN("a path goes on from a field that is no message") {
      const std::string error =
          refusal({"BAD", kPenaltyDecided, {Cond("serious.value", "EQ", {"true"})}});
      THEN("it is refused") {
        CHECK_THAT(error, Contains("rules[1] (BAD): conditions[0] field \"serious.value\": "
                                   "serious is not a message"));
      }
    }
    WHEN("a path ends on a message") {
      const std::string error = refusal({"BAD", kPenaltyDecided, {Cond("fine", "GE", {"1"})}});
      THEN("it is refused: a message cannot be compared") {
        CHECK_THAT(error, Contains("rules[1] (BAD): conditions[0] field \"fine\" ends on a "
                                   "message (jianguan.common.v1.Money)"));
      }
    }
    WHEN("an integer field is compared with something that is no integer") {
      for (const char* value : {"10k", "1e6", " 5", "+5", "", "99999999999999999999"}) {
        INFO("value: '" << value << "'");
        const std::string error =
            refusal({"BAD", kPenaltyDecided, {Cond("fine.fen", "GE", {value})}});
        CHECK_THAT(error, Contains("rules[1] (BAD): conditions[0] values[0]"));
        CHECK_THAT(error, Contains("is not an integer"));
      }
    }
    WHEN("an enum field is compared with a name the enum does not have") {
      const std::string error = refusal(
          {"BAD", kStatusChanged, {Cond("change.to", "EQ", {"SUBJECT_STATUS_BANKRUPT"})}});
      THEN("the enum is named") {
        CHECK_THAT(error, Contains("rules[1] (BAD): conditions[0] values[0] "
                                   "\"SUBJECT_STATUS_BANKRUPT\" is not a value of "
                                   "jianguan.subject.v1.SubjectStatus"));
      }
    }
    WHEN("a boolean is compared with something other than true or false") {
      const std::string error = refusal({"BAD", kPenaltyDecided, {Cond("serious", "EQ", {"1"})}});
      THEN("it is refused") {
        CHECK_THAT(error,
                   Contains("rules[1] (BAD): conditions[0] values[0] \"1\" is not true or false"));
      }
    }
    WHEN("a string or an enum is ordered") {
      const std::string on_string = refusal(
          {"BAD", kPenaltyDecided, {Cond("summary.department.code", "LT", {"330700"})}});
      const std::string on_enum = refusal(
          {"BAD", kPenaltyDecided, {Cond("summary.party_kind", "GT", {"PARTY_KIND_CITIZEN"})}});
      THEN("ordering operators apply to numbers only") {
        CHECK_THAT(on_string, Contains("rules[1] (BAD): conditions[0] OPERATOR_LT orders numbers"));
        CHECK_THAT(on_enum, Contains("rules[1] (BAD): conditions[0] OPERATOR_GT orders numbers"));
      }
    }
    WHEN("EQ has two values, IN none, or the operator is not set") {
      const std::string two = refusal(
          {"BAD", kPenaltyDecided, {Cond("fine.fen", "EQ", {"1", "2"})}});
      const std::string none =
          refusal({"BAD", kPenaltyDecided, {Cond("summary.department.code", "IN", {})}});
      const std::string unset = refusal(
          {"BAD", kPenaltyDecided, {"conditions { field: \"fine.fen\" values: \"1\" }"}});
      THEN("each is refused") {
        CHECK_THAT(two, Contains("rules[1] (BAD): conditions[0] OPERATOR_EQ takes exactly one "
                                 "value, got 2"));
        CHECK_THAT(none, Contains("rules[1] (BAD): conditions[0] OPERATOR_IN takes at least one "
                                  "value, got 0"));
        CHECK_THAT(unset, Contains("rules[1] (BAD): conditions[0] op is not set"));
      }
    }
    WHEN("two rules share an id") {
      RuleSpec twin = kGood;
      twin.conditions = {Cond("serious", "EQ", {"false"})};
      const std::string error = refusal(twin);
      THEN("the second is refused, naming the first") {
        CHECK_THAT(error, Contains("rules[1] (GOOD): id already used by rules[0]"));
      }
    }
    WHEN("an id is not 1–64 characters of [A-Za-z0-9._-]") {
      const std::string spaced = refusal({"SCJG FINE", kPenaltyDecided, {}});
      const std::string long_id = refusal({std::string(65, 'X'), kPenaltyDecided, {}});
      THEN("it is refused") {
        CHECK_THAT(spaced, Contains("rules[1] (SCJG FINE): id must be 1–64 characters"));
        CHECK_THAT(long_id, Contains("id must be 1–64 characters"));
      }
    }
  }
}

SCENARIO("a rule's points, periods and restriction are checked") {
  GIVEN("a model whose second rule is edited") {
    v1::CreditModel model = ModelOf({kGood, {"BAD", kStatusChanged, {}}});
    v1::Rule& rule = *model.mutable_rules(1);
    WHEN("points are 0 or beyond ±100") {
      rule.set_points(0);
      CHECK_THAT(CompileError(model),
                 Contains("rules[1] (BAD): points must be −100…100 and not 0"));
      rule.set_points(-101);
      CHECK_THAT(CompileError(model), Contains("rules[1] (BAD): points must be −100…100"));
      rule.set_points(100);
      rule.set_shown_months(0);
      THEN("100 itself is allowed, and a positive rule needs no publication period") {
        CHECK(CompiledModel::Compile(model).ok());
      }
    }
    WHEN("a deduction has no publication period (公示期)") {
      rule.set_shown_months(0);
      THEN("it is refused") {
        CHECK_THAT(CompileError(model),
                   Contains("rules[1] (BAD): a deduction needs shown_months of at least 1"));
      }
    }
    WHEN("repair_after_months is negative") {
      rule.set_repair_after_months(-1);
      THEN("it is refused") {
        CHECK_THAT(CompileError(model),
                   Contains("rules[1] (BAD): repair_after_months must not be negative"));
      }
    }
    WHEN("a restriction is empty, repeats or leaves unset a measure, or lasts no month") {
      v1::RestrictionRule& restriction = *rule.mutable_restricts();
      restriction.set_months(12);
      CHECK_THAT(CompileError(model), Contains("rules[1] (BAD): restricts.measures is empty"));
      restriction.add_measures(v1::MEASURE_TENDER);
      restriction.add_measures(v1::MEASURE_TENDER);
      CHECK_THAT(CompileError(model), Contains("restricts.measures[1] repeats MEASURE_TENDER"));
      restriction.set_measures(1, v1::MEASURE_UNSPECIFIED);
      CHECK_THAT(CompileError(model), Contains("restricts.measures[1] is not a measure (0)"));
      restriction.set_measures(1, v1::MEASURE_HONOUR);
      restriction.set_months(0);
      CHECK_THAT(CompileError(model),
                 Contains("rules[1] (BAD): restricts.months must be at least 1"));
      restriction.set_months(1);
      THEN("a restriction of distinct measures for a month or more is accepted") {
        CHECK(CompiledModel::Compile(model).ok());
      }
    }
  }
}

SCENARIO("the model's own fields are checked") {
  GIVEN("a valid model") {
    v1::CreditModel model = ModelOf({kGood});
    REQUIRE(CompiledModel::Compile(model).ok());
    WHEN("the effective date is not in the calendar") {
      *model.mutable_effective_date() = DateOf(2026, 2, 30);
      THEN("it is refused") {
        CHECK_THAT(CompileError(model), Contains("effective_date 2026-02-30 is not a date"));
      }
    }
    WHEN("the effective date is unset") {
      model.clear_effective_date();
      THEN("it is refused") { CHECK_THAT(CompileError(model), Contains("effective_date")); }
    }
    WHEN("the version is not 1–32 characters of [A-Za-z0-9._-]") {
      model.set_version(std::string(33, '1'));
      CHECK_THAT(CompileError(model), Contains("version must be 1–32 characters"));
      model.set_version("");
      CHECK_THAT(CompileError(model), Contains("version must be 1–32 characters"));
    }
    WHEN("the bands do not descend strictly, the defaults counting where unset") {
      model.mutable_bands()->set_a_min(80);
      CHECK_THAT(CompileError(model), Contains("bands must descend strictly"));
      model.mutable_bands()->set_a_min(95);
      model.mutable_bands()->set_c_min(85);
      CHECK_THAT(CompileError(model), Contains("bands must descend strictly"));
      model.mutable_bands()->set_b_min(90);
      THEN("95 > 90 > 85 is accepted") { CHECK(CompiledModel::Compile(model).ok()); }
    }
    WHEN("there is no rule, or more than 10,000") {
      v1::CreditModel empty = model;
      empty.clear_rules();
      CHECK_THAT(CompileError(empty), Contains("a model needs at least one rule"));
      for (int i = 0; i < 10'000; ++i) *model.add_rules() = model.rules(0);
      CHECK_THAT(CompileError(model), Contains("10001 rules, at most 10000"));
    }
    WHEN("grade D restricts an unset measure") {
      model.add_grade_d_measures(v1::MEASURE_UNSPECIFIED);
      THEN("it is refused") {
        CHECK_THAT(CompileError(model), Contains("grade_d_measures[0] is not a measure"));
      }
    }
  }
}

SCENARIO("every problem of a model is reported at once") {
  GIVEN("two bad rules") {
    const std::string error = CompileError(
        {{"A", "jianguan.cases.v1.Nope", {}}, {"B", kPenaltyDecided, {Cond("fine", "EQ", {"1"})}}});
    THEN("both are named") {
      CHECK_THAT(error, Contains("rules[0] (A)"));
      CHECK_THAT(error, Contains("rules[1] (B)"));
    }
  }
}

SCENARIO("an error about a rule whose id is not UTF-8 is itself valid UTF-8") {
  GIVEN("a rule id with bytes that are not UTF-8, and one with Chinese characters") {
    v1::CreditModel model = ModelOf({kGood, {"X", kPenaltyDecided, {}}});
    model.mutable_rules(1)->set_id("SCJG-\xff\xc3-X");
    const std::string error = CompileError(model);
    THEN("the bad bytes are replaced and the rule is still named") {
      CHECK(IsValidUtf8(error));
      CHECK_THAT(error, Contains("rules[1] (SCJG-\xEF\xBF\xBD\xEF\xBF\xBD-X): id must be"));
    }
    model.mutable_rules(1)->set_id("罚款");
    CHECK_THAT(CompileError(model), Contains("rules[1] (罚款): id must be"));
  }
}

SCENARIO("two rules that can match one event must differ in priority: an event scores once") {
  const auto fine = [](const std::string& op, const std::string& fen, int priority = 0) {
    return RuleSpec{"FINE-" + op, kPenaltyDecided, {Cond("fine.fen", op, {fen})}, priority};
  };
  GIVEN("a large fine and a serious violation, both possible in one decision") {
    const RuleSpec large = fine("GE", "1000000");
    const RuleSpec serious{"SERIOUS", kPenaltyDecided, {Cond("serious", "EQ", {"true"})}};
    THEN("at one priority they are refused, naming both") {
      CHECK_THAT(CompileError({large, serious}),
                 Contains("rules[0] (FINE-GE) and rules[1] (SERIOUS) overlap without a priority"));
    }
    THEN("at different priorities they are accepted") {
      RuleSpec higher = serious;
      higher.priority = 1;
      CHECK(Accepted({large, higher}));
    }
  }
  GIVEN("fines of 10,000 yuan and more, and fines below (1,000,000 fen)") {
    THEN("the two ranges never meet, so no priority is needed") {
      CHECK(Accepted({fine("GE", "1000000"), fine("LT", "1000000")}));
    }
  }
  GIVEN("ranges that share or just miss a boundary") {
    CHECK_FALSE(Accepted({fine("GE", "100"), fine("LE", "100")}));
    CHECK(Accepted({fine("GE", "100"), fine("LT", "100")}));
    CHECK(Accepted({fine("GT", "100"), fine("LE", "100")}));
    CHECK_FALSE(Accepted({fine("GT", "99"), fine("LT", "101")}));
    CHECK(Accepted({fine("GT", "99"), fine("LT", "100")}));
    CHECK_FALSE(Accepted({fine("NE", "5"), fine("GT", "4")}));
    CHECK(Accepted({fine("EQ", "5"), fine("NE", "5")}));
  }
  GIVEN("a rule with two conditions on one field, making a window") {
    const auto window = [](const std::string& fen) {
      return std::vector<RuleSpec>{
          {"WINDOW", kPenaltyDecided,
           {Cond("fine.fen", "GT", {"100"}), Cond("fine.fen", "LT", {"200"})}},
          {"POINT", kPenaltyDecided, {Cond("fine.fen", "EQ", {fen})}}};
    };
    CHECK_FALSE(Accepted(window("150")));
    CHECK(Accepted(window("200")));
    CHECK(Accepted(window("100")));
  }
  GIVEN("bounds at the ends of int64") {
    THEN("no neighbour overflows") {
      CHECK(Accepted({fine("GE", "9223372036854775807"), fine("LT", "9223372036854775807")}));
      CHECK(Accepted({fine("LE", "-9223372036854775808"), fine("GT", "-9223372036854775808")}));
      CHECK_FALSE(Accepted({fine("GE", "9223372036854775807"), fine("GT", "0")}));
    }
  }
  GIVEN("an int32 field, whose values end at 2,147,483,647") {
    const auto count = [](const std::string& op, const std::string& value) {
      return RuleSpec{"COUNT-" + op, kResultPublished,
                      {Cond("result.answered_count", op, {value})}};
    };
    THEN("a bound beyond it meets nothing") {
      CHECK(Accepted({count("GT", "2147483647"), count("GE", "0")}));
      CHECK_FALSE(Accepted({count("GE", "2147483647"), count("GE", "0")}));
    }
  }
  GIVEN("enum, boolean and string conditions") {
    const auto status = [](const std::string& op, const std::string& value) {
      return RuleSpec{"TO-" + op + value, kStatusChanged, {Cond("change.to", op, {value})}};
    };
    CHECK(Accepted({status("EQ", "SUBJECT_STATUS_ABNORMAL_OPERATION"),
                    status("EQ", "SUBJECT_STATUS_SERIOUS_VIOLATION")}));
    CHECK_FALSE(Accepted({status("NE", "SUBJECT_STATUS_ABNORMAL_OPERATION"),
                          status("EQ", "SUBJECT_STATUS_SERIOUS_VIOLATION")}));
    const auto serious = [](const std::string& op, const std::string& value) {
      return RuleSpec{"S-" + op + value, kPenaltyDecided, {Cond("serious", op, {value})}};
    };
    CHECK(Accepted({serious("EQ", "true"), serious("NE", "true")}));
    CHECK(Accepted({serious("EQ", "true"), serious("EQ", "false")}));
    CHECK_FALSE(Accepted({serious("EQ", "true"), serious("NE", "false")}));
    const auto department = [](const std::string& name, const std::string& op,
                               const std::vector<std::string>& codes) {
      return RuleSpec{name, kPenaltyDecided, {Cond("summary.department.code", op, codes)}};
    };
    CHECK(Accepted(
        {department("A", "EQ", {"330700-SCJG"}), department("B", "NE", {"330700-SCJG"})}));
    // Some department is neither of the two.
    CHECK_FALSE(Accepted(
        {department("A", "NE", {"330700-SCJG"}), department("B", "NE", {"330700-WSJ"})}));
    CHECK_FALSE(Accepted({department("A", "IN", {"1", "2"}), department("B", "IN", {"2", "3"})}));
    CHECK(Accepted({department("A", "IN", {"1", "2"}), department("B", "IN", {"3"})}));
  }
  GIVEN("enum conditions that between them exclude every value the enum names") {
    const RuleSpec neither{"NEITHER",
                           kPenaltyDecided,
                           {Cond("summary.party_kind", "NE", {"PARTY_KIND_UNSPECIFIED"}),
                            Cond("summary.party_kind", "NE", {"PARTY_KIND_CITIZEN"})}};
    const RuleSpec not_organisation{
        "NOT-ORG",
        kPenaltyDecided,
        {Cond("summary.party_kind", "NE", {"PARTY_KIND_ORGANISATION"})}};
    THEN("a number the enum does not name, as a newer producer may send, still meets both") {
      CHECK_FALSE(Accepted({neither, not_organisation}));
    }
  }
  GIVEN("conditions through a repeated field: a joint task's departments, a decision's kinds") {
    THEN("they never keep two rules apart, since different elements may meet them") {
      CHECK_FALSE(Accepted(
          {{"VIOLATION", kResultPublished,
            {Cond("result.departments.category.code", "IN", {"3", "4", "5"})}},
           {"OBSTRUCTED", kResultPublished,
            {Cond("result.departments.category.code", "EQ", {"8"})}}}));
      CHECK_FALSE(Accepted({{"FINE", kPenaltyDecided, {Cond("kinds", "IN", {"PENALTY_KIND_FINE"})}},
                            {"REVOKED", kPenaltyDecided,
                             {Cond("kinds", "IN", {"PENALTY_KIND_LICENCE_REVOCATION"})}}}));
    }
    THEN("a singular field beside them still does") {
      CHECK(Accepted({{"CITIZEN", kPenaltyDecided,
                       {Cond("kinds", "IN", {"PENALTY_KIND_FINE"}),
                        Cond("summary.party_kind", "EQ", {"PARTY_KIND_CITIZEN"})}},
                      {"ORG", kPenaltyDecided,
                       {Cond("kinds", "IN", {"PENALTY_KIND_FINE"}),
                        Cond("summary.party_kind", "EQ", {"PARTY_KIND_ORGANISATION"})}}}));
    }
  }
  GIVEN("a rule without conditions") {
    THEN("it meets every rule of its type at its priority, and no rule of another type") {
      CHECK_FALSE(Accepted({{"ALL", kPenaltyDecided, {}}, fine("GE", "1")}));
      CHECK(Accepted({{"ALL", kPenaltyDecided, {}}, {"OTHER", kResultPublished, {}}}));
    }
  }
}

SCENARIO("the rule of the highest priority whose conditions all hold scores a penalty decision") {
  GIVEN("a notice of criticism or small fine (10), a fine of 10,000 yuan or more (20) and a "
        "serious violation (30), listed lowest priority last") {
    const CompiledModel model = Compiled(
        {{"SERIOUS", kPenaltyDecided, {Cond("serious", "EQ", {"true"})}, 30},
         {"SMALL", kPenaltyDecided,
          {Cond("kinds", "IN", {"PENALTY_KIND_NOTICE_OF_CRITICISM", "PENALTY_KIND_FINE"}),
           Cond("fine.fen", "LT", {"1000000"})},
          10},
         {"LARGE", kPenaltyDecided, {Cond("fine.fen", "GE", {"1000000"})}, 20}});
    using K = cases::PenaltyKind;
    WHEN("a serious violation is fined 20,000 yuan") {
      THEN("the serious rule applies alone") {
        CHECK(IdOf(model.Match(Penalty({K::PENALTY_KIND_FINE}, 2000000, true))) ==
              std::string("SERIOUS"));
      }
    }
    WHEN("fines fall either side of 10,000 yuan") {
      CHECK(IdOf(model.Match(Penalty({K::PENALTY_KIND_FINE}, 2000000))) == std::string("LARGE"));
      CHECK(IdOf(model.Match(Penalty({K::PENALTY_KIND_FINE}, 1000000))) == std::string("LARGE"));
      CHECK(IdOf(model.Match(Penalty({K::PENALTY_KIND_FINE}, 999999))) == std::string("SMALL"));
      CHECK(IdOf(model.Match(Penalty({K::PENALTY_KIND_NOTICE_OF_CRITICISM}, 0))) ==
            std::string("SMALL"));
    }
    WHEN("the decision is a warning only (警告, not published)") {
      THEN("no rule applies") {
        CHECK(model.Match(Penalty({K::PENALTY_KIND_WARNING}, 0)) == nullptr);
      }
    }
    WHEN("an event of a type without rules arrives") {
      THEN("nothing matches and the type is not handled") {
        CHECK(model.Match(Published({"3"})) == nullptr);
        CHECK_FALSE(model.HandlesType(kResultPublished));
        CHECK(model.HandlesType(kPenaltyDecided));
      }
    }
    THEN("rules are found by id") {
      REQUIRE(model.FindRule("LARGE") != nullptr);
      CHECK(model.FindRule("LARGE")->priority() == 20);
      CHECK(model.FindRule("LARG") == nullptr);
      CHECK(model.FindRule("") == nullptr);
    }
    THEN("a copy outlives the original") {
      const CompiledModel copy = [&] {
        const CompiledModel inner = model;
        return inner;
      }();
      CHECK(IdOf(copy.Match(Penalty({K::PENALTY_KIND_FINE}, 5))) == std::string("SMALL"));
    }
  }
}

SCENARIO("a published result scores when any participating department found a violation") {
  GIVEN("Zhejiang categories 3, 4, 5 (violation found, 10) and 8 (不配合检查情节严重, 20)") {
    const CompiledModel model = Compiled(
        {{"VIOLATION", kResultPublished,
          {Cond("result.departments.category.code", "IN", {"3", "4", "5"})}, 10},
         {"OBSTRUCTED", kResultPublished,
          {Cond("result.departments.category.code", "EQ", {"8"})}, 20}});
    THEN("one department of a joint task with category 4 is enough") {
      CHECK(IdOf(model.Match(Published({"1", "4"}))) == std::string("VIOLATION"));
    }
    THEN("obstruction outranks the violation found by another department") {
      CHECK(IdOf(model.Match(Published({"4", "8"}))) == std::string("OBSTRUCTED"));
    }
    THEN("no problem found, or no department, scores nothing") {
      CHECK(model.Match(Published({"1"})) == nullptr);
      CHECK(model.Match(Published({"1", "E"})) == nullptr);
      CHECK(model.Match(Published({})) == nullptr);
    }
  }
  GIVEN("a rule with two conditions on the departments") {
    const CompiledModel model = Compiled(
        {{"SCJG-3", kResultPublished,
          {Cond("result.departments.category.code", "EQ", {"3"}),
           Cond("result.departments.department.code", "EQ", {"330700-SCJG"})}}});
    THEN("each condition may hold for a different department") {
      inspection::ResultPublished event = Published({"3", "1"});
      event.mutable_result()->mutable_departments(1)->mutable_department()->set_code(
          "330700-SCJG");
      CHECK(IdOf(model.Match(event)) == std::string("SCJG-3"));
      event.mutable_result()->mutable_departments(1)->mutable_department()->set_code("330700-WSJ");
      CHECK(model.Match(event) == nullptr);
    }
  }
}

SCENARIO("status changes and commitments match by enum value") {
  GIVEN("a rule for listing as a serious violator and one for a breached commitment (告知承诺)") {
    const CompiledModel model = Compiled(
        {{"SERIOUS-LIST", kStatusChanged,
          {Cond("change.to", "EQ", {"SUBJECT_STATUS_SERIOUS_VIOLATION"})}},
         {"BREACHED", kCommitmentResolved,
          {Cond("commitment.state", "EQ", {"COMMITMENT_STATE_BREACHED"})}}});
    subject::SubjectStatusChanged changed;
    subject::CommitmentResolved resolved;
    WHEN("a subject is listed as a serious violator") {
      changed.mutable_change()->set_to(subject::SUBJECT_STATUS_SERIOUS_VIOLATION);
      THEN("the rule applies") { CHECK(IdOf(model.Match(changed)) == std::string("SERIOUS-LIST")); }
    }
    WHEN("a subject is listed as operating abnormally, or the change is empty") {
      CHECK(model.Match(changed) == nullptr);
      changed.mutable_change()->set_to(subject::SUBJECT_STATUS_ABNORMAL_OPERATION);
      CHECK(model.Match(changed) == nullptr);
    }
    WHEN("a commitment is resolved") {
      resolved.mutable_commitment()->set_state(subject::COMMITMENT_STATE_BREACHED);
      CHECK(IdOf(model.Match(resolved)) == std::string("BREACHED"));
      resolved.mutable_commitment()->set_state(subject::COMMITMENT_STATE_FULFILLED);
      CHECK(model.Match(resolved) == nullptr);
    }
  }
}

SCENARIO("grades follow the bands (Yiwu: a subject with score 80 is grade B)") {
  GIVEN("the default bands A ≥ 90, B ≥ 80, C ≥ 60") {
    const v1::GradeBands defaults;
    CHECK(GradeOf(defaults, 100) == v1::CREDIT_GRADE_A);
    CHECK(GradeOf(defaults, 90) == v1::CREDIT_GRADE_A);
    CHECK(GradeOf(defaults, 89) == v1::CREDIT_GRADE_B);
    CHECK(GradeOf(defaults, 80) == v1::CREDIT_GRADE_B);
    CHECK(GradeOf(defaults, 79) == v1::CREDIT_GRADE_C);
    CHECK(GradeOf(defaults, 60) == v1::CREDIT_GRADE_C);
    CHECK(GradeOf(defaults, 59) == v1::CREDIT_GRADE_D);
    CHECK(GradeOf(defaults, -20) == v1::CREDIT_GRADE_D);
  }
  GIVEN("custom bands 95 / 85 / 70") {
    v1::GradeBands bands;
    bands.set_a_min(95);
    bands.set_b_min(85);
    bands.set_c_min(70);
    CHECK(GradeOf(bands, 95) == v1::CREDIT_GRADE_A);
    CHECK(GradeOf(bands, 94) == v1::CREDIT_GRADE_B);
    CHECK(GradeOf(bands, 85) == v1::CREDIT_GRADE_B);
    CHECK(GradeOf(bands, 84) == v1::CREDIT_GRADE_C);
    CHECK(GradeOf(bands, 70) == v1::CREDIT_GRADE_C);
    CHECK(GradeOf(bands, 69) == v1::CREDIT_GRADE_D);
    WHEN("only A is set, the others keep their defaults") {
      bands.clear_b_min();
      bands.clear_c_min();
      CHECK(GradeOf(bands, 94) == v1::CREDIT_GRADE_B);
      CHECK(GradeOf(bands, 79) == v1::CREDIT_GRADE_C);
      CHECK(GradeOf(bands, 59) == v1::CREDIT_GRADE_D);
    }
    WHEN("a model carries them") {
      v1::CreditModel text = ModelOf({kGood});
      *text.mutable_bands() = bands;
      const CompiledModel model = Compiled(text);
      CHECK(model.GradeOf(94) == v1::CREDIT_GRADE_B);
      CHECK(model.GradeOf(95) == v1::CREDIT_GRADE_A);
    }
  }
}

SCENARIO("each version of the model applies from its effective day") {
  GIVEN("version 2026.1 from 1 January and 2026.2 from 1 July, loaded in reverse") {
    std::vector<CompiledModel> models{
        Compiled(ModelOf({{"R", kResultPublished, {}}}, "2026.2", 7)),
        Compiled(ModelOf({{"P", kPenaltyDecided, {}}}, "2026.1", 1))};
    absl::StatusOr<ModelSet> set = ModelSet::Build(models);
    INFO(set.status().ToString());
    REQUIRE(set.ok());
    const auto version_on = [&](absl::CivilDay day) -> std::string {
      const CompiledModel* model = set->InForce(day);
      return model == nullptr ? "(none)" : model->model().version();
    };
    THEN("none applies before the first, each from its day until the next") {
      CHECK(version_on(absl::CivilDay(2025, 12, 31)) == "(none)");
      CHECK(version_on(absl::CivilDay(2026, 1, 1)) == "2026.1");
      CHECK(version_on(absl::CivilDay(2026, 6, 30)) == "2026.1");
      CHECK(version_on(absl::CivilDay(2026, 7, 1)) == "2026.2");
      CHECK(version_on(absl::CivilDay(2031, 1, 1)) == "2026.2");
    }
    THEN("versions are listed by day and found by name") {
      REQUIRE(set->models().size() == 2);
      CHECK(set->models()[0].model().version() == "2026.1");
      CHECK(set->models()[0].effective_day() == absl::CivilDay(2026, 1, 1));
      REQUIRE(set->Find("2026.2") != nullptr);
      CHECK(set->Find("2026.2")->effective_day() == absl::CivilDay(2026, 7, 1));
      CHECK(set->Find("2026.3") == nullptr);
    }
    THEN("a type is handled when any version has a rule for it") {
      CHECK(set->HandlesType(kResultPublished));
      CHECK(set->HandlesType(kPenaltyDecided));
      CHECK_FALSE(set->HandlesType("jianguan.cases.v1.CaseClosed"));
    }
    WHEN("a version is loaded twice, or two versions share a day") {
      std::vector<CompiledModel> twice = models;
      twice.push_back(Compiled(ModelOf({kGood}, "2026.1", 3)));
      std::vector<CompiledModel> same_day = models;
      same_day.push_back(Compiled(ModelOf({kGood}, "2026.3", 7)));
      THEN("the set is refused") {
        const absl::Status a = ModelSet::Build(twice).status();
        const absl::Status b = ModelSet::Build(same_day).status();
        CHECK(a.code() == absl::StatusCode::kInvalidArgument);
        CHECK_THAT(std::string(a.message()), Contains("model versions 2026.1 and 2026.1"));
        CHECK(b.code() == absl::StatusCode::kInvalidArgument);
        CHECK_THAT(std::string(b.message()), Contains("model versions 2026.2 and 2026.3"));
      }
    }
  }
}

TEST_CASE("a model text that does not parse is refused with its line and column") {
  const absl::StatusOr<v1::CreditModel> unknown_field =
      ParseModelText("version: \"2026.1\"\nrules { idd: \"A\" }\n", "model.textproto");
  REQUIRE_FALSE(unknown_field.ok());
  CHECK(unknown_field.status().code() == absl::StatusCode::kInvalidArgument);
  // Protobuf reports an unknown field at the token after its name: the colon, column 12.
  CHECK_THAT(std::string(unknown_field.status().message()), Contains("model.textproto:2:12: "));
  CHECK_THAT(std::string(unknown_field.status().message()), Contains("idd"));

  const absl::StatusOr<v1::CreditModel> unclosed =
      ParseModelText("version: \"2026.1\"\n\n  rules { id: \"A\"\n", "m");
  REQUIRE_FALSE(unclosed.ok());
  CHECK_THAT(std::string(unclosed.status().message()), Contains("m:4:1: "));

  const absl::StatusOr<v1::CreditModel> fine = ParseModelText("version: \"2026.1\"", "m");
  REQUIRE(fine.ok());
  CHECK(fine->version() == "2026.1");
}

// ---------------------------------------------------------------------------------------
// The demo model shipped in data/credit.

v1::CreditModel DemoModel() {
  const std::string path = JG_SOURCE_DIR "/data/credit/model-2026.1.textproto";
  std::ifstream file(path);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<v1::CreditModel> model = ParseModelText(text.str(), path);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  return *std::move(model);
}

SCENARIO("the demo model 2026.1 compiles and scores as DESIGN's sources say") {
  GIVEN("data/credit/model-2026.1.textproto") {
    const CompiledModel model = Compiled(DemoModel());
    using K = cases::PenaltyKind;
    THEN("it is version 2026.1 from 1 January 2026, every rule with a basis") {
      CHECK(model.model().version() == "2026.1");
      CHECK(model.effective_day() == absl::CivilDay(2026, 1, 1));
      CHECK(model.model().grade_d_measures_size() == 4);
      CHECK_FALSE(model.model().grade_d_basis().empty());
      for (const v1::Rule& rule : model.model().rules()) {
        INFO(rule.id());
        CHECK_FALSE(rule.legal_basis().empty());
      }
      CHECK(model.GradeOf(80) == v1::CREDIT_GRADE_B);  // Yiwu
    }
    THEN("a fine below 10,000 yuan on a person is shown 3 months, repairable after 6") {
      const v1::Rule* rule = model.Match(Penalty({K::PENALTY_KIND_FINE}, 500000));
      REQUIRE(rule != nullptr);
      CHECK(rule->shown_months() == 3);
      CHECK(rule->repair_after_months() == 6);
    }
    THEN("an organisation's threshold is 100,000 yuan (Hubei)") {
      const auto org = [&](int64_t fen) {
        return model.Match(Penalty({K::PENALTY_KIND_FINE}, fen, false,
                                   cases::PARTY_KIND_ORGANISATION));
      };
      REQUIRE(org(5000000) != nullptr);
      CHECK(org(5000000)->shown_months() == 3);
      REQUIRE(org(10000000) != nullptr);
      CHECK(org(10000000)->shown_months() == 36);
    }
    THEN("a fine of 10,000 yuan or more on a person is shown 3 years") {
      const v1::Rule* rule = model.Match(Penalty({K::PENALTY_KIND_FINE}, 1000000));
      REQUIRE(rule != nullptr);
      CHECK(rule->shown_months() == 36);
      CHECK(rule->repair_after_months() == 6);
    }
    THEN("a small fine with a licence revoked counts as another penalty: 3 years") {
      const v1::Rule* rule = model.Match(
          Penalty({K::PENALTY_KIND_FINE, K::PENALTY_KIND_LICENCE_REVOCATION}, 100000));
      REQUIRE(rule != nullptr);
      CHECK(rule->shown_months() == 36);
    }
    THEN("warnings are not published, so score nothing") {
      CHECK(model.Match(Penalty({K::PENALTY_KIND_WARNING}, 0)) == nullptr);
    }
    THEN("in food, repair waits a year") {
      cases::PenaltyDecided food = Penalty({K::PENALTY_KIND_FINE}, 2000000);
      food.mutable_summary()->add_item_codes("SCJG-01-02");
      const v1::Rule* rule = model.Match(food);
      REQUIRE(rule != nullptr);
      CHECK(rule->repair_after_months() == 12);
    }
    THEN("a serious violation weighs most") {
      const v1::Rule* rule = model.Match(Penalty({K::PENALTY_KIND_FINE}, 100, true));
      REQUIRE(rule != nullptr);
      CHECK(rule->points() == -30);
      CHECK(rule->repair_after_months() == 12);
    }
    THEN("a breached commitment bars approval on commitment for a year (Pujiang)") {
      subject::CommitmentResolved resolved;
      resolved.mutable_commitment()->set_state(subject::COMMITMENT_STATE_BREACHED);
      const v1::Rule* rule = model.Match(resolved);
      REQUIRE(rule != nullptr);
      REQUIRE(rule->restricts().measures_size() == 1);
      CHECK(rule->restricts().measures(0) == v1::MEASURE_COMMITMENT_APPROVAL);
      CHECK(rule->restricts().months() == 12);
    }
    THEN("the serious violation list restricts every measure") {
      subject::SubjectStatusChanged changed;
      changed.mutable_change()->set_to(subject::SUBJECT_STATUS_SERIOUS_VIOLATION);
      const v1::Rule* rule = model.Match(changed);
      REQUIRE(rule != nullptr);
      CHECK(rule->restricts().measures_size() == 4);
      changed.mutable_change()->set_to(subject::SUBJECT_STATUS_ABNORMAL_OPERATION);
      REQUIRE(model.Match(changed) != nullptr);
      CHECK(model.Match(changed)->restricts().measures_size() == 0);
    }
    THEN("inspection results score by Zhejiang category, obstruction over violation") {
      CHECK(IdOf(model.Match(Published({"1", "G"}))) == std::string("INSP-RESULT-VIOLATION"));
      CHECK(IdOf(model.Match(Published({"3", "8"}))) == std::string("INSP-RESULT-OBSTRUCTED"));
      CHECK(model.Match(Published({"1"})) == nullptr);
      CHECK(model.Match(inspection::RectificationOrdered()) != nullptr);
    }
  }
}

}  // namespace
}  // namespace jianguan::credit
