// The risk rule evaluator (issue #13): each kind of rule raises once, persists without a second
// alert, clears; a state serialised mid-way and read back gives exactly the verdicts of an
// uninterrupted run ("kill -9 mid-window and a restart produce exactly the alerts an
// uninterrupted run produces"); out-of-order and repeated inputs do what evaluator.h says.
#include "services/risk/domain/evaluator.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"

namespace jianguan::risk {
namespace {

using Catch::Matchers::Contains;

constexpr char kUscc[] = "91330700MA2DEMO001";

constexpr char kRules[] = R"pb(
  name: "test" version: "t.1" effective_date { year: 2026 month: 1 day: 1 }
  rules { id: "nh3" name: "氨氮超标" level: ALERT_LEVEL_RED field: "ecology-environment"
          threshold { metric: "ammonia_nitrogen" metric_name: "氨氮" unit: "mg/L"
                      comparison: OPERATOR_GT limit: 8 consecutive: 3 } }
  rules { id: "complaints-30d" name: "30日内投诉或检查不合格3次以上" level: ALERT_LEVEL_YELLOW field: "ecology-environment"
          window {
            events { event_type: "jianguan.cases.v1.LeadRegistered"
                     conditions { field: "source" op: OPERATOR_EQ
                                  values: "LEAD_SOURCE_COMPLAINT" } }
            events { event_type: "jianguan.inspection.v1.ResultPublished"
                     conditions { field: "result.departments.category.outcome" op: OPERATOR_EQ
                                  values: "RESULT_OUTCOME_VIOLATION" } }
            min_count: 3 days: 30 } }
  rules { id: "grade-d" name: "信用等级降为D" level: ALERT_LEVEL_ORANGE field: "ecology-environment"
          state {
            enter { event_type: "jianguan.credit.v1.CreditGradeChanged"
                    conditions { field: "grade" op: OPERATOR_EQ values: "CREDIT_GRADE_D" } }
            clear { event_type: "jianguan.credit.v1.CreditGradeChanged"
                    conditions { field: "grade" op: OPERATOR_NE values: "CREDIT_GRADE_D" } } } }
  rules { id: "silent" name: "在线监测数据中断" level: ALERT_LEVEL_BLUE field: "ecology-environment"
          absence { reading { metric: "ammonia_nitrogen" metric_name: "氨氮" hours: 6 } } }
  rules { id: "no-maintenance" name: "电梯30日无维保记录" level: ALERT_LEVEL_YELLOW field: "ecology-environment"
          absence { event {
            expected { event_type: "jianguan.inspection.v1.ResultPublished"
                       conditions { field: "task.departments.items.code" op: OPERATOR_EQ
                                    values: "SCJG-04-01" } }
            start { event_type: "jianguan.subject.v1.LicenceGranted" }
            days: 30 } } }
  rules { id: "grade-and-complaints" name: "失信且投诉集中" level: ALERT_LEVEL_RED field: "ecology-environment"
          combination { join: JOIN_ALL rules: ["grade-d", "complaints-30d"] within_days: 10 } }
)pb";

const CompiledRuleSet& Rules() {
  static const CompiledRuleSet* const kSet = [] {
    absl::StatusOr<v1::RuleSet> text = ParseRuleSetText(kRules, "evaluator_test");
    REQUIRE(text.ok());
    absl::StatusOr<CompiledRuleSet> set = CompiledRuleSet::Compile(*std::move(text));
    INFO(set.status().ToString());
    REQUIRE(set.ok());
    return new CompiledRuleSet(*std::move(set));
  }();
  return *kSet;
}

const CompiledRule& Rule(const std::string& id) {
  const CompiledRule* rule = Rules().Find(id);
  REQUIRE(rule != nullptr);
  return *rule;
}

// 2026-03-01 00:00 UTC plus days and hours.
absl::Time At(double days, double hours = 0) {
  return absl::FromCivil(absl::CivilDay(2026, 3, 1), absl::UTCTimeZone()) +
         absl::Hours(24 * days + hours);
}

// The inputs of one run; owns the event messages they point to.
class Feed {
 public:
  Feed& Reading(double value, absl::Time t, const std::string& device = "dev-1",
                const std::string& unit = "mg/L") {
    inputs_.push_back(risk::Reading{.device_id = device, .uscc = kUscc,
                                    .metric = "ammonia_nitrogen", .value = value, .unit = unit,
                                    .time = t});
    return *this;
  }
  Feed& Event(std::unique_ptr<google::protobuf::Message> message, absl::Time t,
              const std::string& ce_id = "") {
    const std::string id = ce_id.empty() ? "ce-" + std::to_string(++sequence_) : ce_id;
    inputs_.push_back(SuiteEvent{
        .message = message.get(), .uscc = kUscc, .time = t,
        .ref = {.topic = "jianguan.test.v1", .partition = 1, .offset = sequence_, .ce_id = id,
                .type = message->GetDescriptor()->full_name()}});
    messages_.push_back(std::move(message));
    return *this;
  }
  Feed& Complaint(absl::Time t, const std::string& ce_id = "") {
    auto lead = std::make_unique<cases::v1::LeadRegistered>();
    lead->set_source(cases::v1::LEAD_SOURCE_COMPLAINT);
    return Event(std::move(lead), t, ce_id);
  }
  Feed& OwnFinding(absl::Time t) {
    auto lead = std::make_unique<cases::v1::LeadRegistered>();
    lead->set_source(cases::v1::LEAD_SOURCE_OWN_FINDING);
    return Event(std::move(lead), t);
  }
  Feed& Result(inspection::v1::ResultOutcome outcome, absl::Time t,
               const std::string& item = "SCJG-06") {
    auto result = std::make_unique<inspection::v1::ResultPublished>();
    result->mutable_task()->add_departments()->add_items()->set_code(item);
    result->mutable_result()->add_departments()->mutable_category()->set_outcome(outcome);
    return Event(std::move(result), t);
  }
  Feed& Grade(credit::v1::CreditGrade grade, absl::Time t, const std::string& ce_id = "") {
    auto changed = std::make_unique<credit::v1::CreditGradeChanged>();
    changed->set_grade(grade);
    return Event(std::move(changed), t, ce_id);
  }
  Feed& Licence(absl::Time t) {
    return Event(std::make_unique<subject::v1::LicenceGranted>(), t);
  }
  Feed& Tick(absl::Time t) {
    inputs_.push_back(risk::Tick{t});
    return *this;
  }
  Feed& Report(const std::string& rule, bool open, absl::Time t) {
    inputs_.push_back(ComponentReport{.rule = rule, .uscc = kUscc, .open = open, .time = t});
    return *this;
  }

