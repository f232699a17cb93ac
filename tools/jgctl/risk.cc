// jgctl alerts | readings | devices | risk: the risk service (风险预警) from the command line
// (--risk, env JG_GRPC_TARGET): monitoring devices (监测设备) and their readings sent over the
// SendReadings stream, alerts followed from raise to close (预警闭环) with the manual steps of
// their loop (dispatch, accept, close), the departments' handling report (对监管的监管), a
// subject's risk level (风险等级) and the rule sets in force.
//
// Calls are made as --department (env JG_DEPARTMENT, default jgctl) and --user (env JG_USER):
// the service lets only the responsible department accept or close an alert, and records the
// caller as the actor of each step. --dept names the department a command is about (the
// alerts listed, the report's department, the department an alert is routed to); without
// --dept, a --department given on the command line is that department too. Request ids are
// derived from what is asked and by whom, so a repeated command is answered like the first
// and changes nothing.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/risk/v1/risk.grpc.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/csv.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/server/grpc_status.h"
#include "libs/store/store.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/enum_text.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_DECLARE_FLAG(std::string, department);
ABSL_DECLARE_FLAG(std::string, dept);
ABSL_DECLARE_FLAG(std::string, state);
ABSL_DECLARE_FLAG(std::string, uscc);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, item);
ABSL_DECLARE_FLAG(std::string, to);
ABSL_DECLARE_FLAG(int32_t, batch);

ABSL_FLAG(std::string, risk, "127.0.0.1:7107", "risk service address (env JG_GRPC_TARGET)");
ABSL_FLAG(std::string, rule, "", "alerts list: only the alerts of this rule id");
ABSL_FLAG(std::string, outcome, "", "alerts close: dismissed or not-inspected");
ABSL_FLAG(std::string, from, "",
          "alerts report: the first day, YYYY-MM-DD; readings list: from this time (RFC 3339, "
          "or YYYY-MM-DD for 00:00 Beijing time), inclusive");
ABSL_FLAG(std::vector<std::string>, metrics, {},
          "devices register: the metrics the device reports, comma-separated");
ABSL_FLAG(std::string, description, "", "devices register: what the device is and where");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::risk::v1;

constexpr char kUsage[] =
    "usage: jgctl alerts list [--dept D] [--state S] [--uscc U] [--rule R] | get NAME |\n"
    "         accept NAME | close NAME --outcome dismissed|not-inspected --reason TEXT |\n"
    "         dispatch NAME [--dept D] --item CODE[,CODE] --reason TEXT |\n"
    "         report --from YYYY-MM-DD --to YYYY-MM-DD [--dept D] | help\n"
    "       jgctl readings send FILE.csv [--batch N] | list DEVICE METRIC [--from T] [--to T]\n"
    "       jgctl devices register ID --uscc U --metrics M1,M2 --description TEXT |\n"
    "         list [--uscc U]\n"
    "       jgctl risk level USCC | rules\n"
    "NAME is alerts/{id} or the id. S is raised, dispatched, accepted, inspecting or closed.\n"
    "Calls are made as --department (JG_DEPARTMENT) and --user (JG_USER); only the responsible\n"
    "department accepts or closes an alert. --dept names the department a command is about\n"
    "(alerts listed, the report's, the one an alert is dispatched to); without it, --department\n"
    "given on the command line is that department too ('alerts list --department D': D's\n"
    "alerts, read as D; 'alerts dispatch NAME --department D': D takes the alert on itself);\n"
    "--dept all: every department's, as far as the caller may read them (docs/security.md).\n"
    "FILE.csv has the header device_id,uscc,metric,value,unit,measure_time (RFC 3339, e.g.\n"
    "2026-11-02T08:00:00+08:00); it is sent in batches of --batch rows (default 1000, at most\n"
    "5000) over one stream; errors name the file's line. Exit 0 only when every row was stored\n"
    "(or was stored before: a duplicate) and the stream finished; 1 when a row was refused or\n"
    "the stream broke (send the file again: the rows stored come back as duplicates).\n"
    "T is RFC 3339 or YYYY-MM-DD (00:00 Beijing time); --from inclusive, --to exclusive.\n"
    "A repeated command is answered like the first and changes nothing.";

