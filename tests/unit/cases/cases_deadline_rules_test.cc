// The time limits of a case on the real working-day calendar (行政处罚法 第六十条、第六十一条、
// 第六十四条、第六十七条、第七十二条、第八十五条).
#include <cstdint>
#include <optional>

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "services/cases/domain/deadlines.h"
#include "services/cases/domain/procedure.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;

// A case under investigation, filed on 2 March 2026.
v1::Case FiledOn2March() {
  v1::Case c = Draft();
  c.set_state(v1::CASE_STATE_INVESTIGATING);
  *c.mutable_filed_date() = DateOf(Day(2026, 3, 2));
  return c;
}

// Adds a pause [start, end) of the decision clock; without an end it still goes on.
void Pause(v1::Case& c, v1::PauseReason reason, absl::CivilDay start,
           std::optional<absl::CivilDay> end) {
  v1::ClockPause& pause = *c.add_paused_periods();
  pause.set_reason(reason);
  *pause.mutable_start_date() = DateOf(start);
  if (end.has_value()) *pause.mutable_end_date() = DateOf(*end);
}

SCENARIO("the decision is due within 90 days of filing, paused time excluded "
         "(行政处罚法 第六十条; 市场监督管理行政处罚程序规定: 中止、听证、检测等时间不计入)") {
  GIVEN("a case filed on 2 March 2026") {
    v1::Case c = FiledOn2March();
    THEN("without pauses the 90th day is 31 May") {
      CHECK(DecisionDueDate(c, Day(2026, 4, 1)) == Day(2026, 5, 31));
    }
    WHEN("it was suspended from 1 to 21 April") {
      Pause(c, v1::PAUSE_REASON_SUSPENSION, Day(2026, 4, 1), Day(2026, 4, 21));
      THEN("20 days are not counted: due 20 June") {
        CHECK(PausedDays(c, Day(2026, 5, 1)) == 20);
        CHECK(DecisionDueDate(c, Day(2026, 5, 1)) == Day(2026, 6, 20));
      }
      THEN("on 1 May, 60 calendar days after filing less 20 paused, 40 have run and 50 remain") {
        const auto due = DeadlinesOf(c, Day(2026, 5, 1), Calendar());
        REQUIRE(due.ok());
        CHECK(due->decision_days_remaining() == 50);
        CHECK(due->paused_days() == 20);
        CHECK(due->decision_limit_days() == 90);
        CHECK_FALSE(due->at_risk());
      }
      AND_WHEN("the head approved the 30 more days") {
        c.set_extension_approved(true);
        THEN("it is due 30 days later: 20 July") {
          CHECK(DecisionDueDate(c, Day(2026, 5, 1)) == Day(2026, 7, 20));
          CHECK(DeadlinesOf(c, Day(2026, 5, 1), Calendar())->decision_limit_days() == 120);
        }
      }
      AND_WHEN("samples were also out for testing from 10 to 30 April") {
        Pause(c, v1::PAUSE_REASON_TESTING, Day(2026, 4, 10), Day(2026, 4, 30));
        THEN("overlapping days count once: 1–29 April, 29 days") {
          CHECK(PausedDays(c, Day(2026, 5, 1)) == 29);
          CHECK(DecisionDueDate(c, Day(2026, 5, 1)) == Day(2026, 6, 29));
        }
      }
    }
    WHEN("a suspension began on 1 April and still goes on") {
      Pause(c, v1::PAUSE_REASON_SUSPENSION, Day(2026, 4, 1), std::nullopt);
      THEN("the clock stands still: the due date moves with each day, the days left do not") {
        CHECK(DecisionDueDate(c, Day(2026, 4, 11)) == Day(2026, 6, 10));
        CHECK(DeadlinesOf(c, Day(2026, 4, 11), Calendar())->decision_days_remaining() == 60);
        CHECK(DeadlinesOf(c, Day(2026, 4, 21), Calendar())->decision_days_remaining() == 60);
      }
    }
  }
}

SCENARIO("a case is at risk when fewer than N days are left to the decision limit") {
  GIVEN("a case filed on 2 March 2026, due 31 May") {
    const v1::Case c = FiledOn2March();
    THEN("with 10 days left it is not at risk, with 9 it is (default N = 10)") {
      CHECK_FALSE(DeadlinesOf(c, Day(2026, 5, 21), Calendar())->at_risk());
      CHECK(DeadlinesOf(c, Day(2026, 5, 22), Calendar())->at_risk());
    }
    THEN("N is a parameter") {
      CHECK(DeadlinesOf(c, Day(2026, 5, 11), Calendar(), {.at_risk_days = 21})->at_risk());
    }
    THEN("past the limit it stays at risk, with negative days left") {
      const auto due = DeadlinesOf(c, Day(2026, 6, 2), Calendar());
      CHECK(due->at_risk());
      CHECK(due->decision_days_remaining() == -2);
    }
    WHEN("it was decided") {
      v1::Case decided = c;
      decided.set_state(v1::CASE_STATE_DECIDED);
      *decided.mutable_decided_date() = DateOf(Day(2026, 5, 25));
      THEN("it is no longer at risk") {
        CHECK_FALSE(DeadlinesOf(decided, Day(2026, 5, 30), Calendar())->at_risk());
      }
    }
  }
}

