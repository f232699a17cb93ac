// The catalogue handler over a real store in a temp dir: versions, availability, who
// supervises whom in the demo catalogue, and refusals that change nothing.
#include "services/catalogue/catalogue_service.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/core/text_checks.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/field_names.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"

namespace jianguan::catalogue {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  REQUIRE(value != nullptr);
  return value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}


// A service over a fresh store, with the reference tables of the source tree.
struct Fixture {
  Fixture()
      : regions(*CodeTable::Load(Env("JG_DATA_ROOT") + "/regions.csv")),
        industries(*CodeTable::Load(Env("JG_DATA_ROOT") + "/industries.csv")),
        db(*store::Store::Open({.path = dir.path(),
                                .families = CatalogueStore::Families(),
                                .sync_writes = false})),
        service(*db, clock, regions, industries) {}

  std::string Id() { return "req-" + std::to_string(++requests); }

  void AddDepartment(const std::string& code, v1::Level level, const std::string& region) {
    v1::CreateDepartmentRequest request;
    request.set_request_id(Id());
    v1::Department* d = request.mutable_department();
    d->set_code(code);
    d->set_name("部门 " + code);
    d->set_level(level);
    d->mutable_region()->set_code(region);
    d->set_status(v1::DEPARTMENT_STATUS_ACTIVE);
    REQUIRE(service.DoCreateDepartment(caller, request).ok());
  }

  static v1::RegulatoryItem Item(const std::string& code, const std::string& question) {
    v1::RegulatoryItem item;
    item.set_code(code);
    item.set_name("事项 " + code);
    item.add_owning_departments()->set_code("330000-SCJG");
    item.set_level(v1::LEVEL_PROVINCE);
    item.set_category(v1::ITEM_CATEGORY_INSPECTION);
    item.set_field("market-regulation");
    item.add_legal_basis()->set_law("《中华人民共和国产品质量法》");
    v1::CheckPoint* point = item.add_check_points();
    point->set_code("C01");
    point->set_question(question);
    point->mutable_legal_basis()->set_law("《中华人民共和国产品质量法》");
    v1::AllowedAnswer* yes = point->add_allowed_answers();
    yes->set_code("Y");
    yes->set_label("符合");
    return item;
  }

  absl::StatusOr<v1::ItemView> Create(const v1::RegulatoryItem& item) {
    v1::CreateItemRequest request;
    request.set_request_id(Id());
    *request.mutable_item() = item;
    return service.DoCreateItem(caller, request);
  }

  absl::StatusOr<v1::ItemView> Publish(const std::string& code) {
    v1::PublishItemRequest request;
    request.set_request_id(Id());
    request.set_name("items/" + code);
    return service.DoPublishItem(caller, request);
  }

  absl::StatusOr<v1::ItemView> Revise(v1::RegulatoryItem item) {
    v1::ReviseItemRequest request;
    request.set_request_id(Id());
    item.set_revision_note("依据修订");
    *request.mutable_item() = std::move(item);
    return service.DoReviseItem(caller, request);
  }

  std::string GetBytes(const std::string& code, int version) {
    v1::GetItemRequest request;
    request.set_name("items/" + code);
    request.set_version(version);
    auto view = service.DoGetItem(request);
    REQUIRE(view.ok());
    return view->item().SerializeAsString();
  }

  v1::ImportCatalogueResponse Import(v1::ImportFormat format, const std::string& file) {
    v1::ImportCatalogueRequest request;
    request.set_request_id(Id());
    request.set_format(format);
    request.set_content(ReadFile(Env("JG_SOURCE_ROOT") + "/data/catalogue/" + file));
    auto response = service.DoImport(caller, request);
    REQUIRE(response.ok());
    return *response;
  }

  testing::TempDir dir;
  testing::FakeClock clock;
  CodeTable regions;
  CodeTable industries;
  std::unique_ptr<store::Store> db;
  CatalogueService service;
  Caller caller{.department = "330000-SCJG", .user_id = "tester"};
  int requests = 0;
};

