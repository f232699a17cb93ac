// Issue #17: what analysts read of the suite, checked against what the services did. The
// closed loop (tests/e2e/loop.h) runs once without faults on the seven real binaries and a
// broker of the test's own; then the analysts' Python package (clients/python, installed in
// the checkout's .venv by `tools/jg venv`, the fixture analysts_venv) reads every suite topic:
//
//   the consumer  every event of every type the loop emitted (the set of types and the
//                 distinct ce_ids per type equal what the loop's own reader found), decoded
//                 from the build's descriptor set; no string of any of them carries an ID
//                 number or a natural person's full name the loop's data holds; a consumer
//                 group commits exactly what was yielded (a reader stopped after five events
//                 resumes at the sixth; a finished one resumes at nothing);
//   the export    Parquet tables whose rows per event type equal the records the consumer
//                 read; a second run adds no row; a file a run that died left behind is
//                 removed by the next;
//   the examples  the problem-discovery rate per department and month equals the one the
//                 tasks' reviewed results give; the draws per plan equal sampling's figures;
//                 the grade changes add up to the CreditGradeChanged events;
//   the errors    an unknown topic, an unreachable broker and a missing descriptor set each
//                 exit 1 with one clear message.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/testing/command_run.h"
#include "libs/testing/temp_dir.h"
#include "tests/e2e/loop.h"

