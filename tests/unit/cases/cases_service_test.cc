// The case handlers and the lead intake over a real store in a temp dir: a lead taken through
// the whole general procedure to the archive (a numbered document and the contract's event for
// every step, a trail that replays from the audit chain to the same case, a public decision
// with the party masked, a PDF whose text reads back), refusals that change nothing, another
// department kept out, the summary procedure's limits, gap-free numbers under concurrent
// calls and retries, an inspection transfer registered once however often delivered, and the
// loop KPIs (metrics counted once per commit, the case report and its refusals).
#include "services/cases/cases_service.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "google/protobuf/util/message_differencer.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "services/cases/case_watch.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/domain/document_number.h"
#include "services/cases/lead_intake.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using fixtures::kScjg;
using fixtures::kUscc;

constexpr char kYiwu[] = "330782-SCJG";
// An individual business (个体工商户) of Yiwu.
const std::string kCitizenUscc = std::string("92330782MA2E0T6W3") +
                                 UsccCheckCharacter("92330782MA2E0T6W3");

absl::Time BeijingNoon(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 12, 0, 0), BeijingTime());
}

common::v1::Date D(int year, int month, int day) { return DateOf(absl::CivilDay(year, month, day)); }

Caller Officer(const std::string& department = kScjg) {
  return Caller{.department = department, .user_id = "OFF-1"};
}

const Departments& TestDepartments() {
  static const Departments departments = [] {
    auto loaded = Departments::Load(fixtures::DataRoot() + "/cases/departments.csv");
    if (!loaded.ok()) FAIL("cannot load departments: " << loaded.status().ToString());
    return *std::move(loaded);
  }();
  return departments;
}

struct Fixture {
  jianguan::testing::TempDir dir;
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = CaseStore::Families(), .sync_writes = false});
  jianguan::testing::FakeClock clock{BeijingNoon(2026, 3, 2)};
  prometheus::Registry registry;
  CasesMetrics metrics{registry};
  CasesService service{*db, TestDepartments(), fixtures::Calendar(), clock, {}, &metrics};
  int requests = 0;

  std::string Id() { return "req-" + std::to_string(++requests); }

  // A step is done on its day: the clock moves on to the day a request names (never back).
  void Reach(const common::v1::Date& date) {
    const absl::Time noon = BeijingNoon(date.year(), date.month(), date.day());
    if (noon > clock.Now()) clock.Set(noon);
  }

  v1::Lead Lead(const std::string& department = kScjg, common::v1::Date committed = D(2026, 2, 20)) {
    v1::RegisterLeadRequest request;
    request.set_request_id(Id());
    request.set_uscc(kUscc);
    request.set_source(v1::LEAD_SOURCE_COMPLAINT);
    request.set_source_ref("12315-" + std::to_string(requests));
    request.set_summary("群众投诉：超市销售过期食品");
    *request.mutable_violation()->mutable_committed_date() = committed;
    auto lead = service.DoRegisterLead(Officer(department), request);
    REQUIRE(lead.ok());
    return *lead;
  }

  absl::StatusOr<v1::CaseView> File(const v1::Lead& lead, common::v1::Date date = D(2026, 3, 2)) {
    v1::FileCaseRequest request;
    request.set_request_id(Id());
    request.set_lead(lead.name());
    request.set_party_name("金华市某某超市有限公司");
    request.set_party_kind(v1::PARTY_KIND_ORGANISATION);
    request.add_item_codes("JG-330700-001");
    request.add_officer_ids("OFF-1");
    request.add_officer_ids("OFF-2");
    *request.mutable_date() = date;
    Reach(date);
    return service.DoFileCase(Officer(lead.department().code()), request);
  }

  v1::ActRequest Step(const v1::Case& c, v1::CaseAction action, common::v1::Date date) {
    Reach(date);
    v1::ActRequest request;
    request.set_request_id(Id());
    request.set_case_name(c.name());
    request.set_action(action);
    *request.mutable_date() = date;
    request.add_officer_ids("OFF-1");
    request.add_officer_ids("OFF-2");
    return request;
  }

  v1::Case Act(const v1::Case& c, const v1::ActRequest& request) {
    Reach(request.date());
    auto after = service.DoAct(Officer(c.department().code()), request);
    INFO(v1::CaseAction_Name(request.action()) << ": " << after.status().ToString());
    REQUIRE(after.ok());
    return after->case_record();
  }

  // `c` investigated (3 March 2026), noticed a fine of 5,000 yuan (10 March), the party's
  // rights waived (11 March) and decided (12 March).
  v1::Case Decided(v1::Case c) {
    c = Act(c, Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3)));
    v1::ActRequest notice = Step(c, v1::CASE_ACTION_NOTICE, D(2026, 3, 10));
    *notice.mutable_penalty() = fixtures::Fine(5000);
    c = Act(c, notice);
    v1::ActRequest statement = Step(c, v1::CASE_ACTION_RECORD_STATEMENT, D(2026, 3, 11));
    statement.set_waives_rights(true);
    c = Act(c, statement);
    v1::ActRequest decide = Step(c, v1::CASE_ACTION_DECIDE, D(2026, 3, 12));
    *decide.mutable_penalty() = fixtures::Fine(5000);
    return Act(c, decide);
  }

  std::vector<std::string> EventTypes() {
    auto outbox = db->ReadOutbox(0, 10000);
    REQUIRE(outbox.ok());
    std::vector<std::string> types;
    for (const auto& event : *outbox) types.push_back(event.type());
    return types;
  }
};

