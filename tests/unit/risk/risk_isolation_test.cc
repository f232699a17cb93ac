// Department isolation in risk (docs/security.md), over a real in-process gRPC server and the
// service wired as main.cc wires it: an alert is read and listed by the department it is
// addressed to and by the one supervising it after an escalation; to any other department it
// is absent (NOT_FOUND, the words of an absent alert), left out of every list, whichever
// filter is asked, with the pages still full; the role oversight reads every alert, the
// unrouted ones too, and accepts none.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "libs/core/calendar.h"
#include "libs/core/civil_date.h"
#include "libs/core/code_table.h"
#include "libs/core/files.h"
#include "libs/core/timestamps.h"
#include "libs/events/topics.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "libs/write/event_emitter.h"
#include "services/risk/domain/alert_loop.h"
#include "services/risk/risk_engine.h"
#include "services/risk/risk_service.h"
#include "services/risk/risk_store.h"
#include "services/risk/rule_book.h"

namespace jianguan::risk {
namespace {

using testing::CallAs;

const std::string kData = std::string(JG_SOURCE_DIR) + "/data";
constexpr char kEcology[] = "330700-STHJ";   // the alert's department
constexpr char kMarket[] = "330700-SCJG";    // another department's alerts only
constexpr char kProvince[] = "330000-STHJ";  // supervises the escalated one
const std::string kUscc = testing::SeriesUscc("91330727", 1);

template <typename T>
T Loaded(absl::StatusOr<T> loaded) {
  REQUIRE(loaded.status().ToString() == "OK");
  return *std::move(loaded);
}

// A refusal that says no more than an absent alert would.
void CheckHidden(const grpc::Status& status, const std::string& name) {
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "resource not found: " + name);
}

struct Fixture {
  testing::TempDir dir{"jg-risk-isolation"};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = RiskStore::Families(), .sync_writes = false});
  testing::FakeClock clock{
      absl::FromCivil(absl::CivilSecond(2026, 9, 21, 12, 0, 0), BeijingTime())};
  const RiskStore records{*db};
  std::unique_ptr<RuleBook> rules =
      Loaded(RuleBook::Open(kData + "/risk/rules", records, clock.Now()));
  const v1::RiskPolicy policy = Loaded(ParsePolicyText(
      Loaded(ReadWholeFile(kData + "/risk/policy.textproto")), kData + "/risk/policy.textproto"));
  const WorkingDayCalendar calendar =
      Loaded(WorkingDayCalendar::Load(kData + "/calendar/cn_workdays.csv"));
  const CodeTable industries = Loaded(CodeTable::Load(kData + "/industries.csv"));
  const EventEmitter emitter{topics::kRisk, kServiceName, clock};
  const RiskEngine engine{{.rules = *rules,
                           .policy = policy,
                           .calendar = calendar,
                           .industries = industries,
                           .emitter = emitter},
                          nullptr};
  RiskService service{*db, engine, clock, nullptr};
  testing::InProcessServer server{{&service}};
  std::unique_ptr<v1::Risk::Stub> stub = server.Stub<v1::Risk>();

  // Stores alert `n` of kUscc (ids in n's order), addressed to `department` (none: RAISED),
  // escalated to `supervising` when given.
  std::string Alert(int n, const std::string& department, const std::string& supervising = "") {
    v1::Alert alert;
    v1::AlertSummary& s = *alert.mutable_summary();
    const std::string name = absl::StrCat("alerts/", kUscc, "-20260921T0", n, "0000Z-a1b2c3d4");
    s.set_name(name);
    s.set_uscc(kUscc);
    s.set_rule(absl::StrCat("rule-", n));
    s.set_level(v1::ALERT_LEVEL_ORANGE);
    s.set_version(1);
    *alert.mutable_raise_time() = ToTimestamp(clock.Now() - absl::Hours(24));
    if (department.empty()) {
      s.set_state(v1::ALERT_STATE_RAISED);
      alert.set_routing_problem("no item of the rule's field applies to the subject");
    } else {
      s.set_state(v1::ALERT_STATE_DISPATCHED);
      s.mutable_department()->set_code(department);
      *alert.mutable_dispatch_time() = ToTimestamp(clock.Now() - absl::Hours(20));
      *alert.mutable_accept_due_date() = DateOf(absl::CivilDay(2026, 9, 25));
      *alert.mutable_close_due_date() = DateOf(absl::CivilDay(2026, 10, 30));
    }
    if (!supervising.empty()) {
      v1::Escalation& e = *alert.add_escalations();
      e.set_missed("accept");
      e.mutable_supervising_department()->set_code(supervising);
      e.set_escalation(1);
    }
    store::UnitOfWork work;
    RiskTx tx(*db, work);
    SaveAlert(tx, alert);
    REQUIRE(db->Commit(work).ok());
    return name;
  }

  grpc::Status Get(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::GetAlertRequest request;
    request.set_name(name);
    v1::Alert alert;
    return stub->GetAlert(as.get(), request, &alert);
  }

  // Every alert listed, page by page of `page_size`; each page but the last full.
  std::vector<std::string> Listed(std::unique_ptr<grpc::ClientContext> (*as)(),
                                  const std::string& department, const std::string& uscc,
                                  int page_size = 50) {
    std::vector<std::string> names;
    std::string token;
    do {
      v1::ListAlertsRequest request;
      request.set_department(department);
      request.set_uscc(uscc);
      request.mutable_page()->set_page_size(page_size);
      request.mutable_page()->set_page_token(token);
      v1::ListAlertsResponse page;
      const grpc::Status status = stub->ListAlerts(as().get(), request, &page);
      INFO(status.error_message());
      REQUIRE(status.ok());
      for (const v1::Alert& alert : page.alerts()) names.push_back(alert.summary().name());
      token = page.next_page_token();
      if (!token.empty()) CHECK(page.alerts_size() == page_size);
    } while (!token.empty());
    return names;
  }

  grpc::Status Accept(const std::string& name, std::unique_ptr<grpc::ClientContext> as) {
    v1::AcceptAlertRequest request;
    request.set_request_id("accept-" + name.substr(name.size() - 20));
    request.set_name(name);
    v1::Alert alert;
    return stub->AcceptAlert(as.get(), request, &alert);
  }

  v1::AlertState State(const std::string& name) {
    auto alert = records.FindAlert(AlertIdOf(name));
    REQUIRE(alert.ok());
    REQUIRE(alert->has_value());
    return (*alert)->summary().state();
  }
};