namespace jianguan::e2e {
namespace {

const std::vector<std::string> kTopics = {
    "jianguan.catalogue.v1", "jianguan.subject.v1", "jianguan.sampling.v1", "jianguan.inspection.v1",
    "jianguan.cases.v1",     "jianguan.credit.v1",  "jianguan.risk.v1",     "jianguan.dlq.v1"};

// `python -m jianguan_analysts ARGS…` with the build's descriptor set (when `descriptors`).
testing::CommandOutput Analysts(std::vector<std::string> args, bool descriptors = true) {
  std::vector<std::string> argv = {JG_ANALYSTS_PYTHON, "-m", "jianguan_analysts"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (descriptors) {
    argv.push_back("--descriptors");
    argv.push_back(JG_DESCRIPTOR_SET_PATH);
  }
  return testing::RunCommand(argv, absl::Seconds(300));
}

testing::CommandOutput Example(const std::string& script, const std::string& out) {
  return testing::RunCommand({JG_ANALYSTS_PYTHON, absl::StrCat(JG_ANALYSTS_EXAMPLES, "/", script), out});
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

std::vector<std::string> Words(const std::string& line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

// Every string value in a JSON value, keys included.
void Strings(const google::protobuf::Value& value, std::vector<std::string>& out) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      out.push_back(value.string_value());
      break;
    case google::protobuf::Value::kListValue:
      for (const auto& v : value.list_value().values()) Strings(v, out);
      break;
    case google::protobuf::Value::kStructValue:
      for (const auto& [key, v] : value.struct_value().fields()) {
        out.push_back(key);
        Strings(v, out);
      }
      break;
    default:
      break;
  }
}

// What `read` printed: one JSON object per event line (the rest is its summary on stderr).
struct ReadEvents {
  std::map<std::string, int64_t> records;                // by type
  std::map<std::string, std::set<std::string>> ids;      // by type
  std::map<std::string, std::vector<std::string>> leaks;  // secret → "type ce_id"
  int64_t total = 0;
};

ReadEvents ParseRead(const std::string& output, const std::vector<std::string>& secrets) {
  ReadEvents events;
  for (const std::string& line : Lines(output)) {
    if (!absl::StartsWith(line, "{")) continue;
    google::protobuf::Struct event;
    const auto status = google::protobuf::util::JsonStringToMessage(line, &event);
    INFO(line);
    REQUIRE(status.ok());
    const std::string type = event.fields().at("type").string_value();
    const std::string id = event.fields().at("id").string_value();
    ++events.total;
    ++events.records[type];
    events.ids[type].insert(id);
    std::vector<std::string> strings;
    google::protobuf::Value whole;
    *whole.mutable_struct_value() = event;
    Strings(whole, strings);
    for (const std::string& s : strings) {
      for (const std::string& secret : secrets) {
        if (absl::StrContains(s, secret)) events.leaks[secret].push_back(absl::StrCat(type, " ", id));
      }
    }
  }
  return events;
}

// "[read] N events from …" → N; -1 when the line is missing.
int64_t ReadCount(const testing::CommandOutput& out) {
  const std::vector<std::string> words = Words(out.LineWith("[read] "));
  int64_t n = -1;
  if (words.size() > 1 && !absl::SimpleAtoi(words[1], &n)) n = -1;
  return n;
}

// "[export] run R into DIR: N new rows …" → N; -1 when missing.
int64_t NewRows(const testing::CommandOutput& out) {
  const std::string line = out.LineWith(" new rows in ");
  const size_t colon = line.find(": ");
  if (colon == std::string::npos) return -1;
  const std::vector<std::string> words = Words(line.substr(colon + 2));
  int64_t n = -1;
  if (words.empty() || !absl::SimpleAtoi(words[0], &n)) n = -1;
  return n;
}

bool IsProblemFound(inspection::v1::ResultOutcome outcome) {
  // As the inspection service counts it (services/inspection/domain/result_categories.cc).
  return outcome == inspection::v1::RESULT_OUTCOME_VIOLATION ||
         outcome == inspection::v1::RESULT_OUTCOME_PROBLEM_PENDING ||
         outcome == inspection::v1::RESULT_OUTCOME_PROBLEM_RECTIFIED ||
         outcome == inspection::v1::RESULT_OUTCOME_OBSTRUCTED;
}

TEST_CASE("analysts read every suite topic from Python and land it in Parquet") {
  testing::TempDir dir("jg-e2e-analysts");
  const std::string out = dir.Sub("parquet");
  const absl::Time start = absl::Now();
  Suite suite(dir.Sub("suite"));
  const LoopRecord record = RunLoop(suite, 8, FaultPlan{});
  std::printf("[analysts] the loop with %zu enterprises took %.1f s\n", record.subjects.size(),
              absl::ToDoubleSeconds(absl::Now() - start));
  const std::string brokers = suite.brokers();

  // What the services did, by event type: distinct ce_ids (the loop's own reader).
  std::map<std::string, int64_t> emitted;
  for (const auto& [key, ids] : record.event_ids) {
    emitted[std::vector<std::string>(absl::StrSplit(key, ' '))[2]] += static_cast<int64_t>(ids.size());
  }
  REQUIRE(record.dead_letters == 0);
  REQUIRE(emitted.size() > 20);  // the loop's story emits most of the suite's types

  // The personal data the loop's enterprises and results hold (loop.cc): the legal
  // representatives' names and ID number, and who signed for the enterprise on site.
  std::vector<std::string> secrets = {"330702198001011234", "钱经理", "孙经理"};
  for (const auto& s : record.subjects) secrets.push_back(s.legal_representative().name());

  std::vector<std::string> read_args = {"read"};
  read_args.insert(read_args.end(), kTopics.begin(), kTopics.end());
  for (const char* arg : {"--brokers", brokers.c_str(), "--group", "analysts-e2e"}) read_args.push_back(arg);

  const absl::Time read_start = absl::Now();
  const testing::CommandOutput read = Analysts(read_args);
  std::printf("[analysts] the consumer read %lld events in %.1f s\n",
              static_cast<long long>(ReadCount(read)), absl::ToDoubleSeconds(absl::Now() - read_start));
  REQUIRE(read.exit_code == 0);
  const ReadEvents events = ParseRead(read.output, secrets);
  std::printf("[analysts] a ResultPublished as `read` prints it:\n%s\n",
              read.LineWith("\"type\": \"jianguan.inspection.v1.ResultPublished\"").c_str());

  {
    INFO("the consumer saw every type the loop emitted, each event once per copy the broker holds");
    CHECK(events.total == ReadCount(read));
    CHECK(events.total == record.copies_read);
    std::set<std::string> seen, expected;
    for (const auto& [type, n] : events.ids) seen.insert(type);
    for (const auto& [type, n] : emitted) expected.insert(type);
    INFO("seen: " << absl::StrJoin(seen, ", "));
    CHECK(seen == expected);
    for (const auto& [type, n] : emitted) {
      INFO(type);
      CHECK(static_cast<int64_t>(events.ids.count(type) ? events.ids.at(type).size() : 0) == n);
    }
    std::printf("[analysts] %zu event types seen: %s\n", seen.size(), absl::StrJoin(seen, " ").c_str());
  }

  {
    INFO("no event carries an ID number or a natural person's full name");
    for (const auto& [secret, where] : events.leaks) {
      INFO(secret << " in " << where.size() << " events, e.g. " << where.front());
      CHECK(where.empty());
    }
    std::printf("[analysts] privacy: %zu secrets looked for in every string of %lld events\n",
                secrets.size(), static_cast<long long>(events.total));
  }

  {
    INFO("the group commits what was yielded: finished, it resumes at nothing");
    const testing::CommandOutput again = Analysts(read_args);
    CHECK(again.exit_code == 0);
    CHECK(ReadCount(again) == 0);
    INFO("stopped after five events, it resumes at the sixth");
    std::vector<std::string> partial = {"read", "jianguan.inspection.v1", "--brokers", brokers,
                                        "--group", "analysts-e2e-partial"};
    std::vector<std::string> limited = partial;
    limited.insert(limited.end(), {"--limit", "5"});
    CHECK(ReadCount(Analysts(limited)) == 5);
    int64_t inspection = 0;
    for (const auto& [type, n] : events.records) {
      if (absl::StartsWith(type, "jianguan.inspection.v1.")) inspection += n;
    }
    CHECK(ReadCount(Analysts(partial)) == inspection - 5);
    INFO("from the end: nothing; from the beginning without a group: everything");
    CHECK(ReadCount(Analysts({"read", "jianguan.inspection.v1", "--brokers", brokers, "--from", "end"})) == 0);
    CHECK(ReadCount(Analysts({"read", "jianguan.inspection.v1", "--brokers", brokers, "--from",
                              "beginning"})) == inspection);
    INFO("from a time: what the broker received since (all of it since the test began, none "
         "after now)");
    const auto beijing = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%dT%H:%M:%S", t, absl::FixedTimeZone(8 * 3600));
    };
    CHECK(ReadCount(Analysts({"read", "jianguan.inspection.v1", "--brokers", brokers, "--from",
                              beijing(start)})) == inspection);
    CHECK(ReadCount(Analysts({"read", "jianguan.inspection.v1", "--brokers", brokers, "--from",
                              beijing(absl::Now() + absl::Hours(1))})) == 0);
  }

  {
    INFO("the export lands every record once, and a second run adds nothing");
    const testing::CommandOutput first = Analysts({"export", "--out", out, "--brokers", brokers});
    REQUIRE(first.exit_code == 0);
    CHECK(NewRows(first) == events.total);
    const testing::CommandOutput second = Analysts({"export", "--out", out, "--brokers", brokers});
    REQUIRE(second.exit_code == 0);
    CHECK(NewRows(second) == 0);
    const testing::CommandOutput tables = Analysts({"tables", "--out", out}, false);
    REQUIRE(tables.exit_code == 0);
    std::map<std::string, int64_t> rows;
    for (const std::string& line : Lines(tables.output)) {
      const std::vector<std::string> words = Words(line);
      int64_t n = 0;
      if (words.size() == 2 && absl::SimpleAtoi(words[0], &n)) rows[words[1]] = n;
    }
    CHECK(rows == events.records);
    std::printf("[analysts] export: %lld rows in %zu tables, the second run added %lld\n%s%s",
                static_cast<long long>(NewRows(first)), rows.size(),
                static_cast<long long>(NewRows(second)), first.output.c_str(), tables.output.c_str());

    INFO("a run that died before its offsets were kept is undone by the next");
    // What such a run leaves: a file _offsets.json does not list (here a copy of a real one).
    std::filesystem::path listed;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
      if (entry.path().extension() == ".parquet") listed = entry.path();
    }
    REQUIRE(!listed.empty());
    const std::filesystem::path stray = listed.parent_path() / "part-999999-000.parquet";
    std::filesystem::copy_file(listed, stray);
    const testing::CommandOutput third = Analysts({"export", "--out", out, "--brokers", brokers});
    REQUIRE(third.exit_code == 0);
    CHECK(third.Says("removed 1 file(s) of an unfinished earlier run"));
    CHECK(NewRows(third) == 0);
    CHECK(!std::filesystem::exists(stray));
  }