  const std::vector<Input>& inputs() const { return inputs_; }

 private:
  std::vector<Input> inputs_;
  std::deque<std::unique_ptr<google::protobuf::Message>> messages_;
  int64_t sequence_ = 0;
};

struct Run {
  std::vector<Verdict> verdicts;
  std::vector<std::string> reasons;
  std::vector<v1::RuleState> states;  // After each input.

  const v1::RuleState& last() const { return states.back(); }
};

// Applies the inputs from `state` one by one; with `restart_after` ≥ 0 the state is written
// out and read back (as the store does) after that many inputs.
Run RunOf(const CompiledRule& rule, const std::vector<Input>& inputs, int restart_after = -1,
          v1::RuleState state = {}) {
  Run run;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (static_cast<int>(i) == restart_after) {
      v1::RuleState read_back;
      REQUIRE(read_back.ParseFromString(state.SerializeAsString()));
      state = read_back;
    }
    absl::StatusOr<Evaluation> e = Evaluate(rule, state, inputs[i]);
    INFO("input " << i << ": " << e.status().ToString());
    REQUIRE(e.ok());
    state = e->state;
    run.verdicts.push_back(e->verdict);
    run.reasons.push_back(e->reason);
    run.states.push_back(state);
  }
  return run;
}

// Every split point of the run, restarted from the serialised state, gives the same verdicts,
// reasons and final state as the uninterrupted run.
void CheckRestartsAgree(const CompiledRule& rule, const Feed& feed) {
  const Run whole = RunOf(rule, feed.inputs());
  for (size_t k = 1; k < feed.inputs().size(); ++k) {
    INFO("restart after input " << k);
    const Run restarted = RunOf(rule, feed.inputs(), static_cast<int>(k));
    CHECK(restarted.verdicts == whole.verdicts);
    CHECK(restarted.reasons == whole.reasons);
    CHECK(restarted.last().SerializeAsString() == whole.last().SerializeAsString());
  }
}

constexpr Verdict kNone = Verdict::kNone;
constexpr Verdict kRaise = Verdict::kRaise;
constexpr Verdict kPersist = Verdict::kPersist;
constexpr Verdict kClear = Verdict::kClear;

