// jgctl kpi: the KPIs of the closed loop (闭环监管指标) of one department over a period, in one
// table with their definitions, from the three services that keep them:
//   inspection  GetInspectionReport: visits saved by joint inspection, problem-discovery rate;
//   cases       GetCaseReport: cases opened from inspections, average days from the violation
//               found to the penalty executed;
//   risk        GetAlertReport's high_risk: the share of high-risk subjects inspected.
//
// Every service reports a department's own figures, so the calls are made as the department
// the KPIs are for: --department (env JG_DEPARTMENT). The period is --from … --to (Beijing
// days, at most 366 days), by default this Beijing year to date. The services are asked at
// --inspection, --cases and --risk; JG_GRPC_TARGET, which names one service, is not read. A
// service that fails or does not answer is named on stderr, its KPIs shown as "-", and the
// exit status is 1.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "jianguan/risk/v1/risk.grpc.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/server/grpc_status.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"

ABSL_DECLARE_FLAG(std::string, inspection);
ABSL_DECLARE_FLAG(std::string, cases);
ABSL_DECLARE_FLAG(std::string, risk);
ABSL_DECLARE_FLAG(std::string, from);
ABSL_DECLARE_FLAG(std::string, to);

namespace jianguan::jgctl {
namespace {

constexpr char kUsage[] =
    "usage: jgctl kpi [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
    "The loop KPIs (闭环监管指标) of --department (JG_DEPARTMENT) from --from to --to (Beijing\n"
    "days, inclusive, at most 366 days; default: this Beijing year to date), asked of the\n"
    "inspection (--inspection), cases (--cases) and risk (--risk) services; JG_GRPC_TARGET is\n"
    "not read. Exit 1, naming the service, when one of them fails or does not answer.";

// How long each service may take: a report reads every task or case of the department.
constexpr absl::Duration kDeadline = absl::Seconds(30);

int Usage() {
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

// A day YYYY-MM-DD from --`flag`, or `fallback` when the flag is empty; nullopt after saying
// what is wrong (absl would roll 2026-02-30 over to March).
std::optional<absl::CivilDay> DayFlag(const char* flag, const std::string& text,
                                      absl::CivilDay fallback) {
  if (text.empty()) return fallback;
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    std::fprintf(stderr, "jgctl kpi: --%s takes a day YYYY-MM-DD, not \"%s\"\n", flag,
                 text.c_str());
    return std::nullopt;
  }
  return day;
}

// One service's answer: its status, and where it was asked.
struct Asked {
  const char* service;
  std::string target;
  grpc::Status status;

