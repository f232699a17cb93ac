// PublishAnnualReport served in-process over a real RocksDB, and the clock batches run against
// the same store with a fake clock: validation naming fields, ALREADY_EXISTS, the late flag,
// the event with its figures hidden, request_id replay; the removal of a listing for a missing
// report; the 1 July listing cut short after two chunks (a crash between commits) and taken
// up by a new runner, changing each subject once; the daily expiry with its warning, its
// move, and the one-time backfill of the listing-day index.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/records.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/uscc.h"
#include "libs/server/grpc_server.h"
#include "libs/testing/dates.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/field_names.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/temp_dir.h"
#include "tests/unit/subject-registry/registry_server.h"
#include "services/subject-registry/clock_batches.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"

namespace jianguan::subject {
namespace {

using testing::DateOf;

using testing_support::DataRoot;

absl::Time Beijing(int y, int m, int d, int hh = 9) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), BeijingTime());
}

// A valid code of authority 9 and `type` ('1' enterprise, '2' individual, '3' cooperative).
std::string MakeUscc(char type, int n) {
  std::string first17 = absl::StrCat("9", std::string(1, type), "330782", absl::StrFormat("MA%07d", n));
  return first17 + UsccCheckCharacter(first17);
}

v1::Subject MakeSubject(int n, v1::SubjectType type, common::v1::Date established) {
  v1::Subject s;
  const char code = type == v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS   ? '2'
                    : type == v1::SUBJECT_TYPE_FARMERS_COOPERATIVE ? '3'
                                                                   : '1';
  s.set_uscc(MakeUscc(code, n));
  s.set_name(absl::StrCat("义乌市年报", n, "号"));
  s.set_type(type);
  s.mutable_legal_representative()->set_name("王小明");
  *s.mutable_established_on() = established;
  s.mutable_industry()->set_code("5212");
  s.mutable_registration_region()->set_code("330782");
  return s;
}

