// The risk service's part of the loop KPIs (issue #21), wired as main.cc wires it over a real
// store in a temp dir, the demo rule sets and policy: inspection's events keep each subject's
// inspection days; the ticker's gauges count the high-risk subjects and those inspected this
// Beijing year; GetAlertReport gives the share for a period, over every subject or over a
// department's region of jurisdiction (unset for a department risk does not know).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/civil_date.h"
#include "libs/core/code_table.h"
#include "libs/core/files.h"
#include "libs/core/text_checks.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "libs/write/event_emitter.h"
#include "services/risk/domain/alert_loop.h"
#include "services/risk/risk_engine.h"
#include "services/risk/risk_intake.h"
#include "services/risk/risk_metrics.h"
#include "services/risk/risk_service.h"
#include "services/risk/risk_store.h"
#include "services/risk/risk_ticker.h"
#include "services/risk/rule_book.h"

namespace jianguan::risk {
namespace {

const std::string kData = std::string(JG_SOURCE_DIR) + "/data";
constexpr char kJinhua[] = "330700-SCJG";    // region 330700 (金华市)
constexpr char kHangzhou[] = "330100-SCJG";  // never projected

absl::Time BeijingNoon(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 12, 0, 0), BeijingTime());
}

template <typename T>
T Loaded(absl::StatusOr<T> loaded) {
  REQUIRE(loaded.status().ToString() == "OK");
  return *std::move(loaded);
}

v1::RiskPolicy DemoPolicy() {
  const std::string path = kData + "/risk/policy.textproto";
  return Loaded(ParsePolicyText(Loaded(ReadWholeFile(path)), path));
}

struct Fixture {
  testing::TempDir dir{"jg-risk"};
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = RiskStore::Families(), .sync_writes = false});
  testing::FakeClock clock{BeijingNoon(2026, 9, 21)};
  const RiskStore records{*db};
  std::unique_ptr<RuleBook> rules =
      Loaded(RuleBook::Open(kData + "/risk/rules", records, clock.Now()));
  const v1::RiskPolicy policy = DemoPolicy();
  const WorkingDayCalendar calendar =
      Loaded(WorkingDayCalendar::Load(kData + "/calendar/cn_workdays.csv"));
  const CodeTable industries = Loaded(CodeTable::Load(kData + "/industries.csv"));
  const EventEmitter emitter{topics::kRisk, kServiceName, clock};
  prometheus::Registry registry;
  RiskMetrics metrics{registry};
  const RiskEngine engine{{.rules = *rules,
                           .policy = policy,
                           .calendar = calendar,
                           .industries = industries,
                           .emitter = emitter},
                          &metrics};
  const RiskIntake intake{records, engine, clock};
  RiskService service{*db, engine, clock, &metrics};
  RiskTicker ticker{records, engine, *rules, clock, &metrics};
  int64_t offset = 0;

  // `message` as consumed from `topic` with key `key`, at the clock's time, committed.
  void Apply(const std::string& topic, const std::string& key,
             const google::protobuf::Message& message) {
    store::UnitOfWork work;
    REQUIRE(intake.Apply(testing::AsConsumed(topic, key, message, "test", offset++, clock.Now()),
                         work)
                .ok());
    if (!work.empty()) REQUIRE(db->Commit(work).ok());
  }

  // A subject of business region `region`, graded D by credit (40 points: MEDIUM).
  void GradedD(const std::string& uscc, const std::string& region) {
    subject::v1::SubjectRegistered registered;
    subject::v1::SubjectFacts& facts = *registered.mutable_facts();
    facts.set_uscc(uscc);
    facts.set_name("测试主体");
    facts.set_type(subject::v1::SUBJECT_TYPE_ENTERPRISE);
    facts.mutable_registration_region()->set_code(region);
    facts.mutable_business_region()->set_code(region);
    facts.set_version(1);
    Apply(topics::kSubject, uscc, registered);
    credit::v1::CreditGradeChanged graded;
    graded.set_uscc(uscc);
    graded.set_grade(credit::v1::CREDIT_GRADE_D);
    graded.set_version(1);
    Apply(topics::kCredit, uscc, graded);
  }

  // A penalty decided on the subject: a violation (10 points), so grade D makes it HIGH.
  void Penalised(const std::string& uscc) {
    cases::v1::PenaltyDecided decided;
    decided.mutable_summary()->set_name("cases/kpi-" + uscc);
    decided.mutable_summary()->set_uscc(uscc);
    Apply(topics::kCases, uscc, decided);
  }

  v1::RiskLevel Level(const std::string& uscc) {
    auto subject = records.FindSubject(uscc);
    REQUIRE(subject.ok());
    REQUIRE(subject->has_value());
    return (*subject)->risk().level();
  }

  double Gauge(const std::string& name) {
    for (const auto& family : registry.Collect()) {
      if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
    }
    return -1;
  }

  v1::AlertReport Report(const std::string& department, absl::CivilDay from, absl::CivilDay to) {
    v1::AlertReportRequest request;
    request.set_department(department);
    *request.mutable_from_date() = DateOf(from);
    *request.mutable_to_date() = DateOf(to);
    return Loaded(service.DoGetAlertReport(request));
  }
};

