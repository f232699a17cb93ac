// The general procedure (普通程序) as a state machine: the table of allowed actions, the
// happy paths, and each right of the party the procedure must respect (行政处罚法).
#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "libs/testing/field_names.h"
#include "services/cases/domain/deadlines.h"
#include "services/cases/domain/procedure.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;
using testing::FieldNames;
using A = v1::CaseAction;
using S = v1::CaseState;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// The allowed table, written out independently of procedure.cc: a change to either shows.
const std::map<S, std::set<A>>& AllowedTable() {
  static const std::set<A> before_decision = {v1::CASE_ACTION_SUSPEND, v1::CASE_ACTION_EXTEND,
                                              v1::CASE_ACTION_CLOSE};
  static const std::map<S, std::set<A>> table = [] {
    std::map<S, std::set<A>> t = {
        {v1::CASE_STATE_UNSPECIFIED, {v1::CASE_ACTION_FILE}},
        {v1::CASE_STATE_FILED, {v1::CASE_ACTION_START_INVESTIGATION}},
        {v1::CASE_STATE_INVESTIGATING,
         {v1::CASE_ACTION_RECORD_EVIDENCE, v1::CASE_ACTION_START_TESTING,
          v1::CASE_ACTION_END_TESTING, v1::CASE_ACTION_SUBMIT_FOR_REVIEW,
          v1::CASE_ACTION_NOTICE}},
        {v1::CASE_STATE_LEGAL_REVIEW,
         {v1::CASE_ACTION_PASS_REVIEW, v1::CASE_ACTION_RETURN_FOR_INVESTIGATION,
          v1::CASE_ACTION_NOTICE, v1::CASE_ACTION_DECIDE}},
        {v1::CASE_STATE_NOTICED,
         {v1::CASE_ACTION_RECORD_STATEMENT, v1::CASE_ACTION_REQUEST_HEARING,
          v1::CASE_ACTION_SUBMIT_FOR_REVIEW, v1::CASE_ACTION_DECIDE}},
        {v1::CASE_STATE_HEARING,
         {v1::CASE_ACTION_SCHEDULE_HEARING, v1::CASE_ACTION_HOLD_HEARING,
          v1::CASE_ACTION_SUBMIT_FOR_REVIEW, v1::CASE_ACTION_DECIDE}},
        {v1::CASE_STATE_DECIDED, {v1::CASE_ACTION_SERVE}},
        {v1::CASE_STATE_SERVED, {v1::CASE_ACTION_EXECUTE}},
        {v1::CASE_STATE_EXECUTED, {v1::CASE_ACTION_CLOSE}},
        {v1::CASE_STATE_CLOSED, {v1::CASE_ACTION_ARCHIVE}},
        {v1::CASE_STATE_ARCHIVED, {}},
        {v1::CASE_STATE_SUSPENDED, {v1::CASE_ACTION_RESUME, v1::CASE_ACTION_CLOSE}},
    };
    for (S s : {v1::CASE_STATE_FILED, v1::CASE_STATE_INVESTIGATING, v1::CASE_STATE_LEGAL_REVIEW,
                v1::CASE_STATE_NOTICED, v1::CASE_STATE_HEARING}) {
      t[s].insert(before_decision.begin(), before_decision.end());
    }
    return t;
  }();
  return table;
}

std::vector<S> AllStates() {
  std::vector<S> states;
  const auto* descriptor = v1::CaseState_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    states.push_back(static_cast<S>(descriptor->value(i)->number()));
  }
  return states;
}

std::vector<A> AllActions() {
  std::vector<A> actions;
  const auto* descriptor = v1::CaseAction_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto action = static_cast<A>(descriptor->value(i)->number());
    if (action != v1::CASE_ACTION_UNSPECIFIED) actions.push_back(action);
  }
  return actions;
}

// A case standing in `state`, as far as the table cares.
v1::Case In(S state) {
  v1::Case c = Draft();
  c.set_state(state);
  if (state != v1::CASE_STATE_UNSPECIFIED) *c.mutable_filed_date() = DateOf(Day(2026, 3, 2));
  if (state == v1::CASE_STATE_SUSPENDED) c.set_suspended_from(v1::CASE_STATE_INVESTIGATING);
  return c;
}