constexpr int kMaxBatch = 5000;  // SendReadingsRequest: at most 5000 rows

int Usage() {
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

// A failed call: its gRPC code and message, and every field it names; exit status 1.
int RpcFail(const grpc::Status& status, std::string_view hint = "") {
  std::fprintf(stderr, "jgctl: %s: %s\n", CodeName(status.error_code()).c_str(),
               status.error_message().c_str());
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    std::fprintf(stderr, "  %s: %s\n", v.field.c_str(), v.description.c_str());
  }
  if (!hint.empty()) std::fprintf(stderr, "  (%s)\n", std::string(hint).c_str());
  return 1;
}

class Client {
 public:
  Client() : stub_(v1::Risk::NewStub(Connect(absl::GetFlag(FLAGS_risk), "127.0.0.1:7107"))) {}
  v1::Risk::Stub& operator*() const { return *stub_; }
  v1::Risk::Stub* operator->() const { return stub_.get(); }

 private:
  std::unique_ptr<v1::Risk::Stub> stub_;
};

// ---- names -----------------------------------------------------------------------------

std::string StateText(v1::AlertState state) {
  return Dashed(v1::AlertState_Name(state), "ALERT_STATE_");
}
std::string LevelText(v1::AlertLevel level) {
  return Dashed(v1::AlertLevel_Name(level), "ALERT_LEVEL_");
}
std::string OutcomeText(v1::AlertOutcome outcome) {
  return Dashed(v1::AlertOutcome_Name(outcome), "ALERT_OUTCOME_");
}

// 风险等级 in words, as the service's dimensions read.
const char* RiskLevelWords(v1::RiskLevel level) {
  switch (level) {
    case v1::RISK_LEVEL_LOW: return "低风险";
    case v1::RISK_LEVEL_GENERAL: return "一般风险";
    case v1::RISK_LEVEL_MEDIUM: return "较高风险";
    case v1::RISK_LEVEL_HIGH: return "高风险";
    default: return "未评估";
  }
}

std::string Named(const std::string& arg, const std::string& collection) {
  return arg.rfind(collection + "/", 0) == 0 ? arg : collection + "/" + arg;
}

// "2026-11-02T13:00:00+08:00" (Beijing time, as the departments read it); "-" when unset.
std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime(absl::RFC3339_sec, FromTimestamp(time), BeijingTime());
}

// Sets the request id of `request` (unless it carries one) from what it asks and who asks
// it: the same command by the same person is the same request, answered once by the service.
template <typename Request>
void DeriveRequestId(const std::string& verb, Request& request) {
  if (!request.request_id().empty()) return;
  const std::string asked = absl::StrCat(ActingDepartment(), "\n", ActingUser(), "\n",
                                         request.SerializeAsString());
  request.set_request_id(
      absl::StrCat("jgctl-", verb, "-", store::Sha256Hex(asked).substr(0, 32)));
}

// The department a command is about: --dept ("all": none, every department), else
// --department when given on the command line (not JG_DEPARTMENT: an environment that says
// who acts does not filter every listing).
std::string SubjectDepartment() {
  const std::string dept = absl::GetFlag(FLAGS_dept);
  if (dept == "all") return "";
  return dept.empty() ? absl::GetFlag(FLAGS_department) : dept;
}

// A day YYYY-MM-DD from the flag into `*date`; false, after saying so, when it is not a real
// day (absl would roll 2026-02-30 over to March) or missing.
bool ParseDay(std::string_view flag, const std::string& text, common::v1::Date* date) {
  absl::CivilDay day;
  if (text.empty() || !absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    std::fprintf(stderr, "jgctl: --%s takes a day YYYY-MM-DD, not \"%s\"\n",
                 std::string(flag).c_str(), text.c_str());
    return false;
  }
  *date = DateOf(day);
  return true;
}

