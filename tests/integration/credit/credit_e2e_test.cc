// The real credit binary on the real broker:
// - killed with kill -9 in the middle of a stream of penalty decisions, some of them
//   republished as a relay does after a crash, it deducts each decision exactly once, every
//   explanation sums to its score, and each entry's CreditScoreChanged reaches the topic once
//   in effect (one ce_id per entry);
// - the grades it publishes reach the real sampling binary's projection.
// Sizes: JG_CREDIT_IT_SUBJECTS subjects (default 60) × 6 decisions.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "libs/events/topics.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/kafka.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"
#include "tests/integration/credit/credit_it.h"

namespace jianguan::credit {
namespace {

constexpr int kDecisionsPerSubject = 6;

int SubjectCount() {
  const char* env = std::getenv("JG_CREDIT_IT_SUBJECTS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 60;
}

// Waits until every subject holds `entries` entries (and no more), then for a quiet second.
void AwaitEntries(testing::ServiceBinary& credit, const std::vector<std::string>& usccs,
                  int entries) {
  auto stub = v1::Credit::NewStub(credit.channel());
  const absl::Time deadline = absl::Now() + absl::Seconds(180);
  for (;;) {
    int done = 0;
    for (const std::string& uscc : usccs) {
      v1::GetCreditRequest request;
      request.set_name("subjects/" + uscc);
      v1::SubjectCredit out;
      auto context = Call();
      if (!stub->GetCredit(context.get(), request, &out).ok()) break;
      REQUIRE(out.entry_count() <= entries);  // never more: nothing deducted twice
      if (out.entry_count() == entries) ++done;
    }
    if (done == static_cast<int>(usccs.size())) break;
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(300));
  }
}

SCENARIO("credit killed with kill -9 mid-stream deducts every decision exactly once") {
  testing::TempDir dir("jg-credit-it");
  const std::vector<std::string> usccs = RunSubjects(SubjectCount());
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("credit-it-" + run);
  // Small batches, so that the kill lands between many commits.
  testing::ServiceBinary credit(JG_CREDIT, dir.Sub("credit"),
                                {"--intake_batch", "8", "--log_level", "warning"});

  int sent = 0;
  auto send_round = [&](int round) {
    for (size_t i = 0; i < usccs.size(); ++i) {
      feed.Send(topics::kCases, usccs[i],
                SmallFine(usccs[i], absl::StrCat("cases/", run, "-", i, "-", round)));
      // A relay that crashed after publishing publishes again: same ce_id, same jg_seq.
      if (++sent % 7 == 0) feed.Resend();
    }
  };
  for (int round = 0; round < kDecisionsPerSubject / 2; ++round) send_round(round);
  feed.Flush();
  // Kill once it is applying (some, not all, of the first half).
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (credit.Applied("credit") < 8) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(20));
  }
  credit.Kill9();
  for (int round = kDecisionsPerSubject / 2; round < kDecisionsPerSubject; ++round) {
    send_round(round);
  }
  feed.Flush();
  credit.Start();
  AwaitEntries(credit, usccs, kDecisionsPerSubject);

  // A restart after everything is applied changes nothing either.
  credit.Stop();
  credit.Start();
  absl::SleepFor(absl::Seconds(2));
  AwaitEntries(credit, usccs, kDecisionsPerSubject);

  auto stub = v1::Credit::NewStub(credit.channel());
  // Each explanation lists six distinct decisions that sum to the score.
  {
    for (const std::string& uscc : usccs) {
      const v1::ScoreExplanation explanation = Explain(*stub, uscc);
      std::set<std::string> sources;
      int sum = explanation.base_score();
      for (const auto& entry : explanation.entries()) {
        sources.insert(entry.source().ce_id());
        sum += entry.points();
        CHECK(entry.rule_id() == "CASE-MINOR-ORG");
      }
      CHECK(sources.size() == kDecisionsPerSubject);
      CHECK(sum == explanation.score());
      CHECK(explanation.score() == 100 - 5 * kDecisionsPerSubject);
    }
  }
  // Each entry's CreditScoreChanged is on the topic under one ce_id (a republication after
  // the kill keeps its ce_id).
  {
    const size_t expected = usccs.size() * kDecisionsPerSubject;
    std::map<std::pair<std::string, int64_t>, std::set<std::string>> published;
    for (const PublishedChange& change : ReadScoreChanges(dir.Sub("reader"), usccs, expected)) {
      published[{change.uscc, change.changed.entry().sequence()}].insert(change.ce_id);
    }
    CHECK(published.size() == expected);
    for (const auto& [entry, ids] : published) {
      INFO(entry.first << " entry " << entry.second);
      CHECK(ids.size() == 1);
    }
  }
}

