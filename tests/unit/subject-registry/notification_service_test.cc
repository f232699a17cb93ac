// Dual notifications (双告知) through the SubjectRegistry handler, served in-process on port 0
// over a real RocksDB, with the shipped licence table, the demo catalogue's departments and
// the working-day calendar: raised with the registration, update or import row that needs
// them, once; listed per department with the oversight rule; claimed and passed by their
// department only; closed by the licence; bad input named and nothing written.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "libs/core/calendar.h"
#include "libs/core/civil_date.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/server/grpc_server.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/temp_dir.h"
#include "tests/unit/subject-registry/registry_server.h"
#include "services/subject-registry/catalogue_departments.h"
#include "services/subject-registry/notification_watch.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"

namespace jianguan::subject {
namespace {

using testing_support::DataRoot;

std::string MakeUscc(const std::string& region, int n) {
  std::string first17 = absl::StrCat("92", region, absl::StrFormat("NT%07d", n));
  return first17 + UsccCheckCharacter(first17);
}

v1::Subject Shop(int n, const std::string& industry, const std::string& region = "330782") {
  v1::Subject s;
  s.set_uscc(MakeUscc(region, n));
  s.set_name(absl::StrCat("义乌市稠城", n, "号店"));
  s.set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number("330702199001011234");
  s.mutable_industry()->set_code(industry);
  s.mutable_registration_region()->set_code(region);
  s.mutable_business_address()->mutable_region()->set_code(region);
  return s;
}

// The registry with dual notifications on, on Monday 23 November 2026 (Beijing).
// The tables dual notifications are raised from, made before the server that uses them.
struct NotificationTables {
  WorkingDayCalendar calendar = *WorkingDayCalendar::Load(
      testing_support::DataRoot() + "/calendar/cn_workdays.csv");
  CodeTable industry_codes =
      *CodeTable::Load(testing_support::DataRoot() + "/industries.csv");
  LicenceRequirements requirements = *LicenceRequirements::Load(
      testing_support::DataRoot() + "/catalogue/licence-kinds-2026.1.csv", industry_codes);
  DepartmentCodes departments =
      *LoadCatalogueDepartments(testing_support::DataRoot() + "/catalogue/catalogue.json");
  NotificationRules rules{requirements, departments, calendar};
};

struct Registry : NotificationTables, testing_support::RegistryServer {
  Registry()
      : RegistryServer(absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), BeijingTime()),
                       "jg-notif", &rules) {}