// RFC 3339 ("2026-11-02T08:00:00+08:00", "…Z", fractions allowed), or a day YYYY-MM-DD
// meaning 00:00 Beijing time of that day.
std::optional<absl::Time> ParseInstant(const std::string& text) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day) && absl::FormatCivilTime(day) == text) {
    return absl::FromCivil(day, BeijingTime());
  }
  return std::nullopt;
}

// ---- alerts ----------------------------------------------------------------------------

void PrintAlertHeader() {
  std::printf("%-50s %-18s %-28s %-6s %-10s %-12s %-10s %-10s %s\n", "NAME", "SUBJECT", "RULE",
              "LEVEL", "STATE", "DEPARTMENT", "ACCEPT-BY", "CLOSE-BY", "NOTE");
}

// One alert as a row of `alerts list`; what a write answers is printed the same way.
void PrintAlertRow(const v1::Alert& alert) {
  const v1::AlertSummary& s = alert.summary();
  std::vector<std::string> notes;
  if (s.state() == v1::ALERT_STATE_CLOSED) {
    notes.push_back(absl::StrCat(OutcomeText(alert.outcome()),
                                 alert.on_time() ? " on time" : " late"));
  } else if (!alert.routing_problem().empty()) {
    notes.push_back(absl::StrCat("unrouted: ", alert.routing_problem()));
  }
  if (!alert.task().empty()) notes.push_back(alert.task());
  if (!alert.escalations().empty()) {
    const v1::Escalation& last = alert.escalations(alert.escalations_size() - 1);
    notes.push_back(absl::StrCat("escalated ×", alert.escalations_size(), " to ",
                                 last.supervising_department().code().empty()
                                     ? "the top"
                                     : last.supervising_department().code()));
  }
  if (!alert.condition_open() && s.state() != v1::ALERT_STATE_CLOSED) {
    notes.push_back("condition cleared");
  }
  notes.push_back(absl::StrCat("v", s.version()));
  const std::string department = s.department().code().empty() ? "-" : s.department().code();
  std::printf("%-50s %-18s %-28s %-6s %-10s %-12s %-10s %-10s %s\n", s.name().c_str(),
              s.uscc().c_str(), s.rule().c_str(), LevelText(s.level()).c_str(),
              StateText(s.state()).c_str(), department.c_str(),
              DateText(alert.accept_due_date()).c_str(), DateText(alert.close_due_date()).c_str(),
              absl::StrJoin(notes, "; ").c_str());
}

int ListAlerts(const Client& client) {
  v1::ListAlertsRequest request;
  request.set_department(SubjectDepartment());
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    auto parsed = ParseDashed<v1::AlertState>(state, "ALERT_STATE_", v1::AlertState_Parse);
    if (!parsed) {
      std::fprintf(stderr, "jgctl: unknown --state %s (one of %s)\n", state.c_str(),
                   Choices("ALERT_STATE_", v1::AlertState_IsValid,
                           [](int v) { return v1::AlertState_Name(static_cast<v1::AlertState>(v)); })
                       .c_str());
      return 2;
    }
    request.set_state(*parsed);
  }
  request.set_uscc(absl::GetFlag(FLAGS_uscc));
  request.set_rule(absl::GetFlag(FLAGS_rule));
  request.mutable_page()->set_page_size(1000);
  bool header = false;
  do {
    grpc::ClientContext context;
    IdentifyActing(context);
    v1::ListAlertsResponse response;
    if (auto status = client->ListAlerts(&context, request, &response); !status.ok()) {
      return RpcFail(status);
    }
    for (const v1::Alert& alert : response.alerts()) {
      if (!header) PrintAlertHeader();
      header = true;
      PrintAlertRow(alert);
    }
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  if (!header) std::fprintf(stderr, "no alerts\n");
  return 0;
}

int GetAlert(const Client& client, const std::string& name) {
  v1::GetAlertRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::Alert alert;
  if (auto status = client->GetAlert(&context, request, &alert); !status.ok()) {
    return RpcFail(status);
  }
  PrintJson(alert);
  std::printf("\n");
  return 0;
}