SCENARIO("ammonia nitrogen over 8 mg/L for 3 consecutive readings raises one alert") {
  const CompiledRule& rule = Rule("nh3");
  GIVEN("readings of one device, broken once before three in a row") {
    Feed feed;
    feed.Reading(9, At(0, 0)).Reading(10, At(0, 1)).Reading(5, At(0, 2))   // the run breaks
        .Reading(9, At(0, 3)).Reading(10, At(0, 4)).Reading(12.4, At(0, 5))  // 3 in a row
        .Reading(13, At(0, 6))                                              // persists
        .Reading(5, At(0, 7)).Reading(6, At(0, 8))                          // 2 back within
        .Reading(11, At(0, 9))                                              // over again
        .Reading(5, At(0, 10)).Reading(5, At(0, 11)).Reading(5, At(0, 12)); // 3 within: clear
    const Run run = RunOf(rule, feed.inputs());
    THEN("it raises at the third in a row, persists while over, clears after three within") {
      CHECK(run.verdicts == std::vector<Verdict>{kNone, kNone, kNone, kNone, kNone, kRaise,
                                                 kPersist, kNone, kNone, kPersist, kNone, kNone,
                                                 kClear});
      CHECK(run.reasons[5] == "氨氮 12.4 mg/L > 8 mg/L，连续 3 次");
      CHECK(run.reasons[6] == "氨氮 13 mg/L > 8 mg/L，连续 4 次");
      CHECK_THAT(run.reasons[12], Contains("连续 3 次恢复至限值 8 mg/L 以内"));
    }
    THEN("the raised state names the key, the raise time and the three readings, newest first") {
      const v1::RuleState& raised = run.states[5];
      CHECK(raised.rule() == "nh3");
      CHECK(raised.uscc() == kUscc);
      CHECK(raised.device_id() == "dev-1");
      CHECK(raised.open());
      CHECK(raised.first_seen().seconds() == absl::ToUnixSeconds(At(0, 5)));
      REQUIRE(raised.evidence_size() == 3);
      CHECK(raised.evidence(0).value() == 12.4);
      CHECK(raised.evidence(2).value() == 9);
      CHECK(raised.evidence(0).device_id() == "dev-1");
      CHECK(raised.evidence(0).unit() == "mg/L");
      CHECK_FALSE(run.last().open());
      CHECK(run.last().evidence_size() == 0);
    }
    THEN("a restart from the stored state at any point gives the same verdicts") {
      CheckRestartsAgree(rule, feed);
    }
  }
  GIVEN("a long exceedance") {
    Feed feed;
    for (int h = 0; h < 40; ++h) feed.Reading(20, At(0, h));
    const Run run = RunOf(rule, feed.inputs());
    THEN("one raise, then updates; the evidence keeps the 20 newest") {
      CHECK(std::count(run.verdicts.begin(), run.verdicts.end(), kRaise) == 1);
      CHECK(std::count(run.verdicts.begin(), run.verdicts.end(), kPersist) == 37);
      REQUIRE(run.last().evidence_size() == 20);
      CHECK(run.last().evidence(0).time().seconds() == absl::ToUnixSeconds(At(0, 39)));
    }
  }
  GIVEN("a reading at or before the last one of its device") {
    Feed feed;
    feed.Reading(9, At(0, 1)).Reading(9, At(0, 2)).Reading(9, At(0, 2)).Reading(9, At(0, 0));
    const Run run = RunOf(rule, feed.inputs());
    THEN("it is ignored: repeated or late readings never count twice") {
      CHECK(run.verdicts == std::vector<Verdict>{kNone, kNone, kNone, kNone});
      CHECK(run.last().over_count() == 2);
      CHECK(run.states[3].SerializeAsString() == run.states[1].SerializeAsString());
    }
  }
  GIVEN("readings that do not belong to the rule or the state") {
    const v1::RuleState dev1 = RunOf(rule, Feed().Reading(9, At(0)).inputs()).last();
    THEN("another metric changes nothing; another unit or device is an error") {
      Reading cod{.device_id = "dev-1", .uscc = kUscc, .metric = "cod", .value = 99,
                  .unit = "mg/L", .time = At(0, 1)};
      absl::StatusOr<Evaluation> other = Evaluate(rule, dev1, cod);
      REQUIRE(other.ok());
      CHECK(other->verdict == kNone);
      CHECK(other->state.SerializeAsString() == dev1.SerializeAsString());

      absl::StatusOr<Evaluation> unit = Evaluate(
          rule, dev1, Reading{.device_id = "dev-1", .uscc = kUscc, .metric = "ammonia_nitrogen",
                              .value = 9, .unit = "g/L", .time = At(0, 1)});
      REQUIRE_FALSE(unit.ok());
      CHECK_THAT(std::string(unit.status().message()), Contains("\"g/L\""));

      absl::StatusOr<Evaluation> device = Evaluate(
          rule, dev1, Reading{.device_id = "dev-2", .uscc = kUscc, .metric = "ammonia_nitrogen",
                              .value = 9, .unit = "mg/L", .time = At(0, 1)});
      REQUIRE_FALSE(device.ok());
      CHECK_THAT(std::string(device.status().message()),
                 Contains("state of nh3/91330700MA2DEMO001/dev-1 given for an input of "
                          "nh3/91330700MA2DEMO001/dev-2"));

      absl::StatusOr<Evaluation> nan = Evaluate(
          rule, dev1, Reading{.device_id = "dev-1", .uscc = kUscc, .metric = "ammonia_nitrogen",
                              .value = std::nan(""), .unit = "mg/L", .time = At(0, 1)});
      CHECK_FALSE(nan.ok());
    }
    THEN("a state of another rule is refused") {
      absl::StatusOr<Evaluation> wrong = Evaluate(Rule("silent"), dev1, risk::Tick{At(1)});
      REQUIRE_FALSE(wrong.ok());
      CHECK_THAT(std::string(wrong.status().message()),
                 Contains("state of rule \"nh3\" given to rule \"silent\""));
    }
  }
}