SCENARIO("publishing, revising and abolishing keep every version readable as published") {
  Fixture f;
  f.AddDepartment("330000-SCJG", v1::LEVEL_PROVINCE, "330000");
  REQUIRE(f.Create(Fixture::Item("CPZL-01", "是否销售失效、变质产品")).ok());
  auto published = f.Publish("CPZL-01");
  REQUIRE(published.ok());
  CHECK(published->item().version() == 1);
  CHECK(published->lifecycle().state() == v1::LIFECYCLE_STATE_PUBLISHED);
  const std::string v1_bytes = f.GetBytes("CPZL-01", 1);

  f.clock.Advance(absl::Hours(24));
  auto revised = f.Revise(Fixture::Item("CPZL-01", "是否销售失效、变质或者淘汰的产品"));
  REQUIRE(revised.ok());
  CHECK(revised->item().version() == 2);
  CHECK(revised->lifecycle().state() == v1::LIFECYCLE_STATE_REVISED);
  const std::string v2_bytes = f.GetBytes("CPZL-01", 2);
  CHECK(f.GetBytes("CPZL-01", 1) == v1_bytes);
  CHECK(f.GetBytes("CPZL-01", 0) == v2_bytes);

  v1::AbolishItemRequest abolish;
  abolish.set_request_id(f.Id());
  abolish.set_name("items/CPZL-01");
  abolish.set_reason("上位法废止");
  auto abolished = f.service.DoAbolishItem(f.caller, abolish);
  REQUIRE(abolished.ok());
  CHECK(abolished->lifecycle().state() == v1::LIFECYCLE_STATE_ABOLISHED);
  CHECK(f.GetBytes("CPZL-01", 1) == v1_bytes);
  CHECK(f.GetBytes("CPZL-01", 2) == v2_bytes);

  v1::RegulatoryItem v1_item;
  REQUIRE(v1_item.ParseFromString(v1_bytes));
  CHECK(v1_item.check_points(0).question() == "是否销售失效、变质产品");
  CHECK(v1_item.version_state() == v1::LIFECYCLE_STATE_PUBLISHED);

  THEN("an abolished item is neither revised nor published, and the refusal names it") {
    auto again = f.Revise(Fixture::Item("CPZL-01", "x"));
    CHECK(absl::IsFailedPrecondition(again.status()));
    CHECK(std::string(again.status().message()).find("items/CPZL-01") != std::string::npos);
    CHECK(absl::IsFailedPrecondition(f.Publish("CPZL-01").status()));
    CHECK(f.GetBytes("CPZL-01", 2) == v2_bytes);
  }
}

SCENARIO("an expired or suspended inspector is never available") {
  Fixture f;
  f.AddDepartment("330700-SCJG", v1::LEVEL_CITY, "330700");
  auto register_one = [&](const std::string& number, int until_year) {
    v1::RegisterInspectorRequest request;
    request.set_request_id(f.Id());
    v1::Inspector* inspector = request.mutable_inspector();
    inspector->set_name("王芳");
    inspector->mutable_department()->set_code("330700-SCJG");
    inspector->mutable_certificate()->set_number(number);
    *inspector->mutable_certificate()->mutable_valid_from() = [] {
      common::v1::Date d;
      d.set_year(2021); d.set_month(1); d.set_day(1);
      return d;
    }();
    common::v1::Date until;
    until.set_year(until_year); until.set_month(6); until.set_day(30);
    *inspector->mutable_certificate()->mutable_valid_until() = until;
    auto registered = f.service.DoRegisterInspector(f.caller, request);
    REQUIRE(registered.ok());
    return registered->id();
  };
  const std::string valid = register_one("3307000100001", 2027);
  register_one("3307000100002", 2025);  // expired on 2026-03-01
  const std::string suspended = register_one("3307000100003", 2027);
  v1::InspectorTransitionRequest suspend;
  suspend.set_request_id(f.Id());
  suspend.set_name("inspectors/" + suspended);
  suspend.set_reason("涉嫌违纪");
  REQUIRE(f.service.DoInspectorTransition(f.caller, "SuspendInspector", InspectorAction::kSuspend, suspend).ok());

  v1::ListInspectorsRequest query;
  query.set_department("330700-SCJG");
  query.mutable_available_on()->set_year(2026);
  query.mutable_available_on()->set_month(3);
  query.mutable_available_on()->set_day(1);
  auto available = f.service.DoListInspectors(query);
  REQUIRE(available.ok());
  REQUIRE(available->inspectors_size() == 1);
  CHECK(available->inspectors(0).id() == valid);

  query.clear_available_on();
  CHECK(f.service.DoListInspectors(query)->inspectors_size() == 3);
}