inspection::v1::TaskSummary Task(const std::string& uscc, inspection::v1::TaskState state) {
  inspection::v1::TaskSummary task;
  task.set_name("tasks/kpi-" + uscc);
  task.set_uscc(uscc);
  task.set_state(state);
  return task;
}

inspection::v1::ResultDigest Result(inspection::v1::ResultOutcome outcome, absl::CivilDay day) {
  inspection::v1::ResultDigest result;
  result.add_departments()->mutable_category()->set_outcome(outcome);
  *result.mutable_inspection_date() = DateOf(day);
  return result;
}

SCENARIO_METHOD(Fixture, "the share of high-risk subjects inspected, as gauges and in the report") {
  // Jinhua (330702, 330782) and Hangzhou (330106) subjects, all of grade D.
  const std::string reviewed = testing::SeriesUscc("91330702", 1);   // HIGH, inspected 18 Sept
  const std::string penalised = testing::SeriesUscc("91330782", 2);  // HIGH, never inspected
  const std::string submitted = testing::SeriesUscc("91330702", 3);  // MEDIUM, inspected
  const std::string last_year = testing::SeriesUscc("91330106", 4);  // HIGH, inspected in 2025
  GIVEN("their events: a reviewed violation, penalties, a submitted result, a follow-up of 2025") {
    catalogue::v1::DepartmentChanged jinhua;
    jinhua.mutable_department()->set_code(kJinhua);
    jinhua.mutable_department()->mutable_region()->set_code("330700");
    jinhua.mutable_department()->set_version(1);
    Apply(topics::kCatalogue, kJinhua, jinhua);
    for (const auto& [uscc, region] : std::map<std::string, std::string>{
             {reviewed, "330702"}, {penalised, "330782"}, {submitted, "330702"},
             {last_year, "330106"}}) {
      GradedD(uscc, region);
    }
    // The result submitted, then reviewed with a violation (the violation makes it HIGH).
    inspection::v1::ResultSubmitted result;
    *result.mutable_task() = Task(reviewed, inspection::v1::TASK_STATE_RESULT_SUBMITTED);
    *result.mutable_result() = Result(inspection::v1::RESULT_OUTCOME_VIOLATION,
                                      absl::CivilDay(2026, 9, 18));
    Apply(topics::kInspection, reviewed, result);
    inspection::v1::TaskStateChanged review;
    *review.mutable_task() = Task(reviewed, inspection::v1::TASK_STATE_REVIEWED);
    review.set_previous_state(inspection::v1::TASK_STATE_RESULT_SUBMITTED);
    *review.mutable_result() = result.result();
    Apply(topics::kInspection, reviewed, review);
    Penalised(penalised);
    // Inspected without a problem: stays MEDIUM, so it is not counted.
    inspection::v1::ResultSubmitted clean;
    *clean.mutable_task() = Task(submitted, inspection::v1::TASK_STATE_RESULT_SUBMITTED);
    *clean.mutable_result() = Result(inspection::v1::RESULT_OUTCOME_NO_PROBLEM,
                                     absl::CivilDay(2026, 9, 10));
    Apply(topics::kInspection, submitted, clean);
    Penalised(last_year);
    inspection::v1::FollowUpCompleted follow_up;
    *follow_up.mutable_task() = Task(last_year, inspection::v1::TASK_STATE_COMPLETED);
    follow_up.set_outcome(inspection::v1::RECTIFICATION_OUTCOME_RECTIFIED);
    *follow_up.mutable_inspection_date() = DateOf(absl::CivilDay(2025, 6, 1));
    Apply(topics::kInspection, last_year, follow_up);

    REQUIRE(Level(reviewed) == v1::RISK_LEVEL_HIGH);
    REQUIRE(Level(penalised) == v1::RISK_LEVEL_HIGH);
    REQUIRE(Level(submitted) == v1::RISK_LEVEL_MEDIUM);
    REQUIRE(Level(last_year) == v1::RISK_LEVEL_HIGH);
    THEN("each subject keeps its inspection days, the reviewed result's once") {
      const auto days = [&](const std::string& uscc) {
        const v1::SubjectRecord subject = **records.FindSubject(uscc);
        std::vector<absl::CivilDay> kept;
        for (const auto& date : subject.inspection_dates()) kept.push_back(DayOf(date));
        return kept;
      };
      CHECK(days(reviewed) == std::vector<absl::CivilDay>{absl::CivilDay(2026, 9, 18)});
      CHECK(days(penalised).empty());
      CHECK(days(submitted) == std::vector<absl::CivilDay>{absl::CivilDay(2026, 9, 10)});
      CHECK(days(last_year) == std::vector<absl::CivilDay>{absl::CivilDay(2025, 6, 1)});
    }
    WHEN("the ticker passes") {
      REQUIRE(ticker.TickOnce().ok());
      THEN("3 subjects are high-risk, 1 of them inspected this year") {
        CHECK(Gauge("jianguan_risk_high_risk_subjects") == 3);
        CHECK(Gauge("jianguan_risk_high_risk_inspected_subjects") == 1);
      }
      AND_WHEN("the year turns") {
        clock.Set(BeijingNoon(2027, 1, 1));
        REQUIRE(ticker.TickOnce().ok());
        THEN("none of them is inspected this year yet") {
          CHECK(Gauge("jianguan_risk_high_risk_subjects") == 3);
          CHECK(Gauge("jianguan_risk_high_risk_inspected_subjects") == 0);
        }
      }
    }
    WHEN("the report covers 2026 for every department") {
      const v1::AlertReport report =
          Report("", absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31));
      THEN("1 of the 3 high-risk subjects was inspected") {
        REQUIRE(report.has_high_risk());
        CHECK(report.high_risk().region().empty());
        CHECK(report.high_risk().high_risk_subjects() == 3);
        CHECK(report.high_risk().inspected() == 1);
        CHECK(report.high_risk().inspected_ppm() == 333'333);
      }
    }
    WHEN("the report covers 2025") {
      const v1::AlertReport report =
          Report("", absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
      THEN("the one inspected then counts") {
        CHECK(report.high_risk().high_risk_subjects() == 3);
        CHECK(report.high_risk().inspected() == 1);
      }
    }
    WHEN("the report is 金华市市场监管局's") {
      const v1::AlertReport report =
          Report(kJinhua, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31));
      THEN("only the subjects of its region (330700) count: 1 of 2") {
        REQUIRE(report.has_high_risk());
        CHECK(report.high_risk().region() == "330700");
        CHECK(report.high_risk().high_risk_subjects() == 2);
        CHECK(report.high_risk().inspected() == 1);
        CHECK(report.high_risk().inspected_ppm() == 500'000);
      }
    }
    WHEN("the report is of a department risk's catalogue projection does not hold") {
      const v1::AlertReport report =
          Report(kHangzhou, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31));
      THEN("the share is left unset: its region is unknown") {
        CHECK_FALSE(report.has_high_risk());
      }
    }
  }
}