  {
    INFO("the problem-discovery rate per department and month, as the reviewed results give it");
    std::map<std::pair<std::string, std::string>, std::pair<int, int>> expected;  // inspected, problems
    for (const auto& [name, task] : record.tasks) {
      if (task.state() != inspection::v1::TASK_STATE_PUBLISHED) continue;
      const auto& date = task.result_digest().inspection_date();
      const std::string month = absl::StrFormat("%04d-%02d", date.year(), date.month());
      for (const auto& d : task.result_digest().departments()) {
        auto& [inspected, problems] = expected[{d.department().code(), month}];
        ++inspected;
        if (IsProblemFound(d.category().outcome())) ++problems;
      }
    }
    REQUIRE(!expected.empty());
    const testing::CommandOutput rate = Example("problem_rate.py", out);
    REQUIRE(rate.exit_code == 0);
    std::printf("[analysts] examples/problem_rate.py:\n%s", rate.output.c_str());
    for (const auto& [key, counts] : expected) {
      const auto& [department, month] = key;
      const std::string want =
          absl::StrFormat("%d %d %.2f", counts.first, counts.second, 100.0 * counts.second / counts.first);
      const std::vector<std::string> words = Words(rate.LineWith(department + " "));
      INFO(department << " " << month << ": expected " << want);
      REQUIRE(words.size() == 5);
      CHECK(words[1] == month);
      CHECK(absl::StrJoin({words[2], words[3], words[4]}, " ") == want);
    }
    // The story has a finding for each department: a rate of zero would prove nothing.
    for (const auto& [key, counts] : expected) CHECK(counts.second > 0);
  }