  static std::unique_ptr<grpc::ClientContext> As(const std::string& department,
                                                 const std::string& role = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-jg-department", department);
    context->AddMetadata("x-jg-user", "officer-" + department);
    if (!role.empty()) context->AddMetadata("x-jg-role", role);
    return context;
  }
  grpc::Status Register(const v1::Subject& s, const std::string& request_id = "") {
    v1::RegisterSubjectRequest request;
    request.set_request_id(request_id.empty() ? "reg-" + s.uscc() : request_id);
    *request.mutable_subject() = s;
    v1::RegisterSubjectResponse ignored;
    return stub->RegisterSubject(As("330782-SCJG").get(), request, &ignored);
  }
  // Every queued event of `type` ("NotificationRaised"), in order.
  std::vector<common::v1::OutboxEvent> Events(const std::string& type) const {
    auto all = store->ReadOutbox(0, 100000);
    REQUIRE(all.ok());
    std::vector<common::v1::OutboxEvent> of_type;
    for (auto& e : *all) {
      if (e.type() == "jianguan.subject.v1." + type) of_type.push_back(std::move(e));
    }
    return of_type;
  }
  std::vector<v1::LicenceNotification> Raised() const {
    std::vector<v1::LicenceNotification> raised;
    for (const auto& e : Events("NotificationRaised")) {
      v1::NotificationRaised event;
      REQUIRE(event.ParseFromString(e.payload()));
      CHECK(e.key() == event.notification().uscc());
      raised.push_back(event.notification());
    }
    return raised;
  }
  v1::ListNotificationsResponse List(const std::string& as,
                                     v1::ListNotificationsRequest request = {},
                                     const std::string& role = "") {
    v1::ListNotificationsResponse response;
    const grpc::Status status = stub->ListNotifications(As(as, role).get(), request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response;
  }
  grpc::Status Claim(const std::string& as, const std::string& id, const std::string& request_id,
                     v1::LicenceNotification* out = nullptr) {
    v1::ClaimNotificationRequest request;
    request.set_request_id(request_id);
    request.set_notification_id(id);
    v1::LicenceNotification ignored;
    return stub->ClaimNotification(As(as).get(), request, out ? out : &ignored);
  }
  grpc::Status Pass(const std::string& as, const std::string& id, const std::string& to,
                    const std::string& reason, const std::string& request_id,
                    v1::LicenceNotification* out = nullptr) {
    v1::PassNotificationRequest request;
    request.set_request_id(request_id);
    request.set_notification_id(id);
    request.mutable_to()->set_code(to);
    request.set_reason(reason);
    v1::LicenceNotification ignored;
    return stub->PassNotification(As(as).get(), request, out ? out : &ignored);
  }
  double Counted(const std::string& event) {
    for (const auto& family : metrics_registry.Collect()) {
      if (family.name != "jianguan_registry_notifications_total") continue;
      for (const auto& metric : family.metric) {
        if (metric.label.size() == 1 && metric.label[0].value == event) return metric.counter.value;
      }
    }
    return 0;
  }
};

std::vector<v1::ImportSubjectsResponse> Import(Registry& r, const std::vector<v1::Subject>& rows) {
  auto context = Registry::As("330782-SCJG");
  auto stream = r.stub->ImportSubjects(context.get());
  v1::ImportSubjectsRequest request;
  for (size_t i = 0; i < rows.size(); ++i) {
    v1::ImportRow* row = request.add_rows();
    row->set_row_number(static_cast<int64_t>(i) + 2);
    *row->mutable_subject() = rows[i];
  }
  REQUIRE(stream->Write(request));
  v1::ImportSubjectsResponse answer;
  REQUIRE(stream->Read(&answer));
  stream->WritesDone();
  REQUIRE(stream->Finish().ok());
  return {answer};
}

SCENARIO("a registration in a licensed industry raises one notification to its department") {
  Registry r;
  const v1::Subject restaurant = Shop(1, "6210");  // 正餐服务 in 义乌
  REQUIRE(r.Register(restaurant).ok());
  const std::vector<v1::LicenceNotification> raised = r.Raised();
  REQUIRE(raised.size() == 1);
  const v1::LicenceNotification& n = raised[0];
  CHECK(n.id() == restaurant.uscc() + ".FOOD-BUSINESS");
  CHECK(n.licence_kind() == "食品经营许可证");
  CHECK(n.department().code() == "330782-SCJG");
  CHECK(n.trigger() == "industry 6210 正餐服务");
  CHECK(n.subject_name() == restaurant.name());
  CHECK(DayOf(n.raised_on()) == absl::CivilDay(2026, 11, 23));
  CHECK(DayOf(n.due_on()) == absl::CivilDay(2026, 11, 30));
  CHECK(r.Counted("raised") == 1);

  // The event carries the subject's facts, never the ID number; it is on the timeline too.
  const auto events = r.Events("NotificationRaised");
  CHECK(events[0].payload().find("330702199001011234") == std::string::npos);
  v1::GetSubjectProfileRequest profile_request;
  profile_request.set_uscc(restaurant.uscc());
  v1::GetSubjectProfileResponse profile;
  REQUIRE(r.stub->GetSubjectProfile(Registry::As("330782-SCJG").get(), profile_request, &profile)
              .ok());
  std::set<std::string> types;
  for (const auto& entry : profile.timeline()) types.insert(entry.type());
  CHECK(types == std::set<std::string>{"jianguan.subject.v1.SubjectRegistered",
                                       "jianguan.subject.v1.NotificationRaised"});

  THEN("its department lists it with its counts; another department needs oversight") {
    const auto listed = r.List("330782-SCJG");
    REQUIRE(listed.notifications_size() == 1);
    CHECK(listed.notifications(0).id() == n.id());
    CHECK(listed.unclaimed() == 1);
    CHECK(listed.overdue() == 0);
    CHECK(r.List("330700-WGLY").notifications_size() == 0);
    v1::ListNotificationsRequest theirs;
    theirs.mutable_department()->set_code("330782-SCJG");
    v1::ListNotificationsResponse ignored;
    CHECK(r.stub->ListNotifications(Registry::As("330700-WGLY").get(), theirs, &ignored)
              .error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(r.List("330700-WGLY", theirs, "oversight").notifications_size() == 1);
  }
  THEN("a retry with the same request_id raises nothing more") {
    REQUIRE(r.Register(restaurant).ok());
    CHECK(r.Raised().size() == 1);
    CHECK(r.Counted("raised") == 1);
  }
  THEN("a registration that needs no licence raises none") {
    REQUIRE(r.Register(Shop(2, "6513")).ok());  // 应用软件开发
    CHECK(r.Raised().size() == 1);
  }
}

SCENARIO("an update raises what the new business needs, and never twice") {
  Registry r;
  v1::Subject shop = Shop(3, "6513");
  REQUIRE(r.Register(shop).ok());
  CHECK(r.Raised().empty());
  int64_t version = 1;
  const auto update = [&](const std::string& request_id, const std::string& path) {
    v1::UpdateSubjectRequest request;
    request.set_request_id(request_id);
    *request.mutable_subject() = shop;
    request.mutable_update_mask()->add_paths(path);
    request.set_expected_version(version);
    v1::Subject updated;
    const grpc::Status status =
        r.stub->UpdateSubject(Registry::As("330782-SCJG").get(), request, &updated);
    INFO(status.error_message());
    REQUIRE(status.ok());
    version = updated.version();
  };
  shop.mutable_industry()->set_code("9013");  // 网吧活动: 文化 (WGLY), the city's
  update("u1", "industry");
  std::vector<v1::LicenceNotification> raised = r.Raised();
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].licence_kind_code() == "INTERNET-CAFE");
  CHECK(raised[0].department().code() == "330700-WGLY");

