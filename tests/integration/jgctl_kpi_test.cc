// jgctl kpi against the real inspection, cases and risk binaries on the test broker (issue
// #21): a test department of its own (339900-KPI…, region 339900, in a departments file of the
// test's, so no other test's subjects fall in its region) gets a lead from an inspection that
// found the violation 10 days ago (LeadTransferred), which jgctl takes to an executed penalty
// today; two subjects of its region are made high-risk (grade D and a penalty), one of them
// inspected today (ResultSubmitted). `jgctl kpi` then prints the five KPIs: no visit saved
// (no result in this inspection store), 1 case from inspections of 1 filed, 10.0 days from
// found to executed, 1 of 2 high-risk subjects inspected. With risk stopped it still prints
// the others, names risk as not answering and exits 1; a period that is not one is a usage
// error.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/events/topics.h"
#include "libs/testing/command_run.h"
#include "libs/testing/event_feed.h"
#include "libs/testing/reference_feed.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan {
namespace {

using testing::CommandOutput;

CommandOutput Jgctl(std::vector<std::string> args) {
  args.insert(args.begin(), JG_JGCTL);
  return testing::RunCommand(args);
}

TEST_CASE("jgctl kpi prints the loop KPIs of a department, and names a service that is down") {
  testing::TempDir dir("jg-jgctl-kpi");
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string department = "339900-KPI" + run;
  // Reference data of the test's: the real calendar, and the department with its prefix.
  const std::string reference = dir.Sub("reference");
  std::filesystem::create_directories(reference + "/calendar");
  std::filesystem::create_directories(reference + "/cases");
  std::filesystem::copy_file(std::string(JG_DATA_DIR) + "/calendar/cn_workdays.csv",
                             reference + "/calendar/cn_workdays.csv");
  std::ofstream(reference + "/cases/departments.csv")
      << "code,name,document_prefix\n" << department << ",测试市场监督管理局,测市监\n";

  testing::ServiceBinary inspection(JG_INSPECTION, dir.Sub("inspection"),
                                    {"--log_level", "warning"});
  testing::ServiceBinary cases(JG_CASES, dir.Sub("cases"),
                               {"--log_level", "warning", "--reference_data_dir", reference});
  testing::ServiceBinary risk(JG_RISK, dir.Sub("risk"), {"--log_level", "warning"});

  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), BeijingTime());
  const std::string lead_subject = testing::SeriesUscc("91339900", std::stoull(run) * 4);
  const std::string inspected = testing::SeriesUscc("91339900", std::stoull(run) * 4 + 1);
  const std::string never = testing::SeriesUscc("91339900", std::stoull(run) * 4 + 2);
  testing::EventFeed feed("jgctl-kpi-it-" + run);
  testing::SendDepartment(feed, {.code = department,
                                 .name = "测试市场监督管理局",
                                 .region = "339900",
                                 .field = "market-regulation"});
  for (const std::string& uscc : {inspected, never}) {
    testing::SendSubject(feed, {.uscc = uscc, .name = "测试主体", .industry = "5211",
                                .region = "339901"});
    credit::v1::CreditGradeChanged graded;
    graded.set_uscc(uscc);
    graded.set_grade(credit::v1::CREDIT_GRADE_D);
    graded.set_version(1);
    feed.Send(topics::kCredit, uscc, graded);
    cases::v1::PenaltyDecided decided;  // a violation: with grade D, HIGH
    decided.mutable_summary()->set_name("cases/kpi-it-" + uscc);
    decided.mutable_summary()->set_uscc(uscc);
    feed.Send(topics::kCases, uscc, decided);
  }
  inspection::v1::ResultSubmitted submitted;
  submitted.mutable_task()->set_name("tasks/kpi-it-" + run);
  submitted.mutable_task()->set_uscc(inspected);
  submitted.mutable_task()->set_state(inspection::v1::TASK_STATE_RESULT_SUBMITTED);
  *submitted.mutable_result()->mutable_inspection_date() = DateOf(today);
  feed.Send(topics::kInspection, inspected, submitted);
  // The inspection found the violation 10 days ago and transfers it now.
  inspection::v1::LeadTransferred transfer;
  transfer.mutable_task()->set_name("tasks/kpi-it-" + run + "-lead");
  transfer.mutable_task()->set_uscc(lead_subject);
  transfer.set_transfer("tasks/kpi-it-" + run + "-lead/transfers/1");
  transfer.mutable_from_department()->set_code(department);
  transfer.mutable_to_department()->set_code(department);
  *transfer.mutable_inspection_date() = DateOf(today - 10);
  feed.Send(topics::kInspection, lead_subject, transfer);
  feed.Flush();
  cases.AwaitCaughtUp("cases", 1);
  risk.AwaitCaughtUp("risk", 9);

  const std::vector<std::string> as = {"--department=" + department, "--user=OFF-1"};
  const auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), as.begin(), as.end());
    return args;
  };
  const std::string at_cases = absl::StrCat("--cases=127.0.0.1:", cases.grpc_port());
  CommandOutput leads = Jgctl(with({"cases", "leads", "list", at_cases}));
  REQUIRE(leads.exit_code == 0);
  const std::string lead = leads.FirstWordOfLineWith(lead_subject);
  REQUIRE(lead.rfind("leads/", 0) == 0);
  CommandOutput filed = Jgctl(with({"cases", "file", lead, "--party", "测试商贸有限公司", "--party_kind",
                              "organisation", "--officers", "OFF-1,OFF-2", at_cases}));
  REQUIRE(filed.exit_code == 0);
  const std::string name = filed.output.substr(0, filed.output.find(' '));
  REQUIRE(name.rfind("cases/", 0) == 0);
  const std::string penalty = R"({"kinds": ["PENALTY_KIND_FINE"], "fine": {"fen": 300000}})";
  for (std::vector<std::string> step : std::vector<std::vector<std::string>>{
           {"start-investigation", "--officers", "OFF-1,OFF-2"},
           {"notice", "--penalty", penalty},
           {"record-statement", "--waives_rights"},
           {"decide", "--penalty", penalty, "--officers", "OFF-1,OFF-2"},
           {"serve"},
           {"execute", "--paid_fen", "300000"}}) {
    step.insert(step.begin(), {"cases", "act", name});
    step.push_back(at_cases);
    REQUIRE(Jgctl(with(step)).exit_code == 0);
  }

  std::vector<std::string> kpi = with(
      {"kpi", absl::StrCat("--inspection=127.0.0.1:", inspection.grpc_port()), at_cases,
       absl::StrCat("--risk=127.0.0.1:", risk.grpc_port())});
  CommandOutput table = Jgctl(kpi);
  CHECK(table.exit_code == 0);
  CHECK(table.Says(absl::StrCat("Loop KPIs (闭环监管指标) of ", department, ", ",
                                today.year(), "-01-01 … ", absl::FormatCivilTime(today))));
  CHECK(table.Says("0  0 joint tasks completed (inspection)"));
  CHECK(table.Says("-  0 of 0 tasks completed found problems (inspection)"));
  CHECK(table.Says("1  of 1 cases filed (cases)"));
  CHECK(table.Says("10.0  1 penalties executed, 10 days in all (cases)"));
  CHECK(table.Says("50.0%  1 of 2 high-risk subjects of region 339900 (risk)"));
  CHECK(table.Says("5 高风险主体检查覆盖率"));

  risk.Stop();
  CommandOutput without_risk = Jgctl(kpi);
  CHECK(without_risk.exit_code == 1);
  CHECK(without_risk.Says("1  of 1 cases filed (cases)"));
  CHECK(without_risk.Says("(no report from risk: see below)"));
  CHECK(without_risk.Says(absl::StrCat("jgctl kpi: the risk service (127.0.0.1:", risk.grpc_port(),
                                       ") did not answer: UNAVAILABLE")));

  kpi.push_back("--from=2026-03-02");
  kpi.push_back("--to=2026-03-01");
  CommandOutput backwards = Jgctl(kpi);
  CHECK(backwards.exit_code == 2);
  CHECK(backwards.Says("--to must be 0–366 days after --from"));
}

}  // namespace
}  // namespace jianguan