SCENARIO("every action the table does not allow in a state is refused, naming the state") {
  GIVEN("the allowed table of the general procedure and a case in each state") {
    REQUIRE(AllowedTable().size() == AllStates().size());
    WHEN("each action is asked in each state") {
      THEN("the table agrees, and each forbidden action is FAILED_PRECONDITION naming the "
           "state and the action") {
        int refused = 0;
        for (S state : AllStates()) {
          for (A action : AllActions()) {
            const bool expected = AllowedTable().at(state).count(action) > 0;
            INFO(v1::CaseAction_Name(action) << " in " << v1::CaseState_Name(state));
            CHECK(IsAllowed(state, action) == expected);
            if (expected) continue;
            const absl::StatusOr<v1::Case> after =
                Apply(In(state), WithNote(Step(action, Day(2026, 3, 3)), "理由"), Calendar());
            CHECK(absl::IsFailedPrecondition(after.status()));
            CHECK_THAT(Message(after.status()), Catch::Contains(v1::CaseState_Name(state)));
            CHECK_THAT(Message(after.status()), Catch::Contains(v1::CaseAction_Name(action)));
            CHECK_THAT(Message(after.status()), Catch::Contains("cases/c-2026-0001"));
            ++refused;
          }
        }
        // 12 states × 21 actions, less the 40 allowed pairs of the table.
        CHECK(refused == 12 * 21 - 40);
      }
    }
  }
}

SCENARIO("a case goes the whole general procedure, from filing to the archive") {
  GIVEN("a fine case on an organisation, filed on 2 March 2026") {
    v1::Case c = Then(Draft(), Step(v1::CASE_ACTION_FILE, Day(2026, 3, 2), {}));
    CHECK(c.state() == v1::CASE_STATE_FILED);
    CHECK(c.version() == 1);
    CHECK(c.procedure() == v1::PROCEDURE_GENERAL);
    WHEN("two officers investigate, sample for testing, notice, and the party stays silent") {
      c = Then(c, Step(v1::CASE_ACTION_START_INVESTIGATION, Day(2026, 3, 3)));
      c = Then(c, WithNote(Step(v1::CASE_ACTION_RECORD_EVIDENCE, Day(2026, 3, 4)), "询问笔录"));
      c = Then(c, Step(v1::CASE_ACTION_START_TESTING, Day(2026, 3, 5)));
      c = Then(c, Step(v1::CASE_ACTION_END_TESTING, Day(2026, 3, 25)));
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 4, 1)), Fine(5000)));
      // 第六十四条: the party could ask for a hearing until the 5th working day, 9 April
      // (清明节 4–6 April off).
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 4, 10)), Fine(5000)));
      c = Then(c, Step(v1::CASE_ACTION_SERVE, Day(2026, 4, 10), {}));
      CaseStep pay = Step(v1::CASE_ACTION_EXECUTE, Day(2026, 4, 20), {});
      pay.paid_fen = 500000;
      c = Then(c, pay);
      c = Then(c, Step(v1::CASE_ACTION_CLOSE, Day(2026, 4, 21), {}));
      c = Then(c, Step(v1::CASE_ACTION_ARCHIVE, Day(2026, 4, 22), {}));
      THEN("it is archived with every step, date and officer on record") {
        CHECK(c.state() == v1::CASE_STATE_ARCHIVED);
        CHECK(IsFinal(c.state()));
        CHECK(c.version() == 11);
        REQUIRE(c.history_size() == 11);
        CHECK(c.history(1).action() == v1::CASE_ACTION_START_INVESTIGATION);
        CHECK(c.history(1).officer_ids_size() == 2);
        CHECK(c.history(9).from() == v1::CASE_STATE_EXECUTED);
        CHECK(c.history(9).to() == v1::CASE_STATE_CLOSED);
        CHECK(c.close_reason() == "执行完毕");
        CHECK(DayOf(c.decided_date()) == Day(2026, 4, 10));
        CHECK(c.decided_penalty().fine().fen() == 500000);
        CHECK(c.paid().fen() == 500000);
      }
      THEN("the testing period is recorded as a pause of the decision clock") {
        REQUIRE(c.paused_periods_size() == 1);
        CHECK(c.paused_periods(0).reason() == v1::PAUSE_REASON_TESTING);
        CHECK(PausedDays(c, Day(2026, 4, 10)) == 20);
      }
      THEN("the summary events carry name, party and version") {
        const v1::CaseSummary summary = SummaryOf(c);
        CHECK(summary.name() == "cases/c-2026-0001");
        CHECK(summary.uscc() == kUscc);
        CHECK(summary.version() == 11);
      }
    }
  }
  GIVEN("a case that needs legal review (第五十八条) whose party asks for a hearing") {
    v1::Case c = Noticed(Day(2026, 9, 1), Day(2026, 9, 30), /*legal_review_required=*/true);
    WHEN("the hearing is asked, announced 7 working days ahead, held, reviewed, and decided") {
      c = Then(c, Step(v1::CASE_ACTION_REQUEST_HEARING, Day(2026, 10, 9), {}));
      CaseStep schedule = Step(v1::CASE_ACTION_SCHEDULE_HEARING, Day(2026, 10, 12), {});
      schedule.hearing_date = Day(2026, 10, 21);
      c = Then(c, schedule);
      c = Then(c, Step(v1::CASE_ACTION_HOLD_HEARING, Day(2026, 10, 21), {}));
      const absl::StatusOr<v1::Case> early =
          Apply(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 10, 22)), Fine(4000)),
                Calendar());
      c = Then(c, Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 10, 22), {}));
      CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, Day(2026, 10, 23), {});
      pass.actor.set_user_id("LEGAL-2");
      c = Then(c, pass);
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 10, 26)), Fine(4000)));
      THEN("the decision waited for a review after the hearing (第五十八条第二项)") {
        REQUIRE(absl::IsFailedPrecondition(early.status()));
        CHECK_THAT(Message(early.status()), Catch::Contains("第五十八条"));
        CHECK(c.state() == v1::CASE_STATE_DECIDED);
        CHECK(c.decided_penalty().fine().fen() == 400000);
      }
      THEN("the hearing's days are paused: from its request to its end") {
        REQUIRE(c.paused_periods_size() == 1);
        CHECK(c.paused_periods(0).reason() == v1::PAUSE_REASON_HEARING);
        CHECK(PausedDays(c, Day(2026, 10, 26)) == 12);
      }
    }
  }
}