// One write that answers the alert; printed as a row on success.
template <typename Request>
int CallAlert(grpc::Status (v1::Risk::Stub::*method)(grpc::ClientContext*, const Request&,
                                                     v1::Alert*),
              const Client& client, const Request& request) {
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::Alert alert;
  if (auto status = ((*client).*method)(&context, request, &alert); !status.ok()) {
    return RpcFail(status);
  }
  PrintAlertRow(alert);
  return 0;
}

// The --reason a command cannot do without; empty after saying so.
std::string RequiredReason(const char* command) {
  std::string reason = absl::GetFlag(FLAGS_reason);
  if (reason.empty()) std::fprintf(stderr, "jgctl: alerts %s needs --reason TEXT\n", command);
  return reason;
}

int AcceptAlert(const Client& client, const std::string& name) {
  v1::AcceptAlertRequest request;
  request.set_name(name);
  DeriveRequestId("accept-alert", request);
  return CallAlert(&v1::Risk::Stub::AcceptAlert, client, request);
}

int CloseAlert(const Client& client, const std::string& name) {
  v1::CloseAlertRequest request;
  request.set_name(name);
  const std::string outcome = absl::GetFlag(FLAGS_outcome);
  auto parsed = ParseDashed<v1::AlertOutcome>(outcome, "ALERT_OUTCOME_", v1::AlertOutcome_Parse);
  if (!parsed) {
    std::fprintf(stderr, "jgctl: alerts close needs --outcome dismissed or not-inspected%s\n",
                 outcome.empty() ? "" : absl::StrCat(", not \"", outcome, "\"").c_str());
    return 2;
  }
  if (*parsed != v1::ALERT_OUTCOME_DISMISSED && *parsed != v1::ALERT_OUTCOME_NOT_INSPECTED) {
    std::fprintf(stderr,
                 "jgctl: --outcome %s is set by the inspection result; a department closes an "
                 "alert by hand only as dismissed or not-inspected\n",
                 outcome.c_str());
    return 2;
  }
  request.set_outcome(*parsed);
  request.set_reason(RequiredReason("close"));
  if (request.reason().empty()) return 2;
  DeriveRequestId("close-alert", request);
  return CallAlert(&v1::Risk::Stub::CloseAlert, client, request);
}

int DispatchAlert(const Client& client, const std::string& name) {
  v1::DispatchAlertRequest request;
  request.set_name(name);
  request.set_department(SubjectDepartment());
  if (request.department().empty()) {
    std::fprintf(stderr, "jgctl: alerts dispatch needs --dept DEPARTMENT (the one responsible)\n");
    return 2;
  }
  for (absl::string_view code : absl::StrSplit(absl::GetFlag(FLAGS_item), ',', absl::SkipWhitespace())) {
    request.add_items()->set_code(std::string(absl::StripAsciiWhitespace(code)));
  }
  if (request.items().empty()) {
    std::fprintf(stderr, "jgctl: alerts dispatch needs --item CODE[,CODE] (the items checked)\n");
    return 2;
  }
  request.set_reason(RequiredReason("dispatch"));
  if (request.reason().empty()) return 2;
  DeriveRequestId("dispatch-alert", request);
  return CallAlert(&v1::Risk::Stub::DispatchAlert, client, request);
}

