// The real subject-registry binary on the real broker, its clock moved through
// --fake_clock_file (with JG_INSECURE_DEV=1), killed with kill -9 in the middle of a clock
// batch and restarted:
//   (a) on 1 July 2026 exactly the subjects without their 2025 report (of the types that
//       report, established by the end of 2025, not already listed) are listed abnormal,
//       each with one status change and one SubjectStatusChanged on Kafka, and one
//       ClockBatchCompleted says so, with the resume counted;
//   (b) subjects listed on 1 March 2023 are warned on 31 December 2025 and moved to the
//       serious violation list on 1 March 2026, each warned once and moved once.
// Size: JG_REGISTRY_CLOCK_SUBJECTS subjects in (a), a third of them in (b) (default 600).
#include <stdlib.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/events/event.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/topics.h"
#include "libs/testing/dates.h"
#include "libs/testing/kafka.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan::subject {
namespace {

using testing::DateOf;

constexpr char kDepartment[] = "330782-SCJG";

int SubjectCount() {
  const char* size = std::getenv("JG_REGISTRY_CLOCK_SUBJECTS");
  return size != nullptr && std::atoi(size) > 0 ? std::atoi(size) : 600;
}

// Moves the binary's clock: the instant is written to a temporary file renamed over the
// clock file, so the binary never reads half of it.
void SetClock(const std::string& path, const std::string& rfc3339) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << rfc3339 << "\n";
  }
  REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", kDepartment);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

// The registry started as the test needs it: development mode, a fake clock, small chunks
// and quick ticks.
std::unique_ptr<testing::ServiceBinary> StartRegistry(const std::string& data_dir,
                                                      const std::string& clock_file) {
  setenv("JG_INSECURE_DEV", "1", 1);
  return std::make_unique<testing::ServiceBinary>(
      JG_SUBJECT_REGISTRY, data_dir,
      std::vector<std::string>{"--fake_clock_file", clock_file, "--clock_batch_size", "10",
                               "--clock_rules_every", "200ms", "--log_level", "warning"});
}

// Every subject-registry event read from Kafka since the test began.
struct SubjectTopic {
  std::unique_ptr<events::TopicReader> reader;
  std::vector<events::ConsumedEvent> seen;

  SubjectTopic() {
    const std::string brokers = testing::KafkaBrokers();
    REQUIRE(events::CreateTopics(brokers, {topics::kSubject}, 6).ok());
    auto opened = events::TopicReader::Open(brokers, topics::kSubject, events::TopicReader::From::kEnd);
    REQUIRE(opened.ok());
    reader = std::move(*opened);
    reader->Next(absl::Seconds(2));  // takes its partitions at their end
  }
  // Reads until `done()` or `within` passed; false on timeout.
  template <typename Done>
  bool ReadUntil(Done done, absl::Duration within) {
    const absl::Time deadline = absl::Now() + within;
    while (!done()) {
      if (absl::Now() > deadline) return false;
      if (auto event = reader->Next(absl::Milliseconds(500))) seen.push_back(std::move(*event));
    }
    return true;
  }
  // Reads what arrives within `quiet` (late extra events would show now).
  void Drain(absl::Duration quiet) {
    for (auto& event : reader->ReadAtLeast(1'000'000, quiet)) seen.push_back(std::move(event));
  }
  // The distinct events (by ce_id: a relay may publish one again after a kill) of `type`
  // about each of `subjects`, keyed by subject.
  std::map<std::string, std::set<std::string>> Distinct(const std::string& type,
                                                        const std::set<std::string>& subjects) const {
    std::map<std::string, std::set<std::string>> ids;
    for (const auto& event : seen) {
      if (event.type() == type && subjects.count(std::string(event.subject()))) {
        ids[std::string(event.subject())].insert(std::string(event.id()));
      }
    }
    return ids;
  }
  // The ClockBatchCompleted events keyed `key` published by `producer` (distinct by ce_id).
  std::vector<v1::ClockBatchCompleted> Completed(const std::string& key,
                                                 const std::string& producer) const {
    std::vector<v1::ClockBatchCompleted> found;
    std::set<std::string> ids;
    for (const auto& event : seen) {
      if (event.type() != "jianguan.subject.v1.ClockBatchCompleted" || event.key != key ||
          event.Header(events::header::kProducer).value_or("") != producer ||
          !ids.insert(std::string(event.id())).second) {
        continue;
      }
      auto decoded = events::Decode<v1::ClockBatchCompleted>(event);
      REQUIRE(decoded.ok());
      found.push_back(*decoded);
    }
    return found;
  }
  // The jg_producer of our store: that of the first event about one of `subjects`.
  std::string ProducerOf(const std::set<std::string>& subjects) const {
    for (const auto& event : seen) {
      if (subjects.count(std::string(event.subject()))) {
        return std::string(event.Header(events::header::kProducer).value_or(""));
      }
    }
    return "";
  }
};