SCENARIO("at least two officers act on every investigative step and on the decision "
         "(行政处罚法 第四十二条)") {
  GIVEN("a filed case") {
    const v1::Case filed = Then(Draft(), Step(v1::CASE_ACTION_FILE, Day(2026, 3, 2), {}));
    WHEN("one officer starts the investigation") {
      const auto after =
          Apply(filed, Step(v1::CASE_ACTION_START_INVESTIGATION, Day(2026, 3, 3), {"OFF-1"}),
                Calendar());
      THEN("INVALID_ARGUMENT names officer_ids and the article") {
        REQUIRE(absl::IsInvalidArgument(after.status()));
        CHECK(FieldNames(after.status()) == std::set<std::string>{"officer_ids"});
        CHECK_THAT(Message(after.status()), Catch::Contains("第四十二条"));
      }
    }
    WHEN("the same officer is named twice") {
      const auto after = Apply(
          filed, Step(v1::CASE_ACTION_START_INVESTIGATION, Day(2026, 3, 3), {"OFF-1", "OFF-1"}),
          Calendar());
      THEN("it counts once, and is refused") {
        CHECK(FieldNames(after.status()) == std::set<std::string>{"officer_ids"});
      }
    }
    WHEN("two officers record evidence, but one decides") {
      v1::Case c = Then(filed, Step(v1::CASE_ACTION_START_INVESTIGATION, Day(2026, 3, 3)));
      const auto evidence =
          Apply(c, Step(v1::CASE_ACTION_RECORD_EVIDENCE, Day(2026, 3, 4), {"OFF-2"}), Calendar());
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 5)), Fine(100)));
      const auto decided = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 20), {"OFF-1"}), Fine(100)),
          Calendar());
      THEN("both are refused on officer_ids") {
        CHECK(FieldNames(evidence.status()) == std::set<std::string>{"officer_ids"});
        CHECK(FieldNames(decided.status()) == std::set<std::string>{"officer_ids"});
      }
    }
  }
}