v1::AnnualReport Report(int year) {
  v1::AnnualReport r;
  r.set_year(year);
  r.set_operating_state(v1::OPERATING_STATE_OPERATING);
  r.set_postal_code("322000");
  r.set_employees(7);
  r.mutable_revenue()->set_fen(5'000'000);
  r.mutable_tax_paid()->set_fen(120'000);
  r.add_websites("https://shop.example.cn");
  return r;
}

struct Registry : testing_support::RegistryServer {
  SubjectRules rules{regions, industries};
  Registry() : RegistryServer(Beijing(2026, 6, 20), "jg-subject-reports") {}

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-jg-department", "330782-SCJG");
    return context;
  }
  void Register(const v1::Subject& s) {
    v1::RegisterSubjectRequest request;
    request.set_request_id("reg-" + s.uscc());
    *request.mutable_subject() = s;
    v1::RegisterSubjectResponse out;
    const grpc::Status status = stub->RegisterSubject(Context().get(), request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  grpc::Status Publish(const std::string& uscc, const v1::AnnualReport& report,
                       v1::PublishAnnualReportResponse* out, std::string request_id = "") {
    v1::PublishAnnualReportRequest request;
    request.set_request_id(request_id.empty() ? absl::StrCat("ar-", uscc, "-", report.year())
                                              : request_id);
    request.set_uscc(uscc);
    *request.mutable_report() = report;
    return stub->PublishAnnualReport(Context().get(), request, out);
  }
  grpc::Status Change(const std::string& uscc, v1::StatusAction action, v1::AbnormalReason reason,
                      const std::string& request_id) {
    v1::ChangeSubjectStatusRequest request;
    request.set_request_id(request_id);
    request.set_uscc(uscc);
    request.set_action(action);
    request.set_reason(reason);
    v1::ChangeSubjectStatusResponse out;
    return stub->ChangeSubjectStatus(Context().get(), request, &out);
  }
  v1::Subject Get(const std::string& uscc) {
    v1::GetSubjectRequest request;
    request.set_uscc(uscc);
    v1::Subject out;
    REQUIRE(stub->GetSubject(Context().get(), request, &out).ok());
    return out;
  }
  std::vector<common::v1::OutboxEvent> Outbox() {
    auto events = store->ReadOutbox(0, 100000);
    REQUIRE(events.ok());
    return *events;
  }
  // Outbox events of `type` by key.
  std::map<std::string, int> EventsByKey(const std::string& type) {
    std::map<std::string, int> by_key;
    for (const auto& e : Outbox()) {
      if (e.type() == type) ++by_key[e.key()];
    }
    return by_key;
  }
  double ClockCount(const std::string& rule, const std::string& outcome) {
    return testing::SampleOf(metrics_registry, "jianguan_registry_clock_subjects_total",
                             {{"rule", rule}, {"outcome", outcome}})
        .value;
  }
};

SCENARIO("PublishAnnualReport refuses bad reports naming every field, writing nothing") {
  Registry r;
  const v1::Subject s = MakeSubject(1, v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2020, 4, 1));
  r.Register(s);
  const size_t events = r.Outbox().size();
  v1::AnnualReport bad = Report(2026);
  bad.set_operating_state(static_cast<v1::OperatingState>(42));
  bad.set_postal_code("3220");
  bad.mutable_revenue()->set_fen(-1);
  bad.add_websites("https://shop.example.cn");
  v1::PublishAnnualReportResponse out;
  const grpc::Status refused = r.Publish(s.uscc(), bad, &out);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(refused) ==
        std::set<std::string>{"report.year", "report.operating_state", "report.postal_code",
                              "report.revenue.fen", "report.websites[1]"});
  v1::PublishAnnualReportRequest no_report;
  no_report.set_request_id("none");
  no_report.set_uscc("not-a-uscc");
  CHECK(testing::FieldNames(r.stub->PublishAnnualReport(Registry::Context().get(), no_report, &out)) ==
        std::set<std::string>{"uscc", "report"});
  // Before the year of establishment: known only once the subject is read.
  const grpc::Status early = r.Publish(s.uscc(), Report(2019), &out);
  CHECK(early.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(early) == std::set<std::string>{"report.year"});
  CHECK(r.Publish(MakeUscc('1', 99), Report(2025), &out).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(r.Outbox().size() == events);
  CHECK(r.Get(s.uscc()).version() == 1);
}

SCENARIO("a report is published once, with its event and timeline entry, late after 30 June") {
  Registry r;
  const v1::Subject s = MakeSubject(2, v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS, DateOf(2019, 1, 1));
  r.Register(s);
  r.clock.Advance(absl::Minutes(1));  // the timeline is newest first, by time
  v1::PublishAnnualReportResponse published;
  REQUIRE(r.Publish(s.uscc(), Report(2025), &published).ok());
  CHECK(published.version() == 2);
  CHECK_FALSE(published.report().late());
  CHECK(DayOf(published.report().published_on()) == absl::CivilDay(2026, 6, 20));
  CHECK(published.report().employees() == 7);  // the publisher sees what it sent
  CHECK(r.Get(s.uscc()).last_report_year() == 2025);

  const auto events = r.Outbox();
  REQUIRE(events.back().type() == "jianguan.subject.v1.AnnualReportPublished");
  CHECK(events.back().key() == s.uscc());
  v1::AnnualReportPublished event;
  REQUIRE(event.ParseFromString(events.back().payload()));
  CHECK(event.report().year() == 2025);
  CHECK(event.report().employees() == 0);  // figures not public
  CHECK_FALSE(event.report().has_revenue());
  CHECK_FALSE(event.report().has_tax_paid());
  CHECK(event.report().postal_code() == "322000");
  CHECK(event.facts().version() == 2);

  v1::GetSubjectProfileRequest profile_request;
  profile_request.set_uscc(s.uscc());
  v1::GetSubjectProfileResponse profile;
  REQUIRE(r.stub->GetSubjectProfile(Registry::Context().get(), profile_request, &profile).ok());
  REQUIRE(profile.timeline_size() == 2);
  CHECK(profile.timeline(0).type() == "jianguan.subject.v1.AnnualReportPublished");
  CHECK_THAT(profile.timeline(0).summary(), Catch::Contains("2025"));

  WHEN("the same request is sent again") {
    v1::PublishAnnualReportResponse again;
    REQUIRE(r.Publish(s.uscc(), Report(2025), &again).ok());
    THEN("it is answered as before, nothing written") {
      CHECK(again.SerializeAsString() == published.SerializeAsString());
      CHECK(r.Outbox().size() == events.size());
    }
  }
  WHEN("the year is published again under another request_id") {
    v1::PublishAnnualReportResponse again;
    const grpc::Status twice = r.Publish(s.uscc(), Report(2025), &again, "another");
    THEN("ALREADY_EXISTS, nothing written") {
      CHECK(twice.error_code() == grpc::StatusCode::ALREADY_EXISTS);
      CHECK(r.Outbox().size() == events.size());
      CHECK(r.Get(s.uscc()).version() == 2);
    }
  }
  WHEN("an earlier year is published after 30 June of the year after it") {
    r.clock.Set(Beijing(2026, 7, 2));
    v1::AnnualReport old = Report(2024);
    old.set_figures_public(true);
    v1::PublishAnnualReportResponse late;
    REQUIRE(r.Publish(s.uscc(), old, &late).ok());
    THEN("it is late, and last_report_year stays 2025") {
      CHECK(late.report().late());
      CHECK(r.Get(s.uscc()).last_report_year() == 2025);
      v1::AnnualReportPublished shown;
      REQUIRE(shown.ParseFromString(r.Outbox().back().payload()));
      CHECK(shown.report().employees() == 7);  // public this time
      CHECK(shown.report().late());
    }
  }
}

SCENARIO("the 1 July listing, cut short by a crash, resumes and changes each subject once") {
  Registry r;
  // 12 due (4 of each reporting type), 3 reported, 2 established in 2026, 2 that publish no
  // report, 1 already on the list: 20 subjects, 7 chunks of 3.
  std::set<std::string> due, reported;
  int n = 0;
  for (auto type : {v1::SUBJECT_TYPE_ENTERPRISE, v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS,
                    v1::SUBJECT_TYPE_FARMERS_COOPERATIVE}) {
    for (int i = 0; i < 4; ++i) {
      const v1::Subject s = MakeSubject(++n, type, DateOf(2020 + i, 12, 31));
      r.Register(s);
      due.insert(s.uscc());
    }
    const v1::Subject done = MakeSubject(++n, type, DateOf(2021, 6, 1));
    r.Register(done);
    v1::PublishAnnualReportResponse out;
    REQUIRE(r.Publish(done.uscc(), Report(2025), &out).ok());
    reported.insert(done.uscc());
  }
  for (int i = 0; i < 2; ++i) r.Register(MakeSubject(++n, v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2026, 1, 1 + i)));
  for (auto type : {v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON, v1::SUBJECT_TYPE_PUBLIC_INSTITUTION}) {
    v1::Subject s = MakeSubject(++n, type, DateOf(2015, 1, 1));
    std::string first17 = absl::StrCat("12330782", absl::StrFormat("MB%07d", n));
    s.set_uscc(first17 + UsccCheckCharacter(first17));  // authority 1: no type position check
    r.Register(s);
  }
  const v1::Subject listed = MakeSubject(++n, v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2015, 1, 1));
  r.Register(listed);
  REQUIRE(r.Change(listed.uscc(), v1::STATUS_ACTION_LIST_ABNORMAL,
                   v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS, "list-1").ok());
  REQUIRE(n == 20);

  GIVEN("30 June: nothing is due yet") {
    r.clock.Set(Beijing(2026, 6, 30, 23));
    ClockBatches batches(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 3});
    REQUIRE(batches.RunDue().ok());
    CHECK(r.EventsByKey("jianguan.subject.v1.SubjectStatusChanged").size() == 1);  // the manual one
  }

  r.clock.Set(Beijing(2026, 7, 1, 8));
  {
    ClockBatches first(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 3});
    REQUIRE(first.RunDue(2).ok());  // two chunks committed, then the process "dies"
  }
  auto run = r.store->GetMessage<v1::ClockRun>(kClockRunsFamily, "annual_report_listing");
  REQUIRE(run.ok());
  REQUIRE(run->has_value());
  CHECK((*run)->examined() == 6);
  CHECK_FALSE((*run)->completed());
  const double listed_before = r.ClockCount("annual_report_listing", "listed");
  CHECK(listed_before > 0);

  r.clock.Set(Beijing(2026, 7, 2, 8));  // taken up the next day
  ClockBatches second(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 3});
  REQUIRE(second.RunDue().ok());

  THEN("exactly the due subjects are listed, each once, for 2025, dated the run's day") {
    std::set<std::string> abnormal;
    for (const auto& [key, count] : r.EventsByKey("jianguan.subject.v1.SubjectStatusChanged")) {
      CHECK(count == 1);
      if (key != listed.uscc()) abnormal.insert(key);
    }
    CHECK(abnormal == due);
    for (const std::string& uscc : due) {
      const v1::Subject s = r.Get(uscc);
      CHECK(s.status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
      CHECK(s.abnormal_reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
      CHECK(s.unreported_year() == 2025);
      CHECK(DayOf(s.abnormal_listed_on()) == absl::CivilDay(2026, 7, 1));
      CHECK(s.status_history_size() == 1);
    }
    for (const std::string& uscc : reported) CHECK(r.Get(uscc).status() == v1::SUBJECT_STATUS_NORMAL);
  }
  THEN("one ClockBatchCompleted counts it all, with the resume") {
    int completions = 0;
    v1::ClockBatchCompleted event;
    for (const auto& e : r.Outbox()) {
      if (e.type() != "jianguan.subject.v1.ClockBatchCompleted") continue;
      // The daily expiry ran too, on 2 July, and found nothing due.
      if (e.key() == "clock/abnormal_list_expiry/2026-07-02") continue;
      ++completions;
      CHECK(e.key() == "clock/annual_report_listing/2026-07-01");
      REQUIRE(event.ParseFromString(e.payload()));
    }
    REQUIRE(completions == 1);
    CHECK(event.rule() == v1::CLOCK_RULE_ANNUAL_REPORT_LISTING);
    CHECK(event.report_year() == 2025);
    CHECK(event.examined() == 20);
    CHECK(event.resumed() == 1);
    CHECK(event.counts().at("listed") == 12);
    CHECK(event.counts().at("reported") == 3);
    CHECK(event.counts().at("established-after-year") == 2);
    CHECK(event.counts().at("not-reporting-type") == 2);
    CHECK(event.counts().at("already-listed") == 1);
    CHECK(r.ClockCount("annual_report_listing", "listed") == 12);
    CHECK(testing::SampleOf(r.metrics_registry, "jianguan_registry_clock_batches_resumed_total",
                            {{"rule", "annual_report_listing"}})
              .value == 1);
    CHECK(testing::SampleOf(r.metrics_registry,
                            "jianguan_registry_clock_last_completed_timestamp_seconds",
                            {{"rule", "annual_report_listing"}})
              .value == absl::ToUnixSeconds(Beijing(2026, 7, 2, 8)));
  }
  THEN("a completed run is not run again, this year") {
    const size_t events = r.Outbox().size();
    r.clock.Set(Beijing(2026, 12, 31, 23));
    ClockBatches third(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 3});
    REQUIRE(third.RunDue().ok());
    CHECK(r.EventsByKey("jianguan.subject.v1.SubjectStatusChanged").size() == due.size() + 1);
    // Only the daily expiry's own completion was added.
    size_t listings = 0;
    for (const auto& e : r.Outbox()) listings += e.key().starts_with("clock/annual_report_listing/");
    CHECK(listings == 1);
    CHECK(r.Outbox().size() > events);
  }
  THEN("removal on request needs the missing report, then succeeds") {
    const std::string uscc = *due.begin();
    const grpc::Status refused = r.Change(uscc, v1::STATUS_ACTION_REMOVE_ABNORMAL,
                                          v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED, "rm-1");
    CHECK(refused.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK_THAT(refused.error_message(), Catch::Contains("unreported_year"));
    v1::PublishAnnualReportResponse out;
    REQUIRE(r.Publish(uscc, Report(2025), &out).ok());
    CHECK(out.report().late());
    REQUIRE(r.Change(uscc, v1::STATUS_ACTION_REMOVE_ABNORMAL,
                     v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED, "rm-2").ok());
    const v1::Subject after = r.Get(uscc);
    CHECK(after.status() == v1::SUBJECT_STATUS_NORMAL);
    CHECK(after.unreported_year() == 0);
    CHECK_FALSE(after.has_abnormal_listed_on());
  }
}

SCENARIO("the daily expiry warns at 3 years − 60 days and moves at 3 years, each subject once") {
  Registry r;
  r.clock.Set(Beijing(2023, 3, 1));
  std::vector<std::string> usccs;
  for (int i = 1; i <= 5; ++i) {
    const v1::Subject s = MakeSubject(i, v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2018, 1, 1));
    r.Register(s);
    REQUIRE(r.Change(s.uscc(), v1::STATUS_ACTION_LIST_ABNORMAL,
                     v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS, "l-" + s.uscc()).ok());
    usccs.push_back(s.uscc());
  }
  // Listed later: not due when the others are.
  r.clock.Set(Beijing(2024, 2, 29));
  const v1::Subject later = MakeSubject(9, v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2018, 1, 1));
  r.Register(later);
  REQUIRE(r.Change(later.uscc(), v1::STATUS_ACTION_LIST_ABNORMAL,
                   v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS, "l-later").ok());

  // A store written before the listing day was kept: the first subject has neither the field
  // nor its index entry, as such a store would hold it.
  {
    auto stored = SubjectStore(*r.store, r.rules).Find(usccs[0]);
    REQUIRE(stored.ok());
    v1::Subject legacy = (*stored)->subject;
    legacy.clear_abnormal_listed_on();
    store::UnitOfWork work;
    work.Put(kSubjectsFamily, legacy.uscc(), legacy.SerializeAsString());
    work.Delete(kIndexFamily, SubjectStore::ListingIndexKey(absl::CivilDay(2023, 3, 1), legacy.uscc()));
    REQUIRE(r.store->Commit(work).ok());
  }
  const auto index_entry = [&] {
    auto v = r.store->Get(kIndexFamily, SubjectStore::ListingIndexKey(absl::CivilDay(2023, 3, 1), usccs[0]));
    REQUIRE(v.ok());
    return v->has_value();
  };
  REQUIRE_FALSE(index_entry());
  {
    ClockBatches batches(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 2});
    REQUIRE(batches.BackfillListingIndex().ok());
  }
  REQUIRE(index_entry());
  {
    // Once per store: with the entry taken away again, a second backfill (the next start)
    // finds its marker and writes nothing.
    store::UnitOfWork work;
    work.Delete(kIndexFamily, SubjectStore::ListingIndexKey(absl::CivilDay(2023, 3, 1), usccs[0]));
    REQUIRE(r.store->Commit(work).ok());
    ClockBatches batches(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 2});
    REQUIRE(batches.BackfillListingIndex().ok());
    CHECK_FALSE(index_entry());
    store::UnitOfWork restore;
    restore.Put(kIndexFamily, SubjectStore::ListingIndexKey(absl::CivilDay(2023, 3, 1), usccs[0]), "");
    REQUIRE(r.store->Commit(restore).ok());
  }

  const auto run_on = [&](absl::Time when, int max_chunks = -1) {
    r.clock.Set(when);
    ClockBatches batches(*r.store, r.rules, r.clock, &r.metrics, {.batch_size = 2});
    REQUIRE(batches.RunDue(max_chunks).ok());
  };
  run_on(Beijing(2025, 12, 30));
  CHECK(r.EventsByKey("jianguan.subject.v1.SeriousViolationWarning").empty());

  run_on(Beijing(2026, 1, 2), 1);  // one chunk of the warnings, then a crash
  run_on(Beijing(2026, 1, 2, 10));
  run_on(Beijing(2026, 1, 3));     // the next day: already warned
  const auto warnings = r.EventsByKey("jianguan.subject.v1.SeriousViolationWarning");
  CHECK(warnings.size() == usccs.size());
  for (const std::string& uscc : usccs) {
    CHECK(warnings.count(uscc) == 1);
    const v1::Subject s = r.Get(uscc);
    CHECK(DayOf(s.serious_violation_warned_on()) == absl::CivilDay(2026, 1, 2));
    CHECK(DayOf(s.abnormal_listed_on()) == absl::CivilDay(2023, 3, 1));  // the legacy one too
  }
  CHECK(warnings.count(later.uscc()) == 0);
  CHECK(r.ClockCount("abnormal_list_expiry", "already-warned") == usccs.size());

  // The service was down over the third anniversary: caught up the day after.
  run_on(Beijing(2026, 3, 2), 2);
  run_on(Beijing(2026, 3, 2, 11));
  const auto changes = r.EventsByKey("jianguan.subject.v1.SubjectStatusChanged");
  for (const std::string& uscc : usccs) {
    CHECK(changes.at(uscc) == 2);  // listed by the department, moved by the clock
    const v1::Subject s = r.Get(uscc);
    CHECK(s.status() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
    CHECK(s.status_history(1).note() == "列入经营异常名录届满3年仍未移出");
    CHECK_FALSE(s.has_abnormal_listed_on());
  }
  CHECK(changes.at(later.uscc()) == 1);
  CHECK(r.Get(later.uscc()).status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
  CHECK(r.ClockCount("abnormal_list_expiry", "moved") == usccs.size());
  // Moved subjects leave the listing-day index with the list.
  auto left = r.store->Scan(kIndexFamily, kListingIndexPrefix, 100, "");
  REQUIRE(left.ok());
  REQUIRE(left->entries.size() == 1);
  CHECK(left->entries[0].key == SubjectStore::ListingIndexKey(absl::CivilDay(2024, 2, 29), later.uscc()));

  // The leap-day listing moves on 28 February 2027, the month's last day (民法典 第二百零二条),
  // warned 60 days before (30 December 2026).
  run_on(Beijing(2026, 12, 29));
  CHECK(r.EventsByKey("jianguan.subject.v1.SeriousViolationWarning").count(later.uscc()) == 0);
  run_on(Beijing(2026, 12, 30));
  CHECK(r.EventsByKey("jianguan.subject.v1.SeriousViolationWarning").count(later.uscc()) == 1);
  run_on(Beijing(2027, 1, 1));
  CHECK(r.EventsByKey("jianguan.subject.v1.SeriousViolationWarning").count(later.uscc()) == 1);
  run_on(Beijing(2027, 2, 27));
  CHECK(r.Get(later.uscc()).status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
  run_on(Beijing(2027, 2, 28));
  CHECK(r.Get(later.uscc()).status() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
}

}  // namespace
}  // namespace jianguan::subject