// The sum over outcomes of the clock counter of `rule` (0 when absent).
double ClockProgress(const testing::ServiceBinary& registry, const std::string& rule,
                     const std::string& outcome = "") {
  std::vector<std::string> labels = {absl::StrCat("rule=\"", rule, "\"")};
  if (!outcome.empty()) labels.push_back(absl::StrCat("outcome=\"", outcome, "\""));
  double total = 0;
  for (double v : testing::SampleValues(registry.Metrics(), "jianguan_registry_clock_subjects_total", labels)) {
    total += v;
  }
  return total;
}

// Polls the metric until the batch has committed a chunk, then kills the binary. True when
// the kill fell in the middle of the batch; false, with a WARN rather than a failure, when
// the batch had already finished.
bool KillMidway(testing::ServiceBinary& registry, const std::string& rule,
                const std::string& outcome, double total) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  double progress = 0;
  while ((progress = ClockProgress(registry, rule, outcome)) <= 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(2));
  }
  registry.Kill9();
  if (progress >= total) {
    WARN("the " << rule << " batch finished (" << progress << " of " << total
                << ") before the kill: the resume was not exercised this time");
    return false;
  }
  WARN("killed the registry with " << progress << " of " << total << " of the " << rule
                                   << " batch done");
  return true;
}

// A stub to the restarted registry once it answers a call. gRPC shares connections between
// channels to one address, and the one to the killed process may not be known dead yet: the
// first call on it fails with UNAVAILABLE ("Socket closed") and makes it reconnect.
std::unique_ptr<v1::SubjectRegistry::Stub> AnsweringStub(const testing::ServiceBinary& registry) {
  auto stub = v1::SubjectRegistry::NewStub(registry.channel());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (;;) {
    v1::GetSubjectRequest request;
    request.set_uscc(testing::SeriesUscc("91330782", 0));
    v1::Subject out;
    const grpc::Status status = stub->GetSubject(Context().get(), request, &out);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return stub;
    INFO(status.error_message());
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(100));
  }
}

void Import(v1::SubjectRegistry::Stub& stub, const std::vector<v1::Subject>& subjects) {
  grpc::ClientContext context;
  context.AddMetadata("x-jg-department", kDepartment);
  auto stream = stub.ImportSubjects(&context);
  constexpr size_t kBatch = 500;
  for (size_t from = 0; from < subjects.size(); from += kBatch) {
    v1::ImportSubjectsRequest request;
    for (size_t i = from; i < std::min(subjects.size(), from + kBatch); ++i) {
      v1::ImportRow* row = request.add_rows();
      row->set_row_number(static_cast<int64_t>(i) + 1);
      *row->mutable_subject() = subjects[i];
    }
    REQUIRE(stream->Write(request));
    v1::ImportSubjectsResponse answer;
    REQUIRE(stream->Read(&answer));
    INFO(answer.DebugString());
    REQUIRE(answer.accepted() == request.rows_size());
  }
  stream->WritesDone();
  REQUIRE(stream->Finish().ok());
}

v1::Subject MakeSubject(const std::string& uscc, v1::SubjectType type, common::v1::Date established) {
  v1::Subject s;
  s.set_uscc(uscc);
  s.set_name(absl::StrCat("义乌市定时", uscc.substr(10)));
  s.set_type(type);
  s.mutable_legal_representative()->set_name("李四");
  *s.mutable_established_on() = established;
  s.mutable_industry()->set_code("5212");
  s.mutable_registration_region()->set_code("330782");
  return s;
}

