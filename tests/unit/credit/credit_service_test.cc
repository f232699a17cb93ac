// The credit handlers and the consumer's apply function over a real store in a temp dir, fed
// events as the consumer would apply them: a generated run whose every explanation sums to
// its score, repair refused and then granted on the calendar's boundaries, the checks other
// systems call, the monthly reclassification, and refusals that change nothing.
#include "services/credit/credit_service.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>

#include "grpcpp/grpcpp.h"

#include "jianguan/credit/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/text_checks.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/credit/credit_intake.h"
#include "services/credit/credit_metrics.h"
#include "services/credit/reclassifier.h"
#include "tests/unit/credit/credit_fixtures.h"

namespace jianguan::credit {
namespace {

using jianguan::testing::FieldNames;

absl::Time BeijingNoon(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 12, 0, 0), BeijingTime());
}

LoadedModels TestModels() {
  std::vector<CompiledModel> models{testing::TestModel()};
  auto set = ModelSet::Build(std::move(models));
  REQUIRE(set.ok());
  v1::ModelInfo info;
  info.set_version("t.1");
  return LoadedModels{*std::move(set), {info}};
}

Caller Officer(std::vector<std::string> roles = {}) {
  return Caller{.department = "330700-SCJG", .user_id = "officer", .roles = std::move(roles)};
}

struct Fixture {
  jianguan::testing::TempDir dir;
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = CreditStore::Families(), .sync_writes = false});
  jianguan::testing::FakeClock clock{BeijingNoon(2026, 3, 1)};
  prometheus::Registry registry;
  CreditMetrics metrics{registry};
  LoadedModels models = TestModels();
  CreditStore records{*db};
  EventEmitter emitter{topics::kCredit, kServiceName, clock};
  CreditIntake intake{records, models.set, emitter, clock, &metrics};
  Reclassifier reclassifier{records, models.set, emitter, clock, &metrics, 7};
  CreditService service{*db, models, clock, nullptr, &metrics};
  int64_t offset = 0;
  int requests = 0;

  // Applies `message` as the consumer would, dated `time`, in a commit of its own.
  void Consume(const std::string& topic, const std::string& uscc,
               const google::protobuf::Message& message, absl::Time time) {
    store::UnitOfWork work;
    REQUIRE(intake.Apply(jianguan::testing::AsConsumed(topic, uscc, message, "test", ++offset, time),
                         work).ok());
    if (!work.empty()) REQUIRE(db->Commit(work).ok());
  }

  std::string Id() { return "req-" + std::to_string(++requests); }

  v1::ScoreExplanation Explain(const std::string& uscc) {
    v1::ExplainScoreRequest request;
    request.set_name("subjects/" + uscc);
    auto explained = service.DoExplainScore(request);
    REQUIRE(explained.ok());
    return *explained;
  }

  absl::StatusOr<v1::Repair> Repair(const std::string& uscc, int64_t sequence,
                                    std::string request_id = "") {
    v1::RequestRepairRequest request;
    request.set_request_id(request_id.empty() ? Id() : request_id);
    request.set_parent("subjects/" + uscc);
    request.set_entry_sequence(sequence);
    request.set_statement("罚款已缴清，已整改完毕");
    return service.DoRequestRepair(Officer(), request);
  }

  template <typename Event>
  std::vector<Event> Events() {
    std::vector<Event> found;
    const auto outbox = db->ReadOutbox(0, 100000);
    REQUIRE(outbox.ok());
    for (const auto& e : *outbox) {
      if (e.type() != Event::descriptor()->full_name()) continue;
      REQUIRE(found.emplace_back().ParseFromString(e.payload()));
    }
    return found;
  }
};

int Sum(const v1::ScoreExplanation& explanation) {
  int sum = explanation.base_score();
  for (const auto& e : explanation.entries()) sum += e.points();
  return sum;
}

