// Case handling's part of the loop KPIs (闭环监管指标, issue #21): the day a violation was found
// (发现违法行为之日) kept on the lead from its registration through hand-overs (线索移交), the
// days from it to the penalty executed (执行完毕, 行政处罚法 第六十七条), and the report of a
// department over a period: cases filed per source, those opened from inspections
// (检查移送立案), penalties executed and the average days.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "libs/testing/field_names.h"
#include "services/cases/domain/case_report.h"
#include "services/cases/domain/lead.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;
using testing::FieldNames;

constexpr char kWucheng[] = "330702-SCJG";

v1::Lead Draft(v1::LeadSource source, absl::CivilDay registered) {
  v1::Lead draft;
  draft.set_name("leads/l-2026-0001");
  draft.set_uscc(kUscc);
  draft.set_source(source);
  draft.mutable_department()->set_code(kScjg);
  draft.set_summary("检查发现销售超过保质期的食品");
  *draft.mutable_violation()->mutable_committed_date() = DateOf(Day(2026, 2, 1));
  *draft.mutable_registered_date() = DateOf(registered);
  return draft;
}

template <typename T>
T Ok(absl::StatusOr<T> result) {
  REQUIRE(result.status().ToString() == "OK");
  return *std::move(result);
}

// A case of `department` filed and (when `executed` is set) executed on those days.
v1::Case CaseOf(const std::string& department, absl::CivilDay filed,
                std::optional<absl::CivilDay> executed = std::nullopt) {
  v1::Case c;
  c.mutable_department()->set_code(department);
  *c.mutable_filed_date() = DateOf(filed);
  if (executed) *c.mutable_executed_date() = DateOf(*executed);
  return c;
}

v1::Lead LeadFound(v1::LeadSource source, absl::CivilDay found) {
  v1::Lead lead;
  lead.set_source(source);
  *lead.mutable_found_date() = DateOf(found);
  return lead;
}

SCENARIO("a lead keeps the day its violation was found from registration through hand-overs") {
  GIVEN("a complaint registered on 2 March 2026, with no found day of its own") {
    const v1::Lead lead =
        Ok(NewLead(Draft(v1::LEAD_SOURCE_COMPLAINT, Day(2026, 3, 2)), Calendar()));
    THEN("it was found the day it was registered") {
      CHECK(DayOf(lead.found_date()) == Day(2026, 3, 2));
      CHECK(FoundDayOf(lead) == Day(2026, 3, 2));
    }
    WHEN("it is handed to 婺城区 and accepted there on 10 March (registered_date moves)") {
      const v1::Lead offered = Ok(Transfer(lead, kScjg, kWucheng, "属于婺城区管辖", Day(2026, 3, 5)));
      const v1::Lead accepted = Ok(
          AnswerTransfer(offered, kWucheng, true, "", Day(2026, 3, 10), Calendar()));
      THEN("the found day stays 2 March") {
        CHECK(DayOf(accepted.registered_date()) == Day(2026, 3, 10));
        CHECK(FoundDayOf(accepted) == Day(2026, 3, 2));
      }
    }
  }
  GIVEN("an inspection's lead found on 27 February and registered on 2 March") {
    v1::Lead draft = Draft(v1::LEAD_SOURCE_INSPECTION, Day(2026, 3, 2));
    *draft.mutable_found_date() = DateOf(Day(2026, 2, 27));
    THEN("it keeps the inspection's day") {
      CHECK(FoundDayOf(Ok(NewLead(draft, Calendar()))) == Day(2026, 2, 27));
    }
  }
  GIVEN("a found day after the registration, or not a day at all") {
    v1::Lead late = Draft(v1::LEAD_SOURCE_INSPECTION, Day(2026, 3, 2));
    *late.mutable_found_date() = DateOf(Day(2026, 3, 3));
    v1::Lead unreal = Draft(v1::LEAD_SOURCE_INSPECTION, Day(2026, 3, 2));
    unreal.mutable_found_date()->set_year(2026);
    unreal.mutable_found_date()->set_month(2);
    unreal.mutable_found_date()->set_day(30);
    THEN("registration refuses it naming found_date") {
      CHECK(FieldNames(NewLead(late, Calendar()).status()) == std::set<std::string>{"found_date"});
      CHECK(FieldNames(NewLead(unreal, Calendar()).status()) ==
            std::set<std::string>{"found_date"});
    }
  }
  GIVEN("leads registered before found_date existed") {
    v1::Lead inspection;
    inspection.set_source(v1::LEAD_SOURCE_INSPECTION);
    *inspection.mutable_violation()->mutable_committed_date() = DateOf(Day(2026, 2, 27));
    *inspection.mutable_registered_date() = DateOf(Day(2026, 3, 2));
    v1::Lead complaint = inspection;
    complaint.set_source(v1::LEAD_SOURCE_COMPLAINT);
    THEN("an inspection's counts from its violation day (the inspection's), others from "
         "their registration") {
      CHECK(FoundDayOf(inspection) == Day(2026, 2, 27));
      CHECK(FoundDayOf(complaint) == Day(2026, 3, 2));
    }
  }
}