  shop.set_business_scope("餐饮服务；互联网上网服务");
  update("u2", "business_scope");
  raised = r.Raised();
  REQUIRE(raised.size() == 2);
  CHECK(raised[1].licence_kind_code() == "FOOD-BUSINESS");
  CHECK(raised[1].trigger() == "business scope: 餐饮服务");

  // Out of the licensed business and back: the notifications exist already.
  shop.mutable_industry()->set_code("6513");
  shop.set_business_scope("");
  update("u3", "industry");
  update("u4", "business_scope");
  shop.mutable_industry()->set_code("9013");
  update("u5", "industry");
  shop.set_name("义乌市稠城新网吧");
  update("u6", "name");
  CHECK(r.Raised().size() == 2);
  CHECK(r.Counted("raised") == 2);
}

SCENARIO("an import raises for the rows registered or changed, and a re-import raises nothing") {
  Registry r;
  std::vector<v1::Subject> rows = {Shop(10, "6210"), Shop(11, "6513"), Shop(12, "5212", "330702"),
                                   Shop(13, "6110", "330102")};
  auto answers = Import(r, rows);
  CHECK(answers[0].accepted() == 4);
  std::vector<v1::LicenceNotification> raised = r.Raised();
  REQUIRE(raised.size() == 3);
  CHECK(raised[0].uscc() == rows[0].uscc());
  CHECK(raised[1].uscc() == rows[2].uscc());
  CHECK(raised[1].department().code() == "330700-SCJG");  // 婺城区 has none: the city's
  // A hotel in 杭州 上城区: the catalogue has no public security there, so the province's
  // market regulation gets it, saying so.
  CHECK(raised[2].uscc() == rows[3].uscc());
  CHECK(raised[2].department().code() == "330000-SCJG");
  CHECK_THAT(raised[2].trigger(), Catch::Contains("no approving department GA for region 330102"));
  CHECK(r.Counted("unroutable") == 1);

  answers = Import(r, rows);
  CHECK(answers[0].unchanged() == 4);
  CHECK(r.Raised().size() == 3);

  rows[1].mutable_industry()->set_code("7263");  // 劳务派遣服务: 人力社保, the city's
  rows[0].set_name("义乌市稠城改名餐厅");
  answers = Import(r, rows);
  CHECK(answers[0].accepted() == 2);
  raised = r.Raised();
  REQUIRE(raised.size() == 4);
  CHECK(raised[3].uscc() == rows[1].uscc());
  CHECK(raised[3].department().code() == "330700-RLSB");

  // Out of the licensed business and back, over two imports: raised once already.
  rows[2].mutable_industry()->set_code("6513");
  CHECK(Import(r, rows)[0].accepted() == 1);
  rows[2].mutable_industry()->set_code("5212");
  CHECK(Import(r, rows)[0].accepted() == 1);
  CHECK(r.Raised().size() == 4);
  CHECK(r.Counted("raised") == 4);

  THEN("a subject of a region with no department at all raises nothing and is counted") {
    REQUIRE(Import(r, {Shop(14, "6210", "110101")})[0].accepted() == 1);
    CHECK(r.Raised().size() == 4);
    CHECK(r.Counted("dropped") == 1);
  }
}

