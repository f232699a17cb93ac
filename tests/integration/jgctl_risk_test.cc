// jgctl alerts / readings / devices / risk against the real risk binary on the test broker:
// the catalogue's ecology bureau and a sewage plant (industry 4620) are published as their
// services publish them, a device is registered, a file from tools/demo/generate-readings
// (a normal day, then ammonia nitrogen 9–13 mg/L three hours in a row, and one row of a
// device nobody registered) is sent with `jgctl readings send`: exit 1 naming the bad row by
// its line, the good rows stored. The alert is listed and read, absent to another department
// (NOT_FOUND, its gRPC code), accepted and closed by the bureau; repeated commands change nothing;
// unknown enum values are usage errors. Last, the server is killed with kill -9 in the middle
// of a send: jgctl exits non-zero and says the stream broke, and the same file sent again
// after a restart finishes (what was stored comes back as duplicates).
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/testing/child_process.h"
#include "libs/testing/command_run.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/reference_feed.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan {
namespace {

constexpr char kEcology[] = "330700-STHJ";
constexpr char kMarket[] = "330700-SCJG";

using testing::CommandOutput;

// `argv` with stderr folded into stdout (ChildProcess pipes stdout only), for the run this
// test reads line by line to kill the server in the middle.
std::vector<std::string> Folded(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1"});
  return argv;
}

// jgctl with `args` against `risk` (its port read at each call: a restart moves it), as
// `department` and the user it-officer.
class Jgctl {
 public:
  explicit Jgctl(const testing::ServiceBinary& risk) : risk_(risk) {}

  std::vector<std::string> Argv(std::vector<std::string> args,
                                const std::string& department = kEcology) const {
    args.insert(args.begin(), JG_JGCTL);
    args.insert(args.end(), {absl::StrCat("--risk=127.0.0.1:", risk_.grpc_port()),
                             "--department=" + department, "--user=it-officer"});
    return args;
  }
  CommandOutput operator()(std::vector<std::string> args,
                     const std::string& department = kEcology) const {
    return testing::RunCommand(Argv(std::move(args), department));
  }

 private:
  const testing::ServiceBinary& risk_;
};

// tools/demo/generate-readings with `args` into `path`; the file's lines.
std::vector<std::string> Generate(const std::string& path, std::vector<std::string> args) {
  args.insert(args.begin(), JG_GENERATE_READINGS);  // #!/usr/bin/env python3
  testing::ChildProcess child(args);  // stderr (what was placed where) goes to the test's
  std::ofstream out(path);
  std::vector<std::string> lines;
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (auto line = child.ReadLine(deadline - absl::Now())) {
    out << *line << "\n";
    lines.push_back(*line);
  }
  auto status = child.Wait(absl::Seconds(10));
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  REQUIRE(WEXITSTATUS(*status) == 0);
  return lines;
}

// RFC 3339, UTC, whole hours: the generator's --start.
std::string HourText(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:00:00Z", time, absl::UTCTimeZone());
}

TEST_CASE("jgctl follows a reading exceedance to a dispatched, accepted and closed alert") {
  testing::TempDir dir("jg-jgctl-risk");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string uscc = testing::SeriesUscc("91330727", std::stoull(run));
  const std::string device = "IT-NH3-" + run;
  testing::EventFeed feed("jgctl-risk-it-" + run);
  // A tick every second: should the subject's facts reach risk after the readings, the ticker
  // routes the alert at its next pass.
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"),
                              {"--log_level", "warning", "--tick_interval_s", "1"});
  testing::SendJinhuaEcology(feed, {uscc});
  risk.AwaitCaughtUp("risk", 3);
  const Jgctl jgctl(risk);