SCENARIO("3 complaints or failed inspections within 30 days raise one alert (sliding window)") {
  const CompiledRule& rule = Rule("complaints-30d");
  GIVEN("a complaint, a failed inspection and another complaint within 30 days") {
    Feed feed;
    feed.Complaint(At(1))
        .Result(inspection::v1::RESULT_OUTCOME_NO_PROBLEM, At(5))  // does not count
        .Result(inspection::v1::RESULT_OUTCOME_VIOLATION, At(10))
        .OwnFinding(At(12))                                       // not a complaint
        .Complaint(At(20), "ce-twenty")
        .Complaint(At(25))                                        // persists
        .Complaint(At(20), "ce-twenty")                           // delivered again
        .Tick(At(35))                                             // days 10, 20, 25 within
        .Tick(At(40, 1));                                         // day 10 ages out: 2 left
    const Run run = RunOf(rule, feed.inputs());
    THEN("it raises at the third, persists at the fourth, ignores the rest, clears as they age") {
      CHECK(run.verdicts == std::vector<Verdict>{kNone, kNone, kNone, kNone, kRaise, kPersist,
                                                 kNone, kNone, kClear});
      CHECK(run.reasons[4] == "30日内投诉或检查不合格3次以上：30 日内 3 次（≥ 3 次）");
      CHECK(run.reasons[8] == "30日内投诉或检查不合格3次以上：30 日内 2 次，少于 3 次");
    }
    THEN("the alert's evidence are the counted events, newest first, with their place") {
      const v1::RuleState& raised = run.states[4];
      REQUIRE(raised.evidence_size() == 3);
      CHECK(raised.evidence(0).ce_id() == "ce-twenty");
      CHECK(raised.evidence(0).type() == "jianguan.cases.v1.LeadRegistered");
      CHECK(raised.evidence(1).type() == "jianguan.inspection.v1.ResultPublished");
      CHECK(raised.evidence(0).topic() == "jianguan.test.v1");
      CHECK(raised.first_seen().seconds() == absl::ToUnixSeconds(At(20)));
    }
    THEN("a restart from the stored state at any point gives the same verdicts") {
      CheckRestartsAgree(rule, feed);
    }
  }
  GIVEN("one complaint a day for ten days") {
    Feed feed;
    for (int day = 1; day <= 10; ++day) feed.Complaint(At(day));
    feed.Tick(At(37)).Tick(At(38));
    const Run run = RunOf(rule, feed.inputs());
    THEN("the window keeps only the 3 newest, which decide exactly when the count falls") {
      for (const v1::RuleState& state : run.states) CHECK(state.window_size() <= 3);
      CHECK(run.verdicts[2] == kRaise);
      CHECK(run.verdicts[10] == kNone);   // Day 37: days 8, 9, 10 are within.
      CHECK(run.verdicts[11] == kClear);  // Day 38: day 8 is 30 days old.
    }
    THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
  }
  GIVEN("events that arrive out of order") {
    Feed feed;
    feed.Complaint(At(40)).Complaint(At(9)).Complaint(At(10)).Complaint(At(30)).Complaint(At(20));
    const Run run = RunOf(rule, feed.inputs());
    THEN("one older than the window (as of the newest seen) is ignored; a late one within counts") {
      // Day 9 and day 10 are at or before day 40 − 30: outside; days 30 and 20 are within.
      CHECK(run.verdicts == std::vector<Verdict>{kNone, kNone, kNone, kNone, kRaise});
      CHECK(run.states[2].SerializeAsString() == run.states[0].SerializeAsString());
      CHECK(run.last().first_seen().seconds() == absl::ToUnixSeconds(At(20)));
      REQUIRE(run.last().window_size() == 3);
      CHECK(run.last().window(0).time().seconds() == absl::ToUnixSeconds(At(20)));
      CHECK(run.last().window(2).time().seconds() == absl::ToUnixSeconds(At(40)));
    }
  }
}

