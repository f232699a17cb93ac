// The real risk binary on the real broker (issue #13):
// - the Jinhua ecology story: an ammonia-nitrogen exceedance over three readings becomes one
//   alert dispatched to the ecology bureau with its item, a persisting exceedance updates
//   that alert, the real inspection binary's task moves it to INSPECTING and the reviewed
//   non-compliant result closes it with the feedback; each step is an event on
//   jianguan.risk.v1;
// - a batch with an unknown device, a value that is not finite, a time far in the future and
//   a unit that is not UTF-8 refuses exactly those rows, naming the field, and keeps the rest;
// - a subject whose grade falls to D and gets an alert becomes HIGH risk, and the real
//   sampling binary's projection shows it;
// - killed with kill -9 in the middle of a stream of readings, risk ends with exactly the
//   alerts an uninterrupted twin produces from the same readings.
// The Jinhua story runs the real inspection binary too: it creates the task from
// AlertDispatched, and the task is driven over its API to a reviewed violation.
// Sizes: JG_RISK_IT_DEVICES devices (default 12) × JG_RISK_IT_READINGS readings (default 60)
// for the kill -9 run.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/risk/v1/risk.grpc.pb.h"
#include "libs/core/timestamps.h"
#include "libs/events/consumer.h"
#include "libs/events/topics.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/kafka.h"
#include "libs/testing/reference_feed.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"
#include "tests/integration/inspection/await_task.h"
#include "tests/unit/inspection/inspection_fixtures.h"

namespace jianguan::risk {
namespace {

constexpr char kEcology[] = "330700-STHJ";

int EnvCount(const char* name, int fallback) {
  const char* env = std::getenv(name);
  return env != nullptr ? std::max(1, std::atoi(env)) : fallback;
}

// USCCs no earlier run used: the organisation code starts from this run's clock.
std::vector<std::string> RunSubjects(int count) {
  const uint64_t base = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()) % 100'000'000) * 1000;
  std::vector<std::string> usccs;
  for (int i = 0; i < count; ++i) usccs.push_back(testing::SeriesUscc("91330727", base + i));
  return usccs;
}

std::unique_ptr<grpc::ClientContext> Call(const std::string& department = kEcology,
                                          const std::string& user = "it-officer") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", department);
  context->AddMetadata("x-jg-user", user);
  return context;
}

void RegisterDevice(v1::Risk::Stub& stub, const std::string& id, const std::string& uscc) {
  v1::RegisterDeviceRequest request;
  request.set_request_id("it-device-" + id);
  request.mutable_device()->set_device_id(id);
  request.mutable_device()->set_uscc(uscc);
  request.mutable_device()->set_description("总排放口 氨氮在线监测仪");
  request.mutable_device()->add_metrics("ammonia_nitrogen");
  v1::Device device;
  auto context = Call();
  const grpc::Status status = stub.RegisterDevice(context.get(), request, &device);
  INFO(status.error_message());
  REQUIRE(status.ok());
}

v1::ReadingRow Row(int64_t number, const std::string& device, const std::string& uscc,
                   double value, absl::Time time) {
  v1::ReadingRow row;
  row.set_row_number(number);
  v1::Reading& r = *row.mutable_reading();
  r.set_device_id(device);
  r.set_uscc(uscc);
  r.set_metric("ammonia_nitrogen");
  r.set_value(value);
  r.set_unit("mg/L");
  *r.mutable_measure_time() = ToTimestamp(time);
  return row;
}

