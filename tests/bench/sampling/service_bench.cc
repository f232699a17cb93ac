// Benchmark of the sampling service around the draw: projecting a province's subject events
// into the store, approval's freeze (candidate list and inspector pool built from the
// projection, digested and stored), the draw from the frozen inputs with its tasks, history
// and events committed, and the auditors' verification package. Real RocksDB in a temp dir,
// the handlers called in-process (no gRPC, no Kafka: the consumer and gRPC paths are
// measured elsewhere). Prints figures for BENCHMARKS.md; fails only if a step fails.
// Size through the environment: JG_SAMPLING_SERVICE_BENCH_SIZE (default 1000000).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/topics.h"
#include "libs/testing/dates.h"
#include "libs/testing/process_stats.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/sampling_service.h"
#include "libs/testing/consumed_event.h"

namespace jianguan::sampling {
namespace {

using jianguan::testing::DateOf;

std::string Uscc(uint64_t n) { return testing::SeriesUscc("92330702", n); }

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

events::ConsumedEvent AsConsumed(const std::string& topic, const std::string& key,
                                 const google::protobuf::Message& message) {
  return jianguan::testing::AsConsumed(topic, key, message, "bench", 0, absl::Now());
}

TEST_CASE("sampling service: projection, freeze, draw and package over a province") {
  const char* size_env = std::getenv("JG_SAMPLING_SERVICE_BENCH_SIZE");
  const uint64_t n = size_env != nullptr ? std::strtoull(size_env, nullptr, 10) : 1000000;
  jianguan::testing::TempDir dir("jg-sampling-bench");
  auto db = store::Store::Open(
      {.path = dir.path(), .families = PlanStore::Families(), .sync_writes = false});
  REQUIRE(db.ok());
  const double rss_start = testing::ProcessStatusMiB("VmRSS");

  // 1. Subject events (70 % individual businesses, 5 Jinhua counties), 40 % graded, 30 %
  //    assessed, applied in batches of 500 as the consumer does.
  std::mt19937_64 random(2026);
  std::uniform_int_distribution<int> percent(0, 99);
  const char* regions[] = {"330702", "330703", "330723", "330782", "330783"};
  auto started = std::chrono::steady_clock::now();
  uint64_t applied = 0;
  store::UnitOfWork work;
  int in_batch = 0;
  const auto apply = [&](const events::ConsumedEvent& event, bool subject_topic) {
    absl::Status status = subject_topic ? ApplySubjectEvent(**db, event, work)
                                        : ApplyClassEvent(**db, event, work);
    REQUIRE(status.ok());
    ++applied;
    if (++in_batch == 500) {
      REQUIRE(db.value()->Commit(work).ok());
      work = store::UnitOfWork();
      in_batch = 0;
    }
  };
  for (uint64_t i = 0; i < n; ++i) {
    const std::string uscc = Uscc(i);
    subject::v1::SubjectRegistered registered;
    subject::v1::SubjectFacts& facts = *registered.mutable_facts();
    facts.set_uscc(uscc);
    facts.set_name("金华市某某商行");
    facts.set_type(percent(random) < 70 ? subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS
                                        : subject::v1::SUBJECT_TYPE_ENTERPRISE);
    facts.mutable_industry()->set_code(percent(random) < 50 ? "5221" : "6201");
    const char* region = regions[i % 5];
    facts.mutable_registration_region()->set_code(region);
    facts.mutable_business_region()->set_code(region);
    if (percent(random) < 5) facts.add_tags("key-supervision");
    facts.set_status(subject::v1::SUBJECT_STATUS_NORMAL);
    facts.set_version(1);
    apply(AsConsumed(topics::kSubject, uscc, registered), true);
    if (percent(random) < 40) {
      credit::v1::CreditGradeChanged graded;
      graded.set_uscc(uscc);
      const int g = percent(random);
      graded.set_grade(g < 60 ? credit::v1::CREDIT_GRADE_A
                              : g < 90 ? credit::v1::CREDIT_GRADE_B
                                       : g < 98 ? credit::v1::CREDIT_GRADE_C
                                                : credit::v1::CREDIT_GRADE_D);
      apply(AsConsumed(topics::kCredit, uscc, graded), false);
    }
    if (percent(random) < 30) {
      risk::v1::RiskLevelChanged assessed;
      assessed.set_uscc(uscc);
      const int r = percent(random);
      assessed.set_level(r < 70 ? risk::v1::RISK_LEVEL_LOW
                                : r < 90 ? risk::v1::RISK_LEVEL_GENERAL
                                         : r < 98 ? risk::v1::RISK_LEVEL_MEDIUM
                                                  : risk::v1::RISK_LEVEL_HIGH);
      apply(AsConsumed(topics::kRisk, uscc, assessed), false);
    }
  }
  REQUIRE(db.value()->Commit(work).ok());
  const double project_seconds = Seconds(started);

  // 2. The catalogue: two departments, 3 items, 2,000 inspectors.
  store::UnitOfWork catalogue;
  for (const char* code : {"330700-SCJG", "330700-WSJ"}) {
    catalogue::v1::DepartmentChanged changed;
    changed.mutable_department()->set_code(code);
    changed.mutable_department()->set_status(catalogue::v1::DEPARTMENT_STATUS_ACTIVE);
    changed.mutable_department()->set_version(1);
    REQUIRE(ApplyCatalogueEvent(**db, AsConsumed(topics::kCatalogue, code, changed), catalogue)
                .ok());
  }
  for (const char* code : {"JG-1", "JG-2", "JG-3"}) {
    catalogue::v1::ItemPublished item;
    item.mutable_item()->set_code(code);
    item.mutable_item()->set_version(1);
    REQUIRE(ApplyCatalogueEvent(**db, AsConsumed(topics::kCatalogue, code, item), catalogue).ok());
  }
  for (int i = 0; i < 2000; ++i) {
    catalogue::v1::InspectorRegistered registered;
    catalogue::v1::Inspector& inspector = *registered.mutable_inspector();
    char id[16];
    std::snprintf(id, sizeof id, "INS-%05d", i);
    inspector.set_id(id);
    inspector.set_name("执法员");
    const bool scjg = i % 2 == 0;
    inspector.mutable_department()->set_code(scjg ? "330700-SCJG" : "330700-WSJ");
    inspector.mutable_certificate()->set_number(std::string("ZJ-") + id);
    *inspector.mutable_certificate()->mutable_valid_from() = DateOf(2025, 1, 1);
    *inspector.mutable_certificate()->mutable_valid_until() = DateOf(2029, 12, 31);
    if (scjg) {
      inspector.add_authorised_items("JG-1");
      inspector.add_authorised_items("JG-2");
    } else {
      inspector.add_authorised_items("JG-3");
    }
    for (int c = 0; c < 5; ++c) inspector.add_conflicts(Uscc((i * 7919 + c * 104729) % n));
    inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
    REQUIRE(ApplyCatalogueEvent(**db, AsConsumed(topics::kCatalogue, id, registered), catalogue)
                .ok());
  }
  REQUIRE(db.value()->Commit(catalogue).ok());
  const double disk_projection = testing::DirectoryMiB(dir.path());
  const double rss_projection = testing::ProcessStatusMiB("VmRSS");

  // 3. A joint plan over Jinhua with the default class rules: create, approve, draw.
  SamplingService service(**db, SystemClock::Instance());
  const Caller caller{.department = "330700-SCJG", .user_id = "bench"};
  v1::CreatePlanRequest create;
  create.set_request_id("bench-create");
  v1::Plan& plan = *create.mutable_plan();
  plan.set_plan_id("2026-jh-bench");
  plan.set_title("2026年金华市部门联合双随机抽查（基准）");
  plan.set_year(2026);
  plan.mutable_initiating_department()->set_code("330700-SCJG");
  for (const auto& [department, items] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"330700-SCJG", {"JG-1", "JG-2"}}, {"330700-WSJ", {"JG-3"}}}) {
    v1::PlanDepartment* d = plan.add_departments();
    d->mutable_department()->set_code(department);
    for (const std::string& code : items) {
      v1::PlanItem* item = d->add_items();
      item->set_code(code);
      item->set_version(1);
    }
  }
  plan.mutable_target()->add_region_prefixes("3307");
  *plan.mutable_period_start() = DateOf(2026, 3, 1);
  *plan.mutable_period_end() = DateOf(2026, 9, 30);
  plan.set_max_tasks_per_inspector(static_cast<int32_t>(std::max<uint64_t>(50, n / 4000)));
  REQUIRE(service.DoCreatePlan(caller, create).ok());

