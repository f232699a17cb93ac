// Two replicas of the real credit binary, each with its own store, in the one consumer group
// `credit` on the real broker, while Kafka moves the partitions between them: B joins (A's
// partitions are split), A stops (B takes them all), A comes back on its old store (it takes
// some back). Decisions are sent before and between the moves. At the end:
// - nothing is lost: for every subject, the replica holding its partition has every decision
//   on its ledger;
// - nothing is applied twice: no ledger of either replica holds a decision twice;
// - nothing is published twice: each decision's CreditScoreChanged is on the credit topic
//   once, although the events of a partition a replica takes over are applied to its store
//   again (restored: libs/events/consumer.h, docs/operations.md "Scaling out").
// Sizes: JG_CREDIT_REBALANCE_SUBJECTS subjects (default 30) × 4 rounds × 2 decisions.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "tests/integration/credit/credit_it.h"

namespace jianguan::credit {
namespace {

constexpr int kRounds = 4;
constexpr int kDecisionsPerRound = 2;
constexpr int kDecisions = kRounds * kDecisionsPerRound;

int SubjectCount() {
  const char* env = std::getenv("JG_CREDIT_REBALANCE_SUBJECTS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 30;
}

// The entries on `credit`'s ledger of `uscc` (0 when it has no record).
int Entries(const testing::ServiceBinary& credit, const std::string& uscc) {
  auto stub = v1::Credit::NewStub(credit.channel());
  v1::GetCreditRequest request;
  request.set_name("subjects/" + uscc);
  v1::SubjectCredit out;
  auto context = Call();
  return stub->GetCredit(context.get(), request, &out).ok() ? out.entry_count() : 0;
}

// Waits until `credit`'s group holds partitions (its lag is a figure, not -1), then a second
// for the rest of a rebalance.
void AwaitHolding(const testing::ServiceBinary& credit) {
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (credit.Lag("credit") < 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  absl::SleepFor(absl::Seconds(1));
}

// Waits until, for every subject, one of the replicas holds `entries` entries; REQUIRE-fails
// if any holds more.
void AwaitOwners(const std::vector<const testing::ServiceBinary*>& replicas,
                 const std::vector<std::string>& usccs, int entries) {
  const absl::Time deadline = absl::Now() + absl::Seconds(240);
  for (;;) {
    size_t done = 0;
    for (const std::string& uscc : usccs) {
      int most = 0;
      for (const auto* replica : replicas) {
        const int n = Entries(*replica, uscc);
        REQUIRE(n <= entries);
        most = std::max(most, n);
      }
      if (most == entries) ++done;
    }
    if (done == usccs.size()) return;
    INFO(done << " of " << usccs.size() << " subjects complete");
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(300));
  }
}

double Restored(const testing::ServiceBinary& credit) {
  return testing::SampleValue(credit.Metrics(), "jianguan_consumer_events_total",
                              {R"(group="credit")", R"(outcome="restored")"});
}

SCENARIO("two credit replicas hand partitions over: each decision applied once, published once") {
  testing::TempDir dir("jg-credit-rebalance");
  const std::vector<std::string> usccs = RunSubjects(SubjectCount());
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()));
  testing::EventFeed feed("credit-rebalance-it-" + run);
  std::map<std::string, std::set<std::string>> sent;  // USCC → ce_ids of its decisions
  int round = 0;
  const auto send_round = [&] {
    for (size_t i = 0; i < usccs.size(); ++i) {
      for (int k = 0; k < kDecisionsPerRound; ++k) {
        const std::string case_name = absl::StrCat("cases/", run, "-", i, "-", round, "-", k);
        sent[usccs[i]].insert(feed.Send(topics::kCases, usccs[i], SmallFine(usccs[i], case_name)));
      }
    }
    feed.Flush();
    ++round;
  };
  const std::vector<std::string> flags = {"--log_level", "warning", "--intake_batch", "16"};

  // A alone applies the first round.
  testing::ServiceBinary a(JG_CREDIT, dir.Sub("a"), flags);
  AwaitHolding(a);
  send_round();
  AwaitOwners({&a}, usccs, kDecisionsPerRound);

  // B joins: Kafka splits the partitions; B restores what A applied on those it gets.
  testing::ServiceBinary b(JG_CREDIT, dir.Sub("b"), flags);
  AwaitHolding(b);
  AwaitHolding(a);
  send_round();

  // A leaves while it may still be applying the second round: B takes every partition,
  // restoring A's, and applies the third round alone.
  a.Stop();
  send_round();
  AwaitOwners({&b}, usccs, 3 * kDecisionsPerRound);

  // A comes back on its own store: it takes some partitions back and restores what B applied
  // on them meanwhile.
  a.Start();
  AwaitHolding(a);
  send_round();
  AwaitOwners({&a, &b}, usccs, kDecisions);
  // Both took over partitions the other had applied events of. (A's count is of this
  // process only: the rounds B applied on the partitions A took back.)
  CHECK(Restored(a) > 0);
  CHECK(Restored(b) > 0);

  // Nothing lost, nothing twice, in either store.
  auto stub_a = v1::Credit::NewStub(a.channel());
  auto stub_b = v1::Credit::NewStub(b.channel());
  int owned_by_a = 0, owned_by_b = 0;
  for (const std::string& uscc : usccs) {
    INFO(uscc);
    const v1::ScoreExplanation from_a = Explain(*stub_a, uscc);
    const v1::ScoreExplanation from_b = Explain(*stub_b, uscc);
    for (const v1::ScoreExplanation* explanation : {&from_a, &from_b}) {
      std::set<std::string> sources;
      for (const auto& entry : explanation->entries()) sources.insert(entry.source().ce_id());
      CHECK(sources.size() == static_cast<size_t>(explanation->entries_size()));  // none twice
      for (const std::string& source : sources) CHECK(sent[uscc].count(source) == 1);
      if (explanation->entries_size() == kDecisions) {
        CHECK(sources == sent[uscc]);
        CHECK(explanation->score() == 100 - 5 * kDecisions);
      }
    }
    owned_by_a += from_a.entries_size() == kDecisions;
    owned_by_b += from_b.entries_size() == kDecisions;
  }
  // Both replicas hold partitions at the end, so each is complete for some subjects.
  CHECK(owned_by_a > 0);
  CHECK(owned_by_b > 0);

  // Each decision's score change is published once, by whichever replica applied it first.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> published;
  for (const PublishedChange& change :
       ReadScoreChanges(dir.Sub("reader"), usccs, usccs.size() * kDecisions)) {
    published[{change.uscc, change.changed.entry().source().ce_id()}].insert(change.ce_id);
  }
  CHECK(published.size() == usccs.size() * kDecisions);
  for (const auto& [decision, ids] : published) {
    INFO(decision.first << " decision " << decision.second);
    CHECK(sent[decision.first].count(decision.second) == 1);
    CHECK(ids.size() == 1);
  }
}

}  // namespace
}  // namespace jianguan::credit
