// Department isolation in credit (docs/security.md), over a real in-process gRPC server: a
// ledger with entries of two departments' rules (market regulation's fine, the health
// commission's breached commitment) is read whole by both and refused to a third
// (PERMISSION_DENIED: every subject has a credit record, so there is no existence to hide),
// while the standing itself (score, grade, restrictions) stays open to every department; a
// ledger without entries is anyone's; the role oversight reads every ledger and repairs
// nothing; only the department whose rule wrote an entry asks for its repair.
#include <catch2/catch.hpp>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/service_fixture.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/credit/credit_intake.h"
#include "services/credit/credit_service.h"
#include "tests/unit/credit/credit_fixtures.h"

namespace jianguan::credit {
namespace {

using jianguan::testing::CallAs;

constexpr char kScjg[] = "330700-SCJG";  // its rule fines
constexpr char kWjw[] = "330700-WJW";    // its rule scores a breached commitment
constexpr char kSthj[] = "330700-STHJ";  // no rule of its wrote anything

// Two departments' rules: a fine (market regulation) and a breached commitment (health).
constexpr char kModelText[] = R"pb(
  version: "iso.1"
  effective_date { year: 2026 month: 1 day: 1 }
  source: "isolation tests"
  rules {
    id: "FINE" name: "被处以罚款" department { code: "330700-SCJG" }
    event_type: "jianguan.cases.v1.PenaltyDecided"
    points: -5 shown_months: 3 repair_after_months: 6 legal_basis: "小额罚款公示3个月"
  }
  rules {
    id: "BREACH" name: "告知承诺失信" department { code: "330700-WJW" }
    event_type: "jianguan.subject.v1.CommitmentResolved"
    conditions { field: "commitment.state" op: OPERATOR_EQ values: "COMMITMENT_STATE_BREACHED" }
    points: -10 shown_months: 12 repair_after_months: 6 legal_basis: "浦江告知承诺"
  }
)pb";

LoadedModels IsolationModels() {
  auto text = ParseModelText(kModelText, "isolation model");
  REQUIRE(text.ok());
  auto model = CompiledModel::Compile(*text);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  std::vector<CompiledModel> models;
  models.push_back(*std::move(model));
  auto set = ModelSet::Build(std::move(models));
  REQUIRE(set.ok());
  v1::ModelInfo info;
  info.set_version("iso.1");
  return LoadedModels{*std::move(set), {info}};
}

struct Fixture {
  jianguan::testing::TempDir dir;
  std::unique_ptr<store::Store> db = *store::Store::Open(
      {.path = dir.path(), .families = CreditStore::Families(), .sync_writes = false});
  jianguan::testing::FakeClock clock{
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 12, 0, 0), BeijingTime())};
  LoadedModels models = IsolationModels();
  CreditStore records{*db};
  EventEmitter emitter{topics::kCredit, kServiceName, clock};
  CreditIntake intake{records, models.set, emitter, clock, nullptr};
  CreditService service{*db, models, clock, nullptr, nullptr};
  jianguan::testing::InProcessServer server{{&service}};
  std::unique_ptr<v1::Credit::Stub> stub = server.Stub<v1::Credit>();
  const std::string scored = jianguan::testing::SeriesUscc("91330782", 1);
  const std::string unscored = jianguan::testing::SeriesUscc("91330782", 2);
  int64_t offset = 0;

  // `scored` fined in a case of SCJG's, then its commitment breached: one entry of each
  // department's rule.
  Fixture() {
    Consume(topics::kCases, testing::Penalty(scored, "cases/iso-1", 50000));
    Consume(topics::kSubject, testing::Breach(scored, "commitments/iso-1"));
  }

  void Consume(const std::string& topic, const google::protobuf::Message& message) {
    store::UnitOfWork work;
    REQUIRE(intake.Apply(jianguan::testing::AsConsumed(topic, scored, message, "test", ++offset,
                                                       clock.Now()),
                         work).ok());
    if (!work.empty()) REQUIRE(db->Commit(work).ok());
  }

  grpc::Status Explain(const std::string& uscc, std::unique_ptr<grpc::ClientContext> as,
                       v1::ScoreExplanation* out = nullptr) {
    v1::ExplainScoreRequest request;
    request.set_name("subjects/" + uscc);
    v1::ScoreExplanation ignored;
    return stub->ExplainScore(as.get(), request, out ? out : &ignored);
  }

  grpc::Status Repair(int64_t sequence, std::unique_ptr<grpc::ClientContext> as,
                      v1::Repair* out = nullptr) {
    v1::RequestRepairRequest request;
    request.set_request_id("repair-" + std::to_string(++offset));
    request.set_parent("subjects/" + scored);
    request.set_entry_sequence(sequence);
    request.set_statement("罚款已缴清，已整改完毕");
    v1::Repair ignored;
    return stub->RequestRepair(as.get(), request, out ? out : &ignored);
  }
};

TEST_CASE("a ledger is read whole by the departments whose rules wrote on it, by no other") {
  Fixture f;
  v1::ScoreExplanation explained;
  REQUIRE(f.Explain(f.scored, CallAs(kScjg), &explained).ok());
  REQUIRE(explained.entries_size() == 2);
  CHECK(explained.entries(0).department().code() == kScjg);
  CHECK(explained.entries(1).department().code() == kWjw);
  CHECK(f.Explain(f.scored, CallAs(kWjw)).ok());  // sharing the ledger, SCJG's entry included

  const grpc::Status refused = f.Explain(f.scored, CallAs(kSthj));
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find("oversight") != std::string::npos);
  // A ledger without entries tells nothing GetCredit does not.
  CHECK(f.Explain(f.unscored, CallAs(kSthj)).ok());

  // The standing stays open to every department (失信联合惩戒).
  v1::GetCreditRequest get;
  get.set_name("subjects/" + f.scored);
  v1::SubjectCredit credit;
  REQUIRE(f.stub->GetCredit(CallAs(kSthj).get(), get, &credit).ok());
  CHECK(credit.score() == 85);
  v1::CheckCommitmentEligibilityRequest eligible;
  eligible.set_uscc(f.scored);
  eligible.set_item_code("JG-1");
  v1::CommitmentEligibility answer;
  CHECK(f.stub->CheckCommitmentEligibility(CallAs(kSthj).get(), eligible, &answer).ok());
}

TEST_CASE("the role oversight reads any ledger and repairs nothing") {
  Fixture f;
  CHECK(f.Explain(f.scored, CallAs(kSthj, {roles::kOversight})).ok());
  const grpc::Status refused = f.Repair(1, CallAs(kSthj, {roles::kOversight}));
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(refused.error_message().find(kScjg) != std::string::npos);
}

TEST_CASE("only the department whose rule wrote an entry asks for its repair") {
  Fixture f;
  // A department without an entry learns nothing of the ledger, not even which entries exist.
  CHECK(f.Repair(1, CallAs(kSthj)).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.Repair(9, CallAs(kSthj)).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  // A reader of the ledger repairs its own department's entries only (谁认定、谁修复).
  const grpc::Status others = f.Repair(1, CallAs(kWjw));
  CHECK(others.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(others.error_message().find("谁认定、谁修复") != std::string::npos);
  v1::Repair decided;
  const grpc::Status own = f.Repair(1, CallAs(kScjg), &decided);
  INFO(own.error_message());
  REQUIRE(own.ok());
  CHECK(decided.state() == v1::REPAIR_STATE_REFUSED);  // too early: decided, not denied
  CHECK(f.Repair(9, CallAs(kScjg)).error_code() == grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace jianguan::credit