void ChangeStatus(v1::SubjectRegistry::Stub& stub, const std::string& uscc,
                  v1::StatusAction action, v1::AbnormalReason reason) {
  v1::ChangeSubjectStatusRequest request;
  request.set_request_id(absl::StrCat("st-", uscc, "-", action));
  request.set_uscc(uscc);
  request.set_action(action);
  request.set_reason(reason);
  v1::ChangeSubjectStatusResponse out;
  const grpc::Status status = stub.ChangeSubjectStatus(Context().get(), request, &out);
  INFO(status.error_message());
  REQUIRE(status.ok());
}

// The subjects of `status` among `ours`, from an export.
std::map<std::string, v1::Subject> Export(v1::SubjectRegistry::Stub& stub, v1::SubjectStatus status,
                                          const std::set<std::string>& ours) {
  v1::ExportSubjectsRequest request;
  request.mutable_filter()->set_status(status);
  auto context = Context();
  auto reader = stub.ExportSubjects(context.get(), request);
  std::map<std::string, v1::Subject> found;
  v1::ExportSubjectsResponse batch;
  while (reader->Read(&batch)) {
    for (const auto& s : batch.subjects()) {
      if (ours.count(s.uscc())) found[s.uscc()] = s;
    }
  }
  const grpc::Status finished = reader->Finish();
  INFO(finished.error_message());
  REQUIRE(finished.ok());
  return found;
}