// Sends the batches over one stream and returns the answers (one per batch).
std::vector<v1::SendReadingsResponse> Send(v1::Risk::Stub& stub,
                                           const std::vector<std::vector<v1::ReadingRow>>& batches) {
  auto context = Call();
  auto stream = stub.SendReadings(context.get());
  std::vector<v1::SendReadingsResponse> answers;
  for (const auto& rows : batches) {
    v1::SendReadingsRequest request;
    for (const auto& row : rows) *request.add_rows() = row;
    REQUIRE(stream->Write(request));
    v1::SendReadingsResponse answer;
    REQUIRE(stream->Read(&answer));
    answers.push_back(answer);
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  INFO(status.error_message());
  REQUIRE(status.ok());
  return answers;
}

std::vector<v1::Alert> Alerts(v1::Risk::Stub& stub, const std::string& uscc) {
  v1::ListAlertsRequest request;
  request.set_uscc(uscc);
  request.mutable_page()->set_page_size(1000);
  v1::ListAlertsResponse out;
  auto context = Call();
  const grpc::Status status = stub.ListAlerts(context.get(), request, &out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return {out.alerts().begin(), out.alerts().end()};
}

// Every event on jianguan.risk.v1 about `ours`, by subject, as (type, alert name, version).
struct Published {
  std::string type;
  std::string alert;
  int64_t version = 0;
};

std::map<std::string, std::vector<Published>> RiskEvents(const std::string& dir,
                                                         const std::set<std::string>& ours,
                                                         size_t expected) {
  std::mutex mu;
  std::map<std::string, std::vector<Published>> out;
  size_t count = 0;
  std::vector<std::string> unparsable;  // "type of key", one per event of ours that did not parse
  auto seen = store::Store::Open({.path = dir, .families = {"x"}});
  REQUIRE(seen.ok());
  // The callback runs on the consumer's thread, so it asserts nothing itself: Catch2's
  // assertion state belongs to the test's thread (ThreadSanitizer reported the two
  // assertions racing). It records what did not parse; the test's thread checks it.
  events::EventConsumer reader(
      **seen,
      {.brokers = testing::KafkaBrokers(), .group = testing::UniqueName("it-risk-reader"),
       .topics = {topics::kRisk}, .source = "risk-it"},
      [&](const events::ConsumedEvent& event, store::UnitOfWork&) -> absl::Status {
        if (!ours.count(event.key)) return absl::OkStatus();
        Published p{.type = std::string(event.type())};
        bool parsed = true;
        // Each alert event carries the alert's summary as `alert`.
        const auto summary = [&](auto message) {
          parsed = message.ParseFromString(event.value);
          p.alert = message.alert().name();
          p.version = message.alert().version();
        };
        if (p.type == v1::AlertRaised::descriptor()->full_name()) summary(v1::AlertRaised());
        if (p.type == v1::AlertDispatched::descriptor()->full_name()) summary(v1::AlertDispatched());
        if (p.type == v1::AlertAccepted::descriptor()->full_name()) summary(v1::AlertAccepted());
        if (p.type == v1::AlertEscalated::descriptor()->full_name()) summary(v1::AlertEscalated());
        if (p.type == v1::AlertClosed::descriptor()->full_name()) summary(v1::AlertClosed());
        if (p.type == v1::RiskLevelChanged::descriptor()->full_name()) {
          v1::RiskLevelChanged changed;
          parsed = changed.ParseFromString(event.value);
          p.version = changed.version();
        }
        std::lock_guard lock(mu);
        if (!parsed) {
          unparsable.push_back(p.type + " of " + event.key);
          return absl::OkStatus();
        }
        out[event.key].push_back(p);
        ++count;
        return absl::OkStatus();
      });
  REQUIRE(reader.Start().ok());
  const absl::Time until = absl::Now() + absl::Seconds(60);
  for (;;) {
    {
      std::lock_guard lock(mu);
      INFO("did not parse: " << absl::StrJoin(unparsable, ", "));
      REQUIRE(unparsable.empty());
      if (count >= expected) break;
    }
    REQUIRE(absl::Now() < until);
    absl::SleepFor(absl::Milliseconds(200));
  }
  absl::SleepFor(absl::Seconds(1));  // and nothing more arrives
  reader.Stop();
  std::lock_guard lock(mu);
  INFO("did not parse: " << absl::StrJoin(unparsable, ", "));
  REQUIRE(unparsable.empty());
  return out;
}

// What inspection needs to take an alert of the ecology bureau in and record its result, as
// the catalogue publishes it: a form for the item (check point CP-1, N is a finding) and two
// of the bureau's inspectors authorised for it.
void FeedInspectionData(testing::EventFeed& feed) {
  catalogue::v1::FormPublished form;
  *form.mutable_form() = inspection::fixtures::Form("FORM-STHJ-IT", kEcology, "STHJ-01");
  feed.Send(topics::kCatalogue, "forms/FORM-STHJ-IT", form);
  for (const char* id : {"STHJ-INS-1", "STHJ-INS-2"}) {
    catalogue::v1::InspectorRegistered registered;
    *registered.mutable_inspector() = inspection::fixtures::Inspector(id, kEcology, "STHJ-01");
    feed.Send(topics::kCatalogue, std::string("inspectors/") + id, registered);
  }
  feed.Flush();
}

// Waits until risk shows the alert in `state`.
void AwaitState(v1::Risk::Stub& stub, const std::string& name, v1::AlertState state,
                absl::Time deadline) {
  for (;;) {
    v1::GetAlertRequest get;
    get.set_name(name);
    v1::Alert alert;
    auto context = Call();
    const grpc::Status status = stub.GetAlert(context.get(), get, &alert);
    INFO(status.error_message());
    REQUIRE(status.ok());
    if (alert.summary().state() == state) return;
    INFO("waiting for " << v1::AlertState_Name(state) << ", the alert is "
                        << v1::AlertState_Name(alert.summary().state()));
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
}

// The bureau's task for the alert, over inspection's API: assigned to its two inspectors,
// accepted, visited, a violation found (category 5, transferred to the bureau's own case
// handling) and approved by the reviewer.
void DriveToViolation(inspection::v1::Inspection::Stub& tasks, const std::string& task,
                      const std::string& run) {
  namespace insp = inspection::v1;
  insp::Task moved;
  const auto check = [](const char* step, const grpc::Status& status) {
    INFO(step << ": " << status.error_message());
    REQUIRE(status.ok());
  };
  insp::AssignTaskRequest assign;
  assign.set_request_id("it-assign-" + run);
  assign.set_name(task);
  assign.add_inspector_ids("STHJ-INS-1");
  assign.add_inspector_ids("STHJ-INS-2");
  check("assign", tasks.AssignTask(Call(kEcology, "LEAD").get(), assign, &moved));
  insp::TaskTransitionRequest accept;
  accept.set_request_id("it-accept-task-" + run);
  accept.set_name(task);
  check("accept", tasks.AcceptTask(Call(kEcology, "STHJ-INS-1").get(), accept, &moved));
  insp::ArriveOnSiteRequest arrive;
  arrive.set_request_id("it-arrive-" + run);
  arrive.set_name(task);
  check("arrive", tasks.ArriveOnSite(Call(kEcology, "STHJ-INS-1").get(), arrive, &moved));

  insp::SubmitResultRequest submit;
  submit.set_request_id("it-submit-" + run);
  submit.set_name(task);
  insp::Result& result = *submit.mutable_result();
  insp::DepartmentResult& department = *result.add_departments();
  department.mutable_department()->set_code(kEcology);
  department.mutable_category()->set_code("5");  // 发现违反其他部门监管规定的行为
  department.add_verification_methods(insp::VERIFICATION_METHOD_ON_SITE);
  insp::FollowUpAction& action = *department.add_actions();
  action.set_measure(insp::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE);
  action.add_departments()->set_code(kEcology);
  insp::CheckPointAnswer& answer = *result.add_answers();
  answer.mutable_check_point()->set_form_code("FORM-STHJ-IT");
  answer.mutable_check_point()->set_item_code("STHJ-01");
  answer.mutable_check_point()->set_check_point_code("CP-1");
  answer.set_answer_code("N");
  answer.set_note("总排放口氨氮连续超标排放");
  for (const char* id : {"STHJ-INS-1", "STHJ-INS-2"}) {
    insp::InspectorSignature& signature = *result.add_inspector_signatures();
    signature.set_inspector_id(id);
    signature.set_signature_sha256(std::string(64, 'a'));
  }
  result.mutable_representative()->set_name("李四");
  result.mutable_representative()->set_signature_sha256(std::string(64, 'b'));
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  *result.mutable_inspection_date() =
      testing::DateOf(static_cast<int>(today.year()), today.month(), today.day());
  check("submit", tasks.SubmitResult(Call(kEcology, "STHJ-INS-1").get(), submit, &moved));
  insp::ReviewResultRequest review;
  review.set_request_id("it-review-" + run);
  review.set_name(task);
  review.set_decision(insp::REVIEW_DECISION_APPROVE);
  check("review", tasks.ReviewResult(Call(kEcology, "REVIEWER").get(), review, &moved));
}

// One run of the story with its checks in order: Catch2 would run the whole story again for
// each THEN section (17 s each under ASan), so the checks are plain blocks.
SCENARIO("the Jinhua ecology story: exceedance → alert → ecology bureau → inspection → closed") {
  testing::TempDir dir("jg-risk-it");
  const std::vector<std::string> usccs = RunSubjects(1);
  const std::string& uscc = usccs[0];
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("risk-it-" + run);
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "warning"});
  testing::SendJinhuaEcology(feed, usccs);
  FeedInspectionData(feed);
  risk.AwaitCaughtUp("risk", 3);
  auto stub = v1::Risk::NewStub(risk.channel());
  const std::string device = "PA-WS-" + run;
  RegisterDevice(*stub, device, uscc);

  // Hourly readings: over, over, within, then over three times (the alert), then twice more
  // (persisting).
  const absl::Time start = absl::Now() - absl::Hours(12);
  const std::vector<double> values = {9.1, 9.4, 6.0, 10.2, 11.5, 12.4, 12.9, 13.3};
  std::vector<v1::ReadingRow> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    rows.push_back(Row(static_cast<int64_t>(i + 1), device, uscc, values[i],
                       start + absl::Hours(static_cast<int64_t>(i))));
  }
  const std::vector<v1::SendReadingsResponse> answers =
      Send(*stub, {{rows.begin(), rows.begin() + 5}, {rows.begin() + 5, rows.end()}});
  CHECK(answers[0].accepted() == 5);
  CHECK(answers[1].accepted() == 3);
  CHECK(answers[0].errors().empty());

  std::vector<v1::Alert> alerts = Alerts(*stub, uscc);
  REQUIRE(alerts.size() == 1);
  v1::Alert alert = alerts[0];
  {
    INFO("then: one alert, dispatched to the ecology bureau with its item, its evidence the readings");
    CHECK(alert.summary().rule() == "ammonia-nitrogen-exceedance");
    CHECK(alert.summary().rule_version() == "2026.1");
    CHECK(alert.summary().level() == v1::ALERT_LEVEL_ORANGE);
    CHECK(alert.summary().state() == v1::ALERT_STATE_DISPATCHED);
    CHECK(alert.summary().department().code() == kEcology);
    REQUIRE(alert.items_size() == 1);
    CHECK(alert.items(0).code() == "STHJ-01");
    CHECK(alert.region_code() == "330727");
    CHECK(alert.condition_open());
    CHECK(FromTimestamp(alert.raise_time()) == start + absl::Hours(5));
    CHECK(FromTimestamp(alert.last_seen()) == start + absl::Hours(7));
    CHECK(alert.evidence_size() >= 3);
    CHECK(alert.evidence(0).device_id() == device);
    CHECK(alert.evidence(0).value() == Approx(13.3));
    CHECK(alert.has_accept_due_date());
    CHECK(alert.has_close_due_date());
  }

  // The ecology bureau accepts; to another department the alert does not exist.
  {
    v1::AcceptAlertRequest request;
    request.set_request_id("it-accept-wrong-" + run);
    request.set_name(alert.summary().name());
    v1::Alert out;
    auto other = Call("330700-SCJG");
    const grpc::Status refused = stub->AcceptAlert(other.get(), request, &out);
    CHECK(refused.error_code() == grpc::StatusCode::NOT_FOUND);
    request.set_request_id("it-accept-" + run);
    auto context = Call();
    const grpc::Status status = stub->AcceptAlert(context.get(), request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(out.summary().state() == v1::ALERT_STATE_ACCEPTED);
  }
  // The real inspection binary takes AlertDispatched in and creates the task; the bureau
  // assigns two of its inspectors, who visit the plant and find the violation; the reviewed
  // result closes the alert.
  testing::ServiceBinary inspection(JG_INSPECTION, dir.Sub("inspection"),
                                    {"--log_level", "warning"});
  auto tasks = inspection::v1::Inspection::NewStub(inspection.channel());
  const std::string task = "tasks/a-" + alert.summary().name().substr(7);
  const absl::Time deadline = absl::Now() + absl::Seconds(180);
  testing::AwaitInspectionTask(inspection, task, kEcology, deadline);
  AwaitState(*stub, alert.summary().name(), v1::ALERT_STATE_INSPECTING, deadline);
  DriveToViolation(*tasks, task, run);
  AwaitState(*stub, alert.summary().name(), v1::ALERT_STATE_CLOSED, deadline);

  alerts = Alerts(*stub, uscc);
  REQUIRE(alerts.size() == 1);
  {
    INFO("then: the result closes it, confirmed, on time, with the task and the feedback");
    const v1::Alert& closed = alerts[0];
    CHECK(closed.summary().state() == v1::ALERT_STATE_CLOSED);
    CHECK(closed.outcome() == v1::ALERT_OUTCOME_CONFIRMED);
    CHECK(closed.task() == "tasks/a-" + alert.summary().name().substr(7));
    CHECK(closed.feedback() == "RESULT_OUTCOME_VIOLATION");
    CHECK(closed.on_time());
  }
  {
    INFO("then: the loop is on the topic: raised, dispatched, accepted, closed, in version order");
    // RiskLevelChanged too (the open alert raised the subject's level, closing it moved it).
    const auto published = RiskEvents(dir.Sub("reader"), {uscc}, 5);
    std::vector<std::string> alert_events;
    int64_t last_version = 0;
    for (const Published& p : published.at(uscc)) {
      if (p.alert.empty()) continue;
      alert_events.push_back(p.type.substr(p.type.rfind('.') + 1));
      CHECK(p.alert == alert.summary().name());
      CHECK(p.version > last_version);
      last_version = p.version;
    }
    CHECK(alert_events == std::vector<std::string>{"AlertRaised", "AlertDispatched",
                                                   "AlertAccepted", "AlertClosed"});
  }
  {
    INFO("then: a reading that arrives again changes nothing");
    const auto again = Send(*stub, {{rows.back()}});
    CHECK(again[0].accepted() == 0);
    CHECK(again[0].duplicates() == 1);
  }
}

SCENARIO("a batch refuses its bad rows one by one, naming the field, and keeps the rest") {
  testing::TempDir dir("jg-risk-rows");
  const std::vector<std::string> usccs = RunSubjects(1);
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "error"});
  auto stub = v1::Risk::NewStub(risk.channel());
  const std::string device = "ROWS-" + run;
  RegisterDevice(*stub, device, usccs[0]);
  const absl::Time now = absl::Now();
  std::vector<v1::ReadingRow> rows = {
      Row(1, device, usccs[0], 3.2, now - absl::Hours(2)),
      Row(2, "NO-SUCH-DEVICE", usccs[0], 3.2, now - absl::Hours(2)),
      Row(3, device, usccs[0], std::numeric_limits<double>::quiet_NaN(), now - absl::Hours(1)),
      Row(4, device, usccs[0], std::numeric_limits<double>::infinity(), now - absl::Hours(1)),
      Row(5, device, usccs[0], 3.3, now + absl::Hours(24 * 365)),
      Row(6, device, usccs[0], 3.4, now - absl::Minutes(30)),
  };
  rows[2].mutable_reading()->set_metric("ammonia_nitrogen");
  v1::ReadingRow bad_unit = Row(7, device, usccs[0], 3.5, now - absl::Minutes(20));
  bad_unit.mutable_reading()->set_unit(std::string("mg\xff/L"));
  rows.push_back(bad_unit);
  const auto answers = Send(*stub, {rows});
  const v1::SendReadingsResponse& answer = answers[0];
  CHECK(answer.accepted() == 2);
  CHECK(answer.last_row_number() == 6);  // the row that does not parse has no number read
  std::map<int64_t, std::string> refused;
  for (const v1::ReadingError& error : answer.errors()) {
    REQUIRE(error.violations_size() >= 1);
    refused[error.row_number()] = error.violations(0).field() + ": " +
                                  error.violations(0).description();
  }
  REQUIRE(refused.size() == 5);
  CHECK_THAT(refused[2], Catch::StartsWith("reading.device_id: NO-SUCH-DEVICE is not a registered"));
  CHECK_THAT(refused[3], Catch::StartsWith("reading.value: must be a finite number"));
  CHECK_THAT(refused[4], Catch::StartsWith("reading.value: must be a finite number"));
  CHECK_THAT(refused[5], Catch::StartsWith("reading.measure_time: lies in the future"));
  CHECK_THAT(refused[7], Catch::Contains("reading.unit"));
  // The two good rows are stored; nothing of the others.
  v1::ListReadingsRequest list;
  list.set_device_id(device);
  list.set_metric("ammonia_nitrogen");
  v1::ListReadingsResponse stored;
  auto context = Call();
  REQUIRE(stub->ListReadings(context.get(), list, &stored).ok());
  REQUIRE(stored.readings_size() == 2);
  CHECK(stored.readings(0).value() == Approx(3.2));
  CHECK(stored.readings(1).value() == Approx(3.4));
}