SCENARIO("a credit grade falling to D raises until the grade rises again (state change)") {
  const CompiledRule& rule = Rule("grade-d");
  Feed feed;
  feed.Grade(credit::v1::CREDIT_GRADE_C, At(1))          // not D, nothing open
      .Grade(credit::v1::CREDIT_GRADE_D, At(2), "ce-d")  // enters
      .Grade(credit::v1::CREDIT_GRADE_D, At(2), "ce-d")  // delivered again
      .Grade(credit::v1::CREDIT_GRADE_D, At(3))          // a new event, still D
      .Grade(credit::v1::CREDIT_GRADE_B, At(1, 12))      // older than the last change
      .Grade(credit::v1::CREDIT_GRADE_C, At(4))          // leaves
      .Grade(credit::v1::CREDIT_GRADE_D, At(5));         // enters again
  const Run run = RunOf(rule, feed.inputs());
  THEN("one raise per entry, updates while in, a clear on leaving; stale events ignored") {
    CHECK(run.verdicts ==
          std::vector<Verdict>{kNone, kRaise, kNone, kPersist, kNone, kClear, kRaise});
    CHECK_THAT(run.reasons[1], Contains("信用等级降为D：jianguan.credit.v1.CreditGradeChanged"));
    // Day 2 at 00:00 UTC, shown to the officers as Beijing time.
    CHECK_THAT(run.reasons[1], Contains("（2026-03-03 08:00:00 北京时间）"));
    CHECK_THAT(run.reasons[5], Contains("已解除"));
    CHECK(run.states[3].evidence_size() == 2);
  }
  THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
}

SCENARIO("no reading for 6 hours raises, the next reading clears (absence of readings)") {
  const CompiledRule& rule = Rule("silent");
  GIVEN("a device that reads, goes silent, reads again") {
    Feed feed;
    feed.Tick(At(0, 1))                            // never heard: not watched
        .Reading(3, At(0, 0)).Tick(At(0, 5.9))     // within 6 hours
        .Tick(At(0, 7))                            // 6 hours passed at 06:00
        .Tick(At(0, 8))                            // still silent: nothing new
        .Reading(4, At(0, 9))                      // heard again
        .Tick(At(0, 14.9)).Tick(At(0, 15));
    const Run run = RunOf(rule, feed.inputs());
    THEN("it raises as of the moment the silence reached 6 hours, once, and clears") {
      CHECK(run.verdicts ==
            std::vector<Verdict>{kNone, kNone, kNone, kRaise, kNone, kClear, kNone, kRaise});
      CHECK(run.states[0].rule().empty());  // A tick never creates a state.
      CHECK(run.states[3].first_seen().seconds() == absl::ToUnixSeconds(At(0, 6)));
      CHECK_THAT(run.reasons[3], Contains("设备 dev-1 的氨氮"));
      CHECK_THAT(run.reasons[3], Contains("6 小时无读数"));
      REQUIRE(run.states[3].evidence_size() == 1);
      CHECK(run.states[3].evidence(0).value() == 3);  // The last reading heard.
    }
    THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
  }
  GIVEN("an outage, then the device uploading its buffer oldest first (补传)") {
    Feed feed;
    feed.Reading(3, At(0, 0))
        .Tick(At(0, 7))          // silent since 00:00: raised as of 06:00
        .Reading(4, At(0, 1))    // buffered, 6 hours older than the latest time seen
        .Tick(At(0, 8))          // still open: no second alert
        .Reading(5, At(0, 1.5))  // buffered, 6.5 hours old
        .Reading(6, At(0, 7.5))  // current again
        .Tick(At(0, 13));        // within 6 hours of 07:30
    const Run run = RunOf(rule, feed.inputs());
    THEN("old readings keep the alert open, the first current one clears it, nothing re-raises") {
      CHECK(run.verdicts == std::vector<Verdict>{kNone, kRaise, kNone, kNone, kNone, kClear, kNone});
      CHECK(run.states[2].open());
      CHECK(run.states[4].open());
      CHECK_FALSE(run.states[5].open());
    }
    THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
  }
  GIVEN("ticks at another cadence") {
    const Run hourly =
        RunOf(rule, Feed().Reading(3, At(0)).Tick(At(0, 6.5)).inputs());
    const Run daily = RunOf(rule, Feed().Reading(3, At(0)).Tick(At(1)).inputs());
    THEN("the raise time is the same") {
      CHECK(hourly.last().first_seen().seconds() == daily.last().first_seen().seconds());
    }
  }
}