SCENARIO("on 1 July the registry lists every subject without last year's report, once, "
         "through a kill -9") {
  testing::TempDir dir("jg-registry-clock");
  const std::string clock = dir.Sub("clock");
  SetClock(clock, "2026-06-20T10:00:00+08:00");
  SubjectTopic topic;
  auto registry = StartRegistry(dir.Sub("registry"), clock);
  auto stub = v1::SubjectRegistry::NewStub(registry->channel());

  // Codes no other run uses, in four kinds of subjects.
  const int n = SubjectCount();
  const uint64_t base = std::random_device{}() % 100'000'000'000ULL;
  std::vector<v1::Subject> subjects;
  std::set<std::string> ours, due, reported, already_listed;
  for (int i = 0; i < n; ++i) {
    const int kind = i % 10;
    const v1::SubjectType type = kind == 1   ? v1::SUBJECT_TYPE_PUBLIC_INSTITUTION
                                 : kind == 3 ? v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS
                                 : kind == 5 ? v1::SUBJECT_TYPE_FARMERS_COOPERATIVE
                                             : v1::SUBJECT_TYPE_ENTERPRISE;
    const std::string prefix = kind == 1 ? "12330782" : kind == 3 ? "92330782" : kind == 5 ? "93330782" : "91330782";
    const bool new_in_2026 = kind == 2;
    const v1::Subject s = MakeSubject(testing::SeriesUscc(prefix, base + i), type,
                                      new_in_2026 ? DateOf(2026, 1, 15) : DateOf(2015 + i % 10, 5, 20));
    subjects.push_back(s);
    ours.insert(s.uscc());
    if (kind == 1 || new_in_2026) continue;  // nothing due of them
    if (i % 4 == 0) {
      reported.insert(s.uscc());
    } else if (i % 25 == 7) {
      already_listed.insert(s.uscc());
    } else {
      due.insert(s.uscc());
    }
  }
  Import(*stub, subjects);
  for (const std::string& uscc : reported) {
    v1::PublishAnnualReportRequest request;
    request.set_request_id("ar-" + uscc);
    request.set_uscc(uscc);
    v1::AnnualReport* report = request.mutable_report();
    report->set_year(2025);
    report->set_operating_state(v1::OPERATING_STATE_OPERATING);
    report->set_postal_code("322000");
    v1::PublishAnnualReportResponse out;
    const grpc::Status status = stub->PublishAnnualReport(Context().get(), request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  for (const std::string& uscc : already_listed) {
    ChangeStatus(*stub, uscc, v1::STATUS_ACTION_LIST_ABNORMAL, v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
  }
  // Nothing is listed before 1 July.
  absl::SleepFor(absl::Milliseconds(600));
  CHECK(ClockProgress(*registry, "annual_report_listing") == 0);

  SetClock(clock, "2026-07-01T08:00:00+08:00");
  const bool midway = KillMidway(*registry, "annual_report_listing", "", n);
  stub.reset();
  registry->Restart();
  stub = AnsweringStub(*registry);

  // Wait for the completion, then for every listing (other partitions may lag behind).
  std::string producer;
  std::vector<v1::ClockBatchCompleted> completed;
  REQUIRE(topic.ReadUntil(
      [&] {
        if (producer.empty()) producer = topic.ProducerOf(ours);
        if (producer.empty()) return false;
        completed = topic.Completed("clock/annual_report_listing/2026-07-01", producer);
        return !completed.empty() &&
               topic.Distinct("jianguan.subject.v1.SubjectStatusChanged", due).size() >= due.size();
      },
      absl::Seconds(90)));
  topic.Drain(absl::Seconds(2));

  // Plain blocks, not sections: Catch would run the whole scenario again for each section.
  {  // exactly the due subjects are abnormal for their annual report, with one change each
    const auto abnormal = Export(*stub, v1::SUBJECT_STATUS_ABNORMAL_OPERATION, ours);
    std::set<std::string> for_report;
    for (const auto& [uscc, s] : abnormal) {
      if (s.abnormal_reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED) {
        for_report.insert(uscc);
        CHECK(s.status_history_size() == 1);
        CHECK(s.unreported_year() == 2025);
        CHECK(s.status_history(0).note() == "未按规定报送2025年度报告");
      }
    }
    CHECK(for_report == due);
    for (const std::string& uscc : already_listed) {
      REQUIRE(abnormal.count(uscc) == 1);
      CHECK(abnormal.at(uscc).abnormal_reason() == v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
      CHECK(abnormal.at(uscc).status_history_size() == 1);
    }
  }
  {  // Kafka: one SubjectStatusChanged per listed subject and one ClockBatchCompleted
    std::set<std::string> changed_by_clock = due;
    const auto changes = topic.Distinct("jianguan.subject.v1.SubjectStatusChanged", changed_by_clock);
    CHECK(changes.size() == due.size());
    for (const auto& [uscc, ids] : changes) {
      INFO(uscc);
      CHECK(ids.size() == 1);
    }
    // No other subject of ours changed status after the manual listings.
    std::set<std::string> others;
    for (const std::string& uscc : ours) {
      if (!due.count(uscc) && !already_listed.count(uscc)) others.insert(uscc);
    }
    CHECK(topic.Distinct("jianguan.subject.v1.SubjectStatusChanged", others).empty());
    REQUIRE(completed.size() == 1);
    const v1::ClockBatchCompleted& c = completed[0];
    CHECK(c.rule() == v1::CLOCK_RULE_ANNUAL_REPORT_LISTING);
    CHECK(c.report_year() == 2025);
    CHECK(c.examined() == n);
    CHECK(c.counts().at("listed") == static_cast<int64_t>(due.size()));
    CHECK(c.counts().at("reported") == static_cast<int64_t>(reported.size()));
    CHECK(c.counts().at("already-listed") == static_cast<int64_t>(already_listed.size()));
    CHECK(c.resumed() == (midway ? 1 : 0));
  }
}

SCENARIO("three years on the abnormal list: warned 60 days before, moved at 3 years, once each, "
         "through a kill -9") {
  testing::TempDir dir("jg-registry-expiry");
  const std::string clock = dir.Sub("clock");
  SetClock(clock, "2023-03-01T10:00:00+08:00");
  SubjectTopic topic;
  auto registry = StartRegistry(dir.Sub("registry"), clock);
  auto stub = v1::SubjectRegistry::NewStub(registry->channel());

  const int m = std::max(60, SubjectCount() / 3);
  const uint64_t base = std::random_device{}() % 100'000'000'000ULL;
  std::vector<v1::Subject> subjects;
  std::set<std::string> listed, later, ours;
  for (int i = 0; i < m + 10; ++i) {
    const v1::Subject s = MakeSubject(testing::SeriesUscc("91330782", base + i),
                                      v1::SUBJECT_TYPE_ENTERPRISE, DateOf(2018, 1, 1));
    subjects.push_back(s);
    ours.insert(s.uscc());
    (i < m ? listed : later).insert(s.uscc());
  }
  Import(*stub, subjects);
  for (const std::string& uscc : listed) {
    ChangeStatus(*stub, uscc, v1::STATUS_ACTION_LIST_ABNORMAL, v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
  }
  SetClock(clock, "2024-06-01T10:00:00+08:00");
  absl::SleepFor(absl::Milliseconds(300));  // longer than the clock file's 50 ms between looks
  for (const std::string& uscc : later) {
    ChangeStatus(*stub, uscc, v1::STATUS_ACTION_LIST_ABNORMAL, v1::ABNORMAL_REASON_FALSE_INFORMATION);
  }

  // 1 March 2026 − 60 days, and a bit.
  SetClock(clock, "2025-12-31T09:00:00+08:00");
  std::string producer;
  REQUIRE(topic.ReadUntil(
      [&] {
        if (producer.empty()) producer = topic.ProducerOf(ours);
        return !producer.empty() &&
               !topic.Completed("clock/abnormal_list_expiry/2025-12-31", producer).empty() &&
               topic.Distinct("jianguan.subject.v1.SeriousViolationWarning", listed).size() >= listed.size();
      },
      absl::Seconds(90)));
  {
    const auto warned = topic.Distinct("jianguan.subject.v1.SeriousViolationWarning", ours);
    CHECK(warned.size() == listed.size());
    for (const std::string& uscc : later) CHECK(warned.count(uscc) == 0);
  }

  SetClock(clock, "2026-03-01T08:00:00+08:00");
  const bool midway = KillMidway(*registry, "abnormal_list_expiry", "moved", m);
  stub.reset();
  registry->Restart();
  stub = AnsweringStub(*registry);
  std::vector<v1::ClockBatchCompleted> completed;
  REQUIRE(topic.ReadUntil(
      [&] {
        completed = topic.Completed("clock/abnormal_list_expiry/2026-03-01", producer);
        return !completed.empty() &&
               topic.Distinct("jianguan.subject.v1.SubjectStatusChanged", listed).size() >= listed.size();
      },
      absl::Seconds(90)));
  topic.Drain(absl::Seconds(2));

  {  // each listed subject was warned once and moved once; the later ones neither
    const auto warned = topic.Distinct("jianguan.subject.v1.SeriousViolationWarning", ours);
    CHECK(warned.size() == listed.size());
    for (const auto& [uscc, ids] : warned) {
      INFO(uscc);
      CHECK(ids.size() == 1);
    }
    // Status changes published after the test began: the department's listings and the moves.
    std::map<std::string, int> moves;
    std::map<std::string, std::set<std::string>> move_ids;
    for (const auto& event : topic.seen) {
      if (event.type() != "jianguan.subject.v1.SubjectStatusChanged" || !ours.count(std::string(event.subject()))) {
        continue;
      }
      auto decoded = events::Decode<v1::SubjectStatusChanged>(event);
      REQUIRE(decoded.ok());
      if (decoded->change().to() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION) {
        move_ids[std::string(event.subject())].insert(std::string(event.id()));
      }
    }
    CHECK(move_ids.size() == listed.size());
    for (const auto& [uscc, ids] : move_ids) {
      INFO(uscc);
      CHECK(listed.count(uscc) == 1);
      CHECK(ids.size() == 1);
    }
    const auto serious = Export(*stub, v1::SUBJECT_STATUS_SERIOUS_VIOLATION, ours);
    CHECK(serious.size() == listed.size());
    for (const auto& [uscc, s] : serious) {
      CHECK(listed.count(uscc) == 1);
      REQUIRE(s.status_history_size() == 2);
      CHECK(s.status_history(1).note() == "列入经营异常名录届满3年仍未移出");
    }
    const auto still = Export(*stub, v1::SUBJECT_STATUS_ABNORMAL_OPERATION, ours);
    std::set<std::string> still_listed;
    for (const auto& [uscc, s] : still) still_listed.insert(uscc);
    CHECK(still_listed == later);
    REQUIRE(completed.size() == 1);
    CHECK(completed[0].counts().at("moved") == m);
    CHECK(completed[0].resumed() == (midway ? 1 : 0));
  }
}

}  // namespace
}  // namespace jianguan::subject