  {
    INFO("draws per plan with visits saved, as sampling drew them");
    const testing::CommandOutput draws = Example("draws_per_plan.py", out);
    REQUIRE(draws.exit_code == 0);
    std::printf("[analysts] examples/draws_per_plan.py:\n%s", draws.output.c_str());
    for (const auto& [name, plan] : {std::pair{record.plan1, &record.plan1_view},
                                      std::pair{record.plan2, &record.plan2_view}}) {
      const std::vector<std::string> words = Words(draws.LineWith(name + " "));
      INFO(name);
      REQUIRE(words.size() == 6);
      CHECK(words[3] == std::to_string(plan->draw().task_count()));
      CHECK(words[4] == std::to_string(plan->draw().task_count()));  // the TaskDrawn events
      CHECK(words[5] == std::to_string(plan->draw().visits_saved()));
      CHECK(plan->draw().visits_saved() == plan->draw().task_count() * (plan->departments_size() - 1));
    }
  }

  {
    INFO("grade changes per month add up to the CreditGradeChanged events");
    const testing::CommandOutput grades = Example("grade_changes.py", out);
    REQUIRE(grades.exit_code == 0);
    std::printf("[analysts] examples/grade_changes.py:\n%s", grades.output.c_str());
    const std::vector<std::string> total = Words(grades.LineWith("total "));
    REQUIRE(total.size() == 2);
    CHECK(total[1] == std::to_string(emitted["jianguan.credit.v1.CreditGradeChanged"]));
    bool to_c = false;  // the violator fell to C (closed_loop_test checks why)
    for (const std::string& line : Lines(grades.output)) {
      const std::vector<std::string> words = Words(line);
      to_c |= words.size() == 5 && words[2] == "C";
    }
    CHECK(to_c);
  }

  {
    INFO("errors: one clear message and exit status 1 each");
    const auto unknown = Analysts({"read", "jianguan.nothing.v1", "--brokers", brokers});
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.Says("no topic 'jianguan.nothing.v1'"));
    const auto unreachable = Analysts({"read", "jianguan.risk.v1", "--brokers", "127.0.0.1:1", "--timeout", "3"});
    CHECK(unreachable.exit_code == 1);
    CHECK(unreachable.Says("cannot reach the Kafka broker at 127.0.0.1:1"));
    const auto missing = Analysts({"read", "jianguan.risk.v1", "--brokers", brokers, "--descriptors",
                                   dir.Sub("none") + "/jianguan.desc"},
                                  false);
    CHECK(missing.exit_code == 1);
    CHECK(missing.Says("cannot read the descriptor set"));
  }
  std::printf("[analysts] whole test %.1f s\n", absl::ToDoubleSeconds(absl::Now() - start));
}

}  // namespace
}  // namespace jianguan::e2e
