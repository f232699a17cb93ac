// A subject's risk level (风险等级, issue #13): each dimension scored as the policy says, with
// its line in Chinese (the most specific industry entry, caps, "recent" counted back from
// `now`); the thresholds; a new version and a RiskLevelChanged only when the level changes.
// And the demo policy, data/risk/policy.textproto: it loads, validates, and makes grade D with
// any open alert HIGH and grade D alone not (what tests/integration/risk relies on).
#include "services/risk/domain/risk_level.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "libs/core/code_table.h"
#include "libs/core/timestamps.h"
#include "services/risk/domain/alert_loop.h"

namespace jianguan::risk {
namespace {

using Catch::Matchers::Contains;

constexpr char kUscc[] = "91330700MA2DEMO001";

constexpr char kPolicy[] = R"pb(
  version: "test.1"
  limits { level: ALERT_LEVEL_RED accept_working_days: 1 close_working_days: 5 }
  limits { level: ALERT_LEVEL_ORANGE accept_working_days: 1 close_working_days: 10 }
  limits { level: ALERT_LEVEL_YELLOW accept_working_days: 2 close_working_days: 15 }
  limits { level: ALERT_LEVEL_BLUE accept_working_days: 3 close_working_days: 20 }
  escalate_every_working_days: 3
  grade_points { grade: "CREDIT_GRADE_A" points: 0 }
  grade_points { grade: "CREDIT_GRADE_B" points: 5 }
  grade_points { grade: "CREDIT_GRADE_C" points: 20 }
  grade_points { grade: "CREDIT_GRADE_D" points: 40 }
  open_alert_points { level: ALERT_LEVEL_BLUE points: 10 }
  open_alert_points { level: ALERT_LEVEL_YELLOW points: 20 }
  open_alert_points { level: ALERT_LEVEL_ORANGE points: 30 }
  open_alert_points { level: ALERT_LEVEL_RED points: 40 }
  further_open_alert_points: 5
  recent_days: 365 recent_alert_points: 5 recent_alert_cap: 20
  violation_points: 10 violation_cap: 30
  industry_points { industry_code: "26" points: 15 reason: "危险化学品" }
  industry_points { industry_code: "2614" points: 25 reason: "有机化学原料" }
  industry_points { industry_code: "2613" points: 0 reason: "无机盐制造，不加分" }
  thresholds { general: 10 medium: 30 high: 50 }
  reading_retention_days: 400
)pb";

v1::RiskPolicy PolicyOf(const std::string& text, const std::string& origin) {
  absl::StatusOr<v1::RiskPolicy> policy = ParsePolicyText(text, origin);
  INFO(policy.status().ToString());
  REQUIRE(policy.ok());
  const absl::Status valid = ValidatePolicy(*policy);
  INFO(valid.ToString());
  REQUIRE(valid.ok());
  return *std::move(policy);
}

const v1::RiskPolicy& Policy() {
  static const v1::RiskPolicy* const kParsed =
      new v1::RiskPolicy(PolicyOf(kPolicy, "risk_level_test"));
  return *kParsed;
}

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 6, 1, 12, 0, 0),
                                        absl::UTCTimeZone());

absl::Time DaysAgo(double days) { return kNow - absl::Hours(24 * days); }

v1::SubjectRecord Subject() {
  v1::SubjectRecord subject;
  subject.set_uscc(kUscc);
  subject.set_name("金华测试化工有限公司");
  return subject;
}

void AddOpen(v1::SubjectRecord& subject, const std::string& rule, v1::AlertLevel level) {
  v1::OpenAlert& alert = *subject.add_open_alerts();
  alert.set_name("alerts/" + rule);
  alert.set_rule(rule);
  alert.set_level(level);
}

void AddTimes(google::protobuf::RepeatedPtrField<google::protobuf::Timestamp>& times,
              const std::vector<double>& days_ago) {
  for (double days : days_ago) *times.Add() = ToTimestamp(DaysAgo(days));
}

Assessment AssessOf(const v1::SubjectRecord& subject,
                    const std::vector<std::string>& chain = {}) {
  return Assess(subject, Policy(), chain, kNow);
}