SCENARIO("a generated run: every subject's explanation sums exactly to its score") {
  Fixture f;
  std::mt19937_64 random(20261203);
  std::vector<std::string> subjects;
  for (int i = 0; i < 60; ++i) subjects.push_back(jianguan::testing::SeriesUscc("91330782", i));
  int case_number = 0;
  // 600 events over ten months: fines of every size, serious cases, breaches, and the
  // executions that make them repairable; the consumer commits several per batch.
  for (int n = 0; n < 600; ++n) {
    const std::string& uscc = subjects[random() % subjects.size()];
    const absl::Time time = BeijingNoon(2026, 1 + static_cast<int>(n / 60), 1 + n % 28);
    switch (random() % 4) {
      case 0:
      case 1: {
        const std::string name = "cases/" + std::to_string(++case_number);
        f.Consume(topics::kCases, uscc,
                  testing::Penalty(uscc, name, static_cast<int64_t>(random() % 3'000'000),
                                   random() % 10 == 0),
                  time);
        if (random() % 2 == 0) {
          cases::v1::PenaltyExecuted executed;
          executed.mutable_summary()->set_name(name);
          f.Consume(topics::kCases, uscc, executed, time + absl::Hours(1));
        }
        break;
      }
      case 2:
        f.Consume(topics::kSubject, uscc, testing::Breach(uscc, "c-" + std::to_string(n)), time);
        break;
      default: {
        subject::v1::CommitmentResolved kept = testing::Breach(uscc, "k-" + std::to_string(n));
        kept.mutable_commitment()->set_state(subject::v1::COMMITMENT_STATE_FULFILLED);
        f.Consume(topics::kSubject, uscc, kept, time);  // matches no rule
      }
    }
  }
  f.clock.Set(BeijingNoon(2026, 12, 1));
  REQUIRE(f.reclassifier.RunPending().ok());  // nothing started: nothing done

  int scored = 0;
  for (const std::string& uscc : subjects) {
    const v1::ScoreExplanation explanation = f.Explain(uscc);
    INFO(uscc);
    CHECK(explanation.base_score() == 100);
    CHECK(Sum(explanation) == explanation.score());
    for (int i = 0; i < explanation.entries_size(); ++i) {
      CHECK(explanation.entries(i).sequence() == i + 1);
      if (explanation.entries(i).kind() == v1::ENTRY_KIND_RULE) {
        CHECK_FALSE(explanation.entries(i).source().ce_id().empty());
        CHECK_FALSE(explanation.entries(i).legal_basis().empty());
      }
    }
    if (explanation.entries_size() > 0) ++scored;
  }
  CHECK(scored > 50);
  // Every grade change was published, each subject's versions rising.
  std::map<std::string, int64_t> last_version;
  for (const auto& changed : f.Events<v1::CreditGradeChanged>()) {
    CHECK(changed.version() > last_version[changed.uscc()]);
    last_version[changed.uscc()] = changed.version();
  }
  CHECK(last_version.size() == static_cast<size_t>(scored));

  WHEN("December's reclassification is killed after 3 chunks and resumed by a new worker") {
    // What it must restore: every deduction whose publication ended before 1 December.
    int64_t due = 0;
    for (const std::string& uscc : subjects) {
      const v1::ScoreExplanation explanation = f.Explain(uscc);
      std::set<int64_t> restored;
      for (const auto& e : explanation.entries()) {
        if (e.restores() != 0) restored.insert(e.restores());
      }
      for (const auto& e : explanation.entries()) {
        if (e.kind() == v1::ENTRY_KIND_RULE && e.points() < 0 && !restored.count(e.sequence()) &&
            DayOf(e.shown_until()) < absl::CivilDay(2026, 12, 1)) {
          ++due;
        }
      }
    }
    REQUIRE(due > 0);
    v1::StartReclassificationRequest request;
    request.set_request_id(f.Id());
    *request.mutable_month() = DateOf(absl::CivilDay(2026, 12, 1));
    REQUIRE(f.service.DoStartReclassification(Officer({"credit-officer"}), request).ok());
    REQUIRE(f.reclassifier.RunPending(3).ok());
    v1::GetReclassificationRequest get;
    get.set_name("reclassifications/2026-12");
    const auto halfway = f.service.DoGetReclassification(get);
    REQUIRE(halfway.ok());
    REQUIRE(halfway->state() == v1::RECLASSIFICATION_STATE_RUNNING);
    REQUIRE(halfway->subjects_done() == 21);
    Reclassifier restarted{f.records, f.models.set, f.emitter, f.clock, nullptr, 7};
    REQUIRE(restarted.RunPending().ok());
    THEN("every subject is done once and every due deduction restored once, its event once") {
      const auto done = f.service.DoGetReclassification(get);
      REQUIRE(done.ok());
      CHECK(done->state() == v1::RECLASSIFICATION_STATE_DONE);
      CHECK(done->subjects_done() == scored);
      CHECK(done->entries_expired() == due);
      int64_t expiry_events = 0;
      std::set<std::pair<std::string, int64_t>> restored;
      for (const auto& changed : f.Events<v1::CreditScoreChanged>()) {
        if (changed.entry().kind() != v1::ENTRY_KIND_EXPIRY) continue;
        ++expiry_events;
        CHECK(restored.insert({changed.uscc(), changed.entry().restores()}).second);
      }
      CHECK(expiry_events == due);
      for (const std::string& uscc : subjects) CHECK(Sum(f.Explain(uscc)) == f.Explain(uscc).score());
    }
  }
  WHEN("December's reclassification runs over every subject in chunks") {
    v1::StartReclassificationRequest request;
    request.set_request_id(f.Id());
    *request.mutable_month() = DateOf(absl::CivilDay(2026, 12, 1));
    auto started = f.service.DoStartReclassification(Officer({"credit-officer"}), request);
    REQUIRE(started.ok());
    CHECK(started->state() == v1::RECLASSIFICATION_STATE_RUNNING);
    REQUIRE(f.reclassifier.RunPending().ok());
    v1::GetReclassificationRequest get;
    get.set_name("reclassifications/2026-12");
    auto done = f.service.DoGetReclassification(get);
    REQUIRE(done.ok());
    THEN("it is DONE over every scored subject, small fines expired, and the sums still hold") {
      CHECK(done->state() == v1::RECLASSIFICATION_STATE_DONE);
      CHECK(done->subjects_done() == scored);
      CHECK(done->entries_expired() > 0);
      for (const std::string& uscc : subjects) {
        const v1::ScoreExplanation explanation = f.Explain(uscc);
        CHECK(Sum(explanation) == explanation.score());
      }
      AND_THEN("starting the month again returns it and changes nothing") {
        request.set_request_id(f.Id());
        auto again = f.service.DoStartReclassification(Officer({"credit-officer"}), request);
        REQUIRE(again.ok());
        CHECK(again->state() == v1::RECLASSIFICATION_STATE_DONE);
      }
    }
  }
}