int Report(const Client& client) {
  v1::AlertReportRequest request;
  if (!ParseDay("from", absl::GetFlag(FLAGS_from), request.mutable_from_date()) ||
      !ParseDay("to", absl::GetFlag(FLAGS_to), request.mutable_to_date())) {
    return 2;
  }
  request.set_department(SubjectDepartment());
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::AlertReport report;
  if (auto status = client->GetAlertReport(&context, request, &report); !status.ok()) {
    return RpcFail(status);
  }
  std::printf("alerts dispatched %s … %s%s, as of %s\n", DateText(request.from_date()).c_str(),
              DateText(request.to_date()).c_str(),
              request.department().empty() ? "" : absl::StrCat(" to ", request.department()).c_str(),
              TimeText(report.report_time()).c_str());
  std::printf("%-14s %10s %16s %14s %11s %12s %9s %6s\n", "DEPARTMENT", "DISPATCHED",
              "ACCEPTED-ON-TIME", "CLOSED-ON-TIME", "CLOSED-LATE", "OVERDUE-OPEN", "ESCALATED",
              "OPEN");
  for (const v1::DepartmentAlertFigures& f : report.departments()) {
    std::printf("%-14s %10lld %16lld %14lld %11lld %12lld %9lld %6lld\n",
                f.department().code().c_str(), static_cast<long long>(f.dispatched()),
                static_cast<long long>(f.accepted_on_time()),
                static_cast<long long>(f.closed_on_time()),
                static_cast<long long>(f.closed_late()), static_cast<long long>(f.overdue_open()),
                static_cast<long long>(f.escalated()), static_cast<long long>(f.open()));
  }
  if (report.departments().empty()) std::printf("(no alert dispatched in the period)\n");
  std::printf("raised in the period and routed to no department: %lld\n",
              static_cast<long long>(report.unrouted()));
  if (report.has_high_risk()) {
    const v1::HighRiskCoverage& coverage = report.high_risk();
    std::printf("high-risk subjects%s inspected in the period: %lld of %lld (%.1f%%)\n",
                coverage.region().empty() ? ""
                                          : absl::StrCat(" of region ", coverage.region()).c_str(),
                static_cast<long long>(coverage.inspected()),
                static_cast<long long>(coverage.high_risk_subjects()),
                coverage.inspected_ppm() / 10000.0);
  } else {
    std::printf("high-risk subjects inspected: unknown (%s is not in risk's catalogue "
                "projection)\n",
                request.department().c_str());
  }
  return 0;
}

int Alerts(const Client& client, const std::vector<std::string>& args) {
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "list" && args.size() == 2) return ListAlerts(client);
  if (verb == "report" && args.size() == 2) return Report(client);
  if (args.size() != 3) return Usage();
  const std::string name = Named(args[2], "alerts");
  if (verb == "get") return GetAlert(client, name);
  if (verb == "accept") return AcceptAlert(client, name);
  if (verb == "close") return CloseAlert(client, name);
  if (verb == "dispatch") return DispatchAlert(client, name);
  return Usage();
}

// ---- readings --------------------------------------------------------------------------

// One CSV record as a reading row (row_number: the record's line in the file); nullopt, after
// naming the line and field, when a value or time does not parse. What parses but is wrong
// (an unknown device, a value that is not finite, a time in the future) is left for the
// service to name.
std::optional<v1::ReadingRow> ToReadingRow(const CsvRecord& record, const std::vector<size_t>& col) {
  const auto& f = record.fields;
  v1::ReadingRow row;
  row.set_row_number(record.line);
  v1::Reading& r = *row.mutable_reading();
  r.set_device_id(f[col[0]]);
  r.set_uscc(f[col[1]]);
  r.set_metric(f[col[2]]);
  std::vector<std::string> problems;
  double value = 0;
  if (absl::SimpleAtod(f[col[3]], &value)) {
    r.set_value(value);
  } else {
    problems.push_back(absl::StrCat("value: \"", f[col[3]], "\" is not a number"));
  }
  r.set_unit(f[col[4]]);
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, f[col[5]], &time, &error)) {
    *r.mutable_measure_time() = ToTimestamp(time);
  } else {
    problems.push_back(absl::StrCat("measure_time: \"", f[col[5]],
                                    "\" is not an RFC 3339 time (e.g. 2026-11-02T08:00:00+08:00)"));
  }
  if (problems.empty()) return row;
  for (const std::string& problem : problems) {
    std::fprintf(stderr, "line %d: %s\n", record.line, problem.c_str());
  }
  return std::nullopt;
}