v1::Penalty Fine(int64_t yuan) { return fixtures::Fine(yuan); }

// The text pdftotext reads from `pdf`, without white space (wrapping splits lines).
std::string PdfText(const std::string& pdf, const std::string& dir) {
  const std::string path = dir + "/doc.pdf";
  std::ofstream(path, std::ios::binary) << pdf;
  FILE* pipe = popen(("pdftotext -enc UTF-8 " + path + " - 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string text;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') compact.push_back(c);
  }
  return compact;
}

TEST_CASE("a lead goes through the whole general procedure to the archive, every step proven") {
  Fixture f;
  const v1::Lead lead = f.Lead();
  CHECK(lead.state() == v1::LEAD_STATE_REGISTERED);
  auto filed = f.File(lead);
  REQUIRE(filed.ok());
  v1::Case c = filed->case_record();
  CHECK(c.state() == v1::CASE_STATE_FILED);
  CHECK(c.history(0).document_number() == "金市监立〔2026〕1号");
  CHECK(filed->deadlines().decision_due_date().month() == 5);  // 2026-03-02 + 90 days

  c = f.Act(c, f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3)));
  v1::ActRequest evidence = f.Step(c, v1::CASE_ACTION_RECORD_EVIDENCE, D(2026, 3, 4));
  evidence.set_note("现场检查笔录：货架上过期酸奶 12 盒");
  c = f.Act(c, evidence);
  v1::ActRequest notice = f.Step(c, v1::CASE_ACTION_NOTICE, D(2026, 3, 10));
  *notice.mutable_penalty() = Fine(5000);
  c = f.Act(c, notice);
  v1::ActRequest statement = f.Step(c, v1::CASE_ACTION_RECORD_STATEMENT, D(2026, 3, 11));
  statement.set_waives_rights(true);
  c = f.Act(c, statement);
  v1::ActRequest decide = f.Step(c, v1::CASE_ACTION_DECIDE, D(2026, 3, 12));
  *decide.mutable_penalty() = Fine(5000);
  decide.set_expected_version(c.version());
  c = f.Act(c, decide);
  c = f.Act(c, f.Step(c, v1::CASE_ACTION_SERVE, D(2026, 3, 12)));
  v1::ActRequest execute = f.Step(c, v1::CASE_ACTION_EXECUTE, D(2026, 3, 20));
  execute.mutable_paid()->set_fen(500000);
  c = f.Act(c, execute);
  c = f.Act(c, f.Step(c, v1::CASE_ACTION_CLOSE, D(2026, 3, 21)));
  c = f.Act(c, f.Step(c, v1::CASE_ACTION_ARCHIVE, D(2026, 3, 23)));
  CHECK(c.state() == v1::CASE_STATE_ARCHIVED);

  // A numbered document for every step, in the order of the case file.
  REQUIRE(c.documents_size() == c.version());
  REQUIRE(c.version() == 10);
  std::set<std::string> numbers;
  for (int i = 0; i < c.history_size(); ++i) {
    CHECK(c.documents(i).number() == c.history(i).document_number());
    CHECK(c.documents(i).sha256().size() == 64);
    numbers.insert(c.documents(i).number());
  }
  CHECK(numbers.size() == 10);
  CHECK(c.history(5).document_number() == "金市监罚〔2026〕1号");

  // The lead knows its case; the contract's events, in order.
  auto lead_after = f.service.DoGetLead(Officer(), [&] {
    v1::GetLeadRequest r;
    r.set_name(lead.name());
    return r;
  }());
  REQUIRE(lead_after.ok());
  CHECK(lead_after->state() == v1::LEAD_STATE_FILED);
  CHECK(lead_after->case_name() == c.name());
  const std::vector<std::string> expected{
      "jianguan.cases.v1.LeadRegistered", "jianguan.cases.v1.CaseFiled",
      "jianguan.cases.v1.PenaltyNoticed", "jianguan.cases.v1.PenaltyDecided",
      "jianguan.cases.v1.PenaltyExecuted", "jianguan.cases.v1.CaseClosed"};
  CHECK(f.EventTypes() == expected);

  // The trail replays from the audit chain to the same case.
  v1::GetCaseTrailRequest trail_request;
  trail_request.set_name(c.name());
  auto trail = f.service.DoGetCaseTrail(Officer(), trail_request);
  INFO(trail.status().ToString());
  REQUIRE(trail.ok());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(trail->rebuilt(), c));
  REQUIRE(trail->steps_size() == 10);
  for (const v1::TrailStep& step : trail->steps()) {
    CHECK(step.audit().resource() == c.name());
    CHECK(step.audit().user_id() == "OFF-1");
    CHECK(step.audit().department() == kScjg);
  }
  CHECK(trail->steps(5).action() == v1::CASE_ACTION_DECIDE);

  // The decision is public.
  PublicDecisionsService public_decisions(*f.db);
  auto listed = public_decisions.DoList({});
  REQUIRE(listed.ok());
  REQUIRE(listed->decisions_size() == 1);
  CHECK(listed->decisions(0).document_number() == "金市监罚〔2026〕1号");
  CHECK(listed->decisions(0).party_name() == "金华市某某超市有限公司");
  CHECK(listed->decisions(0).fine().fen() == 500000);

  // The decision document as text and as a PDF whose text reads back.
  v1::GetDocumentRequest document_request;
  document_request.set_name(c.documents(5).name());
  document_request.set_with_pdf(true);
  auto document = f.service.DoGetDocument(Officer(), document_request);
  REQUIRE(document.ok());
  CHECK(document->ref().title() == "行政处罚决定书");
  CHECK(document->text().find("金华市某某超市有限公司") != std::string::npos);
  REQUIRE(document->pdf().substr(0, 5) == "%PDF-");
  const std::string pdf_text = PdfText(document->pdf(), f.dir.path());
  CHECK(pdf_text.find("金市监罚〔2026〕1号") != std::string::npos);
  CHECK(pdf_text.find("行政处罚决定书") != std::string::npos);
  CHECK(pdf_text.find("金华市某某超市有限公司") != std::string::npos);
}