SCENARIO("repair through the API: refused inside the period, granted after it, explained") {
  Fixture f;
  const std::string uscc = jianguan::testing::SeriesUscc("91330782", 7);
  // A fine of 12,000 yuan decided on 2026-08-31, Beijing time.
  f.Consume(topics::kCases, uscc, testing::Penalty(uscc, "cases/77", 1'200'000),
            BeijingNoon(2026, 8, 31));
  cases::v1::PenaltyExecuted executed;
  executed.mutable_summary()->set_name("cases/77");
  f.Consume(topics::kCases, uscc, executed, BeijingNoon(2026, 9, 10));

  WHEN("the subject asks on 2027-02-27, the day before six months have passed") {
    f.clock.Set(BeijingNoon(2027, 2, 27));
    auto refused = f.Repair(uscc, 1);
    REQUIRE(refused.ok());
    THEN("it is refused with the first day it may be asked, and the score is unchanged") {
      CHECK(refused->state() == v1::REPAIR_STATE_REFUSED);
      REQUIRE(refused->refusal_reasons_size() == 1);
      CHECK_THAT(refused->refusal_reasons(0), Catch::Contains("2027-02-28"));
      CHECK(f.Explain(uscc).score() == 85);
      REQUIRE(f.Events<v1::RepairDecided>().size() == 1);
    }
  }
  WHEN("the subject asks on 2027-02-28") {
    f.clock.Set(BeijingNoon(2027, 2, 28) - absl::Hours(11));  // 01:00 Beijing, still the 28th
    auto granted = f.Repair(uscc, 1, "repair-1");
    REQUIRE(granted.ok());
    THEN("it is granted and the explanation shows the restoration naming the repair") {
      CHECK(granted->state() == v1::REPAIR_STATE_GRANTED);
      CHECK(granted->restoring_entry() == 2);
      const v1::ScoreExplanation explanation = f.Explain(uscc);
      CHECK(explanation.score() == 100);
      REQUIRE(explanation.entries_size() == 2);
      CHECK(explanation.entries(1).kind() == v1::ENTRY_KIND_REPAIR);
      CHECK(explanation.entries(1).points() == 15);
      CHECK(explanation.entries(1).repair() == granted->name());
      CHECK(Sum(explanation) == 100);
      const auto decided = f.Events<v1::RepairDecided>();
      REQUIRE(decided.size() == 1);
      CHECK(decided[0].repair().state() == v1::REPAIR_STATE_GRANTED);
      AND_THEN("a retry answers the first answer; asking again is FAILED_PRECONDITION") {
        auto retried = f.Repair(uscc, 1, "repair-1");
        REQUIRE(retried.ok());
        CHECK(retried->name() == granted->name());
        CHECK(f.Repair(uscc, 1).status().code() == absl::StatusCode::kFailedPrecondition);
        CHECK(f.Explain(uscc).entries_size() == 2);
      }
    }
  }
}

