// The catalogue's domain rules, as specifications.
#include <catch2/catch.hpp>

#include "libs/testing/dates.h"
#include "services/catalogue/domain/applicability.h"
#include "services/catalogue/domain/hierarchy.h"
#include "services/catalogue/domain/inspectors.h"
#include "services/catalogue/domain/lifecycle.h"
#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {
namespace {

using jianguan::testing::DateOf;

v1::Inspector InspectorValid(const common::v1::Date& from, const common::v1::Date& until) {
  v1::Inspector inspector;
  inspector.set_status(v1::INSPECTOR_STATUS_ACTIVE);
  *inspector.mutable_certificate()->mutable_valid_from() = from;
  *inspector.mutable_certificate()->mutable_valid_until() = until;
  return inspector;
}

SCENARIO("an item's lifecycle allows only the named transitions") {
  GIVEN("a draft") {
    THEN("it can be published, not revised or abolished") {
      CHECK(*NextLifecycleState(v1::LIFECYCLE_STATE_DRAFT, LifecycleAction::kPublish, "items/A1") ==
            v1::LIFECYCLE_STATE_PUBLISHED);
      auto revise = NextLifecycleState(v1::LIFECYCLE_STATE_DRAFT, LifecycleAction::kRevise, "items/A1");
      CHECK(absl::IsFailedPrecondition(revise.status()));
      CHECK(std::string(revise.status().message()).find("items/A1") != std::string::npos);
      CHECK_FALSE(NextLifecycleState(v1::LIFECYCLE_STATE_DRAFT, LifecycleAction::kAbolish, "x").ok());
    }
  }
  GIVEN("an item in force") {
    THEN("it can be revised again and again, and abolished") {
      CHECK(*NextLifecycleState(v1::LIFECYCLE_STATE_PUBLISHED, LifecycleAction::kRevise, "x") ==
            v1::LIFECYCLE_STATE_REVISED);
      CHECK(*NextLifecycleState(v1::LIFECYCLE_STATE_REVISED, LifecycleAction::kRevise, "x") ==
            v1::LIFECYCLE_STATE_REVISED);
      CHECK(*NextLifecycleState(v1::LIFECYCLE_STATE_REVISED, LifecycleAction::kAbolish, "x") ==
            v1::LIFECYCLE_STATE_ABOLISHED);
      CHECK_FALSE(NextLifecycleState(v1::LIFECYCLE_STATE_PUBLISHED, LifecycleAction::kPublish, "x").ok());
    }
  }
  GIVEN("an abolished item") {
    THEN("nothing more happens to it") {
      for (auto action : {LifecycleAction::kPublish, LifecycleAction::kRevise, LifecycleAction::kAbolish}) {
        CHECK(absl::IsFailedPrecondition(
            NextLifecycleState(v1::LIFECYCLE_STATE_ABOLISHED, action, "x").status()));
      }
    }
  }
}

SCENARIO("an inspector is suspended, reinstated and retired") {
  CHECK(*NextInspectorStatus(v1::INSPECTOR_STATUS_ACTIVE, InspectorAction::kSuspend, "i") ==
        v1::INSPECTOR_STATUS_SUSPENDED);
  CHECK(*NextInspectorStatus(v1::INSPECTOR_STATUS_SUSPENDED, InspectorAction::kReinstate, "i") ==
        v1::INSPECTOR_STATUS_ACTIVE);
  CHECK(*NextInspectorStatus(v1::INSPECTOR_STATUS_SUSPENDED, InspectorAction::kRetire, "i") ==
        v1::INSPECTOR_STATUS_RETIRED);
  CHECK_FALSE(NextInspectorStatus(v1::INSPECTOR_STATUS_ACTIVE, InspectorAction::kReinstate, "i").ok());
  CHECK_FALSE(NextInspectorStatus(v1::INSPECTOR_STATUS_RETIRED, InspectorAction::kUpdate, "i").ok());
}

SCENARIO("an inspector is available only while active and certified") {
  GIVEN("a certificate valid through 2026-06-30") {
    v1::Inspector inspector = InspectorValid(DateOf(2021, 7, 1), DateOf(2026, 6, 30));
    THEN("the last day counts, the day after does not") {
      CHECK(IsAvailableOn(inspector, absl::CivilDay(2026, 6, 30)));
      CHECK_FALSE(IsAvailableOn(inspector, absl::CivilDay(2026, 7, 1)));
      CHECK_FALSE(IsAvailableOn(inspector, absl::CivilDay(2021, 6, 30)));
    }
    WHEN("the inspector is suspended or retired") {
      for (auto status : {v1::INSPECTOR_STATUS_SUSPENDED, v1::INSPECTOR_STATUS_RETIRED}) {
        inspector.set_status(status);
        THEN("no date makes them available") {
          CHECK_FALSE(IsAvailableOn(inspector, absl::CivilDay(2024, 1, 1)));
        }
      }
    }
  }
  GIVEN("a certificate with an impossible date") {
    THEN("the inspector is never available") {
      CHECK_FALSE(IsAvailableOn(InspectorValid(DateOf(2021, 2, 30), DateOf(2030, 1, 1)), absl::CivilDay(2024, 1, 1)));
    }
  }
}

SCENARIO("authorisation covers an item, its sub-items and its field") {
  v1::Inspector inspector;
  inspector.add_authorised_items("SCJG-04");
  inspector.add_authorised_fields("fire-safety");
  CHECK(MayInspect(inspector, {"SCJG-04", "", "special-equipment"}));
  CHECK(MayInspect(inspector, {"SCJG-04-01", "SCJG-04", "special-equipment"}));
  CHECK(MayInspect(inspector, {"XFJY-01", "", "fire-safety"}));
  CHECK_FALSE(MayInspect(inspector, {"SCJG-05", "", "metrology"}));
}

SCENARIO("applicability rules match on every criterion they set") {
  v1::RegulatoryItem item;
  v1::ApplicabilityRule* rule = item.add_applicability();
  rule->add_industry_codes("62");
  rule->add_licence_kinds("食品经营许可证");
  SubjectFacts restaurant{.type = v1::SUBJECT_TYPE_ENTERPRISE,
                          .industry_chain = {"6210", "621", "62", "H"},
                          .region = "330782",
                          .licence_kinds = {"食品经营许可证"}};
  CHECK(Applies(item, restaurant));
  restaurant.licence_kinds.clear();
  CHECK_FALSE(Applies(item, restaurant));
  WHEN("a second rule is added") {
    item.add_applicability()->add_tags("key-supervision");
    restaurant.tags.insert("key-supervision");
    THEN("either rule is enough") { CHECK(Applies(item, restaurant)); }
  }
  THEN("an item without rules applies to nobody") { CHECK_FALSE(Applies(v1::RegulatoryItem(), restaurant)); }
}

SCENARIO("the most local claim decides who is responsible") {
  v1::RegulatoryItem item;
  item.set_code("SCJG-06");
  item.add_owning_departments()->set_code("330000-SCJG");
  auto claim = [](std::string department, std::string region) {
    v1::ItemClaim c;
    c.set_item_code("SCJG-06");
    c.mutable_department()->set_code(department);
    c.mutable_region()->set_code(region);
    return c;
  };
  const std::vector<v1::ItemClaim> claims = {claim("330700-SCJG", "330700"),
                                             claim("330782-SCJG", "330782")};
  const auto level_of = [](std::string_view code) {
    return code.substr(4, 2) == "00" ? v1::LEVEL_CITY : v1::LEVEL_COUNTY;
  };
  CHECK(ResponsibleDepartments(item, claims, level_of, "330782") ==
        std::vector<std::string>{"330782-SCJG"});
  CHECK(ResponsibleDepartments(item, claims, level_of, "330702") ==
        std::vector<std::string>{"330700-SCJG"});
  CHECK(ResponsibleDepartments(item, claims, level_of, "330106") ==
        std::vector<std::string>{"330000-SCJG"});
}

SCENARIO("a parent chain must not loop") {
  const std::map<std::string, std::string> parents = {{"B", "A"}, {"C", "B"}};
  const auto parent_of = [&](std::string_view code) {
    auto it = parents.find(std::string(code));
    return it == parents.end() ? std::string() : it->second;
  };
  CHECK_FALSE(MakesCycle("D", "C", parent_of));
  CHECK(MakesCycle("A", "C", parent_of));
  CHECK(MakesCycle("A", "A", parent_of));
}

SCENARIO("a malformed item names every bad field") {
  auto industries = CodeTable::FromCsv("code,name,parent_code,level\nH,住宿和餐饮业,,1\n62,餐饮业,H,2\n");
  REQUIRE(industries.ok());
  v1::RegulatoryItem item;
  item.set_code("bad code");
  item.set_level(static_cast<v1::Level>(42));
  v1::CheckPoint* point = item.add_check_points();
  point->set_code("C01");
  point->set_question("是否持证");
  point->mutable_legal_basis()->set_law("《食品安全法》");
  item.add_applicability()->add_industry_codes("9999");
  FieldViolations v;
  ValidateItem(v, "item.", item, *industries);
  std::set<std::string> fields;
  for (const auto& violation : v.violations()) fields.insert(violation.field);
  CHECK(fields.count("item.code"));
  CHECK(fields.count("item.name"));
  CHECK(fields.count("item.level"));
  CHECK(fields.count("item.category"));
  CHECK(fields.count("item.owning_departments"));
  CHECK(fields.count("item.legal_basis"));
  CHECK(fields.count("item.check_points[0].allowed_answers"));
  CHECK(fields.count("item.applicability[0].industry_codes[0]"));
}

}  // namespace
}  // namespace jianguan::catalogue