SCENARIO("who supervises me: the demo catalogue answers for four kinds of subject") {
  Fixture f;
  auto imported = f.Import(v1::IMPORT_FORMAT_JSON, "catalogue.json");
  for (const auto& row : imported.rows()) INFO(row.row() << " " << row.error());
  REQUIRE(imported.refused() == 0);
  auto inspectors = f.Import(v1::IMPORT_FORMAT_INSPECTORS_CSV, "inspectors.csv");
  if (inspectors.refused() > 0) FAIL(inspectors.rows(0).error());
  CHECK(inspectors.applied() >= 300);

  auto ask = [&](v1::SubjectType type, const std::string& industry, const std::string& region,
                 std::vector<std::string> licences, std::vector<std::string> tags) {
    v1::ListApplicableItemsRequest request;
    v1::SubjectAttributes* s = request.mutable_subject();
    s->set_type(type);
    s->mutable_industry()->set_code(industry);
    s->mutable_region()->set_code(region);
    for (auto& l : licences) s->add_licence_kinds(l);
    for (auto& t : tags) s->add_tags(t);
    auto response = f.service.DoListApplicableItems(request);
    REQUIRE(response.ok());
    std::set<std::string> items, departments;
    for (const auto& item : response->items()) items.insert(item.code());
    for (const auto& d : response->departments()) departments.insert(d.code());
    return std::make_pair(items, departments);
  };
  using Set = std::set<std::string>;

  WHEN("a restaurant in 义乌 asks") {
    auto [items, departments] = ask(v1::SUBJECT_TYPE_ENTERPRISE, "6210", "330782", {"食品经营许可证"}, {});
    THEN("food safety, metrology, consumer rights, labour and cooking fumes apply") {
      CHECK(items == Set{"RLSB-01", "SCJG-01-02", "SCJG-02-01", "SCJG-05", "SCJG-06", "ZHZF-01"});
      CHECK(departments == Set{"330700-RLSB", "330700-ZHZF", "330782-SCJG"});
    }
  }
  WHEN("an internet café (个体工商户) in 义乌 asks") {
    auto [items, departments] = ask(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS, "9013", "330782",
                                    {"网络文化经营许可证"}, {});
    THEN("culture, market regulation, public security and fire all supervise it") {
      CHECK(items == Set{"GA-01", "RLSB-01", "SCJG-03-01", "SCJG-06", "WGLY-01", "XFJY-01"});
      CHECK(departments ==
            Set{"330700-GA", "330700-RLSB", "330700-WGLY", "330700-XFJY", "330782-SCJG"});
    }
  }
  WHEN("a sewage treatment plant in 婺城区 asks") {
    auto [items, departments] = ask(v1::SUBJECT_TYPE_ENTERPRISE, "4620", "330702", {}, {"pollutant-source"});
    THEN("ecology and environment and emergency management supervise it") {
      CHECK(items == Set{"RLSB-01", "SCJG-02-01", "STHJ-01", "YJGL-01"});
      CHECK(departments == Set{"330700-RLSB", "330700-SCJG", "330700-STHJ", "330700-YJGL"});
    }
  }
  WHEN("a property manager of a building with elevators in 婺城区 asks") {
    auto [items, departments] = ask(v1::SUBJECT_TYPE_ENTERPRISE, "7020", "330702", {},
                                    {"special-equipment-user"});
    THEN("the city's market regulation checks its special equipment and elevators") {
      CHECK(items == Set{"RLSB-01", "SCJG-02-01", "SCJG-04", "SCJG-04-01"});
      CHECK(departments == Set{"330700-RLSB", "330700-SCJG"});
    }
  }
  WHEN("the joint internet café form is read") {
    auto head = f.db->Get(kFormHeads, "FORM-WB-JOINT");
    REQUIRE(head.ok());
    REQUIRE(head->has_value());
    THEN("it carries the check points of all four departments' items") {
      auto form = f.db->GetMessage<v1::FormTemplate>(kForms, VersionKey("FORM-WB-JOINT", 1));
      REQUIRE(form.ok());
      REQUIRE(form->has_value());
      Set items;
      for (const auto& point : (*form)->check_points()) items.insert(point.item_code());
      CHECK(items == Set{"GA-01", "SCJG-06", "WGLY-01", "XFJY-01"});
      CHECK((*form)->version_state() == v1::LIFECYCLE_STATE_PUBLISHED);
    }
  }
}

