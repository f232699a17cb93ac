// What the credit integration tests share: subjects no earlier run used, the penalty
// decision they send, calls as the city bureau, and the CreditScoreChanged events read back
// from the credit topic.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "libs/events/consumer.h"
#include "libs/events/topics.h"
#include "libs/store/store.h"
#include "libs/testing/kafka.h"
#include "libs/testing/uscc_series.h"

namespace jianguan::credit {

// USCCs no earlier run used: the organisation code starts from this run's clock.
inline std::vector<std::string> RunSubjects(int count) {
  const uint64_t base = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()) % 100'000'000) * 1000;
  std::vector<std::string> usccs;
  for (int i = 0; i < count; ++i) usccs.push_back(testing::SeriesUscc("91330782", base + i));
  return usccs;
}

// A general-procedure fine of 3,000 yuan on an organisation: 5 points under the demo model.
inline cases::v1::PenaltyDecided SmallFine(const std::string& uscc, const std::string& case_name) {
  cases::v1::PenaltyDecided decided;
  decided.mutable_summary()->set_name(case_name);
  decided.mutable_summary()->set_uscc(uscc);
  decided.mutable_summary()->set_party_kind(cases::v1::PARTY_KIND_ORGANISATION);
  decided.mutable_summary()->mutable_department()->set_code("330700-SCJG");
  decided.mutable_summary()->set_procedure(cases::v1::PROCEDURE_GENERAL);
  decided.mutable_summary()->set_version(5);
  decided.add_kinds(cases::v1::PENALTY_KIND_FINE);
  decided.mutable_fine()->set_fen(300'000);  // 3,000 yuan
  decided.set_document_number("金市监罚〔2026〕1号");
  decided.set_legal_basis("《食品安全法》第一百二十六条");
  return decided;
}

// A call as the city bureau, whose rules wrote the entries.
inline std::unique_ptr<grpc::ClientContext> Call() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", "330700-SCJG");
  return context;
}

inline v1::ScoreExplanation Explain(v1::Credit::Stub& stub, const std::string& uscc) {
  v1::ExplainScoreRequest request;
  request.set_name("subjects/" + uscc);
  v1::ScoreExplanation explanation;
  auto context = Call();
  const grpc::Status status = stub.ExplainScore(context.get(), request, &explanation);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return explanation;
}

// One CreditScoreChanged as it is on the topic.
struct PublishedChange {
  std::string uscc;
  std::string ce_id;
  v1::CreditScoreChanged changed;
};

// Reads the credit topic from the beginning (a consumer group of its own, its store in
// `reader_dir`) until the CreditScoreChanged events of `usccs` name `entries` distinct
// entries (subject, entry sequence), then for one more second, so that a copy published
// later is seen too; REQUIRE-fails after two minutes. Returns every one read, copies too.
inline std::vector<PublishedChange> ReadScoreChanges(const std::string& reader_dir,
                                                     const std::vector<std::string>& usccs,
                                                     size_t entries) {
  const std::set<std::string> ours(usccs.begin(), usccs.end());
  std::mutex mu;
  std::vector<PublishedChange> changes;
  std::set<std::pair<std::string, int64_t>> distinct;
  std::vector<std::string> unparsable;  // the ids of our events that did not parse
  auto seen = store::Store::Open({.path = reader_dir, .families = {"x"}});
  REQUIRE(seen.ok());
  // The callback runs on the consumer's thread, so it asserts nothing itself: Catch2's
  // assertion state belongs to the test's thread (ThreadSanitizer reported the two
  // assertions racing). It records what did not parse; the test's thread checks it.
  events::EventConsumer reader(
      **seen,
      {.brokers = testing::KafkaBrokers(), .group = testing::UniqueName("it-credit-reader"),
       .topics = {std::string(topics::kCredit)}, .source = "credit-it"},
      [&](const events::ConsumedEvent& event, store::UnitOfWork&) -> absl::Status {
        if (!ours.count(event.key) ||
            event.type() != v1::CreditScoreChanged::descriptor()->full_name()) {
          return absl::OkStatus();
        }
        PublishedChange change{event.key, std::string(event.id()), {}};
        const bool parsed = change.changed.ParseFromString(event.value);
        std::lock_guard lock(mu);
        if (!parsed) {
          unparsable.push_back(change.ce_id);
          return absl::OkStatus();
        }
        distinct.insert({event.key, change.changed.entry().sequence()});
        changes.push_back(std::move(change));
        return absl::OkStatus();
      });
  REQUIRE(reader.Start().ok());
  const absl::Time until = absl::Now() + absl::Seconds(120);
  for (;;) {
    {
      std::lock_guard lock(mu);
      INFO("did not parse: " << absl::StrJoin(unparsable, ", "));
      REQUIRE(unparsable.empty());
      if (distinct.size() >= entries) break;
    }
    REQUIRE(absl::Now() < until);
    absl::SleepFor(absl::Milliseconds(200));
  }
  absl::SleepFor(absl::Seconds(1));
  reader.Stop();
  std::lock_guard lock(mu);
  INFO("did not parse: " << absl::StrJoin(unparsable, ", "));
  REQUIRE(unparsable.empty());
  return changes;
}

}  // namespace jianguan::credit