int SendReadings(const Client& client, const std::string& path) {
  auto records = ReadCsvFile(path);
  if (!records.ok()) {
    std::fprintf(stderr, "jgctl: %s\n", std::string(records.status().message()).c_str());
    return 1;
  }
  if (records->empty()) {
    std::fprintf(stderr, "jgctl: %s is empty (it needs the header %s)\n", path.c_str(),
                 "device_id,uscc,metric,value,unit,measure_time");
    return 1;
  }
  auto col = CsvColumns((*records)[0], {"device_id", "uscc", "metric", "value", "unit",
                                        "measure_time"},
                        path);
  if (!col.ok()) {
    std::fprintf(stderr, "jgctl: %s\n", std::string(col.status().message()).c_str());
    return 1;
  }
  const int batch_size = absl::GetFlag(FLAGS_batch);
  if (batch_size < 1 || batch_size > kMaxBatch) {
    std::fprintf(stderr, "jgctl: --batch must be 1–%d rows\n", kMaxBatch);
    return 2;
  }
  const size_t total = records->size() - 1;
  std::vector<v1::ReadingRow> rows;
  int64_t unreadable = 0;
  for (size_t i = 1; i < records->size(); ++i) {
    if (auto row = ToReadingRow((*records)[i], *col)) {
      rows.push_back(*std::move(row));
    } else {
      ++unreadable;
    }
  }
  std::vector<v1::SendReadingsRequest> batches;
  for (size_t i = 0; i < rows.size(); i += batch_size) {
    v1::SendReadingsRequest& request = batches.emplace_back();
    for (size_t j = i; j < std::min(rows.size(), i + batch_size); ++j) {
      *request.add_rows() = std::move(rows[j]);
    }
  }

  int64_t accepted = 0, duplicates = 0, refused = unreadable, unanswered_rows = 0;
  size_t answered = 0;
  int64_t stored_up_to = 0;  // the last line of the last batch answered
  grpc::Status status = grpc::Status::OK;
  if (!batches.empty()) {
    grpc::ClientContext context;
    IdentifyActing(context);
    auto stream = client->SendReadings(&context);
    // The batches are written ahead by one thread (gRPC's flow control bounds how far) while
    // this one reads the answers, one per batch, in order.
    std::thread writer([&] {
      for (const v1::SendReadingsRequest& request : batches) {
        if (!stream->Write(request)) break;  // the stream broke: Finish says why
      }
      stream->WritesDone();
    });
    v1::SendReadingsResponse answer;
    while (answered < batches.size() && stream->Read(&answer)) {
      const v1::SendReadingsRequest& sent = batches[answered++];
      const int64_t first = sent.rows(0).row_number();
      const int64_t last = sent.rows(sent.rows_size() - 1).row_number();
      accepted += answer.accepted();
      duplicates += answer.duplicates();
      refused += answer.errors_size();
      for (const v1::ReadingError& error : answer.errors()) {
        if (error.violations().empty()) {
          std::fprintf(stderr, "line %lld: refused\n", static_cast<long long>(error.row_number()));
        }
        for (const common::v1::FieldViolation& v : error.violations()) {
          std::fprintf(stderr, "line %lld: %s: %s\n", static_cast<long long>(error.row_number()),
                       v.field().c_str(), v.description().c_str());
        }
      }
      // Every row of the batch is accepted, a duplicate or refused; anything else was lost.
      const int64_t unaccounted =
          sent.rows_size() - answer.accepted() - answer.duplicates() - answer.errors_size();
      if (unaccounted != 0) {
        std::fprintf(stderr,
                     "jgctl: the answer to batch %zu counts %lld rows more or fewer than the %d "
                     "sent\n",
                     answered, static_cast<long long>(unaccounted), sent.rows_size());
        unanswered_rows += std::max<int64_t>(unaccounted, 0);
      }
      stored_up_to = last;
      std::fprintf(stderr,
                   "batch %zu/%zu (lines %lld–%lld): %lld accepted, %lld duplicates, %d refused\n",
                   answered, batches.size(), static_cast<long long>(first),
                   static_cast<long long>(last), static_cast<long long>(answer.accepted()),
                   static_cast<long long>(answer.duplicates()), answer.errors_size());
    }
    // Read failing means the call is over (the service finished it or the connection broke):
    // a write still pending fails too, so the writer ends.
    writer.join();
    status = stream->Finish();
    if (status.ok() && answered < batches.size()) {
      status = grpc::Status(grpc::StatusCode::UNKNOWN,
                            "the service ended the stream without answering every batch");
    }
  }
  std::printf("%s: %zu rows: %lld accepted, %lld duplicates (stored before), %lld refused\n",
              path.c_str(), total, static_cast<long long>(accepted),
              static_cast<long long>(duplicates), static_cast<long long>(refused));
  if (!status.ok()) {
    for (size_t b = answered; b < batches.size(); ++b) unanswered_rows += batches[b].rows_size();
    std::fprintf(stderr,
                 "jgctl: the readings stream broke after %zu of %zu batches were answered "
                 "(%s; %lld rows not answered: send the file again, the rows stored come back "
                 "as duplicates): %s: %s\n",
                 answered, batches.size(),
                 answered == 0 ? "nothing of the file is known to be stored"
                               : absl::StrCat("the rows up to line ", stored_up_to,
                                              " were answered, so stored").c_str(),
                 static_cast<long long>(unanswered_rows),
                 CodeName(status.error_code()).c_str(), status.error_message().c_str());
    return 1;
  }
  if (refused > 0 || unanswered_rows > 0) {
    std::fprintf(stderr, "jgctl: %lld of %zu rows were refused (named above by line); the "
                 "others are stored\n",
                 static_cast<long long>(refused + unanswered_rows), total);
    return 1;
  }
  if (accepted == 0 && duplicates > 0) {
    std::printf("nothing new: every reading was stored before\n");
  }
  return 0;
}

