// The real cases binary on the real broker:
// - 8 concurrent clients decide on the spot (one document sequence for all of them) while the
//   binary is killed with kill -9 and restarted: every acknowledged decision keeps its number,
//   and the numbers given are exactly 1..N, none skipped, none twice;
// - an inspection LeadTransferred, delivered again by a relay (same ce_id) and once more as a
//   new copy after a kill -9, becomes exactly one lead of the receiving department, which a
//   case is then filed from;
// - the real inspection binary, given forms and a drawn task over the broker, reviews a result
//   that transfers its finding to case handling (移送立案): its LeadTransferred becomes one
//   lead of the receiving department here, across a kill -9 of both binaries.
// Sizes: JG_CASES_IT_DECISIONS per client (default 40).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/cases/domain/document_number.h"
#include "tests/integration/inspection/await_task.h"
#include "tests/unit/inspection/inspection_fixtures.h"

namespace jianguan::cases {
namespace {

constexpr int kClients = 8;

int DecisionsPerClient() {
  const char* env = std::getenv("JG_CASES_IT_DECISIONS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 40;
}

std::unique_ptr<grpc::ClientContext> Call(const std::string& department,
                                          const std::string& user = "OFF-1") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", department);
  context->AddMetadata("x-jg-user", user);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

// Every public decision of `department`, in order.
std::vector<v1::PublicDecision> PublicDecisions(const std::shared_ptr<grpc::Channel>& channel,
                                                const std::string& department) {
  auto stub = v1::PublicDecisions::NewStub(channel);
  std::vector<v1::PublicDecision> all;
  v1::ListPublicDecisionsRequest request;
  request.set_department(department);
  request.mutable_page()->set_page_size(1000);
  do {
    v1::ListPublicDecisionsResponse page;
    auto context = Call(department);
    const grpc::Status status = stub->ListPublicDecisions(context.get(), request, &page);
    REQUIRE(status.ok());
    for (const auto& decision : page.decisions()) all.push_back(decision);
    request.mutable_page()->set_page_token(page.next_page_token());
  } while (!request.page().page_token().empty());
  return all;
}

// Every lead of `department` that `wanted` picks.
std::vector<v1::Lead> LeadsOf(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& department,
                              const std::function<bool(const v1::Lead&)>& wanted) {
  auto stub = v1::Cases::NewStub(channel);
  std::vector<v1::Lead> found;
  v1::ListLeadsRequest request;
  request.mutable_page()->set_page_size(1000);
  do {
    v1::ListLeadsResponse page;
    auto context = Call(department);
    const grpc::Status status = stub->ListLeads(context.get(), request, &page);
    INFO(status.error_message());
    REQUIRE(status.ok());
    for (const v1::Lead& lead : page.leads()) {
      if (wanted(lead)) found.push_back(lead);
    }
    request.mutable_page()->set_page_token(page.next_page_token());
  } while (!request.page().page_token().empty());
  return found;
}

SCENARIO("document numbers stay gap-free and unique under 8 clients and a kill -9") {
  testing::TempDir dir("jg-cases-it");
  testing::ServiceBinary cases(JG_CASES, dir.Sub("cases"), {"--log_level", "warning"});
  // The service's store is this run's own, so its sequence of this year starts at 1; the
  // decisions are dated today (a later day would be refused).
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  const int year = static_cast<int>(today.year());
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  const std::string department = "330782-SCJG";
  const std::string uscc = testing::SeriesUscc("92330782", 7);
  const int each = DecisionsPerClient();

  // Catch2 v2 is not thread-safe: client threads record what went wrong and the main thread
  // reports it after the join.
  std::mutex mu;
  std::set<int64_t> acknowledged;
  std::vector<std::string> failures;
  std::atomic<int> killed{0};
  std::atomic<int> answered{0};
  auto client = [&](int c) {
    auto fail = [&](std::string what) {
      std::lock_guard lock(mu);
      failures.push_back(std::move(what));
    };
    for (int i = 0; i < each; ++i) {
      v1::DecideOnSpotRequest request;
      request.set_request_id(absl::StrCat("it-", run, "-", c, "-", i));
      request.set_uscc(uscc);
      request.set_party_name("义乌市某某商行");
      request.set_party_kind(v1::PARTY_KIND_CITIZEN);
      request.mutable_penalty()->add_kinds(v1::PENALTY_KIND_WARNING);
      request.set_facts("未按规定亮照经营");
      request.add_officer_ids("OFF-1");
      request.add_officer_ids("OFF-2");
      request.mutable_date()->set_year(year);
      request.mutable_date()->set_month(today.month());
      request.mutable_date()->set_day(today.day());
      // Retried with its request_id until answered, across the kill and the restart.
      for (int attempt = 0;; ++attempt) {
        if (attempt == 600) return fail(absl::StrCat(request.request_id(), ": no answer"));
        auto stub = v1::Cases::NewStub(cases.channel());
        v1::OnSpotDecision decision;
        auto context = Call(department);
        const grpc::Status status = stub->DecideOnSpot(context.get(), request, &decision);
        if (status.ok()) {
          auto number = ParseDocumentNumber(decision.document().number());
          if (!number.ok() || number->year != year) {
            return fail(absl::StrCat(request.request_id(), ": number ",
                                     decision.document().number()));
          }
          std::lock_guard lock(mu);
          if (!acknowledged.insert(number->sequence).second) {
            failures.push_back(absl::StrCat(request.request_id(), ": number given twice ",
                                            decision.document().number()));
          }
          ++answered;
          break;
        }
        if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
            status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
            status.error_code() != grpc::StatusCode::CANCELLED) {
          return fail(absl::StrCat(request.request_id(), ": ", status.error_code(), " ",
                                   status.error_message()));
        }
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
  };
  auto failures_empty = [&] {
    std::lock_guard lock(mu);
    return failures.empty();
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) clients.emplace_back(client, c);
  // Kill in the middle of the run.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (answered < kClients * each / 3) {
    if (absl::Now() > deadline || !failures_empty()) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  cases.Kill9();
  killed = answered.load();
  cases.Start();
  for (auto& thread : clients) thread.join();
  for (const std::string& failure : failures) FAIL_CHECK(failure);

  const int total = kClients * each;
  CHECK(killed > 0);
  CHECK(killed < total);
  REQUIRE(acknowledged.size() == static_cast<size_t>(total));
  // What the service holds: exactly 1..total in this run's year, none twice.
  std::set<int64_t> held;
  int of_year = 0;
  for (const v1::PublicDecision& decision : PublicDecisions(cases.channel(), department)) {
    auto number = ParseDocumentNumber(decision.document_number());
    REQUIRE(number.ok());
    if (number->year != year) continue;
    ++of_year;
    held.insert(number->sequence);
  }
  CHECK(of_year == total);
  CHECK(held == acknowledged);
  CHECK(*held.begin() == 1);
  CHECK(*held.rbegin() == total);
}

SCENARIO("an inspection transfer becomes one lead, across republication and a kill -9") {
  testing::TempDir dir("jg-cases-it");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("cases-it-" + run);
  testing::ServiceBinary cases(JG_CASES, dir.Sub("cases"), {"--log_level", "warning"});
  const std::string uscc = testing::SeriesUscc("91330700", 11);
  const std::string department = "330700-SCJG";

  inspection::v1::LeadTransferred transfer;
  transfer.mutable_task()->set_name("tasks/it-" + run);
  transfer.mutable_task()->set_uscc(uscc);
  transfer.mutable_task()->set_subject_name("金华市某某食品有限公司");
  transfer.set_transfer("tasks/it-" + run + "/transfers/1");
  transfer.mutable_from_department()->set_code(department);
  transfer.mutable_to_department()->set_code(department);
  transfer.set_note("冷库温度超标，移送立案");
  feed.Send(topics::kInspection, uscc, transfer);
  feed.Resend();  // a relay that crashed after publishing
  feed.Flush();

  auto stub = v1::Cases::NewStub(cases.channel());
  auto leads_of_run = [&] {
    return LeadsOf(cases.channel(), department,
                   [&](const v1::Lead& lead) { return lead.source_ref() == transfer.transfer(); });
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (leads_of_run().empty()) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  cases.Kill9();
  // A new copy (new ce_id and producer), as a restored backup of inspection would publish.
  testing::EventFeed again("cases-it-again-" + run);
  again.Send(topics::kInspection, uscc, transfer);
  again.Flush();
  cases.Start();
  stub = v1::Cases::NewStub(cases.channel());
  while (cases.Lag("cases") != 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  const std::vector<v1::Lead> leads = leads_of_run();
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].source() == v1::LEAD_SOURCE_INSPECTION);
  CHECK(leads[0].department().code() == department);

  v1::FileCaseRequest file;
  file.set_request_id("it-file-" + run);
  file.set_lead(leads[0].name());
  file.set_party_name("金华市某某食品有限公司");
  file.set_party_kind(v1::PARTY_KIND_ORGANISATION);
  file.add_officer_ids("OFF-1");
  file.add_officer_ids("OFF-2");
  v1::CaseView filed;
  auto context = Call(department);
  const grpc::Status status = stub->FileCase(context.get(), file, &filed);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(filed.case_record().state() == v1::CASE_STATE_FILED);
  CHECK(filed.case_record().lead() == leads[0].name());
}

SCENARIO("a LeadTransferred of the real inspection binary becomes one lead, across restarts") {
  namespace fixtures = inspection::fixtures;
  namespace insp = inspection::v1;
  testing::TempDir dir("jg-cases-it");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  // The drawn task of this run: a plan and a subject no other run uses.
  sampling::v1::TaskDrawn drawn = fixtures::JointDraw();
  drawn.set_plan("plans/it-cases-" + run);
  drawn.set_uscc(testing::SeriesUscc("91330700", 200 + absl::ToUnixMillis(absl::Now()) % 100000));
  const std::string task = "tasks/d-it-cases-" + run + "-1";
  const std::string receiving = "330700-ZHZF";  // named by the result's transfer action
  testing::EventFeed feed("cases-it-inspection-" + run);
  for (const auto& form : {fixtures::Form("FORM-A", fixtures::kScjg, "ITEM-1"),
                           fixtures::Form("FORM-B", fixtures::kWjw, "ITEM-2")}) {
    catalogue::v1::FormPublished published;
    *published.mutable_form() = form;
    feed.Send(topics::kCatalogue, form.code(), published);
  }
  feed.Send(topics::kSampling, drawn.uscc(), drawn);
  feed.Flush();

  testing::ServiceBinary inspection(JG_INSPECTION, dir.Sub("inspection"),
                                    {"--log_level", "warning"});
  testing::ServiceBinary cases(JG_CASES, dir.Sub("cases"), {"--log_level", "warning"});
  auto tasks = insp::Inspection::NewStub(inspection.channel());
  const absl::Time deadline = absl::Now() + absl::Seconds(180);
  // Inspection takes the draw in by itself.
  testing::AwaitInspectionTask(inspection, task, fixtures::kScjg, deadline);
  auto move = [&](const std::string& step, const std::string& user) {
    insp::Task moved;
    grpc::Status status;
    if (step == "arrive") {
      insp::ArriveOnSiteRequest request;
      request.set_request_id(step + "-" + run);
      request.set_name(task);
      auto context = Call(fixtures::kScjg, user);
      status = tasks->ArriveOnSite(context.get(), request, &moved);
    } else if (step == "submit") {
      insp::SubmitResultRequest request;
      request.set_request_id(step + "-" + run);
      request.set_name(task);
      *request.mutable_result() = fixtures::PassingResult();
      const absl::CivilDay today =
          absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
      *request.mutable_result()->mutable_inspection_date() = testing::DateOf(
          static_cast<int>(today.year()), today.month(), today.day());
      auto context = Call(fixtures::kScjg, user);
      status = tasks->SubmitResult(context.get(), request, &moved);
    } else if (step == "review") {
      insp::ReviewResultRequest request;
      request.set_request_id(step + "-" + run);
      request.set_name(task);
      request.set_decision(insp::REVIEW_DECISION_APPROVE);
      auto context = Call(fixtures::kScjg, user);
      status = tasks->ReviewResult(context.get(), request, &moved);
    } else {
      insp::TaskTransitionRequest request;
      request.set_request_id(step + "-" + run);
      request.set_name(task);
      auto context = Call(fixtures::kScjg, user);
      status = tasks->AcceptTask(context.get(), request, &moved);
    }
    INFO(step << ": " << status.error_message());
    REQUIRE(status.ok());
  };
  move("accept", "INS-1");
  move("arrive", "INS-1");
  move("submit", "INS-1");
  move("review", "REVIEWER");  // approving it publishes LeadTransferred

  std::vector<v1::Lead> leads;
  auto leads_of_task = [&] {
    return LeadsOf(cases.channel(), receiving,
                   [&](const v1::Lead& lead) { return lead.uscc() == drawn.uscc(); });
  };
  while ((leads = leads_of_task()).empty()) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  // Both killed, restarted on their data: inspection's relay may publish its outbox again, and
  // cases takes the topic in again from its own offsets.
  cases.Kill9();
  inspection.Kill9();
  inspection.Start();
  cases.Start();
  // Caught up: cases has read the topic to its end (after Kafka has given up on the killed
  // member, up to a session timeout) and inspection's outbox is empty.
  const absl::Time settled_by = absl::Now() + absl::Seconds(180);
  while (cases.Lag("cases") != 0 ||
         testing::SampleValue(inspection.Metrics(), "jianguan_outbox_backlog", {}) != 0) {
    REQUIRE(absl::Now() < settled_by);
    absl::SleepFor(absl::Milliseconds(200));
  }
  leads = leads_of_task();
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].source() == v1::LEAD_SOURCE_INSPECTION);
  CHECK(leads[0].department().code() == receiving);
  CHECK(absl::StrContains(leads[0].source_ref(), task));
}

}  // namespace
}  // namespace jianguan::cases
