// Dual notifications (双告知) without a server or a store: the licence table read and refused
// by file, line and column; a subject matched by industry and business scope; the approving
// department found for the county, else the city, else the province, else market regulation;
// the claim day counted in working days over 国庆 2026; and the state machine.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/calendar.h"
#include "libs/core/civil_date.h"
#include "libs/core/code_table.h"
#include "libs/core/uscc.h"
#include "services/subject-registry/domain/licence_requirements.h"
#include "services/subject-registry/domain/notification_rules.h"

namespace jianguan::subject {
namespace {

std::string DataRoot() { return std::getenv("JG_DATA_ROOT"); }

const CodeTable& Industries() {
  static const CodeTable* table = new CodeTable(*CodeTable::Load(DataRoot() + "/industries.csv"));
  return *table;
}

const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar* calendar =
      new WorkingDayCalendar(*WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv"));
  return *calendar;
}

const LicenceRequirements& ShippedTable() {
  static const LicenceRequirements* table = [] {
    auto loaded = LicenceRequirements::Load(
        DataRoot() + "/catalogue/licence-kinds-2026.1.csv", Industries());
    REQUIRE(loaded.ok());
    return new LicenceRequirements(*std::move(loaded));
  }();
  return *table;
}

v1::Subject Subject(std::string_view industry, std::string_view scope = "",
                    std::string_view region = "330782") {
  std::string first17 = absl::StrCat("92", std::string(region), "MA0000001");
  v1::Subject s;
  s.set_uscc(first17 + UsccCheckCharacter(first17));
  s.set_name("义乌市稠城测试店");
  s.set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.set_status(v1::SUBJECT_STATUS_NORMAL);
  s.mutable_industry()->set_code(std::string(industry));
  s.mutable_registration_region()->set_code(std::string(region));
  s.set_business_scope(std::string(scope));
  return s;
}

std::vector<std::string> Codes(const std::vector<LicenceNeed>& needs) {
  std::vector<std::string> codes;
  for (const LicenceNeed& need : needs) codes.push_back(need.kind->code);
  return codes;
}

absl::Status TableError(std::string_view csv) {
  return LicenceRequirements::FromCsv(csv, "kinds.csv", Industries()).status();
}

constexpr char kHeader[] =
    "code,licence_kind,department_kind,industries,scope_terms,scope_exclusions,legal_basis\n";

SCENARIO("the licence table is read, and a bad one is refused naming file, line and column") {
  GIVEN("the table the registry ships") {
    const LicenceRequirements& table = ShippedTable();
    THEN("it holds the kinds of data/SOURCES.md, each findable by code and by licence") {
      CHECK(table.kinds().size() >= 8);
      const LicenceKind* food = table.FindByCode("FOOD-BUSINESS");
      REQUIRE(food != nullptr);
      CHECK(food->licence_kind == "食品经营许可证");
      CHECK(food->department_kind == "SCJG");
      CHECK(table.FindByLicence("食品经营许可证") == food);
      CHECK(table.FindByLicence("不存在的许可证") == nullptr);
    }
  }
  GIVEN("tables with one fault each") {
    const std::string good = "FOOD,食品经营许可证,SCJG,62,餐饮服务,,《食品安全法》第三十五条\n";
    CHECK(LicenceRequirements::FromCsv(absl::StrCat(kHeader, good), "kinds.csv", Industries())
              .ok());
    const struct {
      std::string csv;
      std::string says;
    } faults[] = {
        {absl::StrCat(kHeader, good, "PUB,网络文化经营许可证,WGLY,9999,,,条例\n"),
         "kinds.csv:3: column industries: '9999' is not a GB/T 4754-2017 code"},
        {absl::StrCat(kHeader, good, good), "kinds.csv:3: column code: FOOD is listed twice"},
        {absl::StrCat(kHeader, good, "OTHER,食品经营许可证,SCJG,14,,,法\n"),
         "kinds.csv:3: column licence_kind: 食品经营许可证 is listed twice"},
        {absl::StrCat(kHeader, "food,食品经营许可证,SCJG,62,,,法\n"), "kinds.csv:2: column code:"},
        {absl::StrCat(kHeader, "FOOD,食品经营许可证,scjg,62,,,法\n"),
         "kinds.csv:2: column department_kind:"},
        {absl::StrCat(kHeader, "FOOD,食品经营许可证,SCJG,,,,法\n"),
         "kinds.csv:2: column industries: a row needs industries, scope_terms or both"},
        {absl::StrCat(kHeader, "FOOD,食品经营许可证,SCJG,62,餐饮服务;;食品销售,,法\n"),
         "kinds.csv:2: column scope_terms:"},
        {absl::StrCat(kHeader, "FOOD,食品经营许可证,SCJG,62,,,\n"),
         "kinds.csv:2: column legal_basis:"},
        {kHeader, "kinds.csv:1: column code: the table has no rows"},
        {"code,licence_kind,industries,scope_terms,legal_basis\nFOOD,食品,62,,法\n",
         "department_kind"},
    };
    for (const auto& fault : faults) {
      INFO(fault.csv);
      const absl::Status status = TableError(fault.csv);
      CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      CHECK_THAT(std::string(status.message()), Catch::Contains(fault.says));
    }
    CHECK(LicenceRequirements::Load("/nonexistent/kinds.csv", Industries()).status().code() ==
          absl::StatusCode::kNotFound);
  }
}

SCENARIO("a subject needs the licences its industry or its business scope calls for") {
  const LicenceRequirements& table = ShippedTable();
  WHEN("its industry is listed, or lies below a listed code") {
    const std::vector<LicenceNeed> restaurant = table.Needs(Subject("6210"));
    REQUIRE(Codes(restaurant) == std::vector<std::string>{"FOOD-BUSINESS"});
    CHECK(restaurant[0].trigger == "industry 6210 正餐服务");
    CHECK(Codes(table.Needs(Subject("1411"))) == std::vector<std::string>{"FOOD-PRODUCTION"});
    CHECK(Codes(table.Needs(Subject("9013"))) == std::vector<std::string>{"INTERNET-CAFE"});
    CHECK(table.Needs(Subject("6513")).empty());  // software development needs none
  }
  WHEN("its scope names a licensed business") {
    const std::vector<LicenceNeed> needs =
        table.Needs(Subject("5191", "许可项目：危险化学品经营；一般项目：日用百货销售"));
    REQUIRE(Codes(needs) == std::vector<std::string>{"HAZARDOUS-CHEMICALS"});
    CHECK(needs[0].trigger == "business scope: 危险化学品经营");
  }
  WHEN("the scope only sells prepackaged food, which needs a filing, not a licence") {
    CHECK(table.Needs(Subject("5191", "食品销售（仅销售预包装食品）；日用百货销售")).empty());
    const std::vector<LicenceNeed> also = table.Needs(
        Subject("5191", "食品销售（仅销售预包装食品）；许可项目：食品销售（散装食品）"));
    REQUIRE(Codes(also) == std::vector<std::string>{"FOOD-BUSINESS"});
    CHECK(also[0].trigger == "business scope: 食品销售");
  }
  WHEN("industry and scope both call for one kind") {
    const std::vector<LicenceNeed> needs = table.Needs(Subject("6220", "餐饮服务；食品销售"));
    REQUIRE(needs.size() == 1);
    CHECK(needs[0].trigger == "industry 6220 快餐服务");
  }
  WHEN("they call for different kinds") {
    CHECK(Codes(table.Needs(Subject("9011", "住宿服务"))) ==
          std::vector<std::string>{"ENTERTAINMENT", "HOTEL-SECURITY"});
  }
}

SCENARIO("the approving department is the county's, else the city's, else the province's") {
  const DepartmentCodes departments = {"330782-SCJG", "330700-SCJG", "330700-WGLY",
                                       "330000-SCJG", "330000-YJGL"};
  CHECK(ResponsibleDepartment("330782", "SCJG", departments) == "330782-SCJG");
  CHECK(ResponsibleDepartment("330782", "WGLY", departments) == "330700-WGLY");
  CHECK(ResponsibleDepartment("330783", "SCJG", departments) == "330700-SCJG");
  CHECK(ResponsibleDepartment("330783", "YJGL", departments) == "330000-YJGL");
  CHECK(ResponsibleDepartment("330700", "WGLY", departments) == "330700-WGLY");
  CHECK(ResponsibleDepartment("330782", "RLSB", departments) == std::nullopt);
  CHECK(ResponsibleDepartment("110101", "SCJG", departments) == std::nullopt);

  const NotificationRules rules(ShippedTable(), departments, Calendar());
  const absl::CivilDay today(2026, 11, 23);
  GIVEN("a subject whose approving department is not in the catalogue") {
    const v1::Subject dispatch = Subject("7263");  // 劳务派遣服务: 人力社保 (RLSB)
    const std::vector<LicenceNeed> needs = rules.NewNeeds(nullptr, dispatch, today);
    REQUIRE(Codes(needs) == std::vector<std::string>{"LABOUR-DISPATCH"});
    auto raised = rules.Raise(dispatch, needs[0], today);
    REQUIRE(raised.ok());
    REQUIRE(raised->has_value());
    THEN("market regulation of the region gets it, and the trigger says why") {
      CHECK((*raised)->unroutable);
      CHECK((*raised)->notification.department().code() == "330782-SCJG");
      CHECK_THAT((*raised)->notification.trigger(),
                 Catch::StartsWith("industry 7263 劳务派遣服务 (no approving department RLSB"));
    }
  }
  GIVEN("a subject of a region whose catalogue has no market regulation either") {
    const v1::Subject far = Subject("6210", "", "110101");
    const std::vector<LicenceNeed> needs = rules.NewNeeds(nullptr, far, today);
    REQUIRE(needs.size() == 1);
    auto raised = rules.Raise(far, needs[0], today);
    REQUIRE(raised.ok());
    CHECK(!raised->has_value());
  }
}

SCENARIO("what a change newly needs raises a notification; what was needed or is held does not") {
  const NotificationRules rules(ShippedTable(), {"330782-SCJG", "330700-WGLY"}, Calendar());
  const absl::CivilDay today(2026, 11, 23);
  const v1::Subject shop = Subject("5191");
  v1::Subject cafe = Subject("9013", "食品销售");
  CHECK(rules.NewNeeds(nullptr, shop, today).empty());
  CHECK(Codes(rules.NewNeeds(&shop, cafe, today)) ==
        std::vector<std::string>{"FOOD-BUSINESS", "INTERNET-CAFE"});
  v1::Subject renamed = cafe;
  renamed.set_name("义乌市新名字网吧");
  CHECK(rules.NewNeeds(&cafe, renamed, today).empty());
  v1::Licence licence;
  licence.set_kind("网络文化经营许可证");
  licence.set_number("330782-001");
  licence.set_status(v1::LICENCE_STATUS_VALID);
  *licence.mutable_valid_until() = DateOf(absl::CivilDay(2027, 12, 31));
  *cafe.add_licences() = licence;
  CHECK(Codes(rules.NewNeeds(&shop, cafe, today)) == std::vector<std::string>{"FOOD-BUSINESS"});
  cafe.mutable_licences(0)->set_status(v1::LICENCE_STATUS_SUSPENDED);
  CHECK(rules.NewNeeds(&shop, cafe, today).size() == 2);
  cafe.mutable_licences(0)->set_status(v1::LICENCE_STATUS_VALID);
  *cafe.mutable_licences(0)->mutable_valid_until() = DateOf(absl::CivilDay(2026, 11, 22));
  CHECK(rules.NewNeeds(&shop, cafe, today).size() == 2);  // expired yesterday
  cafe.set_status(v1::SUBJECT_STATUS_DEREGISTERED);
  CHECK(rules.NewNeeds(&shop, cafe, today).empty());
}

SCENARIO("the claim day is 5 working days on, across 国庆 2026") {
  const NotificationRules rules(ShippedTable(), {"330782-SCJG", "330700-SCJG", "330700-WGLY"},
                                Calendar());
  const v1::Subject restaurant = Subject("6210");
  const Caller scjg{.department = "330782-SCJG", .user_id = "officer-1"};
  // Raised on Wednesday 30 September: 1–7 October are holidays, Saturday 10 October is worked
  // (调休), so the 5 working days are 8, 9, 10, 12 and 13 October.
  const absl::CivilDay raised_on(2026, 9, 30);
  const std::vector<LicenceNeed> needs = rules.NewNeeds(nullptr, restaurant, raised_on);
  REQUIRE(needs.size() == 1);
  auto raised = rules.Raise(restaurant, needs[0], raised_on);
  REQUIRE(raised.ok());
  REQUIRE(raised->has_value());
  const v1::LicenceNotification n = (*raised)->notification;
  CHECK(n.id() == absl::StrCat(restaurant.uscc(), ".FOOD-BUSINESS"));
  CHECK(n.state() == v1::NOTIFICATION_STATE_RAISED);
  CHECK(n.department().code() == "330782-SCJG");
  CHECK(!(*raised)->unroutable);
  CHECK(n.version() == 1);
  CHECK(DayOf(n.raised_on()) == raised_on);
  CHECK(DayOf(n.due_on()) == absl::CivilDay(2026, 10, 13));
  CHECK(*Calendar().WorkingDaysBetween(raised_on, DayOf(n.due_on())) == 5);

  CHECK(!IsOverdue(n, absl::CivilDay(2026, 10, 13)));
  CHECK(IsOverdue(n, absl::CivilDay(2026, 10, 14)));
  WHEN("claimed on the 5th working day") {
    auto claimed = rules.Claim(n, scjg, absl::CivilDay(2026, 10, 13));
    REQUIRE(claimed.ok());
    THEN("it is on time, and stays so") {
      CHECK(claimed->state() == v1::NOTIFICATION_STATE_CLAIMED);
      CHECK(claimed->claimed_by() == "officer-1");
      CHECK(claimed->version() == 2);
      CHECK(!claimed->overdue());
      CHECK(!IsOverdue(*claimed, absl::CivilDay(2027, 1, 4)));
    }
  }
  WHEN("claimed on the 6th") {
    auto claimed = rules.Claim(n, scjg, absl::CivilDay(2026, 10, 14));
    REQUIRE(claimed.ok());
    CHECK(claimed->overdue());
  }
}

SCENARIO("outside the calendar's years the claim day counts Monday to Friday") {
  const NotificationRules rules(ShippedTable(), {"330782-SCJG"}, Calendar());
  const v1::Subject restaurant = Subject("6210");
  const auto due_after = [&](absl::CivilDay raised_on) {
    const std::vector<LicenceNeed> needs = rules.NewNeeds(nullptr, restaurant, raised_on);
    REQUIRE(needs.size() == 1);
    auto raised = rules.Raise(restaurant, needs[0], raised_on);
    INFO(raised.status());
    REQUIRE(raised.ok());
    REQUIRE(raised->has_value());
    return DayOf((*raised)->notification.due_on());
  };
  // Before the calendar: Wednesday 1 March 2023 → Wednesday 8 March.
  CHECK(due_after(absl::CivilDay(2023, 3, 1)) == absl::CivilDay(2023, 3, 8));
  // Past its end: Friday 29 December 2028 → Friday 5 January 2029 (no holidays known).
  CHECK(due_after(absl::CivilDay(2028, 12, 29)) == absl::CivilDay(2029, 1, 5));
}

SCENARIO("a notification is claimed or passed by its department only, and closed by its licence") {
  const NotificationRules rules(ShippedTable(), {"330782-SCJG", "330700-SCJG", "330700-WGLY"},
                                Calendar());
  const absl::CivilDay today(2026, 11, 23);
  const v1::Subject restaurant = Subject("6210");
  const LicenceNeed need = rules.NewNeeds(nullptr, restaurant, today)[0];
  const v1::LicenceNotification n = (*rules.Raise(restaurant, need, today))->notification;
  const Caller holder{.department = "330782-SCJG", .user_id = "u1"};
  const Caller other{.department = "330700-WGLY", .user_id = "u2"};

  CHECK(rules.Claim(n, other, today).status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(rules.Pass(n, other, "330700-SCJG", "不是本部门", today).status().code() ==
        absl::StatusCode::kPermissionDenied);

  const v1::LicenceNotification claimed = *rules.Claim(n, holder, today);
  const absl::Status twice = rules.Claim(claimed, holder, today).status();
  CHECK(twice.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(twice.message()), Catch::Contains("state is NOTIFICATION_STATE_CLAIMED"));
  CHECK(rules.Pass(claimed, holder, "330700-SCJG", "转办", today).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  WHEN("passed to the city") {
    const absl::CivilDay later(2026, 11, 25);
    auto passed = rules.Pass(n, holder, "330700-SCJG", "经营场所在市本级", later);
    REQUIRE(passed.ok());
    THEN("it is raised there today, due 5 working days on, the pass kept") {
      CHECK(passed->state() == v1::NOTIFICATION_STATE_RAISED);
      CHECK(passed->department().code() == "330700-SCJG");
      CHECK(DayOf(passed->raised_on()) == later);
      CHECK(DayOf(passed->due_on()) == *Calendar().AddWorkingDays(later, 5));
      REQUIRE(passed->passes_size() == 1);
      CHECK(passed->passes(0).from().code() == "330782-SCJG");
      CHECK(passed->passes(0).to().code() == "330700-SCJG");
      CHECK(passed->passes(0).reason() == "经营场所在市本级");
      CHECK(passed->passes(0).user_id() == "u1");
      CHECK(passed->version() == 2);
      CHECK(rules.Claim(*passed, holder, later).status().code() ==
            absl::StatusCode::kPermissionDenied);
      CHECK(rules.Claim(*passed, Caller{.department = "330700-SCJG"}, later).ok());
    }
  }
  WHEN("the licence is granted") {
    v1::Licence licence;
    licence.set_kind("食品经营许可证");
    licence.set_number("JY13307820000001");
    licence.set_status(v1::LICENCE_STATUS_VALID);
    for (const v1::LicenceNotification& open : {n, claimed}) {
      auto closed = NotificationRules::Close(open, licence, today);
      REQUIRE(closed.has_value());
      CHECK(closed->state() == v1::NOTIFICATION_STATE_CLOSED);
      CHECK(closed->licence_number() == "JY13307820000001");
      CHECK(DayOf(closed->closed_on()) == today);
      CHECK(!NotificationRules::Close(*closed, licence, today).has_value());
      CHECK(rules.Claim(*closed, holder, today).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
    licence.set_status(v1::LICENCE_STATUS_SUSPENDED);
    CHECK(!NotificationRules::Close(n, licence, today).has_value());
  }
}

SCENARIO("a pass names a catalogue department other than its own and a reason") {
  const NotificationRules rules(ShippedTable(), {"330782-SCJG", "330700-WGLY"}, Calendar());
  const auto fields = [&](std::string_view to, std::string_view reason) {
    FieldViolations v;
    rules.CheckPass(v, "330782-SCJG", to, reason);
    std::set<std::string> names;
    for (const FieldViolation& f : v.violations()) names.insert(f.field);
    return names;
  };
  CHECK(fields("330700-WGLY", "网吧归文广旅游").empty());
  CHECK(fields("330700-XXXX", "原因") == std::set<std::string>{"to.code"});
  CHECK(fields("330782-SCJG", "原因") == std::set<std::string>{"to.code"});
  CHECK(fields("", "原因") == std::set<std::string>{"to.code"});
  CHECK(fields("330700-WGLY", "") == std::set<std::string>{"reason"});
  CHECK(fields("330700-WGLY", std::string(501, 'x')) == std::set<std::string>{"reason"});
  CHECK(fields("330700-WGLY", std::string(500, 'x')).empty());
  CHECK(fields("330700-WGLY", "原因\xff") == std::set<std::string>{"reason"});
}

}  // namespace
}  // namespace jianguan::subject