SCENARIO("no special-equipment maintenance recorded for 30 days raises (absence of events)") {
  const CompiledRule& rule = Rule("no-maintenance");
  Feed feed;
  feed.Result(inspection::v1::RESULT_OUTCOME_NO_PROBLEM, At(0), "SCJG-01")  // another item
      .Licence(At(1))                                                       // watched from here
      .Tick(At(30, 23))
      .Tick(At(31))                                                         // 30 days
      .Result(inspection::v1::RESULT_OUTCOME_NO_PROBLEM, At(35), "SCJG-04-01")
      .Licence(At(36))                                                      // watched already
      .Tick(At(64, 23)).Tick(At(65));
  const Run run = RunOf(rule, feed.inputs());
  THEN("it raises 30 days after the start, clears on the record, raises 30 days after it") {
    CHECK(run.verdicts ==
          std::vector<Verdict>{kNone, kNone, kNone, kRaise, kClear, kNone, kNone, kRaise});
    CHECK(run.states[0].rule().empty());
    CHECK_THAT(run.reasons[3], Contains("30 日内无 jianguan.inspection.v1.ResultPublished"));
  }
  THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
}

SCENARIO("grade D together with clustered complaints raises a combined alert") {
  const CompiledRule& rule = Rule("grade-and-complaints");
  Feed feed;
  feed.Report("grade-d", true, At(1))
      .Report("nh3", true, At(1))              // not joined by this rule
      .Report("complaints-30d", true, At(3))   // both open
      .Report("complaints-30d", true, At(5))   // opened again: an update
      .Report("grade-d", false, At(6))         // closed, still counts for 10 days
      .Tick(At(16))
      .Tick(At(16, 1))                         // more than 10 days since it closed
      .Report("grade-d", false, At(2));        // older than what is known
  const Run run = RunOf(rule, feed.inputs());
  THEN("it raises when both count, persists, clears when one stops counting") {
    CHECK(run.verdicts ==
          std::vector<Verdict>{kNone, kNone, kRaise, kPersist, kNone, kNone, kClear, kNone});
    CHECK(run.reasons[2] == "失信且投诉集中：规则 grade-d、complaints-30d 同时预警");
    CHECK(run.states[1].SerializeAsString() == run.states[0].SerializeAsString());
  }
  THEN("a restart at any point agrees") { CheckRestartsAgree(rule, feed); }
}

TEST_CASE("malformed inputs are refused") {
  const CompiledRule& rule = Rule("complaints-30d");
  CHECK_FALSE(Evaluate(rule, {}, SuiteEvent{.uscc = kUscc, .time = At(0)}).ok());
  cases::v1::LeadRegistered lead;
  CHECK_FALSE(Evaluate(rule, {}, SuiteEvent{.message = &lead, .time = At(0)}).ok());
  const SuiteEvent endless{.message = &lead, .uscc = kUscc, .time = absl::InfiniteFuture()};
  CHECK_FALSE(Evaluate(rule, {}, endless).ok());
  CHECK_FALSE(Evaluate(rule, {}, risk::Tick{absl::InfinitePast()}).ok());
}

TEST_CASE("state keys are per subject, and per device for per-device rules") {
  CHECK(StateKey(Rule("nh3"), kUscc, "dev-1") == "nh3/91330700MA2DEMO001/dev-1");
  CHECK(StateKey(Rule("complaints-30d"), kUscc, "dev-1") == "complaints-30d/91330700MA2DEMO001");
  CHECK(std::string(VerdictName(Verdict::kPersist)) == "PERSIST");
}

}  // namespace
}  // namespace jianguan::risk