  bool ok() const { return status.ok(); }
  // Says on stderr which service failed and how; the fields it names, one a line.
  void Report() const {
    const bool silent = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    std::fprintf(stderr, "jgctl kpi: the %s service (%s) %s: %s: %s\n", service, target.c_str(),
                 silent ? "did not answer" : "refused the report",
                 CodeName(status.error_code()).c_str(), status.error_message().c_str());
    for (const FieldViolation& v : FieldViolationsOf(status)) {
      std::fprintf(stderr, "  %s: %s\n", v.field.c_str(), v.description.c_str());
    }
  }
};

// Asks `target` for `request` with `call` (a method of Service's stub) as the acting
// department.
template <typename Service, typename Request, typename Response>
Asked Ask(const char* service, const std::string& target,
          grpc::Status (Service::Stub::*call)(grpc::ClientContext*, const Request&, Response*),
          const Request& request, Response* response) {
  auto stub = Service::NewStub(grpc::CreateChannel(target, Credentials()));
  grpc::ClientContext context;
  IdentifyActing(context);
  context.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  return {service, target, ((*stub).*call)(&context, request, response)};
}

// "25.0%" for parts per million.
std::string Percent(int64_t ppm) { return absl::StrFormat("%.1f%%", ppm / 10000.0); }

void Row(int number, const char* kpi, const std::string& value, const std::string& basis) {
  std::printf("%d %-46s %8s  %s\n", number, kpi, value.c_str(), basis.c_str());
}

}  // namespace

int Kpi(const std::vector<std::string>& args) {
  if (!args.empty()) return Usage();
  const std::string department = ActingDepartment();
  if (department == kJgctlDepartment) {
    std::fprintf(stderr,
                 "jgctl kpi: name the department with --department (or JG_DEPARTMENT): every "
                 "service reports a department's own figures\n");
    return 2;
  }
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), BeijingTime());
  const std::optional<absl::CivilDay> first =
      DayFlag("from", absl::GetFlag(FLAGS_from), absl::CivilDay(today.year(), 1, 1));
  const std::optional<absl::CivilDay> last = DayFlag("to", absl::GetFlag(FLAGS_to), today);
  if (!first || !last) return 2;
  if (*last < *first || *last - *first > 366) {
    std::fprintf(stderr, "jgctl kpi: --to must be 0–366 days after --from\n");
    return 2;
  }

  inspection::v1::GetInspectionReportRequest inspection_request;
  inspection_request.mutable_department()->set_code(department);
  *inspection_request.mutable_period_start() = DateOf(*first);
  *inspection_request.mutable_period_end() = DateOf(*last);
  inspection::v1::InspectionReport inspected;
  const Asked inspection = Ask<inspection::v1::Inspection>(
      "inspection", absl::GetFlag(FLAGS_inspection),
      &inspection::v1::Inspection::Stub::GetInspectionReport, inspection_request, &inspected);

  cases::v1::GetCaseReportRequest cases_request;
  cases_request.mutable_department()->set_code(department);
  *cases_request.mutable_period_start() = DateOf(*first);
  *cases_request.mutable_period_end() = DateOf(*last);
  cases::v1::CaseReport handled;
  const Asked cases = Ask<cases::v1::Cases>("cases", absl::GetFlag(FLAGS_cases),
                                            &cases::v1::Cases::Stub::GetCaseReport, cases_request,
                                            &handled);

  risk::v1::AlertReportRequest risk_request;
  risk_request.set_department(department);
  *risk_request.mutable_from_date() = DateOf(*first);
  *risk_request.mutable_to_date() = DateOf(*last);
  risk::v1::AlertReport alerted;
  const Asked risk = Ask<risk::v1::Risk>("risk", absl::GetFlag(FLAGS_risk),
                                         &risk::v1::Risk::Stub::GetAlertReport, risk_request,
                                         &alerted);

  std::printf("Loop KPIs (闭环监管指标) of %s, %s … %s\n", department.c_str(),
              absl::FormatCivilTime(*first).c_str(), absl::FormatCivilTime(*last).c_str());
  std::printf("  %-46s %8s  %s\n", "KPI", "VALUE", "BASIS");
  const std::string unanswered = "-";
  if (inspection.ok()) {
    Row(1, "visits saved by joint inspection", absl::StrCat(inspected.visits_saved()),
        absl::StrCat(inspected.joint_tasks(), " joint tasks completed (inspection)"));
    Row(2, "problem-discovery rate",
        inspected.tasks_completed() == 0 ? unanswered : Percent(inspected.problem_discovery_ppm()),
        absl::StrCat(inspected.problems_found(), " of ", inspected.tasks_completed(),
                     " tasks completed found problems (inspection)"));
  } else {
    Row(1, "visits saved by joint inspection", unanswered,
        "(no report from inspection: see below)");
    Row(2, "problem-discovery rate", unanswered, "(no report from inspection: see below)");
  }
  if (cases.ok()) {
    Row(3, "cases opened from inspections", absl::StrCat(handled.cases_from_inspection()),
        absl::StrCat("of ", handled.cases_filed(), " cases filed (cases)"));
    Row(4, "average days, violation found to executed",
        handled.penalties_executed() == 0
            ? unanswered
            : absl::StrFormat("%.1f", handled.average_found_to_executed_days()),
        absl::StrCat(handled.penalties_executed(), " penalties executed, ",
                     handled.found_to_executed_days(), " days in all (cases)"));
  } else {
    Row(3, "cases opened from inspections", unanswered, "(no report from cases: see below)");
    Row(4, "average days, violation found to executed", unanswered,
        "(no report from cases: see below)");
  }
  if (!risk.ok()) {
    Row(5, "high-risk subjects inspected", unanswered, "(no report from risk: see below)");
  } else if (!alerted.has_high_risk()) {
    Row(5, "high-risk subjects inspected", unanswered,
        absl::StrCat("(risk does not know ", department,
                     "'s region: not in its catalogue projection)"));
  } else {
    const risk::v1::HighRiskCoverage& coverage = alerted.high_risk();
    Row(5, "high-risk subjects inspected",
        coverage.high_risk_subjects() == 0 ? unanswered : Percent(coverage.inspected_ppm()),
        absl::StrCat(coverage.inspected(), " of ", coverage.high_risk_subjects(),
                     " high-risk subjects",
                     coverage.region().empty() ? ""
                                               : absl::StrCat(" of region ", coverage.region()),
                     " (risk)"));
  }
  std::printf(
      "\n"
      "1 进一次门、查多项事: Σ (departments − 1) over the department's joint tasks whose result\n"
      "  was submitted in the period.\n"
      "2 问题发现率: of the department's tasks whose result was submitted in the period, the\n"
      "  share in which its own result found problems (violation, problem pending, problem\n"
      "  rectified, obstructed).\n"
      "3 检查移送立案: cases the department filed in the period from leads that inspection\n"
      "  transferred (LeadTransferred).\n"
      "4 平均办结天数: days from the violation found (the inspection's day for a lead from an\n"
      "  inspection, else the day the lead was first registered) to the penalty executed\n"
      "  (执行完毕), averaged over the penalties the department executed in the period.\n"
      "5 高风险主体检查覆盖率: of the subjects at risk level HIGH now (in the department's region\n"
      "  of jurisdiction), the share with an inspection completed (result submitted or\n"
      "  reviewed, follow-up visit done) in the period.\n");
  bool failed = false;
  for (const Asked* asked : {&inspection, &cases, &risk}) {
    if (asked->ok()) continue;
    asked->Report();
    failed = true;
  }
  return failed ? 1 : 0;
}

}  // namespace jianguan::jgctl