SCENARIO("a subject is scored dimension by dimension, each with its line") {
  GIVEN("a subject nothing is known of") {
    const Assessment a = AssessOf(Subject());
    THEN("LOW, 0, no line, no rule") {
      CHECK(a.level == v1::RISK_LEVEL_LOW);
      CHECK(a.score == 0);
      CHECK(a.dimensions.empty());
      CHECK(a.rules.empty());
    }
  }
  GIVEN("credit grades") {
    v1::SubjectRecord subject = Subject();
    THEN("D counts its 40 points: MEDIUM") {
      subject.set_credit_grade("CREDIT_GRADE_D");
      const Assessment a = AssessOf(subject);
      CHECK(a.score == 40);
      CHECK(a.level == v1::RISK_LEVEL_MEDIUM);
      CHECK(a.dimensions == std::vector<std::string>{"信用等级 D：40分"});
    }
    THEN("C counts 20") {
      subject.set_credit_grade("CREDIT_GRADE_C");
      CHECK(AssessOf(subject).dimensions == std::vector<std::string>{"信用等级 C：20分"});
    }
    THEN("A counts nothing and gives no line; a grade the policy does not list, likewise") {
      subject.set_credit_grade("CREDIT_GRADE_A");
      CHECK(AssessOf(subject).score == 0);
      CHECK(AssessOf(subject).dimensions.empty());
      subject.set_credit_grade("CREDIT_GRADE_E");
      CHECK(AssessOf(subject).score == 0);
    }
  }
  GIVEN("open alerts") {
    v1::SubjectRecord subject = Subject();
    WHEN("one ORANGE") {
      AddOpen(subject, "ammonia-nitrogen-exceedance", v1::ALERT_LEVEL_ORANGE);
      const Assessment a = AssessOf(subject);
      THEN("its level's points") {
        CHECK(a.score == 30);
        CHECK(a.level == v1::RISK_LEVEL_MEDIUM);
        CHECK(a.dimensions == std::vector<std::string>{"未办结预警 1 条（最高 橙色）：30分"});
        CHECK(a.rules == std::vector<std::string>{"ammonia-nitrogen-exceedance"});
      }
    }
    WHEN("a BLUE, a RED and a YELLOW, two of one rule (two devices)") {
      AddOpen(subject, "silent", v1::ALERT_LEVEL_BLUE);
      AddOpen(subject, "nh3", v1::ALERT_LEVEL_RED);
      AddOpen(subject, "silent", v1::ALERT_LEVEL_YELLOW);
      const Assessment a = AssessOf(subject);
      THEN("the highest's points, 5 for each other; the rules sorted and distinct") {
        CHECK(a.score == 40 + 10);
        CHECK(a.level == v1::RISK_LEVEL_HIGH);
        CHECK(a.dimensions == std::vector<std::string>{"未办结预警 3 条（最高 红色）：40 + 10分"});
        CHECK(a.rules == std::vector<std::string>{"nh3", "silent"});
      }
    }
  }
  GIVEN("alerts raised and violations found at various times") {
    v1::SubjectRecord subject = Subject();
    THEN("those within 365 days before now count, 5 and 10 points each") {
      AddTimes(*subject.mutable_raised(), {1, 100, 364.9, 365, 366, 1000});
      AddTimes(*subject.mutable_violations(), {30, 200, 400});
      const Assessment a = AssessOf(subject);
      CHECK(a.score == 3 * 5 + 2 * 10);
      CHECK(a.dimensions ==
            std::vector<std::string>{"近 365 日预警 3 次：15分", "近 365 日违法违规 2 次：20分"});
    }
    THEN("up to their caps, 20 and 30") {
      AddTimes(*subject.mutable_raised(), {1, 2, 3, 4, 5, 6});
      AddTimes(*subject.mutable_violations(), {1, 2, 3, 4});
      const Assessment a = AssessOf(subject);
      CHECK(a.score == 20 + 30);
      CHECK(a.dimensions == std::vector<std::string>{"近 365 日预警 6 次：20分（上限）",
                                                     "近 365 日违法违规 4 次：30分（上限）"});
    }
    THEN("exactly at the cap is not marked") {
      AddTimes(*subject.mutable_raised(), {1, 2, 3, 4});
      CHECK(AssessOf(subject).dimensions == std::vector<std::string>{"近 365 日预警 4 次：20分"});
    }
    THEN("'recent' is counted back from now: a year later the same record counts nothing") {
      AddTimes(*subject.mutable_raised(), {1, 2});
      AddTimes(*subject.mutable_violations(), {1});
      CHECK(Assess(subject, Policy(), {}, kNow).score == 20);
      CHECK(Assess(subject, Policy(), {}, kNow + absl::Hours(24 * 200)).score == 20);
      CHECK(Assess(subject, Policy(), {}, kNow + absl::Hours(24 * 365)).score == 0);
    }
  }
  GIVEN("industries (GB/T 4754-2017 chains, the subject's first)") {
    const v1::SubjectRecord subject = Subject();
    THEN("the most specific entry wins over its ancestors'") {
      const Assessment a = AssessOf(subject, {"2614", "261", "26", "C"});
      CHECK(a.score == 25);
      CHECK(a.dimensions == std::vector<std::string>{"行业风险 2614（有机化学原料）：25分"});
    }
    THEN("an ancestor's entry counts when the industry has none") {
      const Assessment a = AssessOf(subject, {"2619", "261", "26", "C"});
      CHECK(a.score == 15);
      CHECK(a.dimensions == std::vector<std::string>{"行业风险 26（危险化学品）：15分"});
    }
    THEN("a more specific entry of 0 points says: nothing extra") {
      CHECK(AssessOf(subject, {"2613", "261", "26", "C"}).score == 0);
    }
    THEN("no entry, or an unknown industry: nothing") {
      CHECK(AssessOf(subject, {"4620", "462", "46", "D"}).score == 0);
      CHECK(AssessOf(subject, {}).score == 0);
      CHECK(AssessOf(subject, {}).dimensions.empty());
    }
  }
  GIVEN("every dimension at once") {
    v1::SubjectRecord subject = Subject();
    subject.set_credit_grade("CREDIT_GRADE_B");
    AddOpen(subject, "nh3", v1::ALERT_LEVEL_BLUE);
    AddTimes(*subject.mutable_raised(), {10});
    AddTimes(*subject.mutable_violations(), {10});
    const Assessment a = AssessOf(subject, {"2619", "261", "26", "C"});
    THEN("the points add up, one line per dimension in order") {
      CHECK(a.score == 5 + 10 + 5 + 10 + 15);
      CHECK(a.level == v1::RISK_LEVEL_MEDIUM);
      CHECK(a.dimensions == std::vector<std::string>{
                                "信用等级 B：5分", "未办结预警 1 条（最高 蓝色）：10分",
                                "近 365 日预警 1 次：5分", "近 365 日违法违规 1 次：10分",
                                "行业风险 26（危险化学品）：15分"});
    }
  }
}