SCENARIO("the checks other systems call before granting something") {
  Fixture f;
  const std::string uscc = jianguan::testing::SeriesUscc("91330782", 9);
  auto eligibility = [&] {
    v1::CheckCommitmentEligibilityRequest request;
    request.set_uscc(uscc);
    request.set_item_code("XK-330700-001");
    auto answer = f.service.DoCheckCommitmentEligibility(request);
    REQUIRE(answer.ok());
    return *answer;
  };
  THEN("a subject never scored is B and eligible") {
    const auto answer = eligibility();
    CHECK(answer.eligible());
    CHECK(answer.grade() == v1::CREDIT_GRADE_B);
  }
  WHEN("its commitment is breached on 2026-03-01") {
    f.Consume(topics::kSubject, uscc, testing::Breach(uscc, "c-1"), BeijingNoon(2026, 3, 1));
    THEN("approval on commitment is barred for a year, a subsidy is not") {
      const auto answer = eligibility();
      CHECK_FALSE(answer.eligible());
      CHECK(answer.score() == 90);
      REQUIRE(answer.restrictions_size() == 1);
      CHECK(DayOf(answer.restrictions(0).end_date()) == absl::CivilDay(2027, 2, 28));
      v1::CheckRestrictionsRequest check;
      check.set_uscc(uscc);
      check.set_measure(v1::MEASURE_SUBSIDY);
      CHECK(f.service.DoCheckRestrictions(check)->allowed());
      check.set_measure(v1::MEASURE_COMMITMENT_APPROVAL);
      CHECK_FALSE(f.service.DoCheckRestrictions(check)->allowed());
      f.clock.Set(BeijingNoon(2027, 3, 1));
      CHECK(f.service.DoCheckRestrictions(check)->allowed());
    }
  }
  WHEN("a large fine takes it to 80 (Yiwu: 80 is B and qualifies)") {
    f.Consume(topics::kCases, uscc, testing::Penalty(uscc, "cases/1", 1'000'000), BeijingNoon(2026, 3, 1));
    f.Consume(topics::kCases, uscc, testing::Penalty(uscc, "cases/2", 100), BeijingNoon(2026, 3, 2));
    THEN("it is eligible at 80, and not after one more small fine (75, C)") {
      CHECK(eligibility().score() == 80);
      CHECK(eligibility().eligible());
      f.Consume(topics::kCases, uscc, testing::Penalty(uscc, "cases/3", 100), BeijingNoon(2026, 3, 3));
      CHECK(eligibility().grade() == v1::CREDIT_GRADE_C);
      CHECK_FALSE(eligibility().eligible());
    }
  }
}

SCENARIO("refusals name the field and change nothing") {
  Fixture f;
  auto unchanged = [&] {
    CHECK(f.db->ReadOutbox(0, 100)->empty());
    CHECK(f.db->VerifyAuditChain().value_or(99) == 0);
    CHECK(f.records.RecordsAfter("", 10)->empty());
  };
  WHEN("a repair request is malformed in every field") {
    v1::RequestRepairRequest request;
    request.set_parent("subjects/91330782MA2EC8CX98");  // wrong check character
    request.set_entry_sequence(0);
    request.set_statement(std::string("\xff\xfe", 2));
    auto refused = f.service.DoRequestRepair(Officer(), request);
    THEN("INVALID_ARGUMENT names each") {
      CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(FieldNames(refused.status()) ==
            std::set<std::string>{"request_id", "parent", "entry_sequence", "statement"});
      unchanged();
    }
  }
  WHEN("the entry does not exist") {
    auto missing = f.Repair("91330782MA2EC8CX99", 3);
    THEN("NOT_FOUND") {
      CHECK(missing.status().code() == absl::StatusCode::kNotFound);
      unchanged();
    }
  }
  WHEN("a check names an unknown measure or a bad USCC") {
    v1::CheckRestrictionsRequest check;
    check.set_uscc("not a uscc");
    check.set_measure(static_cast<v1::Measure>(42));
    auto refused = f.service.DoCheckRestrictions(check);
    THEN("INVALID_ARGUMENT names both") {
      CHECK(FieldNames(refused.status()) == std::set<std::string>{"uscc", "measure"});
      unchanged();
    }
  }
  WHEN("a reclassification is asked without the role, or for a day that is not a month") {
    v1::StartReclassificationRequest request;
    request.set_request_id(f.Id());
    *request.mutable_month() = DateOf(absl::CivilDay(2026, 2, 15));
    auto no_role = f.service.DoStartReclassification(Officer(), request);
    auto bad_month = f.service.DoStartReclassification(Officer({"credit-officer"}), request);
    *request.mutable_month() = DateOf(absl::CivilDay(2026, 4, 1));
    auto future = f.service.DoStartReclassification(Officer({"credit-officer"}), request);
    THEN("PERMISSION_DENIED, then INVALID_ARGUMENT on month") {
      CHECK(no_role.status().code() == absl::StatusCode::kPermissionDenied);
      CHECK(FieldNames(bad_month.status()) == std::set<std::string>{"month"});
      CHECK(FieldNames(future.status()) == std::set<std::string>{"month"});
      unchanged();
    }
  }
}

