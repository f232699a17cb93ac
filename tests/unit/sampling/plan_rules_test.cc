// The rules of a plan as the API carries it: defaults, dates, the frequency cut-off, the
// target filter, and the hashed plan object carrying everything the plan says.
#include "services/sampling/domain/plan_rules.h"

#include <catch2/catch.hpp>

#include "jianguan/subject/v1/subject.pb.h"
#include "libs/testing/dates.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

TEST_CASE("dates exist in the calendar and months count back to the month's end") {
  CHECK(IsValidDate(DateOf(2028, 2, 29)));
  CHECK_FALSE(IsValidDate(DateOf(2026, 2, 29)));
  CHECK_FALSE(IsValidDate(DateOf(2026, 4, 31)));
  CHECK_FALSE(IsValidDate(DateOf(2026, 13, 1)));
  CHECK(MonthsBefore("2026-03-31", 1) == "2026-02-28");
  CHECK(MonthsBefore("2026-06-15", 12) == "2025-06-15");
  CHECK(MonthsBefore("2026-01-10", 1) == "2025-12-10");
  CHECK(MonthsBefore("2026-06-15", 0) == "2026-06-15");
}

TEST_CASE("defaults fill the 16 classes in stratum order, keeping what the plan overrides") {
  v1::Plan plan;
  v1::ClassRule* rule = plan.add_class_rules();
  rule->set_class_name("C-high");
  rule->set_ppm(123);
  rule->set_max(-1);
  *plan.mutable_period_start() = DateOf(2026, 3, 1);
  ApplyPlanDefaults(plan);
  REQUIRE(plan.class_rules_size() == 16);
  CHECK(plan.class_rules(0).class_name() == "A-low");
  CHECK(plan.class_rules(0).ppm() == 40000);
  CHECK_FALSE(plan.class_rules(0).round_up());
  CHECK(plan.class_rules(11).class_name() == "C-high");
  CHECK(plan.class_rules(11).ppm() == 123);
  CHECK(plan.class_rules(15).full_coverage());
  CHECK(plan.frequency_months() == 12);
  CHECK(plan.inspectors_per_task() == 2);
  CHECK(IsoDate(plan.inspection_date()) == "2026-03-01");
  CHECK(plan.target().statuses_size() == 3);

  v1::Plan no_frequency;
  no_frequency.set_frequency_months(0);
  ApplyPlanDefaults(no_frequency);
  CHECK(no_frequency.frequency_months() == 0);  // given: no frequency rule
}

TEST_CASE("the target keeps revoked and deregistered subjects out unless it names them") {
  v1::TargetFilter target;
  target.add_statuses(subject::v1::SUBJECT_STATUS_NORMAL);
  CHECK(IsCandidateStatus(target, subject::v1::SUBJECT_STATUS_NORMAL));
  CHECK_FALSE(IsCandidateStatus(target, subject::v1::SUBJECT_STATUS_DEREGISTERED));
  CHECK_FALSE(IsCandidateStatus(target, subject::v1::SUBJECT_STATUS_ABNORMAL_OPERATION));

  target.add_types(subject::v1::SUBJECT_TYPE_ENTERPRISE);
  target.add_industry_prefixes("62");
  target.add_tags("key-supervision");
  v1::ProjectedSubject subject;
  subject.set_type(subject::v1::SUBJECT_TYPE_ENTERPRISE);
  subject.set_industry("6201");
  subject.add_tags("key-supervision");
  subject.add_tags("pollutant-source");
  CHECK(MatchesTarget(target, subject));
  subject.set_industry("5221");
  CHECK_FALSE(MatchesTarget(target, subject));
  subject.set_industry("6201");
  subject.clear_tags();
  CHECK_FALSE(MatchesTarget(target, subject));
}

TEST_CASE("the hashed plan object carries year, department, period and statuses") {
  v1::Plan plan;
  plan.set_plan_id("2026-jh-01");
  plan.set_title("抽查");
  plan.set_year(2026);
  plan.mutable_initiating_department()->set_code("330700-SCJG");
  *plan.mutable_period_start() = DateOf(2026, 3, 1);
  *plan.mutable_period_end() = DateOf(2026, 6, 30);
  ApplyPlanDefaults(plan);
  const std::string json = PlanJson(AsDrawPlan(plan, std::string(64, 'a'))).Canonical();
  CHECK(json.find("\"year\":2026") != std::string::npos);
  CHECK(json.find("\"initiating_department\":\"330700-SCJG\"") != std::string::npos);
  CHECK(json.find("\"period\":{\"end\":\"2026-06-30\",\"start\":\"2026-03-01\"}") !=
        std::string::npos);
  CHECK(json.find("\"statuses\":[\"normal\",\"abnormal_operation\",\"serious_violation\"]") !=
        std::string::npos);
  v1::Plan later = plan;
  *later.mutable_period_end() = DateOf(2026, 7, 31);
  CHECK(PlanHash(AsDrawPlan(later, std::string(64, 'a'))) !=
        PlanHash(AsDrawPlan(plan, std::string(64, 'a'))));
}

}  // namespace
}  // namespace jianguan::sampling