SCENARIO("the level is the highest threshold the score reaches") {
  const std::vector<std::pair<int, v1::RiskLevel>> cases = {
      {0, v1::RISK_LEVEL_LOW},     {9, v1::RISK_LEVEL_LOW},     {10, v1::RISK_LEVEL_GENERAL},
      {29, v1::RISK_LEVEL_GENERAL}, {30, v1::RISK_LEVEL_MEDIUM}, {49, v1::RISK_LEVEL_MEDIUM},
      {50, v1::RISK_LEVEL_HIGH},    {100, v1::RISK_LEVEL_HIGH}};
  for (const auto& [score, level] : cases) {
    INFO("score " << score);
    v1::RiskPolicy policy = Policy();
    policy.mutable_grade_points(1)->set_points(score);  // CREDIT_GRADE_B
    v1::SubjectRecord subject = Subject();
    subject.set_credit_grade("CREDIT_GRADE_B");
    const Assessment a = Assess(subject, policy, {}, kNow);
    CHECK(a.score == score);
    CHECK(a.level == level);
  }
}

SCENARIO("an assessment is applied with a new version only when the level changes") {
  GIVEN("a subject never assessed") {
    v1::SubjectRecord subject = Subject();
    subject.set_credit_grade("CREDIT_GRADE_D");
    AddOpen(subject, "nh3", v1::ALERT_LEVEL_BLUE);
    WHEN("its first assessment is applied") {
      const std::optional<v1::RiskLevelChanged> changed =
          ApplyAssessment(subject, AssessOf(subject), kNow);
      THEN("RiskLevelChanged: previous UNSPECIFIED, version 1; the record holds the assessment") {
        REQUIRE(changed);
        CHECK(changed->uscc() == kUscc);
        CHECK(changed->level() == v1::RISK_LEVEL_HIGH);
        CHECK(changed->previous_level() == v1::RISK_LEVEL_UNSPECIFIED);
        CHECK(changed->version() == 1);
        CHECK(FromTimestamp(changed->assess_time()) == kNow);
        CHECK(std::vector<std::string>(changed->rules().begin(), changed->rules().end()) ==
              std::vector<std::string>{"nh3"});
        const v1::SubjectRisk& risk = subject.risk();
        CHECK(risk.uscc() == kUscc);
        CHECK(risk.level() == v1::RISK_LEVEL_HIGH);
        CHECK(risk.score() == 50);
        CHECK(risk.dimensions_size() == 2);
        CHECK(risk.version() == 1);
        CHECK(FromTimestamp(risk.assess_time()) == kNow);
      }
      AND_WHEN("the same assessment is applied again") {
        const v1::SubjectRecord before = subject;
        const std::optional<v1::RiskLevelChanged> again =
            ApplyAssessment(subject, AssessOf(subject), kNow + absl::Hours(1));
        THEN("no event, nothing changed") {
          CHECK_FALSE(again);
          CHECK(subject.SerializeAsString() == before.SerializeAsString());
        }
      }
      AND_WHEN("only the score changes (a second open alert), the level staying HIGH") {
        AddOpen(subject, "silent", v1::ALERT_LEVEL_BLUE);
        const std::optional<v1::RiskLevelChanged> again =
            ApplyAssessment(subject, AssessOf(subject), kNow + absl::Hours(1));
        THEN("no event and no new version; score, lines and rules are current") {
          CHECK_FALSE(again);
          CHECK(subject.risk().version() == 1);
          CHECK(subject.risk().level() == v1::RISK_LEVEL_HIGH);
          CHECK(subject.risk().score() == 55);
          CHECK(subject.risk().rules_size() == 2);
          CHECK(FromTimestamp(subject.risk().assess_time()) == kNow + absl::Hours(1));
        }
      }
      AND_WHEN("the alert closes: the level falls to MEDIUM") {
        subject.clear_open_alerts();
        const std::optional<v1::RiskLevelChanged> fell =
            ApplyAssessment(subject, AssessOf(subject), kNow + absl::Hours(2));
        THEN("RiskLevelChanged HIGH → MEDIUM, version 2") {
          REQUIRE(fell);
          CHECK(fell->previous_level() == v1::RISK_LEVEL_HIGH);
          CHECK(fell->level() == v1::RISK_LEVEL_MEDIUM);
          CHECK(fell->version() == 2);
          CHECK(fell->rules().empty());
          CHECK(subject.risk().version() == 2);
          CHECK(subject.risk().score() == 40);
        }
      }
    }
  }
  GIVEN("a subject whose first assessment is LOW") {
    v1::SubjectRecord subject = Subject();
    const std::optional<v1::RiskLevelChanged> changed =
        ApplyAssessment(subject, AssessOf(subject), kNow);
    THEN("it is published too: a level now in force") {
      REQUIRE(changed);
      CHECK(changed->level() == v1::RISK_LEVEL_LOW);
      CHECK(changed->previous_level() == v1::RISK_LEVEL_UNSPECIFIED);
      CHECK(changed->version() == 1);
    }
  }
}