SCENARIO("bad input is refused with the field named and nothing changed") {
  Fixture f;
  f.AddDepartment("330000-SCJG", v1::LEVEL_PROVINCE, "330000");
  REQUIRE(f.Create(Fixture::Item("CPZL-01", "问题一")).ok());
  REQUIRE(f.Publish("CPZL-01").ok());
  v1::RegulatoryItem child = Fixture::Item("CPZL-01-01", "问题二");
  child.set_parent_code("CPZL-01");
  REQUIRE(f.Create(child).ok());
  REQUIRE(f.Publish("CPZL-01-01").ok());
  const uint64_t backlog = f.db->OutboxBacklog();
  const std::string parent_bytes = f.GetBytes("CPZL-01", 0);

  WHEN("an item names an unknown department") {
    v1::RegulatoryItem item = Fixture::Item("CPZL-02", "问题");
    item.mutable_owning_departments(0)->set_code("999999-NONE");
    auto refused = f.Create(item);
    CHECK(absl::IsInvalidArgument(refused.status()));
    CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"item.owning_departments[0].code"});
  }
  WHEN("an item repeats a known code") {
    auto refused = f.Create(Fixture::Item("CPZL-01", "问题"));
    CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"item.code"});
  }
  WHEN("a department repeats a known code") {
    v1::CreateDepartmentRequest request;
    request.set_request_id(f.Id());
    request.mutable_department()->set_code("330000-SCJG");
    request.mutable_department()->set_name("重复");
    request.mutable_department()->set_level(v1::LEVEL_PROVINCE);
    request.mutable_department()->mutable_region()->set_code("330000");
    request.mutable_department()->set_status(v1::DEPARTMENT_STATUS_ACTIVE);
    CHECK(testing::FieldNames(f.service.DoCreateDepartment(f.caller, request).status()) ==
          std::set<std::string>{"department.code"});
  }
  WHEN("a revision makes the main item a sub-item of its own sub-item") {
    v1::RegulatoryItem looped = Fixture::Item("CPZL-01", "问题");
    looped.set_parent_code("CPZL-01-01");
    auto refused = f.Revise(looped);
    CHECK(absl::IsInvalidArgument(refused.status()));
    CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"item.parent_code"});
  }
  WHEN("a check point has no allowed answers") {
    v1::RegulatoryItem item = Fixture::Item("CPZL-03", "问题");
    item.mutable_check_points(0)->clear_allowed_answers();
    auto refused = f.Create(item);
    CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"item.check_points[0].allowed_answers"});
  }
  WHEN("a published item is published again") {
    auto refused = f.Publish("CPZL-01");
    CHECK(absl::IsFailedPrecondition(refused.status()));
    CHECK(std::string(refused.status().message()).find("items/CPZL-01") != std::string::npos);
  }
  WHEN("a request has several bad fields") {
    v1::RegulatoryItem item = Fixture::Item("x", "");
    item.set_category(static_cast<v1::ItemCategory>(9));
    auto refused = f.Create(item);
    CHECK(testing::FieldNames(refused.status()) ==
          std::set<std::string>{"item.code", "item.category", "item.check_points[0].question"});
  }
  CHECK(f.db->OutboxBacklog() == backlog);
  CHECK(f.GetBytes("CPZL-01", 0) == parent_bytes);
}

// An item of `points` check points, each at its longest in four-byte characters (CJK
// Extension B, 𠀀) with ten answers: every field within its own bound, about 5.4 KB a point.
v1::RegulatoryItem LongItem(const std::string& code, int points) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "\U00020000";
  v1::RegulatoryItem item = Fixture::Item(code, text);
  for (int p = 0; p < points; ++p) {
    v1::CheckPoint* point = p == 0 ? item.mutable_check_points(0) : item.add_check_points();
    point->set_code(absl::StrCat("C", p));
    point->set_question(text);
    point->mutable_legal_basis()->set_law(text.substr(0, 200 * 4));
    point->mutable_legal_basis()->set_article(text.substr(0, 100 * 4));
    point->clear_allowed_answers();
    for (int a = 0; a < 10; ++a) {
      v1::AllowedAnswer* answer = point->add_allowed_answers();
      answer->set_code(absl::StrCat("A", a));
      answer->set_label(text.substr(0, 50 * 4));
    }
  }
  return item;
}