SCENARIO("a hearing is asked for within 5 working days of the notice (行政处罚法 第六十四条, "
         "第八十五条), across the National Day holiday") {
  GIVEN("a notice served on 30 September 2026, the eve of 国庆节 (1–7 October off, "
        "Saturday 10 October worked)") {
    REQUIRE(*Calendar().IsWorkingDay(Day(2026, 10, 10)));
    REQUIRE_FALSE(*Calendar().IsWorkingDay(Day(2026, 10, 7)));
    const v1::Case c = Noticed(Day(2026, 9, 1), Day(2026, 9, 30));
    THEN("the 5th working day is 13 October: 8, 9, 10, 12, 13") {
      CHECK(*HearingRequestLastDay(Calendar(), Day(2026, 9, 30)) == Day(2026, 10, 13));
    }
    WHEN("the party asks on 13 October") {
      const auto after = Apply(c, Step(v1::CASE_ACTION_REQUEST_HEARING, Day(2026, 10, 13), {}),
                               Calendar());
      THEN("the case moves to HEARING and the clock pauses") {
        REQUIRE(after.ok());
        CHECK(after->state() == v1::CASE_STATE_HEARING);
        CHECK(DayOf(after->hearing_requested_date()) == Day(2026, 10, 13));
        CHECK(after->paused_periods_size() == 1);
      }
    }
    WHEN("the party asks on 14 October, the 6th working day") {
      const auto after = Apply(c, Step(v1::CASE_ACTION_REQUEST_HEARING, Day(2026, 10, 14), {}),
                               Calendar());
      THEN("FAILED_PRECONDITION names the article and the last day") {
        REQUIRE(absl::IsFailedPrecondition(after.status()));
        CHECK_THAT(Message(after.status()), Catch::Contains("第六十四条"));
        CHECK_THAT(Message(after.status()), Catch::Contains("2026-10-13"));
      }
    }
    WHEN("the hearing is announced on 30 September") {
      v1::Case heard = Then(c, Step(v1::CASE_ACTION_REQUEST_HEARING, Day(2026, 9, 30), {}));
      CaseStep too_soon = Step(v1::CASE_ACTION_SCHEDULE_HEARING, Day(2026, 9, 30), {});
      too_soon.hearing_date = Day(2026, 10, 14);
      CaseStep in_time = too_soon;
      in_time.hearing_date = Day(2026, 10, 15);
      THEN("it may be held from the 7th working day, 15 October, not the 6th") {
        const auto refused = Apply(heard, too_soon, Calendar());
        CHECK(FieldNames(refused.status()) == std::set<std::string>{"hearing_date"});
        CHECK_THAT(Message(refused.status()), Catch::Contains("2026-10-15"));
        CHECK(Apply(heard, in_time, Calendar()).ok());
      }
    }
  }
}

SCENARIO("no decision before the party was notified and heard (行政处罚法 第四十四条、"
         "第四十五条、第六十二条)") {
  GIVEN("a case that passed legal review before any notice") {
    v1::Case c = Investigating(Day(2026, 3, 2), /*legal_review_required=*/true);
    c = Then(c, Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 3, 10), {}));
    CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, Day(2026, 3, 11), {});
    pass.actor.set_user_id("LEGAL-1");
    c = Then(c, pass);
    WHEN("a decision is made without the notice") {
      const auto after = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 12)), Fine(100)), Calendar());
      THEN("FAILED_PRECONDITION names 第四十四条") {
        REQUIRE(absl::IsFailedPrecondition(after.status()));
        CHECK_THAT(Message(after.status()), Catch::Contains("第四十四条"));
      }
    }
  }
  GIVEN("a notice served on Wednesday 4 March 2026 (hearing request period until 11 March)") {
    const v1::Case c = Noticed(Day(2026, 3, 2), Day(2026, 3, 4));
    WHEN("the decision comes on 11 March, the period's last day") {
      const auto after = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 11)), Fine(5000)), Calendar());
      THEN("it is refused: the party may still ask for a hearing") {
        REQUIRE(absl::IsFailedPrecondition(after.status()));
        CHECK_THAT(Message(after.status()), Catch::Contains("第六十二条"));
        CHECK_THAT(Message(after.status()), Catch::Contains("2026-03-11"));
      }
    }
    WHEN("the decision comes on 12 March") {
      const auto after = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 12)), Fine(5000)), Calendar());
      THEN("it is made") { CHECK(after.ok()); }
    }
    WHEN("the party waived its statement and hearing in writing first") {
      CaseStep waiver = Step(v1::CASE_ACTION_RECORD_STATEMENT, Day(2026, 3, 5), {});
      waiver.waives_rights = true;
      const v1::Case waived = Then(c, waiver);
      THEN("the decision may come at once") {
        CHECK(Apply(waived, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 5)), Fine(5000)),
                    Calendar())
                  .ok());
      }
    }
    WHEN("the decision is heavier than the notice proposed") {
      const auto after = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 12)), Fine(6000)), Calendar());
      THEN("it is refused under 第四十五条") {
        REQUIRE(absl::IsFailedPrecondition(after.status()));
        CHECK_THAT(Message(after.status()), Catch::Contains("第四十五条"));
      }
    }
  }
}