SCENARIO("service within 7 working days of a decision the absent party did not hear "
         "(行政处罚法 第六十一条, 第八十五条), payment within 15 days (第六十七条)") {
  GIVEN("a decision of 30 September 2026, the eve of 国庆节") {
    THEN("an absent party is served by 15 October, the 7th working day") {
      CHECK(*ServiceDueDate(Calendar(), Day(2026, 9, 30), true) == Day(2026, 10, 15));
    }
    THEN("a present party is served on the spot") {
      CHECK(*ServiceDueDate(Calendar(), Day(2026, 9, 30), false) == Day(2026, 9, 30));
    }
    THEN("served that day, the fine is due 15 calendar days later, 15 October") {
      CHECK(PaymentDueDate(Day(2026, 9, 30)) == Day(2026, 10, 15));
    }
  }
}

SCENARIO("the late-payment surcharge is 3 % of the fine a day, never more than the fine "
         "(行政处罚法 第七十二条)") {
  GIVEN("a fine of 100 yuan due on 15 October 2026") {
    const int64_t fine = 10000;
    const absl::CivilDay due = Day(2026, 10, 15);
    THEN("paid on the due day, nothing is added") {
      CHECK(LateSurchargeFen(fine, due, due) == 0);
    }
    THEN("one day late adds 3 yuan, 33 days 99 yuan") {
      CHECK(LateSurchargeFen(fine, due, due + 1) == 300);
      CHECK(LateSurchargeFen(fine, due, due + 33) == 9900);
    }
    THEN("from the 34th day on, the surcharge is capped at the fine") {
      CHECK(LateSurchargeFen(fine, due, due + 34) == 10000);
      CHECK(LateSurchargeFen(fine, due, due + 400) == 10000);
    }
  }
  GIVEN("fines that do not divide evenly") {
    THEN("the total is rounded down to the fen") {
      CHECK(LateSurchargeFen(1, Day(2026, 1, 1), Day(2026, 1, 2)) == 0);         // 0.03 fen
      CHECK(LateSurchargeFen(12345, Day(2026, 1, 1), Day(2026, 1, 8)) == 2592);  // 2592.45
    }
    THEN("a fine near the int64 limit does not overflow") {
      const int64_t huge = INT64_MAX / 2;
      CHECK(LateSurchargeFen(huge, Day(2026, 1, 1), Day(2026, 1, 2)) == huge / 100 * 3 +
                                                                          huge % 100 * 3 / 100);
    }
  }
}

SCENARIO("the deadlines shown on a case follow its steps") {
  GIVEN("a notice served on 30 September 2026 in a case filed on 1 September") {
    v1::Case c = Noticed(Day(2026, 9, 1), Day(2026, 9, 30));
    WHEN("the deadlines are read on 9 October") {
      const auto due = DeadlinesOf(c, Day(2026, 10, 9), Calendar());
      REQUIRE(due.ok());
      THEN("the hearing may be asked until 13 October; the decision is due 30 November") {
        CHECK(DayOf(due->hearing_request_last_day()) == Day(2026, 10, 13));
        CHECK(DayOf(due->decision_due_date()) == Day(2026, 11, 30));
        CHECK(due->decision_days_remaining() == 52);
        CHECK_FALSE(due->has_service_due_date());
        CHECK_FALSE(due->has_payment_due_date());
      }
    }
    WHEN("it is decided on 14 October without the party, served on 20 October and unpaid "
         "on 20 November") {
      CaseStep decide = WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 10, 14)), Fine(5000));
      decide.party_absent = true;
      c = Then(c, decide);
      c = Then(c, Step(v1::CASE_ACTION_SERVE, Day(2026, 10, 20), {}));
      const auto due = DeadlinesOf(c, Day(2026, 11, 20), Calendar());
      REQUIRE(due.ok());
      THEN("service was due 23 October, payment 4 November, and 16 days add 48 %") {
        CHECK(DayOf(due->service_due_date()) == Day(2026, 10, 23));
        CHECK(DayOf(due->payment_due_date()) == Day(2026, 11, 4));
        CHECK(due->late_surcharge().fen() == 240000);
        CHECK_FALSE(due->at_risk());
      }
    }
  }
  GIVEN("a draft not yet filed") {
    THEN("no deadline runs") {
      const auto due = DeadlinesOf(Draft(), Day(2026, 3, 2), Calendar());
      REQUIRE(due.ok());
      CHECK_FALSE(due->has_decision_due_date());
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