  // A device, registered twice: the second time is the same request and changes nothing.
  const std::vector<std::string> register_args = {
      "devices", "register", device, "--uscc", uscc, "--metrics", "ammonia_nitrogen",
      "--description", "总排放口 氨氮在线监测仪"};
  CommandOutput registered = jgctl(register_args);
  REQUIRE(registered.exit_code == 0);
  CHECK(registered.Says("devices/" + device));
  CHECK(registered.Says(" v1 "));
  CommandOutput again = jgctl(register_args);
  CHECK(again.exit_code == 0);
  CHECK(again.Says(" v1 "));
  CHECK(jgctl({"devices", "list", "--uscc", uscc}).Says("devices/" + device));
  CHECK(jgctl({"devices", "register", device, "--uscc", uscc}).exit_code == 2);

  // A normal day, then 9–13 mg/L for three hours (the third reading raises the alert), ending
  // 3 to 4 hours ago (the 6-hour data-gap rule stays quiet); one row of an unregistered device.
  const absl::Time start = absl::Now() - absl::Hours(29);
  const std::string csv = dir.Sub("readings.csv");
  const std::vector<std::string> lines =
      Generate(csv, {"--device-id", device, "--uscc", uscc, "--start", HourText(start),
                     "--hours", "27", "--episode", "0:24:3", "--bad-rows", "1", "--seed", "7"});
  REQUIRE(lines.size() == 1 + 27 + 1);
  size_t bad_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("UNREGISTERED-01,", 0) == 0) bad_line = i + 1;
  }
  REQUIRE(bad_line > 1);

  CommandOutput sent = jgctl({"readings", "send", csv});
  CHECK(sent.exit_code == 1);
  CHECK(sent.Says(absl::StrCat("line ", bad_line,
                               ": reading.device_id: UNREGISTERED-01 is not a registered device")));
  CHECK(sent.Says("28 rows: 27 accepted, 0 duplicates (stored before), 1 refused"));
  CHECK(sent.Says("batch 1/1"));
  CHECK(sent.Says("1 of 28 rows were refused"));
  CHECK_FALSE(sent.Says("stream broke"));

  CommandOutput stored = jgctl({"readings", "list", device, "ammonia_nitrogen"});
  CHECK(stored.exit_code == 0);
  CHECK(stored.Says("27 readings of ammonia_nitrogen from " + device));
  CHECK(stored.Says(" mg/L"));
  // --from and --to bound the listing: the last three hours are the exceedance.
  CommandOutput last = jgctl({"readings", "list", device, "ammonia_nitrogen", "--from",
                        HourText(start + absl::Hours(24))});
  CHECK(last.Says("3 readings of ammonia_nitrogen"));
  CHECK(jgctl({"readings", "list", device, "ammonia_nitrogen", "--from", "yesterday"}).exit_code ==
        2);

  // The same file again: the good rows are duplicates, the bad one is refused again.
  CommandOutput resent = jgctl({"readings", "send", csv});
  CHECK(resent.exit_code == 1);
  CHECK(resent.Says("28 rows: 0 accepted, 27 duplicates (stored before), 1 refused"));

  // The alert, routed to the ecology bureau (at once, or at the ticker's next pass), listed as
  // that department.
  const absl::Time routed_by = absl::Now() + absl::Seconds(30);
  while (jgctl({"alerts", "list", "--dept", "all", "--uscc", uscc}).LineWith(" dispatched ").empty()) {
    REQUIRE(absl::Now() < routed_by);
    absl::SleepFor(absl::Milliseconds(500));
  }
  CommandOutput listed = jgctl({"alerts", "list"});
  REQUIRE(listed.exit_code == 0);
  const std::string name = listed.WordStarting("alerts/" + uscc);
  REQUIRE(!name.empty());
  const std::string row = listed.LineWith(name);
  CHECK(row.find("ammonia-nitrogen-exceedance") != std::string::npos);
  CHECK(row.find(" orange ") != std::string::npos);
  CHECK(row.find(" dispatched ") != std::string::npos);
  CHECK(row.find(kEcology) != std::string::npos);
  CHECK(listed.Says("ACCEPT-BY"));
  CHECK(jgctl({"alerts", "list", "--dept", kMarket}).LineWith(name).empty());
  CHECK(!jgctl({"alerts", "list", "--dept", "all", "--uscc", uscc, "--state", "dispatched",
                "--rule", "ammonia-nitrogen-exceedance"})
             .LineWith(name)
             .empty());
  // Another department lists none of the bureau's alerts, whatever it asks (docs/security.md).
  CHECK(jgctl({"alerts", "list", "--dept", "all", "--uscc", uscc}, kMarket).LineWith(name).empty());
  CHECK(jgctl({"alerts", "list", "--state", "pending"}).exit_code == 2);

  CommandOutput got = jgctl({"alerts", "get", name});
  REQUIRE(got.exit_code == 0);
  CHECK(got.Says(R"("state": "ALERT_STATE_DISPATCHED")"));
  CHECK(got.Says(R"("code": "STHJ-01")"));
  CHECK(got.Says(R"("region_code": "330727")"));
  CHECK(got.Says(absl::StrCat(R"("device_id": ")", device, R"(")")));
  CHECK(got.Says(R"("metric": "ammonia_nitrogen")"));
  CHECK(got.Says(R"("accept_due_date")"));
  CHECK(got.Says(R"("condition_open": true)"));

  // Only the responsible department accepts: to another one the alert does not exist.
  CommandOutput refused = jgctl({"alerts", "accept", name}, kMarket);
  CHECK(refused.exit_code == 1);
  CHECK(refused.Says("NOT_FOUND"));
  CommandOutput accepted = jgctl({"alerts", "accept", name});
  REQUIRE(accepted.exit_code == 0);
  CHECK(accepted.Says(" accepted "));
  // Repeated, the accept is answered as the first time: same row, same version.
  CommandOutput repeated = jgctl({"alerts", "accept", name});
  CHECK(repeated.exit_code == 0);
  CHECK(repeated.output == accepted.output);
  const std::string version_before = jgctl({"alerts", "get", name}).LineWith(R"("version")");

  // Closing by hand: only dismissed or not-inspected, with a reason; the outcome names are
  // checked before anything is asked.
  CHECK(jgctl({"alerts", "close", name, "--outcome", "confirmed", "--reason", "x"}).exit_code == 2);
  CHECK(jgctl({"alerts", "close", name, "--outcome", "fixed", "--reason", "x"}).exit_code == 2);
  CHECK(jgctl({"alerts", "close", name, "--outcome", "dismissed"}).exit_code == 2);
  CHECK(jgctl({"alerts", "get", name}).LineWith(R"("version")") == version_before);
  const std::vector<std::string> close_args = {"alerts", "close", name, "--outcome", "dismissed",
                                               "--reason", "设备校准期间读数偏高（误报）"};
  CommandOutput closed = jgctl(close_args);
  REQUIRE(closed.exit_code == 0);
  CHECK(closed.Says(" closed "));
  CHECK(closed.Says("dismissed on time"));
  CHECK(jgctl(close_args).output == closed.output);
  // A step the state no longer allows is refused with its code.
  CommandOutput redispatch = jgctl({"alerts", "dispatch", name, "--dept", kEcology, "--item",
                              "STHJ-01", "--reason", "重新分派"});
  CHECK(redispatch.exit_code == 1);
  CHECK(redispatch.Says("FAILED_PRECONDITION"));
  CHECK(jgctl({"alerts", "dispatch", name, "--reason", "x", "--item", "STHJ-01", "--dept", ""},
              "")
            .exit_code == 2);

  CommandOutput got_closed = jgctl({"alerts", "get", name});
  CHECK(got_closed.Says(R"("state": "ALERT_STATE_CLOSED")"));
  CHECK(got_closed.Says(R"("outcome": "ALERT_OUTCOME_DISMISSED")"));
  CHECK(got_closed.Says("设备校准期间读数偏高（误报）"));

  const std::string today =
      absl::FormatTime("%Y-%m-%d", absl::Now(), absl::FixedTimeZone(8 * 3600));
  CommandOutput report = jgctl({"alerts", "report", "--from", today, "--to", today});
  INFO(report.output);
  CHECK(report.exit_code == 0);
  // The bureau's row: dispatched 1, accepted on time 1, closed on time 1.
  std::istringstream figures(report.LineWith(std::string(kEcology) + " "));
  std::vector<std::string> columns{std::istream_iterator<std::string>(figures), {}};
  REQUIRE(columns.size() == 8);
  CHECK(columns[1] == "1");
  CHECK(columns[2] == "1");
  CHECK(columns[3] == "1");
  CHECK(jgctl({"alerts", "report", "--from", "2026-02-30", "--to", today}).exit_code == 2);

  CommandOutput level = jgctl({"risk", "level", uscc});
  CHECK(level.exit_code == 0);
  CHECK(level.Says(uscc));
  CHECK(level.Says("score"));
  CommandOutput rules = jgctl({"risk", "rules"});
  CHECK(rules.exit_code == 0);
  CHECK(rules.Says("jinhua-ecology"));
  CHECK(rules.Says("xianning-five-models"));

  CHECK(jgctl({"alerts", "help"}).exit_code == 0);
  CHECK(jgctl({"alerts", "frobnicate", name}).exit_code == 2);
}