SCENARIO("its department claims a notification once; another department may not") {
  Registry r;
  const v1::Subject restaurant = Shop(20, "6210");
  REQUIRE(r.Register(restaurant).ok());
  const std::string id = restaurant.uscc() + ".FOOD-BUSINESS";

  const grpc::Status foreign = r.Claim("330700-WGLY", id, "c0");
  CHECK(foreign.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  v1::LicenceNotification claimed;
  REQUIRE(r.Claim("330782-SCJG", id, "c1", &claimed).ok());
  CHECK(claimed.state() == v1::NOTIFICATION_STATE_CLAIMED);
  CHECK(claimed.claimed_by() == "officer-330782-SCJG");
  CHECK(DayOf(claimed.claimed_on()) == absl::CivilDay(2026, 11, 23));
  CHECK(!claimed.overdue());
  CHECK(claimed.version() == 2);
  CHECK(r.Events("NotificationClaimed").size() == 1);

  v1::LicenceNotification again;
  REQUIRE(r.Claim("330782-SCJG", id, "c1", &again).ok());  // the retry: the first answer
  CHECK(again.version() == 2);
  CHECK(r.Events("NotificationClaimed").size() == 1);
  const grpc::Status twice = r.Claim("330782-SCJG", id, "c2");
  CHECK(twice.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(twice.error_message(), Catch::Contains("state is NOTIFICATION_STATE_CLAIMED"));
  CHECK(r.Counted("claimed") == 1);

  v1::ListNotificationsRequest claimed_only;
  claimed_only.set_state(v1::NOTIFICATION_STATE_CLAIMED);
  const auto listed = r.List("330782-SCJG", claimed_only);
  CHECK(listed.notifications_size() == 1);
  CHECK(listed.unclaimed() == 0);
  claimed_only.set_state(v1::NOTIFICATION_STATE_RAISED);
  CHECK(r.List("330782-SCJG", claimed_only).notifications_size() == 0);
}

SCENARIO("a notification passed on is the new department's to claim, with a new due day") {
  Registry r;
  const v1::Subject restaurant = Shop(30, "6210");
  REQUIRE(r.Register(restaurant).ok());
  const std::string id = restaurant.uscc() + ".FOOD-BUSINESS";
  r.clock.Advance(absl::Hours(24 * 2));  // Wednesday 25 November

  CHECK(r.Pass("330700-WGLY", id, "330700-SCJG", "不是本部门", "p0").error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  v1::LicenceNotification passed;
  REQUIRE(r.Pass("330782-SCJG", id, "330700-SCJG", "经营场所在市本级", "p1", &passed).ok());
  CHECK(passed.state() == v1::NOTIFICATION_STATE_RAISED);
  CHECK(passed.department().code() == "330700-SCJG");
  CHECK(DayOf(passed.raised_on()) == absl::CivilDay(2026, 11, 25));
  CHECK(DayOf(passed.due_on()) == absl::CivilDay(2026, 12, 2));
  REQUIRE(passed.passes_size() == 1);
  CHECK(passed.passes(0).reason() == "经营场所在市本级");
  CHECK(r.Events("NotificationPassed").size() == 1);

  CHECK(r.List("330782-SCJG").notifications_size() == 0);
  CHECK(r.List("330700-SCJG").unclaimed() == 1);
  CHECK(r.Claim("330782-SCJG", id, "c-old").error_code() == grpc::StatusCode::PERMISSION_DENIED);
  v1::LicenceNotification claimed;
  REQUIRE(r.Claim("330700-SCJG", id, "c-new", &claimed).ok());
  CHECK(claimed.state() == v1::NOTIFICATION_STATE_CLAIMED);
  CHECK(r.Pass("330700-SCJG", id, "330782-SCJG", "再转", "p2").error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
}

SCENARIO("GrantLicence of the kind closes the notification in the same write") {
  Registry r;
  const v1::Subject restaurant = Shop(40, "6210");
  REQUIRE(r.Register(restaurant).ok());
  v1::GrantLicenceRequest grant;
  grant.set_request_id("l1");
  grant.set_uscc(restaurant.uscc());
  v1::Licence* licence = grant.mutable_licence();
  licence->set_kind("食品经营许可证");
  licence->set_number("JY13307820000040");
  licence->mutable_issuing_department()->set_code("330782-SCJG");
  *licence->mutable_valid_from() = DateOf(absl::CivilDay(2026, 11, 23));
  licence->set_status(v1::LICENCE_STATUS_VALID);
  v1::GrantLicenceResponse granted;
  const uint64_t before = r.store->OutboxBacklog();
  REQUIRE(r.stub->GrantLicence(Registry::As("330782-SCJG").get(), grant, &granted).ok());
  CHECK(r.store->OutboxBacklog() == before + 2);  // LicenceGranted and NotificationClosed
  const auto closed = r.Events("NotificationClosed");
  REQUIRE(closed.size() == 1);
  v1::NotificationClosed event;
  REQUIRE(event.ParseFromString(closed[0].payload()));
  CHECK(event.notification().state() == v1::NOTIFICATION_STATE_CLOSED);
  CHECK(event.notification().licence_number() == "JY13307820000040");
  CHECK(event.facts().version() == 2);
  v1::ListNotificationsRequest closed_only;
  closed_only.set_state(v1::NOTIFICATION_STATE_CLOSED);
  CHECK(r.List("330782-SCJG", closed_only).notifications_size() == 1);
  CHECK(r.List("330782-SCJG").unclaimed() == 0);
  CHECK(r.Claim("330782-SCJG", event.notification().id(), "c1").error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(r.Counted("closed") == 1);

  THEN("a later licence of the kind changes nothing more, nor does an update into it") {
    grant.set_request_id("l2");
    licence->set_number("JY13307820000041");
    REQUIRE(r.stub->GrantLicence(Registry::As("330782-SCJG").get(), grant, &granted).ok());
    CHECK(r.Events("NotificationClosed").size() == 1);
  }
  THEN("a subject holding the licence at registration is not notified") {
    v1::Subject licensed = Shop(41, "6210");
    *licensed.add_licences() = *licence;
    REQUIRE(r.Register(licensed).ok());
    CHECK(r.Raised().size() == 1);
  }
}

SCENARIO("overdue notifications are listed and counted, and the watch reports them") {
  Registry r;
  const v1::Subject a = Shop(50, "6210"), b = Shop(51, "6291");
  REQUIRE(r.Register(a).ok());
  REQUIRE(r.Register(b).ok());
  // Tuesday 1 December: the day after both were due (Monday 30 November).
  r.clock.Set(absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), BeijingTime()));
  auto listed = r.List("330782-SCJG");
  CHECK(listed.unclaimed() == 2);
  CHECK(listed.overdue() == 2);
  REQUIRE(listed.notifications_size() == 2);
  CHECK(listed.notifications(0).overdue());

  v1::LicenceNotification late;
  REQUIRE(r.Claim("330782-SCJG", a.uscc() + ".FOOD-BUSINESS", "late", &late).ok());
  CHECK(late.overdue());
  const v1::Subject c = Shop(52, "6220");
  REQUIRE(r.Register(c).ok());  // due 8 December: not overdue

  v1::ListNotificationsRequest overdue_only;
  overdue_only.set_overdue_only(true);
  listed = r.List("330782-SCJG", overdue_only);
  CHECK(listed.notifications_size() == 2);  // the one claimed late, and the unclaimed one
  CHECK(listed.unclaimed() == 2);
  CHECK(listed.overdue() == 1);
  overdue_only.set_state(v1::NOTIFICATION_STATE_RAISED);
  listed = r.List("330782-SCJG", overdue_only);
  REQUIRE(listed.notifications_size() == 1);
  CHECK(listed.notifications(0).uscc() == b.uscc());

  NotificationStore notices(*r.store);
  NotificationWatch watch(notices, r.departments, r.clock, r.metrics);
  auto counts = watch.CountOnce();
  REQUIRE(counts.ok());
  CHECK((*counts)["330782-SCJG"].unclaimed == 2);
  CHECK((*counts)["330782-SCJG"].overdue == 1);
  CHECK((*counts)["330700-WGLY"].unclaimed == 0);
  CHECK(counts->size() == r.departments.size());
  const auto gauge = [&](const std::string& name, const std::string& department) {
    for (const auto& family : r.metrics_registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        if (metric.label.size() == 1 && metric.label[0].value == department) {
          return metric.gauge.value;
        }
      }
    }
    return -1.0;
  };
  CHECK(gauge("jianguan_registry_notifications_unclaimed", "330782-SCJG") == 2);
  CHECK(gauge("jianguan_registry_notifications_overdue", "330782-SCJG") == 1);
  CHECK(gauge("jianguan_registry_notifications_overdue", "330700-WGLY") == 0);
}

SCENARIO("a department's list pages by due day, and a subject's list too") {
  Registry r;
  // Three restaurants a day apart, then a food factory that also runs a canteen: two
  // notifications of one subject at one department.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(r.Register(Shop(60 + i, "6210")).ok());
    r.clock.Advance(absl::Hours(24));
  }
  v1::Subject factory = Shop(70, "1411");
  factory.set_business_scope("食品生产；餐饮服务");
  REQUIRE(r.Register(factory).ok());

  std::vector<std::string> seen;
  v1::ListNotificationsRequest request;
  request.mutable_page()->set_page_size(1);
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = r.List("330782-SCJG", request);
    for (const auto& n : page.notifications()) seen.push_back(n.id());
    if (page.page().next_page_token().empty()) break;
    request.mutable_page()->set_page_token(page.page().next_page_token());
  }
  REQUIRE(seen.size() == 5);
  CHECK(seen[0] == Shop(60, "6210").uscc() + ".FOOD-BUSINESS");  // the earliest due first
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 5);

  v1::ListNotificationsRequest of_factory;
  of_factory.set_uscc(factory.uscc());
  of_factory.mutable_page()->set_page_size(1);
  const auto first = r.List("330782-SCJG", of_factory);
  REQUIRE(first.notifications_size() == 1);
  CHECK(first.notifications(0).licence_kind_code() == "FOOD-BUSINESS");  // same day: by id
  REQUIRE(!first.page().next_page_token().empty());
  of_factory.mutable_page()->set_page_token(first.page().next_page_token());
  const auto second = r.List("330782-SCJG", of_factory);
  REQUIRE(second.notifications_size() == 1);
  CHECK(second.notifications(0).licence_kind_code() == "FOOD-PRODUCTION");
  CHECK(second.page().next_page_token().empty());
}

