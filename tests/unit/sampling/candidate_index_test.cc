// The candidate index (services/sampling/candidate_index.h) against the projection it
// mirrors: after random subject and class events, some of them stale copies, committed in
// batches as the consumers commit them, an index that followed the commits and one loaded
// afterwards both hold what a scan of the projection reads, and the freeze's candidate list
// built from the index is the one the scan and the plan's filter give.
#include "services/sampling/candidate_index.h"

#include <catch2/catch.hpp>

#include <random>

#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/topics.h"
#include "libs/testing/consumed_event.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/sampling/freeze.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {
namespace {

std::string Uscc(uint64_t i) { return jianguan::testing::SeriesUscc("92330702", i); }

// What a scan of the projection says of one subject.
struct Expected {
  std::string uscc;
  v1::ProjectedSubject facts;
  CreditGrade grade;
  RiskLevel risk;
};

std::vector<Expected> ScanProjection(const store::Store& db) {
  std::vector<Expected> rows;
  REQUIRE(ProjectionReader(db)
              .ForEachSubject([&](const ProjectedRow& row) {
                rows.push_back({std::string(row.uscc), *row.facts, row.grade, row.risk});
                return true;
              })
              .ok());
  return rows;
}

void CheckMirrors(const CandidateIndex& index, const std::vector<Expected>& expected) {
  size_t at = 0;
  REQUIRE(index
              .ForEach([&](const IndexedSubject& subject) {
                REQUIRE(at < expected.size());
                const Expected& e = expected[at++];
                INFO(e.uscc);
                CHECK(UnpackUscc(subject.uscc) == e.uscc);
                CHECK(subject.facets.type == e.facts.type());
                CHECK(subject.facets.status == e.facts.status());
                CHECK(subject.facets.industry == e.facts.industry());
                CHECK(subject.facets.business_region == e.facts.business_region());
                CHECK(std::vector<std::string>(subject.facets.tags.begin(),
                                               subject.facets.tags.end()) ==
                      std::vector<std::string>(e.facts.tags().begin(), e.facts.tags().end()));
                CHECK(subject.grade == e.grade);
                CHECK(subject.risk == e.risk);
                return true;
              })
              .ok());
  CHECK(at == expected.size());
  CHECK(index.size() == expected.size());
}

// Random events over `subjects` subjects: registrations and updates with versions that go
// up and sometimes back (a stale copy the projection ignores), grades and risk levels
// before and after the facts, committed 1–40 at a time.
void ApplyRandomEvents(store::Store& db, std::mt19937_64& random, int subjects, int events) {
  const char* industries[] = {"5221", "F52", "H6210", "C1391", "F5221999"};  // the last: wide
  const char* regions[] = {"330702", "330703", "330782", "33070201"};          // the last: wide
  const char* tags[] = {"重点监管", "食品生产", "特种设备"};
  std::vector<int64_t> version(subjects, 0);
  store::UnitOfWork work;
  int in_batch = 0;
  int batch_size = 1;
  for (int e = 0; e < events; ++e) {
    const int s = static_cast<int>(random() % subjects);
    const std::string uscc = Uscc(s);
    const int kind = static_cast<int>(random() % 10);
    const int64_t v = std::max<int64_t>(1, version[s] + static_cast<int64_t>(random() % 4) - 1);
    version[s] = std::max(version[s], v);
    absl::Status applied;
    if (kind < 6) {
      subject::v1::SubjectUpdated event;
      subject::v1::SubjectFacts& facts = *event.mutable_facts();
      facts.set_uscc(uscc);
      facts.set_name("义乌小商品" + std::to_string(s));
      facts.set_type(static_cast<subject::v1::SubjectType>(1 + random() % 3));
      facts.mutable_industry()->set_code(industries[random() % 5]);
      facts.mutable_business_region()->set_code(regions[random() % 4]);
      facts.mutable_registration_region()->set_code("330702");
      for (const char* tag : tags) {
        if (random() % 3 == 0) facts.add_tags(tag);
      }
      facts.set_status(static_cast<subject::v1::SubjectStatus>(1 + random() % 6));
      facts.set_version(v);
      applied = ApplySubjectEvent(
          db, jianguan::testing::AsConsumed(topics::kSubject, uscc, event, "t", 0, absl::Now()),
          work);
    } else if (kind < 8) {
      credit::v1::CreditGradeChanged event;
      event.set_uscc(uscc);
      event.set_grade(static_cast<credit::v1::CreditGrade>(1 + random() % 4));
      event.set_version(v);
      applied = ApplyClassEvent(
          db, jianguan::testing::AsConsumed(topics::kCredit, uscc, event, "t", 0, absl::Now()),
          work);
    } else {
      risk::v1::RiskLevelChanged event;
      event.set_uscc(uscc);
      event.set_level(static_cast<risk::v1::RiskLevel>(1 + random() % 4));
      event.set_version(v);
      applied = ApplyClassEvent(
          db, jianguan::testing::AsConsumed(topics::kRisk, uscc, event, "t", 0, absl::Now()),
          work);
    }
    REQUIRE(applied.ok());
    if (++in_batch >= batch_size) {
      work.set_sync(false);
      REQUIRE(db.Commit(work).ok());
      work = store::UnitOfWork();
      in_batch = 0;
      batch_size = 1 + static_cast<int>(random() % 40);
    }
  }
  REQUIRE(db.Commit(work).ok());
}

v1::Plan PlanWithTarget(const v1::TargetFilter& target) {
  v1::Plan plan;
  plan.set_plan_id("2026-idx-001");
  *plan.mutable_target() = target;
  return plan;
}

// The candidate list as the freeze made it before the index: a scan of the projection and
// the plan's filter on each parsed subject.
CandidateProjection CandidatesByScan(const std::vector<Expected>& rows,
                                     const v1::TargetFilter& target) {
  CandidateProjection candidates;
  for (const Expected& row : rows) {
    if (!IsCandidateStatus(target, row.facts.status()) ||
        !InTargetRegion(target, row.facts.business_region())) {
      continue;
    }
    REQUIRE(candidates
                .Append(row.uscc, row.grade, row.risk,
                        {.filtered_out = !MatchesTarget(target, row.facts)})
                .ok());
  }
  return candidates;
}

TEST_CASE("the candidate index holds what the projection holds, followed or loaded") {
  jianguan::testing::TempDir dir;
  auto db = store::Store::Open(
      {.path = dir.path(), .families = PlanStore::Families(), .sync_writes = false});
  REQUIRE(db.ok());
  std::mt19937_64 random(20261205);
  ApplyRandomEvents(**db, random, 300, 600);
  const CandidateIndex followed_from_midway(**db);  // loads the first part, follows the rest
  ApplyRandomEvents(**db, random, 400, 3000);
  const CandidateIndex loaded(**db);

  const std::vector<Expected> expected = ScanProjection(**db);
  REQUIRE(expected.size() > 300);
  SECTION("subject by subject") {
    CheckMirrors(followed_from_midway, expected);
    CheckMirrors(loaded, expected);
  }
  SECTION("the freeze's candidate list is the scan's, for several targets") {
    const PlanStore plans(**db);
    std::vector<v1::TargetFilter> targets(5);
    targets[1].add_region_prefixes("330703");
    targets[1].add_region_prefixes("33070201");
    targets[2].add_statuses(subject::v1::SUBJECT_STATUS_REVOKED);
    targets[2].add_statuses(subject::v1::SUBJECT_STATUS_NORMAL);
    targets[3].add_industry_prefixes("F52");
    targets[3].add_tags("食品生产");
    targets[3].add_types(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
    targets[4].add_tags("特种设备");
    targets[4].add_tags("重点监管");
    targets[4].add_region_prefixes("3307");
    for (size_t t = 0; t < targets.size(); ++t) {
      INFO("target " << t);
      const CandidateProjection by_scan = CandidatesByScan(expected, targets[t]);
      const absl::StatusOr<CandidateProjection> by_index =
          BuildCandidates(loaded, plans, PlanWithTarget(targets[t]));
      REQUIRE(by_index.ok());
      CHECK(by_index->size() == by_scan.size());
      CHECK(by_index->CandidatesDigest() == by_scan.CandidatesDigest());
    }
  }
}

TEST_CASE("a projection row the index cannot read fails the freeze instead of being skipped") {
  jianguan::testing::TempDir dir;
  auto db = store::Store::Open(
      {.path = dir.path(), .families = PlanStore::Families(), .sync_writes = false});
  REQUIRE(db.ok());
  const CandidateIndex index(**db);
  store::UnitOfWork work;
  work.Put(kProjectionFamily, Uscc(1) + kFactsRow, "\xff\xff not a message");
  REQUIRE((*db)->Commit(work).ok());
  const absl::Status followed = index.ForEach([](const IndexedSubject&) { return true; });
  CHECK(followed.code() == absl::StatusCode::kDataLoss);
  const CandidateIndex loaded(**db);
  CHECK(loaded.ForEach([](const IndexedSubject&) { return true; }).code() ==
        absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace jianguan::sampling