SCENARIO("over gRPC: every RPC needs a caller") {
  Fixture f;
  jianguan::testing::InProcessServer server({&f.service});
  auto stub = server.Stub<v1::Credit>();
  v1::ExplainScoreRequest request;
  request.set_name("subjects/91330782MA2EC8CX99");
  v1::ScoreExplanation out;
  auto anonymous = jianguan::testing::CallAs("");
  CHECK(stub->ExplainScore(anonymous.get(), request, &out).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  auto known = jianguan::testing::CallAs("330700-SCJG");
  REQUIRE(stub->ExplainScore(known.get(), request, &out).ok());
  CHECK(out.score() == 100);
  request.set_name("subjects/9133078");
  auto again = jianguan::testing::CallAs("330700-SCJG");
  const grpc::Status bad = stub->ExplainScore(again.get(), request, &out);
  CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(FieldNames(bad) == std::set<std::string>{"name"});
}

SCENARIO("over gRPC: text that is not UTF-8 is refused naming the field, and changes nothing") {
  // proto3 refuses such a request before the handler runs; gRPC alone answered INTERNAL, or
  // UNIMPLEMENTED on the callback API (ExplainScore) (#15).
  Fixture f;
  jianguan::testing::InProcessServer server({&f.service});
  v1::RequestRepairRequest repair;
  repair.set_request_id(f.Id());
  repair.set_parent("subjects/91330782MA2EC8CX99");
  repair.set_entry_sequence(1);
  repair.set_statement(std::string("罚款已缴清\xff\xfe", 17));
  const grpc::Status refused = jianguan::testing::RawUnaryCall(
      *server.channel(), "/jianguan.credit.v1.Credit/RequestRepair", repair.SerializeAsString(),
      *jianguan::testing::CallAs("330700-SCJG"));
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(FieldNames(refused) == std::set<std::string>{"statement"});
  CHECK(IsValidUtf8(refused.error_message()));

  v1::ExplainScoreRequest explain;
  explain.set_name("subjects/\xff");
  const grpc::Status explain_refused = jianguan::testing::RawUnaryCall(
      *server.channel(), "/jianguan.credit.v1.Credit/ExplainScore", explain.SerializeAsString(),
      *jianguan::testing::CallAs("330700-SCJG"));
  CHECK(explain_refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(FieldNames(explain_refused) == std::set<std::string>{"name"});

  CHECK(f.db->ReadOutbox(0, 100)->empty());
  CHECK(f.db->VerifyAuditChain().value_or(99) == 0);
  CHECK(f.records.RecordsAfter("", 10)->empty());
}

}  // namespace
}  // namespace jianguan::credit

namespace jianguan::credit {
namespace {

SCENARIO("the shipped demo model loads from data/credit and scores through the consumer") {
  const char* data = std::getenv("JG_DATA_ROOT");
  REQUIRE(data != nullptr);
  auto loaded = LoadModels(std::string(data) + "/credit");
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  Fixture f;
  f.models = *std::move(loaded);
  CreditIntake intake{f.records, f.models.set, f.emitter, f.clock, nullptr};
  const std::string uscc = jianguan::testing::SeriesUscc("91330782", 11);
  cases::v1::PenaltyDecided decided = testing::Penalty(uscc, "cases/demo", 300'000);
  decided.mutable_summary()->set_party_kind(cases::v1::PARTY_KIND_ORGANISATION);
  decided.mutable_summary()->set_procedure(cases::v1::PROCEDURE_GENERAL);
  decided.set_document_number("金市监罚〔2026〕1号");
  decided.set_legal_basis("《食品安全法》第一百二十六条");
  store::UnitOfWork work;
  REQUIRE(intake.Apply(jianguan::testing::AsConsumed(topics::kCases, uscc, decided, "test", 1,
                                                     BeijingNoon(2026, 5, 1)),
                       work).ok());
  REQUIRE(f.db->Commit(work).ok());
  const v1::ScoreExplanation explanation = f.Explain(uscc);
  REQUIRE(explanation.entries_size() == 1);
  CHECK(explanation.entries(0).rule_id() == "CASE-MINOR-ORG");
  CHECK(explanation.score() == 95);
}

}  // namespace
}  // namespace jianguan::credit