int ListReadings(const Client& client, const std::string& device, const std::string& metric) {
  v1::ListReadingsRequest request;
  request.set_device_id(device);
  request.set_metric(metric);
  // --from and --to into start_time and end_time, left unset when not given.
  const auto bound = [](const char* flag, const std::string& text,
                        google::protobuf::Timestamp* (v1::ListReadingsRequest::*field)(),
                        v1::ListReadingsRequest& request) {
    if (text.empty()) return true;
    auto time = ParseInstant(text);
    if (!time) {
      std::fprintf(stderr,
                   "jgctl: --%s takes an RFC 3339 time (2026-11-02T08:00:00+08:00) or a day "
                   "YYYY-MM-DD, not \"%s\"\n",
                   flag, text.c_str());
      return false;
    }
    *(request.*field)() = ToTimestamp(*time);
    return true;
  };
  if (!bound("from", absl::GetFlag(FLAGS_from), &v1::ListReadingsRequest::mutable_start_time,
             request) ||
      !bound("to", absl::GetFlag(FLAGS_to), &v1::ListReadingsRequest::mutable_end_time,
             request)) {
    return 2;
  }
  request.mutable_page()->set_page_size(1000);
  int64_t count = 0;
  do {
    grpc::ClientContext context;
    IdentifyActing(context);
    v1::ListReadingsResponse response;
    if (auto status = client->ListReadings(&context, request, &response); !status.ok()) {
      return RpcFail(status);
    }
    for (const v1::Reading& r : response.readings()) {
      std::printf("%s  %-12s %s\n", TimeText(r.measure_time()).c_str(),
                  absl::StrCat(r.value()).c_str(), r.unit().c_str());
      ++count;
    }
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  std::fprintf(stderr, "%lld readings of %s from %s\n", static_cast<long long>(count),
               metric.c_str(), device.c_str());
  return 0;
}

int Readings(const Client& client, const std::vector<std::string>& args) {
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "send" && args.size() == 3) return SendReadings(client, args[2]);
  if (verb == "list" && args.size() == 4) return ListReadings(client, args[2], args[3]);
  return Usage();
}

// ---- devices ---------------------------------------------------------------------------

void PrintDevice(const v1::Device& d) {
  std::printf("devices/%-30s %s  [%s]  %s  v%lld  updated %s\n", d.device_id().c_str(),
              d.uscc().c_str(), absl::StrJoin(d.metrics(), ",").c_str(), d.description().c_str(),
              static_cast<long long>(d.version()), TimeText(d.update_time()).c_str());
}