  v1::PlanTransitionRequest approve;
  approve.set_request_id("bench-approve");
  approve.set_name("plans/2026-jh-bench");
  started = std::chrono::steady_clock::now();
  auto approved = service.DoApprovePlan(caller, approve);
  const double approve_seconds = Seconds(started);
  REQUIRE(approved.ok());
  const double rss_after_approve = testing::ProcessStatusMiB("VmRSS");
  const double peak_after_approve = testing::ProcessStatusMiB("VmHWM");

  v1::DrawPlanRequest draw;
  draw.set_request_id("bench-draw");
  draw.set_name("plans/2026-jh-bench");
  draw.set_entropy("福彩3D 2026061期 4 7 1");
  started = std::chrono::steady_clock::now();
  auto drawn = service.DoDrawPlan(caller, draw);
  const double draw_seconds = Seconds(started);
  REQUIRE(drawn.ok());
  const double peak_after_draw = testing::ProcessStatusMiB("VmHWM");

  started = std::chrono::steady_clock::now();
  // Streamed as ExportVerificationPackage does: pieces counted and dropped.
  size_t package_bytes = 0;
  const absl::Status package = WriteRecomputedDocument(
      PlanStore(**db), *drawn, false,
      [&](std::string_view piece) { package_bytes += piece.size(); });
  const double package_seconds = Seconds(started);
  REQUIRE(package.ok());

  std::printf(
      "subjects %llu, events applied %llu in %.1f s (%.0f events/s)\n"
      "store after projection: %.0f MiB on disk; RSS %.0f MiB (%.0f MiB at start)\n"
      "approve (freeze %lld candidates, %lld inspectors): %.2f s, RSS after %.0f MiB, "
      "peak so far %.0f MiB\n"
      "draw (%lld tasks committed with history and %lld events): %.2f s, peak so far %.0f MiB\n"
      "verification package recomputed and streamed: %.2f s, %.1f MiB; peak RSS %.0f MiB\n",
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(applied),
      project_seconds, applied / project_seconds, disk_projection, rss_projection, rss_start,
      static_cast<long long>(approved->frozen().candidate_count()),
      static_cast<long long>(approved->frozen().inspector_count()), approve_seconds,
      rss_after_approve, peak_after_approve, static_cast<long long>(drawn->draw().task_count()),
      static_cast<long long>(drawn->draw().task_count() + 1), draw_seconds, peak_after_draw,
      package_seconds,
      package_bytes / 1048576.0, testing::ProcessStatusMiB("VmHWM"));
}

}  // namespace
}  // namespace jianguan::sampling