SCENARIO("grade D and an alert make a subject HIGH risk, and sampling's projection shows it") {
  testing::TempDir dir("jg-risk-level");
  const std::vector<std::string> usccs = RunSubjects(2);
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("risk-level-it-" + run);
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "warning"});
  testing::ServiceBinary sampling(JG_SAMPLING, dir.Sub("sampling"), {"--log_level", "warning"});
  testing::SendJinhuaEcology(feed, usccs);
  // Both subjects fall to D; only the first gets an alert.
  for (const std::string& uscc : usccs) {
    credit::v1::CreditGradeChanged changed;
    changed.set_uscc(uscc);
    changed.set_grade(credit::v1::CREDIT_GRADE_D);
    changed.set_previous_grade(credit::v1::CREDIT_GRADE_C);
    changed.set_score(55);
    changed.set_version(1);
    feed.Send(topics::kCredit, uscc, changed);
  }
  feed.Flush();
  risk.AwaitCaughtUp("risk", 6);
  auto stub = v1::Risk::NewStub(risk.channel());
  const std::string device = "LV-" + run;
  RegisterDevice(*stub, device, usccs[0]);
  const absl::Time start = absl::Now() - absl::Hours(4);
  Send(*stub, {{Row(1, device, usccs[0], 9.5, start), Row(2, device, usccs[0], 9.6, start + absl::Hours(1)),
                Row(3, device, usccs[0], 9.7, start + absl::Hours(2))}});

  std::map<std::string, v1::RiskLevel> levels;
  for (const std::string& uscc : usccs) {
    v1::GetSubjectRiskRequest request;
    request.set_uscc(uscc);
    v1::SubjectRisk out;
    auto context = Call();
    const grpc::Status status = stub->GetSubjectRisk(context.get(), request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    levels[uscc] = out.level();
  }
  CHECK(levels[usccs[0]] == v1::RISK_LEVEL_HIGH);
  CHECK(levels[usccs[1]] == v1::RISK_LEVEL_MEDIUM);

  // Sampling has caught up once its class consumer has been idle with no lag for a while.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  std::map<std::string, sampling::RiskLevel> projected;
  while (projected.size() < usccs.size() || projected[usccs[0]] != sampling::RiskLevel::kHigh) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(500));
    if (sampling.Lag("sampling-classes") != 0) continue;
    sampling.Stop();
    {
      auto store = store::Store::Open(
          {.path = dir.Sub("sampling"), .families = sampling::PlanStore::Families()});
      REQUIRE(store.ok());
      projected.clear();
      REQUIRE(sampling::ProjectionReader(**store)
                  .ForEachSubject([&](const sampling::ProjectedRow& row) {
                    const std::string key(row.uscc);
                    if (key == usccs[0] || key == usccs[1]) projected[key] = row.risk;
                    return true;
                  })
                  .ok());
    }
    if (projected.size() == usccs.size() && projected[usccs[0]] == sampling::RiskLevel::kHigh) {
      break;
    }
    sampling.Start();
  }
  CHECK(projected[usccs[0]] == sampling::RiskLevel::kHigh);
  CHECK(projected[usccs[1]] == sampling::RiskLevel::kMedium);
}