std::unique_ptr<grpc::ClientContext> AsEcology() { return CallAs(kEcology); }
std::unique_ptr<grpc::ClientContext> AsMarket() { return CallAs(kMarket); }
std::unique_ptr<grpc::ClientContext> AsProvince() { return CallAs(kProvince); }
std::unique_ptr<grpc::ClientContext> AsOversight() { return CallAs(kMarket, {roles::kOversight}); }

using Names = std::vector<std::string>;

TEST_CASE("an alert is its department's and its supervisor's, and absent to any other") {
  Fixture f;
  const std::string ecology = f.Alert(1, kEcology);
  const std::string escalated = f.Alert(2, kMarket, kProvince);
  const std::string unrouted = f.Alert(3, "");

  CHECK(f.Get(ecology, AsEcology()).ok());
  CHECK(f.Get(escalated, AsMarket()).ok());
  CHECK(f.Get(escalated, AsProvince()).ok());  // supervising (督办)
  CHECK(f.Listed(AsEcology, "", "") == Names{ecology});
  CHECK(f.Listed(AsMarket, "", "") == Names{escalated});
  CHECK(f.Listed(AsProvince, "", "") == Names{escalated});

  CheckHidden(f.Get(ecology, AsMarket()), ecology);
  CheckHidden(f.Get(ecology, AsProvince()), ecology);
  CheckHidden(f.Get(unrouted, AsEcology()), unrouted);
  const std::string absent = absl::StrCat("alerts/", kUscc, "-20260921T090000Z-a1b2c3d4");
  CheckHidden(f.Get(absent, AsEcology()), absent);  // the same words
  // Whatever the filter names, another department's alerts stay out.
  CHECK(f.Listed(AsMarket, kEcology, "").empty());
  CHECK(f.Listed(AsMarket, "", kUscc) == Names{escalated});
  CHECK(f.Listed(AsEcology, "", kUscc) == Names{ecology});

  // Accepting another department's alert is refused as a read is, and changes nothing.
  CheckHidden(f.Accept(ecology, AsMarket()), ecology);
  CHECK(f.State(ecology) == v1::ALERT_STATE_DISPATCHED);
  // The supervising department reads, but only the department responsible accepts.
  CHECK(f.Accept(escalated, AsProvince()).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.Accept(ecology, AsEcology()).ok());
  CHECK(f.State(ecology) == v1::ALERT_STATE_ACCEPTED);
}

TEST_CASE("the role oversight reads every alert, the unrouted too, and accepts none") {
  Fixture f;
  const std::string ecology = f.Alert(1, kEcology);
  const std::string escalated = f.Alert(2, kMarket, kProvince);
  const std::string unrouted = f.Alert(3, "");
  CHECK(f.Get(ecology, AsOversight()).ok());
  CHECK(f.Get(unrouted, AsOversight()).ok());
  CHECK(f.Listed(AsOversight, "", "") == Names{ecology, escalated, unrouted});
  CHECK(f.Listed(AsOversight, kEcology, "") == Names{ecology});
  CHECK(f.Listed(AsOversight, kProvince, "") == Names{escalated});

  const grpc::Status refused = f.Accept(ecology, AsOversight());
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.State(ecology) == v1::ALERT_STATE_DISPATCHED);
}

TEST_CASE("a list leaves out the alerts the caller may not read and keeps its pages full") {
  Fixture f;
  Names ecology;
  for (int n = 1; n <= 7; ++n) {
    const std::string name = f.Alert(n, n % 2 == 1 ? kEcology : kMarket);
    if (n % 2 == 1) ecology.push_back(name);
  }
  CHECK(f.Listed(AsEcology, "", kUscc, 1) == ecology);
  CHECK(f.Listed(AsEcology, "", kUscc, 3) == ecology);
  CHECK(f.Listed(AsEcology, "", "", 2) == ecology);
  CHECK(f.Listed(AsOversight, "", kUscc, 2).size() == 7);
}

}  // namespace
}  // namespace jianguan::risk