TEST_CASE("jgctl readings send exits non-zero and says so when the stream breaks") {
  testing::TempDir dir("jg-jgctl-risk-cut");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string uscc = testing::SeriesUscc("91330727", std::stoull(run) + 1);
  const std::string device = "IT-CUT-" + run;
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "error"});
  const Jgctl jgctl(risk);
  REQUIRE(jgctl({"devices", "register", device, "--uscc", uscc, "--metrics", "ammonia_nitrogen",
                 "--description", "总排放口 氨氮在线监测仪"})
              .exit_code == 0);
  // 30,000 readings every 15 seconds, sent 200 at a time: 150 batches, far more than the
  // server answers between the first answer and the kill.
  const std::string csv = dir.Sub("many.csv");
  const absl::Time start = absl::Now() - absl::Hours(129);  // the last reading 4–5 hours ago
  REQUIRE(Generate(csv, {"--device-id", device, "--uscc", uscc, "--start", HourText(start),
                         "--hours", "125", "--interval", "0.25", "--seed", "3"})
              .size() == 30001);

  testing::ChildProcess child(Folded(jgctl.Argv({"readings", "send", csv, "--batch", "200"})));
  std::string output;
  const absl::Time deadline = absl::Now() + absl::Seconds(300);
  bool killed = false;
  while (auto line = child.ReadLine(deadline - absl::Now())) {
    absl::StrAppend(&output, *line, "\n");
    if (!killed && line->rfind("batch 1/150", 0) == 0) {
      risk.Kill9();
      killed = true;
    }
  }
  auto status = child.Wait(absl::Seconds(30));
  INFO(output);
  REQUIRE(killed);
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 1);
  CHECK(output.find("jgctl: the readings stream broke after ") != std::string::npos);
  CHECK(output.find("of 150 batches were answered") != std::string::npos);
  CHECK(output.find("UNAVAILABLE") != std::string::npos);

  // As the message says: after a restart the same file goes through, and the rows stored
  // before the kill come back as duplicates.
  risk.Start();
  CommandOutput resent = jgctl({"readings", "send", csv, "--batch", "1000"});
  CHECK(resent.exit_code == 0);
  const std::string total = resent.LineWith("30000 rows: ");
  INFO(total);
  CHECK(total.find(" 0 duplicates") == std::string::npos);  // the 200+ answered before the kill
  CHECK(total.find(", 0 refused") != std::string::npos);
  CHECK_FALSE(resent.Says("stream broke"));
  CHECK(jgctl({"readings", "list", device, "ammonia_nitrogen"})
            .Says("30000 readings of ammonia_nitrogen"));
}

}  // namespace
}  // namespace jianguan