SCENARIO("days from violation found to penalty executed, and their average") {
  CHECK(DaysFoundToExecuted(Day(2026, 2, 27), Day(2026, 3, 20)) == 21);
  CHECK(DaysFoundToExecuted(Day(2025, 12, 31), Day(2026, 1, 1)) == 1);
  CHECK(DaysFoundToExecuted(Day(2026, 3, 20), Day(2026, 3, 20)) == 0);
  CHECK(DaysFoundToExecuted(Day(2026, 3, 21), Day(2026, 3, 20)) == 0);  // never negative
  CHECK(AverageDays(0, 0) == 0.0);
  CHECK(AverageDays(45, 2) == 22.5);
  CHECK(AverageDays(100, 3) == Approx(33.3333).epsilon(1e-4));
}

SCENARIO("the case report of a department over a period") {
  GIVEN("金华市市场监管局's cases: two from inspections, one from a complaint, one of another "
        "department, one filed before the period") {
    const v1::Lead inspection_a = LeadFound(v1::LEAD_SOURCE_INSPECTION, Day(2026, 2, 27));
    const v1::Lead inspection_b = LeadFound(v1::LEAD_SOURCE_INSPECTION, Day(2026, 3, 1));
    const v1::Lead complaint = LeadFound(v1::LEAD_SOURCE_COMPLAINT, Day(2026, 3, 5));
    const v1::Lead old = LeadFound(v1::LEAD_SOURCE_RISK_ALERT, Day(2025, 11, 1));
    // Filed 2 March, executed 20 March: 21 days after found.
    const v1::Case a = CaseOf(kScjg, Day(2026, 3, 2), Day(2026, 3, 20));
    // Filed 3 March, not executed.
    const v1::Case b = CaseOf(kScjg, Day(2026, 3, 3));
    // Filed 6 March, executed 31 March: 26 days after found.
    const v1::Case c = CaseOf(kScjg, Day(2026, 3, 6), Day(2026, 3, 31));
    // Filed in 2025, executed in the period: 140 days after found.
    const v1::Case d = CaseOf(kScjg, Day(2025, 12, 1), Day(2026, 3, 21));
    const v1::Case other = CaseOf(kWucheng, Day(2026, 3, 4), Day(2026, 3, 25));
    const std::vector<CaseAndLead> cases = {
        {&a, &inspection_a}, {&b, &inspection_b}, {&c, &complaint}, {&d, &old},
        {&other, &inspection_a}};
    WHEN("the report covers March 2026") {
      const v1::CaseReport report = CaseReportOf(cases, kScjg, Day(2026, 3, 1), Day(2026, 3, 31));
      THEN("three cases were filed, two of them from inspections, per source in enum order") {
        CHECK(report.department().code() == kScjg);
        CHECK(report.cases_filed() == 3);
        CHECK(report.cases_from_inspection() == 2);
        REQUIRE(report.sources_size() == 2);
        CHECK(report.sources(0).source() == v1::LEAD_SOURCE_INSPECTION);
        CHECK(report.sources(0).filed() == 2);
        CHECK(report.sources(1).source() == v1::LEAD_SOURCE_COMPLAINT);
        CHECK(report.sources(1).filed() == 1);
      }
      THEN("three penalties were executed, (21 + 26 + 140) / 3 days after found on average") {
        CHECK(report.penalties_executed() == 3);
        CHECK(report.found_to_executed_days() == 187);
        CHECK(report.average_found_to_executed_days() == Approx(187.0 / 3));
      }
    }
    WHEN("the report covers 1–19 March only") {
      const v1::CaseReport report = CaseReportOf(cases, kScjg, Day(2026, 3, 1), Day(2026, 3, 19));
      THEN("the cases are filed in it but none is executed: the average is 0") {
        CHECK(report.cases_filed() == 3);
        CHECK(report.penalties_executed() == 0);
        CHECK(report.found_to_executed_days() == 0);
        CHECK(report.average_found_to_executed_days() == 0.0);
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