TEST_CASE("a step the state does not allow is refused naming the state, and changes nothing") {
  Fixture f;
  auto filed = f.File(f.Lead());
  REQUIRE(filed.ok());
  const v1::Case c = filed->case_record();
  const size_t events = f.EventTypes().size();
  v1::ActRequest decide = f.Step(c, v1::CASE_ACTION_DECIDE, D(2026, 3, 3));
  *decide.mutable_penalty() = Fine(100);
  auto refused = f.service.DoAct(Officer(), decide);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(refused.status().message().find("CASE_STATE_FILED") != std::string_view::npos);

  v1::ActRequest unknown = f.Step(c, static_cast<v1::CaseAction>(99), D(2026, 3, 3));
  CHECK(jianguan::testing::FieldNames(f.service.DoAct(Officer(), unknown).status()) ==
        std::set<std::string>{"action"});
  v1::ActRequest stale = f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  stale.set_expected_version(7);
  CHECK(f.service.DoAct(Officer(), stale).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // A step dated after today (2026-03-03 now) did not happen yet.
  v1::ActRequest ahead = f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  *ahead.mutable_date() = D(2026, 3, 4);
  const absl::Status early = f.service.DoAct(Officer(), ahead).status();
  CHECK(jianguan::testing::FieldNames(early) == std::set<std::string>{"date"});
  CHECK(early.message().find("2026-03-03") != std::string_view::npos);

  v1::GetCaseRequest get;
  get.set_name(c.name());
  auto after = f.service.DoGetCase(Officer(), get);
  REQUIRE(after.ok());
  CHECK(after->case_record().version() == 1);
  CHECK(f.EventTypes().size() == events);

  // The next document of the refused kind still takes number 1: nothing was taken.
  v1::ActRequest start = f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  CHECK(f.Act(c, start).history(1).document_number() == "金市监调〔2026〕1号");
}

TEST_CASE("text that is not UTF-8 is refused over gRPC naming the field, and changes nothing") {
  // proto3 refuses such a request before the handler runs; gRPC alone answered INTERNAL, or
  // UNIMPLEMENTED on the callback API (GetCase) (#15).
  Fixture f;
  auto filed = f.File(f.Lead());
  REQUIRE(filed.ok());
  const v1::Case c = filed->case_record();
  const size_t events = f.EventTypes().size();
  jianguan::testing::InProcessServer server({&f.service});

  v1::ActRequest start = f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  start.set_note("立案调查\xff");
  start.set_officer_ids(1, "OFF-\xc3");
  const grpc::Status refused = jianguan::testing::RawUnaryCall(
      *server.channel(), "/jianguan.cases.v1.Cases/Act", start.SerializeAsString(),
      *jianguan::testing::CallAs(kScjg));
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(jianguan::testing::FieldNames(refused) == std::set<std::string>{"note", "officer_ids[1]"});
  CHECK(IsValidUtf8(refused.error_message()));

  v1::GetCaseRequest bad_get;
  bad_get.set_name(c.name() + "\xed\xa0\x80");  // a UTF-16 surrogate, not a character
  const grpc::Status get_refused = jianguan::testing::RawUnaryCall(
      *server.channel(), "/jianguan.cases.v1.Cases/GetCase", bad_get.SerializeAsString(),
      *jianguan::testing::CallAs(kScjg));
  CHECK(get_refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(jianguan::testing::FieldNames(get_refused) == std::set<std::string>{"name"});

  v1::GetCaseRequest get;
  get.set_name(c.name());
  v1::CaseView after;
  REQUIRE(server.Stub<v1::Cases>()
              ->GetCase(jianguan::testing::CallAs(kScjg).get(), get, &after)
              .ok());
  CHECK(after.case_record().version() == 1);
  CHECK(after.case_record().history_size() == c.history_size());
  CHECK(f.EventTypes().size() == events);
}

TEST_CASE("another department neither sees nor moves a case or a lead") {
  Fixture f;
  const v1::Lead lead = f.Lead();
  auto filed = f.File(lead);
  REQUIRE(filed.ok());
  v1::GetCaseRequest get;
  get.set_name(filed->case_record().name());
  CHECK(f.service.DoGetCase(Officer(kYiwu), get).status().code() == absl::StatusCode::kNotFound);
  v1::ActRequest start =
      f.Step(filed->case_record(), v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  CHECK(f.service.DoAct(Officer(kYiwu), start).status().code() == absl::StatusCode::kNotFound);
  v1::GetLeadRequest get_lead;
  get_lead.set_name(lead.name());
  CHECK(f.service.DoGetLead(Officer(kYiwu), get_lead).status().code() ==
        absl::StatusCode::kNotFound);
  auto listed = f.service.DoListCases(Officer(kYiwu), {});
  REQUIRE(listed.ok());
  CHECK(listed->cases_size() == 0);
}

TEST_CASE("a lead handed over is filed by the receiver; one past the limitation period is not") {
  Fixture f;
  const v1::Lead lead = f.Lead();
  v1::TransferLeadRequest transfer;
  transfer.set_request_id(f.Id());
  transfer.set_lead(lead.name());
  transfer.mutable_to_department()->set_code(kYiwu);
  transfer.set_reason("属地管辖：当事人住所地在义乌");
  auto pending = f.service.DoTransferLead(Officer(), transfer);
  REQUIRE(pending.ok());
  CHECK(pending->state() == v1::LEAD_STATE_TRANSFER_PENDING);
  CHECK(f.File(*pending).status().code() == absl::StatusCode::kFailedPrecondition);
  v1::AnswerTransferRequest accept;
  accept.set_request_id(f.Id());
  accept.set_lead(lead.name());
  accept.set_accept(true);
  auto accepted = f.service.DoAnswerTransfer(Officer(kYiwu), accept);
  REQUIRE(accepted.ok());
  CHECK(accepted->department().code() == kYiwu);
  auto filed = f.File(*accepted);
  REQUIRE(filed.ok());
  CHECK(filed->case_record().history(0).document_number() == "义市监立〔2026〕1号");

  const v1::Lead old = f.Lead(kScjg, D(2023, 1, 10));
  auto late = f.File(old);
  CHECK(late.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(late.status().message().find("第三十六条") != std::string_view::npos);
}

TEST_CASE("the summary procedure: 200 / 3,000 yuan pass, 201 / 3,001 are refused naming the rule") {
  Fixture f;
  auto on_spot = [&](v1::PartyKind kind, int64_t yuan, std::string request_id = "") {
    v1::DecideOnSpotRequest request;
    request.set_request_id(request_id.empty() ? f.Id() : request_id);
    request.set_uscc(kind == v1::PARTY_KIND_CITIZEN ? kCitizenUscc : kUscc);
    request.set_party_name(kind == v1::PARTY_KIND_CITIZEN ? "张三丰" : "金华市某某超市有限公司");
    request.set_party_kind(kind);
    *request.mutable_penalty() = Fine(yuan);
    request.set_facts("未亮照经营");
    request.add_officer_ids("OFF-1");
    request.add_officer_ids("OFF-2");
    return f.service.DoDecideOnSpot(Officer(), request);
  };
  auto citizen = on_spot(v1::PARTY_KIND_CITIZEN, 200, "spot-1");
  INFO(citizen.status().ToString());
  REQUIRE(citizen.ok());
  CHECK(citizen->document().number() == "金市监简〔2026〕1号");
  REQUIRE(on_spot(v1::PARTY_KIND_ORGANISATION, 3000).ok());
  for (auto [kind, yuan] : {std::pair{v1::PARTY_KIND_CITIZEN, 201},
                            std::pair{v1::PARTY_KIND_ORGANISATION, 3001}}) {
    auto refused = on_spot(kind, yuan);
    CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(refused.status().message().find("第五十一条") != std::string_view::npos);
  }
  // A retry answers the first decision and takes no number; the next one takes 3.
  auto retried = on_spot(v1::PARTY_KIND_CITIZEN, 200, "spot-1");
  REQUIRE(retried.ok());
  CHECK(retried->name() == citizen->name());
  auto third = on_spot(v1::PARTY_KIND_CITIZEN, 50);
  REQUIRE(third.ok());
  CHECK(third->document().number() == "金市监简〔2026〕3号");

  // Public, with the citizen masked.
  PublicDecisionsService public_decisions(*f.db);
  auto listed = public_decisions.DoList({});
  REQUIRE(listed.ok());
  REQUIRE(listed->decisions_size() == 3);
  CHECK(listed->decisions(0).party_name() == "张**");
  CHECK(listed->decisions(0).uscc() != kCitizenUscc);
  CHECK(listed->decisions(0).procedure() == v1::PROCEDURE_SUMMARY);
}

TEST_CASE("document numbers stay gap-free and unique under 8 concurrent callers") {
  Fixture f;
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> numbers;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        v1::DecideOnSpotRequest request;
        request.set_request_id("t" + std::to_string(t) + "-" + std::to_string(i));
        request.set_uscc(kUscc);
        request.set_party_name("金华市某某超市有限公司");
        request.set_party_kind(v1::PARTY_KIND_ORGANISATION);
        *request.mutable_penalty() = fixtures::Warning();
        request.set_facts("未按规定公示");
        request.add_officer_ids("OFF-1");
        request.add_officer_ids("OFF-2");
        auto decided = f.service.DoDecideOnSpot(Officer(), request);
        std::lock_guard lock(mu);
        if (decided.ok()) numbers.push_back(decided->document().number());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(numbers.size() == kThreads * kEach);
  std::set<int64_t> sequences;
  for (const std::string& number : numbers) {
    auto parsed = ParseDocumentNumber(number);
    REQUIRE(parsed.ok());
    sequences.insert(parsed->sequence);
  }
  CHECK(sequences.size() == numbers.size());
  CHECK(*sequences.begin() == 1);
  CHECK(*sequences.rbegin() == kThreads * kEach);
}

TEST_CASE("a tampered step breaks the trail, naming the step") {
  Fixture f;
  auto filed = f.File(f.Lead());
  REQUIRE(filed.ok());
  v1::Case c = filed->case_record();
  v1::ActRequest evidence = f.Step(c, v1::CASE_ACTION_START_INVESTIGATION, D(2026, 3, 3));
  c = f.Act(c, evidence);
  // Someone with direct access rewrites the stored request of step 2.
  auto stored = f.db->GetMessage<v1::StoredStep>(kStepsFamily, StepKey(IdOf(c.name()), 2));
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  v1::StoredStep forged = **stored;
  evidence.clear_officer_ids();
  evidence.add_officer_ids("OFF-9");
  evidence.add_officer_ids("OFF-8");
  forged.set_request(evidence.SerializeAsString());
  store::UnitOfWork tamper;
  tamper.Put(kStepsFamily, StepKey(IdOf(c.name()), 2), forged.SerializeAsString());
  REQUIRE(f.db->Commit(tamper).ok());
  v1::GetCaseTrailRequest request;
  request.set_name(c.name());
  auto trail = f.service.DoGetCaseTrail(Officer(), request);
  CHECK(trail.status().code() == absl::StatusCode::kDataLoss);
  CHECK(trail.status().message().find("step 2") != std::string_view::npos);
}

TEST_CASE("the watch counts undecided cases close to or past their decision limit, per department") {
  Fixture f;
  const CaseStore records(*f.db);
  CaseWatch watch(records, fixtures::Calendar(), f.clock, {.at_risk_days = 10}, f.metrics);
  // Filed on 2026-03-02: the limit is 2026-05-31 (90 days). One stays undecided, one is
  // decided (no longer watched), one of Yiwu is filed a month later.
  v1::Case open = f.File(f.Lead())->case_record();
  const v1::Case decided = f.Decided(f.File(f.Lead())->case_record());
  REQUIRE(decided.state() == v1::CASE_STATE_DECIDED);
  f.clock.Set(BeijingNoon(2026, 4, 2));
  auto yiwu = f.File(f.Lead(kYiwu, D(2026, 3, 20)), D(2026, 4, 2));
  REQUIRE(yiwu.ok());

  auto counts_on = [&](int year, int month, int day) {
    f.clock.Set(BeijingNoon(year, month, day));
    auto counts = watch.CountOnce();
    REQUIRE(counts.ok());
    return *counts;
  };
  auto gauge = [&](const std::string& name, const std::string& department) {
    for (const auto& family : f.registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        if (!metric.label.empty() && metric.label[0].value == department) {
          return metric.gauge.value;
        }
      }
    }
    return -1.0;
  };

  auto counts = counts_on(2026, 5, 21);  // 10 days left of Jinhua's: not yet at risk
  CHECK(counts[kScjg].at_risk == 0);
  CHECK(counts[kScjg].past == 0);
  counts = counts_on(2026, 5, 22);  // 9 days left
  CHECK(counts[kScjg].at_risk == 1);
  CHECK(counts[kScjg].past == 0);
  CHECK(counts[kYiwu].at_risk == 0);
  CHECK(gauge("jianguan_cases_decision_limit_at_risk", kScjg) == 1);
  counts = counts_on(2026, 6, 1);  // Jinhua's limit past; Yiwu's (2026-07-01) not at risk
  CHECK(counts[kScjg].at_risk == 0);
  CHECK(counts[kScjg].past == 1);
  CHECK(counts[kYiwu].at_risk == 0);
  CHECK(gauge("jianguan_cases_decision_limit_at_risk", kScjg) == 0);
  CHECK(gauge("jianguan_cases_decision_limit_past", kScjg) == 1);
  CHECK(gauge("jianguan_cases_decision_limit_past", kYiwu) == 0);
  counts = counts_on(2026, 6, 25);
  CHECK(counts[kYiwu].at_risk == 1);
  CHECK(counts[kScjg].past == 1);
  CHECK(open.state() == v1::CASE_STATE_FILED);  // the one counted all along
}

TEST_CASE("an inspection transfer becomes one lead of the receiving department, however often delivered") {
  Fixture f;
  CaseStore records(*f.db);
  EventEmitter emitter(topics::kCases, kServiceName, f.clock);
  LeadIntake intake(records, emitter, fixtures::Calendar(), f.clock, {}, &f.metrics);
  inspection::v1::LeadTransferred transfer;
  transfer.mutable_task()->set_name("tasks/d-2026-jh-01-7");
  transfer.mutable_task()->set_uscc(kUscc);
  transfer.mutable_task()->set_subject_name("金华市某某超市有限公司");
  transfer.set_transfer("tasks/d-2026-jh-01-7/transfers/1");
  transfer.mutable_from_department()->set_code(kScjg);
  transfer.mutable_to_department()->set_code(kScjg);
  *transfer.mutable_inspection_date() = D(2026, 2, 27);
  transfer.set_note("现场发现过期食品");
  for (int delivery = 0; delivery < 3; ++delivery) {
    store::UnitOfWork work;
    REQUIRE(intake.Apply(jianguan::testing::AsConsumed(topics::kInspection, kUscc, transfer,
                                                       "inspection", delivery),
                         work)
                .ok());
    if (!work.empty()) REQUIRE(f.db->Commit(work).ok());
  }
  auto leads = f.service.DoListLeads(Officer(), {});
  REQUIRE(leads.ok());
  REQUIRE(leads->leads_size() == 1);
  const v1::Lead& lead = leads->leads(0);
  CHECK(lead.source() == v1::LEAD_SOURCE_INSPECTION);
  CHECK(lead.source_ref() == "tasks/d-2026-jh-01-7/transfers/1");
  CHECK(lead.summary().find("现场发现过期食品") != std::string::npos);
  CHECK(f.EventTypes() == std::vector<std::string>{"jianguan.cases.v1.LeadRegistered"});
  CHECK(f.File(lead).ok());
}

TEST_CASE("the loop KPIs: cases filed per lead source, days from violation found to execution") {
  Fixture f;
  // A complaint registered (and so found) on 2 March; an inspection's lead registered on
  // 2 March for a violation the inspection found on 27 February.
  const v1::Lead complaint = f.Lead();
  CaseStore records(*f.db);
  EventEmitter emitter(topics::kCases, kServiceName, f.clock);
  LeadIntake intake(records, emitter, fixtures::Calendar(), f.clock, {}, &f.metrics);
  inspection::v1::LeadTransferred transfer;
  transfer.mutable_task()->set_name("tasks/d-2026-jh-01-9");
  transfer.mutable_task()->set_uscc(kUscc);
  transfer.set_transfer("tasks/d-2026-jh-01-9/transfers/1");
  transfer.mutable_from_department()->set_code(kScjg);
  transfer.mutable_to_department()->set_code(kScjg);
  *transfer.mutable_inspection_date() = D(2026, 2, 27);
  store::UnitOfWork work;
  REQUIRE(intake.Apply(jianguan::testing::AsConsumed(topics::kInspection, kUscc, transfer), work)
              .ok());
  REQUIRE(f.db->Commit(work).ok());
  auto leads = f.service.DoListLeads(Officer(), {});
  REQUIRE(leads.ok());
  REQUIRE(leads->leads_size() == 2);
  // Ids made in the same millisecond of the fake clock: the order of the two is not known.
  const v1::Lead inspected =
      leads->leads(leads->leads(0).source() == v1::LEAD_SOURCE_INSPECTION ? 0 : 1);
  REQUIRE(inspected.source() == v1::LEAD_SOURCE_INSPECTION);
  CHECK(DayOf(inspected.found_date()) == absl::CivilDay(2026, 2, 27));
  CHECK(DayOf(inspected.registered_date()) == absl::CivilDay(2026, 3, 2));

  // Filing, retried with its request_id: counted once.
  v1::FileCaseRequest filing;
  filing.set_request_id("kpi-file-complaint");
  filing.set_lead(complaint.name());
  filing.set_party_name("金华市某某超市有限公司");
  filing.set_party_kind(v1::PARTY_KIND_ORGANISATION);
  filing.add_officer_ids("OFF-1");
  filing.add_officer_ids("OFF-2");
  auto first = f.service.DoFileCase(Officer(), filing);
  REQUIRE(first.ok());
  auto again = f.service.DoFileCase(Officer(), filing);
  REQUIRE(again.ok());
  CHECK(again->case_record().name() == first->case_record().name());
  const auto filed = [&](const std::string& source) {
    return testing::SampleOf(f.registry, "jianguan_cases_filed_total", {{"source", source}}).value;
  };
  CHECK(filed("complaint") == 1);
  auto from_inspection = f.File(inspected);
  REQUIRE(from_inspection.ok());
  CHECK(filed("inspection") == 1);

  // Each case to the penalty's execution; the last step retried with its request_id.
  const auto execute = [&](v1::Case c, common::v1::Date executed_on) {
    c = f.Decided(c);
    c = f.Act(c, f.Step(c, v1::CASE_ACTION_SERVE, D(2026, 3, 12)));
    v1::ActRequest pay = f.Step(c, v1::CASE_ACTION_EXECUTE, executed_on);
    pay.mutable_paid()->set_fen(500000);
    c = f.Act(c, pay);
    REQUIRE(f.service.DoAct(Officer(), pay).ok());  // the retry: answered, not executed again
    return c;
  };
  // Found 2 March, executed 20 March: 18 days. Found 27 February, executed 25 March: 26 days
  // (not the 23 days from its registration).
  CHECK(execute(first->case_record(), D(2026, 3, 20)).state() == v1::CASE_STATE_EXECUTED);
  CHECK(execute(from_inspection->case_record(), D(2026, 3, 25)).state() ==
        v1::CASE_STATE_EXECUTED);
  const testing::RegistrySample days =
      testing::SampleOf(f.registry, "jianguan_cases_found_to_executed_seconds");
  CHECK(days.count == 2);
  CHECK(days.sum == 44 * 86'400);

  v1::GetCaseReportRequest request;
  *request.mutable_period_start() = D(2026, 1, 1);
  *request.mutable_period_end() = D(2026, 12, 31);
  auto report = f.service.DoGetCaseReport(Officer(), request);
  REQUIRE(report.ok());
  CHECK(report->department().code() == kScjg);
  CHECK(report->cases_filed() == 2);
  CHECK(report->cases_from_inspection() == 1);
  REQUIRE(report->sources_size() == 2);
  CHECK(report->sources(0).source() == v1::LEAD_SOURCE_INSPECTION);
  CHECK(report->sources(1).source() == v1::LEAD_SOURCE_COMPLAINT);
  CHECK(report->penalties_executed() == 2);
  CHECK(report->found_to_executed_days() == 44);
  CHECK(report->average_found_to_executed_days() == 22.0);
  CHECK(report->has_generate_time());

  // Executed before the period: filed and executed outside it count nothing.
  *request.mutable_period_start() = D(2026, 4, 1);
  auto april = f.service.DoGetCaseReport(Officer(), request);
  REQUIRE(april.ok());
  CHECK(april->cases_filed() == 0);
  CHECK(april->penalties_executed() == 0);
  CHECK(april->average_found_to_executed_days() == 0.0);

  // Another department reads its own report only, and sees none of these cases.
  auto yiwu = f.service.DoGetCaseReport(Officer(kYiwu), request);
  REQUIRE(yiwu.ok());
  CHECK(yiwu->cases_filed() == 0);
  v1::GetCaseReportRequest others = request;
  others.mutable_department()->set_code(kScjg);
  CHECK(jianguan::testing::FieldNames(f.service.DoGetCaseReport(Officer(kYiwu), others).status()) ==
        std::set<std::string>{"department.code"});
}

TEST_CASE("a case report refuses a period that is not one, naming the field") {
  Fixture f;
  const auto refused = [&](common::v1::Date start, common::v1::Date end, bool set_start = true) {
    v1::GetCaseReportRequest request;
    if (set_start) *request.mutable_period_start() = start;
    *request.mutable_period_end() = end;
    auto report = f.service.DoGetCaseReport(Officer(), request);
    CHECK(report.status().code() == absl::StatusCode::kInvalidArgument);
    return jianguan::testing::FieldNames(report.status());
  };
  using Fields = std::set<std::string>;
  CHECK(refused(D(2026, 3, 2), D(2026, 3, 1)) == Fields{"period_end"});       // before the start
  CHECK(refused(D(2026, 1, 1), D(2027, 1, 3)) == Fields{"period_end"});       // 367 days
  CHECK(refused({}, D(2026, 3, 1), false) == Fields{"period_start"});         // missing
  common::v1::Date february_30;  // no such day (D() would roll it over to March)
  february_30.set_year(2026);
  february_30.set_month(2);
  february_30.set_day(30);
  CHECK(refused(february_30, D(2026, 3, 1)) == Fields{"period_start"});
  v1::GetCaseReportRequest leap;  // 2024-01-01 … 2025-01-01: 366 days, allowed
  *leap.mutable_period_start() = D(2024, 1, 1);
  *leap.mutable_period_end() = D(2025, 1, 1);
  CHECK(f.service.DoGetCaseReport(Officer(), leap).ok());
}

}  // namespace
}  // namespace jianguan::cases