int RegisterDevice(const Client& client, const std::string& id) {
  v1::RegisterDeviceRequest request;
  v1::Device& device = *request.mutable_device();
  device.set_device_id(id.rfind("devices/", 0) == 0 ? id.substr(8) : id);
  device.set_uscc(absl::GetFlag(FLAGS_uscc));
  for (const std::string& metric : absl::GetFlag(FLAGS_metrics)) device.add_metrics(metric);
  device.set_description(absl::GetFlag(FLAGS_description));
  if (device.uscc().empty() || device.metrics().empty() || device.description().empty()) {
    std::fprintf(stderr,
                 "jgctl: devices register needs --uscc U, --metrics M1,M2 and --description "
                 "TEXT\n");
    return 2;
  }
  DeriveRequestId("register-device", request);
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::Device registered;
  if (auto status = client->RegisterDevice(&context, request, &registered); !status.ok()) {
    return RpcFail(status);
  }
  PrintDevice(registered);
  return 0;
}

int ListDevices(const Client& client) {
  v1::ListDevicesRequest request;
  request.set_uscc(absl::GetFlag(FLAGS_uscc));
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    IdentifyActing(context);
    v1::ListDevicesResponse response;
    if (auto status = client->ListDevices(&context, request, &response); !status.ok()) {
      return RpcFail(status);
    }
    for (const v1::Device& device : response.devices()) PrintDevice(device);
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int Devices(const Client& client, const std::vector<std::string>& args) {
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "register" && args.size() == 3) return RegisterDevice(client, args[2]);
  if (verb == "list" && args.size() == 2) return ListDevices(client);
  return Usage();
}

// ---- risk levels and rules -------------------------------------------------------------

int Level(const Client& client, const std::string& uscc) {
  v1::GetSubjectRiskRequest request;
  request.set_uscc(uscc);
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::SubjectRisk risk;
  if (auto status = client->GetSubjectRisk(&context, request, &risk); !status.ok()) {
    return RpcFail(status, status.error_code() == grpc::StatusCode::NOT_FOUND
                               ? "not assessed yet: a subject without an assessment counts as "
                                 "GENERAL (一般风险)"
                               : "");
  }
  std::printf("%s  %s (%s)  score %d  version %lld  assessed %s\n", risk.uscc().c_str(),
              RiskLevelWords(risk.level()),
              Dashed(v1::RiskLevel_Name(risk.level()), "RISK_LEVEL_").c_str(), risk.score(),
              static_cast<long long>(risk.version()), TimeText(risk.assess_time()).c_str());
  for (const std::string& dimension : risk.dimensions()) {
    std::printf("  %s\n", dimension.c_str());
  }
  if (!risk.rules().empty()) {
    std::printf("  open alerts of rules: %s\n", absl::StrJoin(risk.rules(), ", ").c_str());
  }
  return 0;
}

int Rules(const Client& client) {
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::ListRuleSetsResponse response;
  if (auto status = client->ListRuleSets(&context, v1::ListRuleSetsRequest(), &response);
      !status.ok()) {
    return RpcFail(status);
  }
  for (const v1::LoadedRuleSet& set : response.rule_sets()) {
    std::printf("%-24s %-8s from %s  %3d rules  sha256 %s  %s\n", set.name().c_str(),
                set.version().c_str(), DateText(set.effective_date()).c_str(), set.rules(),
                set.fingerprint().c_str(), set.file().c_str());
  }
  std::printf("rule files read %s\n", TimeText(response.load_time()).c_str());
  return 0;
}

int RiskCommand(const Client& client, const std::vector<std::string>& args) {
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "level" && args.size() == 3) return Level(client, args[2]);
  if (verb == "rules" && args.size() == 2) return Rules(client);
  return Usage();
}

}  // namespace

int Risk(const std::vector<std::string>& args) {
  const std::string command = args.empty() ? "" : args[0];
  if (args.size() == 2 && (args[1] == "help" || args[1] == "--help")) {
    std::printf("%s\n", kUsage);
    return 0;
  }
  const Client client;
  if (command == "alerts") return Alerts(client, args);
  if (command == "readings") return Readings(client, args);
  if (command == "devices") return Devices(client, args);
  if (command == "risk") return RiskCommand(client, args);
  return Usage();
}

}  // namespace jianguan::jgctl