SCENARIO("the grades credit publishes reach sampling's projection (real binaries)") {
  testing::TempDir dir("jg-credit-sampling");
  const std::vector<std::string> usccs = RunSubjects(12);
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("credit-sampling-it-" + run);
  testing::ServiceBinary credit(JG_CREDIT, dir.Sub("credit"), {"--log_level", "warning"});
  testing::ServiceBinary sampling(JG_SAMPLING, dir.Sub("sampling"), {"--log_level", "warning"});

  // The registry's facts, so that sampling projects the subjects at all.
  for (size_t i = 0; i < usccs.size(); ++i) {
    subject::v1::SubjectRegistered registered;
    subject::v1::SubjectFacts* facts = registered.mutable_facts();
    facts->set_uscc(usccs[i]);
    facts->set_name(absl::StrCat("金华测试商贸有限公司", i));
    facts->set_type(subject::v1::SUBJECT_TYPE_ENTERPRISE);
    facts->mutable_industry()->set_code("5211");
    facts->mutable_registration_region()->set_code("330782");
    facts->mutable_business_region()->set_code("330782");
    facts->set_status(subject::v1::SUBJECT_STATUS_NORMAL);
    facts->set_version(1);
    *registered.mutable_subject() = subject::v1::Subject();
    registered.mutable_subject()->set_uscc(usccs[i]);
    feed.Send(topics::kSubject, usccs[i], registered);
  }
  // Subject i gets i small fines: 0 is never scored (B, as sampling counts it), 1–4 B (95 …
  // 80: the demo model in force since 2026-12-01 grades the base score B and leaves A to
  // positive records), 5–8 C, 9 and more D.
  std::map<std::string, v1::CreditGrade> expected;
  for (size_t i = 0; i < usccs.size(); ++i) {
    for (size_t n = 0; n < i; ++n) {
      feed.Send(topics::kCases, usccs[i],
                SmallFine(usccs[i], absl::StrCat("cases/", run, "-", i, "-", n)));
    }
    const int score = 100 - 5 * static_cast<int>(i);
    expected[usccs[i]] = i == 0        ? v1::CREDIT_GRADE_B
                         : score >= 80 ? v1::CREDIT_GRADE_B
                         : score >= 60 ? v1::CREDIT_GRADE_C
                                       : v1::CREDIT_GRADE_D;
  }
  feed.Flush();
  for (size_t i = 0; i < usccs.size(); ++i) {
    AwaitEntries(credit, {usccs[i]}, static_cast<int>(i));
  }

  // Sampling has caught up once its class consumer has been idle with no lag for a while.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  double last = -1;
  absl::Time stable_since = absl::Now();
  for (;;) {
    const double applied = sampling.Applied("sampling-classes");
    if (applied != last || sampling.Lag("sampling-classes") != 0 ||
        sampling.Lag("sampling-subjects") != 0) {
      last = applied;
      stable_since = absl::Now();
    } else if (absl::Now() - stable_since > absl::Seconds(3)) {
      break;
    }
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  sampling.Stop();

  THEN("sampling holds, for every subject, the grade credit gives it") {
    auto store = store::Store::Open(
        {.path = dir.Sub("sampling"), .families = sampling::PlanStore::Families()});
    REQUIRE(store.ok());
    std::map<std::string, sampling::CreditGrade> projected;
    REQUIRE(sampling::ProjectionReader(**store)
                .ForEachSubject([&](const sampling::ProjectedRow& row) {
                  if (expected.count(std::string(row.uscc))) {
                    projected[std::string(row.uscc)] = row.grade;
                  }
                  return true;
                })
                .ok());
    REQUIRE(projected.size() == usccs.size());
    auto stub = v1::Credit::NewStub(credit.channel());
    for (const std::string& uscc : usccs) {
      INFO(uscc);
      v1::GetCreditRequest request;
      request.set_name("subjects/" + uscc);
      v1::SubjectCredit out;
      auto context = Call();
      REQUIRE(stub->GetCredit(context.get(), request, &out).ok());
      CHECK(out.grade() == expected[uscc]);
      // The projection numbers grades A–D as 0–3.
      CHECK(static_cast<int>(projected[uscc]) == static_cast<int>(expected[uscc]) - 1);
    }
  }
}

}  // namespace
}  // namespace jianguan::credit