TEST_CASE("risk level names") {
  CHECK(RiskLevelName(v1::RISK_LEVEL_LOW) == "低风险");
  CHECK(RiskLevelName(v1::RISK_LEVEL_GENERAL) == "一般风险");
  CHECK(RiskLevelName(v1::RISK_LEVEL_MEDIUM) == "较高风险");
  CHECK(RiskLevelName(v1::RISK_LEVEL_HIGH) == "高风险");
}

// ---------------------------------------------------------------------------------------
// The demo policy.

std::string Read(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const v1::RiskPolicy& DemoPolicy() {
  static const v1::RiskPolicy* const kDemo = [] {
    const std::string path = std::string(JG_SOURCE_DIR) + "/data/risk/policy.textproto";
    return new v1::RiskPolicy(PolicyOf(Read(path), path));
  }();
  return *kDemo;
}

// The subject's industry and its ancestors, from data/industries.csv.
std::vector<std::string> ChainOf(const std::string& code) {
  static const CodeTable* const kIndustries = [] {
    absl::StatusOr<CodeTable> table =
        CodeTable::Load(std::string(JG_SOURCE_DIR) + "/data/industries.csv");
    INFO(table.status().ToString());
    REQUIRE(table.ok());
    return new CodeTable(*std::move(table));
  }();
  std::vector<std::string> chain = {code};
  absl::StatusOr<std::vector<const CodeEntry*>> ancestors = kIndustries->Ancestors(code);
  REQUIRE(ancestors.ok());
  for (const CodeEntry* entry : *ancestors) chain.push_back(entry->code);
  return chain;
}

SCENARIO("the demo policy file loads, validates and scores as the acceptance tests expect") {
  const v1::RiskPolicy& policy = DemoPolicy();
  THEN("its limits are issue #13's") {
    std::map<v1::AlertLevel, std::pair<int, int>> limits;
    for (const v1::LevelLimits& l : policy.limits()) {
      limits[l.level()] = {l.accept_working_days(), l.close_working_days()};
    }
    CHECK(limits == std::map<v1::AlertLevel, std::pair<int, int>>{
                        {v1::ALERT_LEVEL_RED, {1, 5}},
                        {v1::ALERT_LEVEL_ORANGE, {1, 10}},
                        {v1::ALERT_LEVEL_YELLOW, {2, 15}},
                        {v1::ALERT_LEVEL_BLUE, {3, 20}}});
    CHECK(policy.escalate_every_working_days() == 3);
  }
  THEN("its industry codes are GB/T 4754-2017 codes") {
    for (const v1::IndustryPoints& entry : policy.industry_points()) {
      INFO(entry.industry_code());
      CHECK(ChainOf(entry.industry_code()).front() == entry.industry_code());
    }
  }
  GIVEN("a subject of grade D") {
    v1::SubjectRecord subject = Subject();
    subject.set_credit_grade("CREDIT_GRADE_D");
    THEN("alone it is not HIGH") {
      CHECK(Assess(subject, policy, {}, kNow).level == v1::RISK_LEVEL_MEDIUM);
    }
    THEN("a sewage plant (4620) of grade D alone is not HIGH either") {
      CHECK(Assess(subject, policy, ChainOf("4620"), kNow).level == v1::RISK_LEVEL_MEDIUM);
    }
    THEN("with one open BLUE alert it is HIGH, whatever its industry") {
      AddOpen(subject, "silent", v1::ALERT_LEVEL_BLUE);
      CHECK(Assess(subject, policy, {}, kNow).level == v1::RISK_LEVEL_HIGH);
      CHECK(Assess(subject, policy, ChainOf("4620"), kNow).level == v1::RISK_LEVEL_HIGH);
    }
  }
  THEN("a chemical plant (2614, under 26) scores the chemical industry's points") {
    const Assessment a = Assess(Subject(), policy, ChainOf("2614"), kNow);
    CHECK(a.score == 15);
    REQUIRE(a.dimensions.size() == 1);
    CHECK_THAT(a.dimensions[0], Contains("行业风险 26"));
  }
}

}  // namespace
}  // namespace jianguan::risk