SCENARIO_METHOD(Fixture, "a report whose period ends before it starts names the field") {
  v1::AlertReportRequest request;
  *request.mutable_from_date() = DateOf(absl::CivilDay(2026, 3, 2));
  *request.mutable_to_date() = DateOf(absl::CivilDay(2026, 3, 1));
  const auto report = service.DoGetAlertReport(request);
  CHECK(report.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(testing::FieldNames(report.status()) == std::set<std::string>{"to_date"});
}

SCENARIO_METHOD(Fixture, "over gRPC, text that is not UTF-8 is refused naming the field") {
  // proto3 refuses such a request before the handler runs; gRPC alone answered INTERNAL, or
  // UNIMPLEMENTED on the callback API (GetSubjectRisk) (#15).
  testing::InProcessServer server({&service});
  const std::string uscc = testing::SeriesUscc("91330702", 7);
  const uint64_t backlog = db->OutboxBacklog();
  const auto devices = [&] {
    v1::ListDevicesRequest list;
    list.set_uscc(uscc);
    v1::ListDevicesResponse listed;
    REQUIRE(server.Stub<v1::Risk>()
                ->ListDevices(testing::CallAs(kJinhua).get(), list, &listed)
                .ok());
    return listed.devices_size();
  };
  v1::RegisterDeviceRequest request;
  request.set_request_id("device-1");
  request.mutable_device()->set_device_id("cold-chain-7");
  request.mutable_device()->set_uscc(uscc);
  request.mutable_device()->set_description("冷库温度计\xe6");
  request.mutable_device()->add_metrics("temperature");

  const grpc::Status refused = testing::RawUnaryCall(
      *server.channel(), "/jianguan.risk.v1.Risk/RegisterDevice", request.SerializeAsString(),
      *testing::CallAs(kJinhua));
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(refused) == std::set<std::string>{"device.description"});
  CHECK(IsValidUtf8(refused.error_message()));
  CHECK(devices() == 0);
  CHECK(db->OutboxBacklog() == backlog);

  v1::GetSubjectRiskRequest get;
  get.set_uscc(uscc.substr(0, 17) + "\x80");
  const grpc::Status get_refused = testing::RawUnaryCall(
      *server.channel(), "/jianguan.risk.v1.Risk/GetSubjectRisk", get.SerializeAsString(),
      *testing::CallAs(kJinhua));
  CHECK(get_refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(get_refused) == std::set<std::string>{"uscc"});

  THEN("the same registration in valid text is accepted") {
    request.mutable_device()->set_description("冷库温度计");
    v1::Device device;
    REQUIRE(server.Stub<v1::Risk>()
                ->RegisterDevice(testing::CallAs(kJinhua).get(), request, &device)
                .ok());
    CHECK(devices() == 1);
  }
}

}  // namespace
}  // namespace jianguan::risk
