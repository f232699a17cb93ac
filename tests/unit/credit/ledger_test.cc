// The ledger's arithmetic and credit repair's conditions (DESIGN §7): entries that always sum
// to the score, grades from the bands, grade D's joint punishment (一处失信、处处受限), a
// breached commitment's one-year ban, restoration when the publication period ends, and
// repair refused or granted at the calendar boundaries.
#include "services/credit/domain/ledger.h"

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "services/credit/domain/repair.h"
#include "tests/unit/credit/credit_fixtures.h"

namespace jianguan::credit {
namespace {

constexpr char kUscc[] = "91330782MA2EC8CX99";
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

v1::SourceEvent Source(const std::string& type, const std::string& resource) {
  v1::SourceEvent source;
  source.set_topic("jianguan.cases.v1");
  source.set_type(type);
  source.set_resource(resource);
  source.set_ce_id("ce-" + resource);
  return source;
}

const std::string kPenaltyType = "jianguan.cases.v1.PenaltyDecided";

// The record and ledger after the changes so far.
struct Subject {
  v1::CreditRecord record = NewRecord(kUscc);
  std::vector<v1::LedgerEntry> ledger;

  CreditChange Apply(const CompiledModel& model, const std::string& rule_id, absl::CivilDay day,
                     const std::string& resource = "cases/1") {
    CreditChange change = ApplyRule(record, model, *model.FindRule(rule_id),
                                    Source(kPenaltyType, resource), day, kNow);
    Take(change);
    return change;
  }
  void Take(const CreditChange& change) {
    record = change.record;
    ledger.insert(ledger.end(), change.entries.begin(), change.entries.end());
  }
  int Sum() const {
    int sum = kBaseScore;
    for (const auto& e : ledger) sum += e.points();
    return sum;
  }
};

SCENARIO("every entry is explained and the entries sum to the score") {
  const CompiledModel model = testing::TestModel();
  GIVEN("a subject never scored") {
    Subject s;
    REQUIRE(s.record.score() == 100);
    REQUIRE(s.record.grade() == v1::CREDIT_GRADE_UNSPECIFIED);

    WHEN("a fine of 10,000 yuan or more is decided") {
      const CreditChange change = s.Apply(model, "FINE-LARGE", absl::CivilDay(2026, 3, 10));
      THEN("one entry of −15 names its rule, model, basis and source, and the score is 85, B") {
        REQUIRE(change.entries.size() == 1);
        const v1::LedgerEntry& e = change.entries[0];
        CHECK(e.sequence() == 1);
        CHECK(e.points() == -15);
        CHECK(e.rule_id() == "FINE-LARGE");
        CHECK(e.model_version() == "t.1");
        CHECK(e.legal_basis() == "其他行政处罚公示3年");
        CHECK(e.source().resource() == "cases/1");
        CHECK(e.score_after() == 85);
        // Shown for 36 months: to 2029-03-09.
        CHECK(DayOf(e.shown_until()) == absl::CivilDay(2029, 3, 9));
        CHECK(s.record.score() == 85);
        CHECK(s.Sum() == 85);
        REQUIRE(change.grade_change.has_value());
        CHECK(change.grade_change->grade() == v1::CREDIT_GRADE_B);
        CHECK(change.grade_change->previous_grade() == v1::CREDIT_GRADE_UNSPECIFIED);
        CHECK(change.grade_change->version() == 1);
        CHECK(change.score_changes.at(0).version() == 1);
        CHECK(s.record.version() == 1);
      }
    }
    WHEN("deductions exceed the whole score") {
      s.Apply(model, "SERIOUS", absl::CivilDay(2026, 3, 10), "cases/1");
      s.Apply(model, "SERIOUS", absl::CivilDay(2026, 3, 11), "cases/2");
      const CreditChange last = s.Apply(model, "SERIOUS", absl::CivilDay(2026, 3, 12), "cases/3");
      THEN("the last entry takes only what is left: the score stops at 0 and still sums") {
        CHECK(last.entries[0].points() == -20);
        CHECK(s.record.score() == 0);
        CHECK(s.Sum() == 0);
        CHECK(s.record.version() == 3);
      }
    }
  }
}

SCENARIO("grade D restricts every measure while it lasts (一处失信、处处受限)") {
  const CompiledModel model = testing::TestModel();
  GIVEN("a subject whose score falls below 60") {
    Subject s;
    s.Apply(model, "SERIOUS", absl::CivilDay(2026, 3, 10), "cases/1");
    const CreditChange to_d = s.Apply(model, "FINE-SMALL", absl::CivilDay(2026, 3, 11), "cases/2");
    THEN("it is listed for the model's four measures with no end date") {
      CHECK(s.record.score() == 55);
      CHECK(s.record.grade() == v1::CREDIT_GRADE_D);
      REQUIRE(to_d.listed.size() == 1);
      CHECK(to_d.listed[0].restriction().measures_size() == 4);
      CHECK_FALSE(to_d.listed[0].restriction().has_end_date());
      CHECK(RestrictionsInForce(s.record, absl::CivilDay(2030, 1, 1), v1::MEASURE_TENDER).size() == 1);
    }
    WHEN("the small fine's publication period ends and the month's reclassification runs") {
      // FINE-SMALL is shown 3 months: 2026-03-11 … 2026-06-10.
      const CreditChange june = Reclassify(s.record, s.ledger, model, absl::CivilDay(2026, 6, 1), kNow);
      s.Take(june);
      const CreditChange july = Reclassify(s.record, s.ledger, model, absl::CivilDay(2026, 7, 1), kNow);
      THEN("June changes nothing; July gives the 5 points back, C, and lifts the restriction") {
        CHECK_FALSE(june.reported());
        REQUIRE(july.entries.size() == 1);
        CHECK(july.entries[0].kind() == v1::ENTRY_KIND_EXPIRY);
        CHECK(july.entries[0].points() == 5);
        CHECK(july.entries[0].restores() == 2);
        CHECK(july.record.score() == 60);
        REQUIRE(july.grade_change.has_value());
        CHECK(july.grade_change->grade() == v1::CREDIT_GRADE_C);
        REQUIRE(july.lifted.size() == 1);
        CHECK(july.lifted[0].reason() == "信用等级回升");
        CHECK(RestrictionsInForce(july.record, absl::CivilDay(2026, 7, 1)).empty());
        s.Take(july);
        AND_THEN("the next reclassification restores nothing twice") {
          CHECK_FALSE(Reclassify(s.record, s.ledger, model, absl::CivilDay(2026, 8, 1), kNow).reported());
          CHECK(s.Sum() == s.record.score());
        }
      }
    }
  }
}

SCENARIO("a breached commitment bars approval on commitment for a year (Pujiang)") {
  const CompiledModel model = testing::TestModel();
  Subject s;
  const CreditChange breach = s.Apply(model, "BREACH", absl::CivilDay(2026, 5, 20));
  THEN("the restriction runs from 2026-05-20 to 2027-05-19 and covers only that measure") {
    REQUIRE(breach.listed.size() == 1);
    const v1::Restriction& r = breach.listed[0].restriction();
    CHECK(DayOf(r.start_date()) == absl::CivilDay(2026, 5, 20));
    CHECK(DayOf(r.end_date()) == absl::CivilDay(2027, 5, 19));
    CHECK(r.entry_sequence() == 1);
    CHECK(RestrictionsInForce(s.record, absl::CivilDay(2027, 5, 19),
                              v1::MEASURE_COMMITMENT_APPROVAL).size() == 1);
    CHECK(RestrictionsInForce(s.record, absl::CivilDay(2027, 5, 20),
                              v1::MEASURE_COMMITMENT_APPROVAL).empty());
    CHECK(RestrictionsInForce(s.record, absl::CivilDay(2026, 6, 1), v1::MEASURE_SUBSIDY).empty());
  }
  WHEN("June 2027's reclassification runs") {
    const CreditChange june = Reclassify(s.record, s.ledger, model, absl::CivilDay(2027, 6, 1), kNow);
    THEN("the ended restriction is lifted with PunishmentLifted, once") {
      REQUIRE(june.lifted.size() == 1);
      CHECK(june.lifted[0].reason() == "期满");
      s.Take(june);
      CHECK(Reclassify(s.record, s.ledger, model, absl::CivilDay(2027, 7, 1), kNow).lifted.empty());
    }
  }
}

SCENARIO("credit repair at its boundaries (信用修复: 6 months, 1 year for food; fulfilled; no repeat; no list)") {
  const CompiledModel model = testing::TestModel();
  GIVEN("a fine of 10,000 yuan decided on 2026-08-31 (repairable after 6 months)") {
    Subject s;
    s.Apply(model, "FINE-LARGE", absl::CivilDay(2026, 8, 31), "cases/7");
    const v1::LedgerEntry entry = s.ledger[0];
    const v1::Rule* rule = model.FindRule("FINE-LARGE");

    THEN("on 2027-02-27 it is refused: too early, and the penalty is not executed") {
      auto refusals = RepairRefusals(s.record, s.ledger, entry, rule, absl::CivilDay(2027, 2, 27));
      REQUIRE(refusals.ok());
      REQUIRE(refusals->size() == 2);
      CHECK_THAT((*refusals)[0], Catch::Contains("2027-02-28"));
      CHECK_THAT((*refusals)[1], Catch::Contains("cases/7"));
    }
    WHEN("the penalty is executed") {
      REQUIRE(NotePenaltyExecuted(s.record, "cases/7"));
      REQUIRE_FALSE(NotePenaltyExecuted(s.record, "cases/7"));
      THEN("on 2027-02-28 (August 31 + 6 months: the month's last day) it may be granted") {
        auto refusals = RepairRefusals(s.record, s.ledger, entry, rule, absl::CivilDay(2027, 2, 28));
        REQUIRE(refusals.ok());
        CHECK(refusals->empty());
        const CreditChange granted =
            GrantRepair(s.record, entry, "subjects/x/repairs/1", model, absl::CivilDay(2027, 2, 28), kNow);
        REQUIRE(granted.entries.size() == 1);
        CHECK(granted.entries[0].kind() == v1::ENTRY_KIND_REPAIR);
        CHECK(granted.entries[0].points() == 15);
        CHECK(granted.entries[0].restores() == 1);
        CHECK(granted.entries[0].repair() == "subjects/x/repairs/1");
        CHECK(granted.record.score() == 100);
        s.Take(granted);
        AND_THEN("the entry cannot be repaired again, nor expire later") {
          auto again = RepairRefusals(s.record, s.ledger, entry, rule, absl::CivilDay(2027, 3, 1));
          CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
          CHECK(Reclassify(s.record, s.ledger, model, absl::CivilDay(2030, 1, 1), kNow)
                    .entries.empty());
        }
      }
      AND_WHEN("the same violation is repeated before the repair") {
        s.Apply(model, "FINE-LARGE", absl::CivilDay(2026, 12, 1), "cases/8");
        THEN("the repair of the first is refused for the repeat") {
          auto refusals = RepairRefusals(s.record, s.ledger, entry, rule, absl::CivilDay(2027, 3, 1));
          REQUIRE(refusals.ok());
          REQUIRE(refusals->size() == 1);
          CHECK_THAT((*refusals)[0], Catch::Contains("entry 2"));
        }
      }
      AND_WHEN("the registry lists the subject as abnormal (经营异常名录)") {
        REQUIRE(NoteSubjectStatus(s.record, subject::v1::SUBJECT_STATUS_ABNORMAL_OPERATION, 5));
        REQUIRE_FALSE(NoteSubjectStatus(s.record, subject::v1::SUBJECT_STATUS_NORMAL, 4));
        THEN("the repair is refused while it is listed") {
          auto refusals = RepairRefusals(s.record, s.ledger, entry, rule, absl::CivilDay(2027, 3, 1));
          REQUIRE(refusals.ok());
          REQUIRE(refusals->size() == 1);
          CHECK_THAT((*refusals)[0], Catch::Contains("经营异常名录"));
        }
      }
    }
  }
  GIVEN("a serious food violation (repairable after 12 months) decided on 2026-02-28") {
    Subject s;
    s.Apply(model, "SERIOUS", absl::CivilDay(2026, 2, 28), "cases/9");
    NotePenaltyExecuted(s.record, "cases/9");
    const v1::Rule* rule = model.FindRule("SERIOUS");
    THEN("it is refused on 2027-02-27 and may be granted on 2027-02-28") {
      CHECK(RepairRefusals(s.record, s.ledger, s.ledger[0], rule, absl::CivilDay(2027, 2, 27))->size() == 1);
      CHECK(RepairRefusals(s.record, s.ledger, s.ledger[0], rule, absl::CivilDay(2027, 2, 28))->empty());
    }
  }
  GIVEN("an entry whose rule's model version is no longer loaded") {
    Subject s;
    s.Apply(model, "FINE-SMALL", absl::CivilDay(2026, 1, 5));
    THEN("it is refused, naming the version") {
      auto refusals = RepairRefusals(s.record, s.ledger, s.ledger[0], nullptr, absl::CivilDay(2027, 1, 5));
      REQUIRE(refusals.ok());
      CHECK_THAT(refusals->front(), Catch::Contains("t.1"));
    }
  }
}

SCENARIO("AddMonths counts calendar months and clamps to the month's end") {
  CHECK(AddMonths(absl::CivilDay(2026, 8, 31), 6) == absl::CivilDay(2027, 2, 28));
  CHECK(AddMonths(absl::CivilDay(2027, 8, 31), 6) == absl::CivilDay(2028, 2, 29));
  CHECK(AddMonths(absl::CivilDay(2026, 1, 15), 12) == absl::CivilDay(2027, 1, 15));
  CHECK(AddMonths(absl::CivilDay(2026, 3, 31), -1) == absl::CivilDay(2026, 2, 28));
}

}  // namespace
}  // namespace jianguan::credit