SCENARIO("bad input is refused naming the field, and nothing is written") {
  Registry r;
  const v1::Subject restaurant = Shop(80, "6210");
  REQUIRE(r.Register(restaurant).ok());
  const std::string id = restaurant.uscc() + ".FOOD-BUSINESS";
  const uint64_t outbox = r.store->OutboxBacklog();

  v1::ListNotificationsRequest list;
  list.set_state(static_cast<v1::NotificationState>(42));
  list.set_uscc("91330782XXXXXXXXXX");
  list.mutable_page()->set_page_size(-1);
  v1::ListNotificationsResponse listed;
  const grpc::Status bad_list =
      r.stub->ListNotifications(Registry::As("330782-SCJG").get(), list, &listed);
  CHECK(bad_list.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(bad_list) ==
        std::set<std::string>{"state", "uscc", "page.page_size"});

  CHECK(testing::FieldNames(r.Claim("330782-SCJG", "nonsense", "c1")) ==
        std::set<std::string>{"notification_id"});
  CHECK(testing::FieldNames(r.Claim("330782-SCJG", restaurant.uscc() + ".NO-SUCH-KIND", "c1")) ==
        std::set<std::string>{"notification_id"});
  CHECK(testing::FieldNames(r.Claim("330782-SCJG", id, "")) ==
        std::set<std::string>{"request_id"});
  CHECK(r.Claim("330782-SCJG", Shop(81, "6210").uscc() + ".FOOD-BUSINESS", "c2").error_code() ==
        grpc::StatusCode::NOT_FOUND);

  CHECK(testing::FieldNames(r.Pass("330782-SCJG", id, "330700-XXXX", "原因", "p1")) ==
        std::set<std::string>{"to.code"});
  CHECK(testing::FieldNames(r.Pass("330782-SCJG", id, "330782-SCJG", "原因", "p1")) ==
        std::set<std::string>{"to.code"});
  CHECK(testing::FieldNames(r.Pass("330782-SCJG", id, "330700-SCJG", "", "p1")) ==
        std::set<std::string>{"reason"});
  CHECK(testing::FieldNames(r.Pass("330782-SCJG", id, "330700-SCJG", std::string(501, 'x'),
                                   "p1")) == std::set<std::string>{"reason"});
  // Not UTF-8: refused by the host before the handler runs (proto3 would not parse it), by
  // name, in words that are UTF-8 themselves.
  const grpc::Status not_utf8 = r.Pass("330782-SCJG", id, "330700-SCJG", "转办\xf0\x9f", "p1");
  CHECK(not_utf8.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(not_utf8) == std::set<std::string>{"reason"});
  CHECK(IsValidUtf8(not_utf8.error_message()));

  CHECK(r.store->OutboxBacklog() == outbox);
  const auto listed_after = r.List("330782-SCJG");
  REQUIRE(listed_after.notifications_size() == 1);
  CHECK(listed_after.notifications(0).state() == v1::NOTIFICATION_STATE_RAISED);
  CHECK(listed_after.notifications(0).version() == 1);
}

}  // namespace
}  // namespace jianguan::subject