SCENARIO("an item or form too large for the one event that publishes it is refused, naming it") {
  // Such an event, let into the outbox, would be refused by Kafka on every try and hold all
  // the catalogue's later events there (docs/events.md).
  Fixture f;
  f.AddDepartment("330000-SCJG", v1::LEVEL_PROVINCE, "330000");

  WHEN("an item of 200 check points at their longest is created") {
    const v1::RegulatoryItem big = LongItem("CPZL-90", 200);
    REQUIRE(big.ByteSizeLong() > store::kMaxEventBytes);
    auto refused = f.Create(big);
    THEN("INVALID_ARGUMENT names the item and its size, and it does not exist") {
      CHECK(absl::IsInvalidArgument(refused.status()));
      CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"item"});
      CHECK_THAT(std::string(refused.status().message()), Catch::Contains("bytes, over the 900000"));
      CHECK(IsValidUtf8(std::string(refused.status().message())));
      v1::GetItemRequest get;
      get.set_name("items/CPZL-90");
      CHECK(absl::IsNotFound(f.service.DoGetItem(get).status()));
    }
  }
  WHEN("a form joins two items of 100 such check points, each of which fits on its own") {
    for (const std::string code : {"CPZL-91", "CPZL-92"}) {
      REQUIRE(f.Create(LongItem(code, 100)).ok());
      REQUIRE(f.Publish(code).ok());
    }
    const uint64_t published = f.db->OutboxBacklog();
    v1::CreateFormRequest request;
    request.set_request_id(f.Id());
    v1::FormTemplate* form = request.mutable_form();
    form->set_code("FORM-90");
    form->set_name("联合检查表");
    form->add_departments()->set_code("330000-SCJG");
    form->add_sections()->set_item_code("CPZL-91");
    form->add_sections()->set_item_code("CPZL-92");
    auto refused = f.service.DoCreateForm(f.caller, request);
    THEN("INVALID_ARGUMENT names its sections, and nothing is written") {
      CHECK(absl::IsInvalidArgument(refused.status()));
      CHECK(testing::FieldNames(refused.status()) == std::set<std::string>{"form.sections"});
      CHECK(f.db->OutboxBacklog() == published);
    }
    THEN("a form of one of them is made") {
      form->mutable_sections()->RemoveLast();
      CHECK(f.service.DoCreateForm(f.caller, request).ok());
    }
  }
}

SCENARIO("text that is not UTF-8 is refused over gRPC naming the field, and nothing changes") {
  // proto3 refuses such a request before the handler runs; gRPC alone answered INTERNAL (#15).
  Fixture f;
  f.AddDepartment("330000-SCJG", v1::LEVEL_PROVINCE, "330000");
  REQUIRE(f.Create(Fixture::Item("CPZL-01", "问题一")).ok());
  REQUIRE(f.Publish("CPZL-01").ok());
  const uint64_t backlog = f.db->OutboxBacklog();
  const std::string published = f.GetBytes("CPZL-01", 0);
  testing::InProcessServer server({&f.service});

  WHEN("a revision's check point asks a question that is not UTF-8") {
    v1::ReviseItemRequest request;
    request.set_request_id(f.Id());
    *request.mutable_item() = Fixture::Item("CPZL-01", "问题\xe4\xb8");
    request.mutable_item()->set_revision_note("依据修订");
    const grpc::Status status =
        testing::RawUnaryCall(*server.channel(), "/jianguan.catalogue.v1.Catalogue/ReviseItem",
                              request.SerializeAsString(), *testing::CallAs("330000-SCJG"));
    THEN("INVALID_ARGUMENT names it by its path, in valid UTF-8") {
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(testing::FieldNames(status) ==
            std::set<std::string>{"item.check_points[0].question"});
      CHECK(IsValidUtf8(status.error_message()));
    }
  }
  WHEN("a new item's name is not UTF-8") {
    v1::CreateItemRequest request;
    request.set_request_id(f.Id());
    *request.mutable_item() = Fixture::Item("CPZL-02", "问题");
    request.mutable_item()->set_name("\xff\xfe");
    const grpc::Status status =
        testing::RawUnaryCall(*server.channel(), "/jianguan.catalogue.v1.Catalogue/CreateItem",
                              request.SerializeAsString(), *testing::CallAs("330000-SCJG"));
    THEN("item.name is named and the item does not exist") {
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(testing::FieldNames(status) == std::set<std::string>{"item.name"});
      v1::GetItemRequest get;
      get.set_name("items/CPZL-02");
      CHECK(absl::IsNotFound(f.service.DoGetItem(get).status()));
    }
  }
  CHECK(f.db->OutboxBacklog() == backlog);
  CHECK(f.GetBytes("CPZL-01", 0) == published);
}

}  // namespace
}  // namespace jianguan::catalogue
