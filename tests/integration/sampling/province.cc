#include "tests/integration/sampling/province.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/dates.h"
#include "libs/testing/uscc_series.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

events::ConsumedEvent AsConsumed(const std::string& topic, const std::string& key,
                                 const google::protobuf::Message& message) {
  return jianguan::testing::AsConsumed(topic, key, message, "province", 0, absl::Now());
}

}  // namespace

std::string ProvinceUscc(uint64_t i) { return jianguan::testing::SeriesUscc("92330702", i); }

uint64_t ProjectProvince(store::Store& db, uint64_t n) {
  std::mt19937_64 random(2026);
  std::uniform_int_distribution<int> percent(0, 99);
  const char* regions[] = {"330702", "330703", "330723", "330782", "330783"};
  uint64_t applied = 0;
  store::UnitOfWork work;
  int in_batch = 0;
  const auto apply = [&](const events::ConsumedEvent& event, bool subject_topic) {
    const absl::Status status = subject_topic ? ApplySubjectEvent(db, event, work)
                                              : ApplyClassEvent(db, event, work);
    REQUIRE(status.ok());
    ++applied;
    if (++in_batch == 500) {
      work.set_sync(false);  // as the consumers commit
      REQUIRE(db.Commit(work).ok());
      work = store::UnitOfWork();
      in_batch = 0;
    }
  };
  for (uint64_t i = 0; i < n; ++i) {
    const std::string uscc = ProvinceUscc(i);
    subject::v1::SubjectRegistered registered;
    subject::v1::SubjectFacts& facts = *registered.mutable_facts();
    facts.set_uscc(uscc);
    facts.set_name("金华市某某商行");
    facts.set_type(percent(random) < 70 ? subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS
                                        : subject::v1::SUBJECT_TYPE_ENTERPRISE);
    facts.mutable_industry()->set_code(percent(random) < 50 ? "5221" : "6201");
    const char* region = regions[i % 5];
    facts.mutable_registration_region()->set_code(region);
    facts.mutable_business_region()->set_code(region);
    if (percent(random) < 5) facts.add_tags("key-supervision");
    facts.set_status(subject::v1::SUBJECT_STATUS_NORMAL);
    facts.set_version(1);
    apply(AsConsumed(topics::kSubject, uscc, registered), true);
    if (percent(random) < 40) {
      credit::v1::CreditGradeChanged graded;
      graded.set_uscc(uscc);
      const int g = percent(random);
      graded.set_grade(g < 60   ? credit::v1::CREDIT_GRADE_A
                       : g < 90 ? credit::v1::CREDIT_GRADE_B
                       : g < 98 ? credit::v1::CREDIT_GRADE_C
                                : credit::v1::CREDIT_GRADE_D);
      apply(AsConsumed(topics::kCredit, uscc, graded), false);
    }
    if (percent(random) < 30) {
      risk::v1::RiskLevelChanged assessed;
      assessed.set_uscc(uscc);
      const int r = percent(random);
      assessed.set_level(r < 70   ? risk::v1::RISK_LEVEL_LOW
                         : r < 90 ? risk::v1::RISK_LEVEL_GENERAL
                         : r < 98 ? risk::v1::RISK_LEVEL_MEDIUM
                                  : risk::v1::RISK_LEVEL_HIGH);
      apply(AsConsumed(topics::kRisk, uscc, assessed), false);
    }
  }
  REQUIRE(db.Commit(work).ok());
  return applied;
}

void AddProvinceCatalogue(store::Store& db, uint64_t n) {
  store::UnitOfWork catalogue;
  for (const char* code : {"330700-SCJG", "330700-WSJ"}) {
    catalogue::v1::DepartmentChanged changed;
    changed.mutable_department()->set_code(code);
    changed.mutable_department()->set_status(catalogue::v1::DEPARTMENT_STATUS_ACTIVE);
    changed.mutable_department()->set_version(1);
    REQUIRE(ApplyCatalogueEvent(db, AsConsumed(topics::kCatalogue, code, changed), catalogue)
                .ok());
  }
  for (const char* code : {"JG-1", "JG-2", "JG-3"}) {
    catalogue::v1::ItemPublished item;
    item.mutable_item()->set_code(code);
    item.mutable_item()->set_version(1);
    REQUIRE(ApplyCatalogueEvent(db, AsConsumed(topics::kCatalogue, code, item), catalogue).ok());
  }
  for (int i = 0; i < 2000; ++i) {
    catalogue::v1::InspectorRegistered registered;
    catalogue::v1::Inspector& inspector = *registered.mutable_inspector();
    char id[16];
    std::snprintf(id, sizeof id, "INS-%05d", i);
    inspector.set_id(id);
    inspector.set_name("执法员");
    const bool scjg = i % 2 == 0;
    inspector.mutable_department()->set_code(scjg ? "330700-SCJG" : "330700-WSJ");
    inspector.mutable_certificate()->set_number(std::string("ZJ-") + id);
    *inspector.mutable_certificate()->mutable_valid_from() = DateOf(2025, 1, 1);
    *inspector.mutable_certificate()->mutable_valid_until() = DateOf(2029, 12, 31);
    if (scjg) {
      inspector.add_authorised_items("JG-1");
      inspector.add_authorised_items("JG-2");
    } else {
      inspector.add_authorised_items("JG-3");
    }
    for (int c = 0; c < 5; ++c) {
      inspector.add_conflicts(ProvinceUscc((i * 7919 + c * 104729) % n));
    }
    inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
    REQUIRE(ApplyCatalogueEvent(db, AsConsumed(topics::kCatalogue, id, registered), catalogue)
                .ok());
  }
  REQUIRE(db.Commit(catalogue).ok());
}

v1::CreatePlanRequest CreateProvincePlan(const std::string& plan_id, uint64_t n,
                                         const common::v1::Date& inspection_date) {
  v1::CreatePlanRequest create;
  create.set_request_id("create-" + plan_id);
  v1::Plan& plan = *create.mutable_plan();
  plan.set_plan_id(plan_id);
  plan.set_title("2026年金华市部门联合双随机抽查（省级规模）");
  plan.set_year(2026);
  plan.mutable_initiating_department()->set_code("330700-SCJG");
  for (const auto& [department, items] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"330700-SCJG", {"JG-1", "JG-2"}}, {"330700-WSJ", {"JG-3"}}}) {
    v1::PlanDepartment* d = plan.add_departments();
    d->mutable_department()->set_code(department);
    for (const std::string& code : items) {
      v1::PlanItem* item = d->add_items();
      item->set_code(code);
      item->set_version(1);
    }
  }
  plan.mutable_target()->add_region_prefixes("3307");
  *plan.mutable_period_start() = DateOf(2026, 3, 1);
  *plan.mutable_period_end() = DateOf(2026, 9, 30);
  *plan.mutable_inspection_date() = inspection_date;
  plan.set_max_tasks_per_inspector(static_cast<int32_t>(std::max<uint64_t>(50, n / 4000)));
  return create;
}

}  // namespace jianguan::sampling