SCENARIO("a case that needs legal review is decided only after it passed (行政处罚法 "
         "第五十八条), by someone who did not investigate") {
  GIVEN("a case flagged for legal review, noticed without one") {
    v1::Case c = Investigating(Day(2026, 3, 2), /*legal_review_required=*/true);
    c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 4)), Fine(5000)));
    WHEN("it is decided after the hearing request period") {
      const auto after = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 12)), Fine(5000)), Calendar());
      THEN("FAILED_PRECONDITION names 第五十八条") {
        REQUIRE(absl::IsFailedPrecondition(after.status()));
        CHECK_THAT(Message(after.status()), Catch::Contains("第五十八条"));
      }
    }
    WHEN("one of its officers passes the review") {
      c = Then(c, Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 3, 12), {}));
      CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, Day(2026, 3, 13), {});
      pass.actor.set_user_id("OFF-2");
      THEN("PERMISSION_DENIED") {
        CHECK(absl::IsPermissionDenied(Apply(c, pass, Calendar()).status()));
      }
    }
    WHEN("the legal staff passes it and the case is decided from review") {
      c = Then(c, Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 3, 12), {}));
      CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, Day(2026, 3, 13), {});
      pass.actor.set_user_id("LEGAL-1");
      c = Then(c, pass);
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 16)), Fine(5000)));
      THEN("it is decided") { CHECK(c.state() == v1::CASE_STATE_DECIDED); }
    }
  }
}

SCENARIO("a suspension (中止) stops the procedure and its clock until it resumes") {
  GIVEN("a case under investigation") {
    v1::Case c = Investigating(Day(2026, 3, 2));
    WHEN("it is suspended on 10 March and resumed on 30 March") {
      c = Then(c, WithNote(Step(v1::CASE_ACTION_SUSPEND, Day(2026, 3, 10), {}), "等待公安机关认定"));
      const auto evidence =
          Apply(c, Step(v1::CASE_ACTION_RECORD_EVIDENCE, Day(2026, 3, 11)), Calendar());
      c = Then(c, Step(v1::CASE_ACTION_RESUME, Day(2026, 3, 30), {}));
      THEN("nothing else could happen meanwhile, and it returns to where it was") {
        CHECK(absl::IsFailedPrecondition(evidence.status()));
        CHECK_THAT(Message(evidence.status()), Catch::Contains("CASE_STATE_SUSPENDED"));
        CHECK(c.state() == v1::CASE_STATE_INVESTIGATING);
        CHECK(c.suspended_from() == v1::CASE_STATE_UNSPECIFIED);
      }
      THEN("its 20 days are paused") {
        REQUIRE(c.paused_periods_size() == 1);
        CHECK(c.paused_periods(0).reason() == v1::PAUSE_REASON_SUSPENSION);
        CHECK(PausedDays(c, Day(2026, 4, 30)) == 20);
      }
    }
    WHEN("it is suspended without a reason") {
      const auto after = Apply(c, Step(v1::CASE_ACTION_SUSPEND, Day(2026, 3, 10), {}), Calendar());
      THEN("INVALID_ARGUMENT names note") {
        CHECK(FieldNames(after.status()) == std::set<std::string>{"note"});
      }
    }
    WHEN("the 30-day extension is asked twice") {
      c = Then(c, WithNote(Step(v1::CASE_ACTION_EXTEND, Day(2026, 5, 20), {}), "案情复杂"));
      const auto again =
          Apply(c, WithNote(Step(v1::CASE_ACTION_EXTEND, Day(2026, 5, 21), {}), "再次延期"),
                Calendar());
      THEN("the second is refused: it is granted once") {
        CHECK(c.extension_approved());
        CHECK(absl::IsFailedPrecondition(again.status()));
      }
    }
    WHEN("the investigation is concluded while a test is still out") {
      c = Then(c, Step(v1::CASE_ACTION_START_TESTING, Day(2026, 3, 5)));
      const auto notice = Apply(
          c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 6)), Fine(100)), Calendar());
      THEN("it is refused until the result is in") {
        CHECK(absl::IsFailedPrecondition(notice.status()));
      }
    }
    WHEN("a step is dated before the previous one") {
      const auto after =
          Apply(c, Step(v1::CASE_ACTION_RECORD_EVIDENCE, Day(2026, 3, 1)), Calendar());
      THEN("INVALID_ARGUMENT names date") {
        CHECK(FieldNames(after.status()) == std::set<std::string>{"date"});
      }
    }
  }
}

SCENARIO("a draft is filed only with its party and department named") {
  GIVEN("a draft without a USCC or party kind") {
    v1::Case draft = Draft();
    draft.clear_uscc();
    draft.set_party_kind(v1::PARTY_KIND_UNSPECIFIED);
    THEN("FILE is refused naming both fields") {
      const auto after = Apply(draft, Step(v1::CASE_ACTION_FILE, Day(2026, 3, 2), {}), Calendar());
      CHECK(FieldNames(after.status()) == std::set<std::string>{"uscc", "party_kind"});
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