// What an alert is, independent of when the service handled it.
std::string Essence(const v1::Alert& alert) {
  std::string evidence;
  for (const v1::AlertEvidence& e : alert.evidence()) {
    absl::StrAppend(&evidence, e.device_id(), "@", e.time().seconds(), "=", e.value(), ";");
  }
  return absl::StrCat(alert.summary().name(), " ", alert.summary().rule(), " ",
                      v1::AlertState_Name(alert.summary().state()), " ",
                      alert.summary().department().code(), " open=", alert.condition_open(),
                      " raise=", alert.raise_time().seconds(), " last=",
                      alert.last_seen().seconds(), " reason=", alert.reason(), " evidence=",
                      evidence);
}

SCENARIO("risk killed with kill -9 mid-stream ends with the alerts of an uninterrupted twin") {
  testing::TempDir dir("jg-risk-kill");
  const int devices = EnvCount("JG_RISK_IT_DEVICES", 12);
  const int readings = EnvCount("JG_RISK_IT_READINGS", 60);
  const std::vector<std::string> usccs = RunSubjects(devices);
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("risk-kill-it-" + run);
  // Run one after the other: two binaries in the group "risk" would split the partitions.
  // Readings every 5 minutes up to now, so that no absence rule (6 hours) can fire at a tick
  // of either run: what is compared is what the readings decide.
  const absl::Time start = absl::Now() - absl::Minutes(5) * (readings + 1);
  std::vector<std::vector<v1::ReadingRow>> batches;
  int64_t number = 0;
  for (int r = 0; r < readings; ++r) {
    std::vector<v1::ReadingRow> batch;
    for (int i = 0; i < devices; ++i) {
      // A wave over and back under the limit, shifted per device: alerts are raised, persist
      // and clear throughout the stream.
      const double value = 8 + 4 * std::sin((r + 3 * i) / 4.0);
      batch.push_back(Row(++number, absl::StrCat("KILL-", run, "-", i), usccs[i], value,
                          start + absl::Minutes(5) * r));
    }
    batches.push_back(std::move(batch));
  }
  std::map<std::string, std::vector<std::string>> expected;
  {
    testing::ServiceBinary twin(JG_RISK, dir.Sub("twin"), {"--log_level", "warning"});
    testing::SendJinhuaEcology(feed, usccs);
    twin.AwaitCaughtUp("risk", 2 + devices);
    auto twin_stub = v1::Risk::NewStub(twin.channel());
    for (int i = 0; i < devices; ++i) {
      RegisterDevice(*twin_stub, absl::StrCat("KILL-", run, "-", i), usccs[i]);
    }
    Send(*twin_stub, batches);
    for (const std::string& uscc : usccs) {
      for (const v1::Alert& alert : Alerts(*twin_stub, uscc)) expected[uscc].push_back(Essence(alert));
    }
  }
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "warning"});
  risk.AwaitCaughtUp("risk", 2 + devices);
  auto stub = v1::Risk::NewStub(risk.channel());
  for (int i = 0; i < devices; ++i) {
    RegisterDevice(*stub, absl::StrCat("KILL-", run, "-", i), usccs[i]);
  }
  // The same batches, with a kill -9 after a third of them: a batch is answered only once
  // durable, so the client sends again from the first one not answered (and, as a careful
  // client does, the last answered one too: a duplicate changes nothing).
  const size_t kill_after = batches.size() / 3;
  Send(*stub, {batches.begin(), batches.begin() + kill_after});
  risk.Kill9();
  risk.Start();
  stub = v1::Risk::NewStub(risk.channel());
  Send(*stub, {batches.begin() + kill_after - 1, batches.end()});

  for (const std::string& uscc : usccs) {
    INFO(uscc);
    std::vector<std::string> got;
    for (const v1::Alert& alert : Alerts(*stub, uscc)) got.push_back(Essence(alert));
    CHECK(!expected[uscc].empty());
    CHECK(got == expected[uscc]);
  }
}

}  // namespace
}  // namespace jianguan::risk
