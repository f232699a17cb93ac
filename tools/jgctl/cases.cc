// jgctl cases: the case handling service (统一处罚办案) from the command line (--cases, env
// JG_GRPC_TARGET): leads (案源) from registration to filing or not, every step of the general
// procedure (普通程序) on a case, its deadlines, its trail and its numbered documents (文书),
// on-site decisions (简易程序) and the public penalty decisions (行政处罚决定公示).
//
// Calls are made as --department (env JG_DEPARTMENT, default jgctl) and --user (env JG_USER):
// the service shows a department only its own leads and cases, and records the user as the
// actor of each step (the legal review's reviewer is that user). Request ids are derived from
// what is asked and by whom, so a repeated command is answered like the first and changes
// nothing.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/store/store.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/enum_text.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_DECLARE_FLAG(std::string, state);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, dept);

ABSL_FLAG(std::string, cases, "127.0.0.1:7105", "cases service address (env JG_GRPC_TARGET)");
ABSL_FLAG(std::string, date, "",
          "cases: the day of the step or decision, YYYY-MM-DD (a Beijing date); default today");
ABSL_FLAG(std::string, to, "", "cases leads transfer: the receiving department's code");
ABSL_FLAG(bool, accept, false, "cases leads answer: accept the lead handed over (接收)");
ABSL_FLAG(bool, return, false, "cases leads answer: return the lead handed over (退回; --reason)");
ABSL_FLAG(std::string, party, "", "cases file: the party's name (当事人名称)");
ABSL_FLAG(std::string, party_kind, "", "cases file: organisation or citizen");
ABSL_FLAG(std::vector<std::string>, items, {},
          "cases file: the regulatory item codes concerned, comma-separated");
ABSL_FLAG(std::vector<std::string>, officers, {},
          "cases file / act: the enforcement officers' user ids, comma-separated (at least two on "
          "investigative steps and the decision)");
ABSL_FLAG(bool, legal_review, false,
          "cases file: the decision will need a passed legal review (法制审核, 第五十八条)");
ABSL_FLAG(std::string, note, "", "cases file / act: the reason or content of the step");
ABSL_FLAG(std::string, penalty, "",
          "cases act notice / decide: a jianguan.cases.v1.Penalty as a JSON file or inline JSON");
ABSL_FLAG(std::string, hearing_date, "", "cases act schedule-hearing: the hearing's day");
ABSL_FLAG(bool, waives_rights, false,
          "cases act record-statement: the party waives statement and hearing in writing");
ABSL_FLAG(bool, party_absent, false,
          "cases act decide: the party was absent when the decision was announced");
ABSL_FLAG(int64_t, paid_fen, 0, "cases act execute: the fine paid, in fen");
ABSL_FLAG(int64_t, surcharge_paid_fen, 0,
          "cases act execute: the late-payment surcharge paid (加处罚款), in fen");
ABSL_FLAG(bool, serious, false, "cases act decide: a serious violation (情节严重)");
ABSL_FLAG(bool, at_risk, false, "cases list: only cases near or past their decision limit");
ABSL_FLAG(std::string, as_of, "", "cases get: the day to compute the deadlines for");
ABSL_FLAG(std::string, pdf, "", "cases document: also render the PDF and write it to this file");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::cases::v1;
namespace pb = ::google::protobuf;

constexpr char kUsage[] =
    "usage: jgctl cases leads list [--state S] | leads get LEAD | leads register FILE.json |\n"
    "         leads transfer LEAD --to DEPT --reason R [--date D] |\n"
    "         leads answer LEAD --accept|--return [--reason R] [--date D] |\n"
    "         leads extend LEAD --reason R | leads decline LEAD --reason R [--date D]\n"
    "       jgctl cases file LEAD --party NAME --party_kind organisation|citizen\n"
    "         --officers O1,O2 [--items C1,C2] [--legal_review] [--date D] [--note N]\n"
    "       jgctl cases act CASE ACTION [--date D] [--officers O1,O2] [--note N] [--penalty P]\n"
    "         [--hearing_date D] [--waives_rights] [--party_absent] [--paid_fen N]\n"
    "         [--surcharge_paid_fen N] [--serious] | act CASE FILE.json\n"
    "       jgctl cases list [--state S] [--at_risk] | get CASE [--as_of D] | trail CASE |\n"
    "         document CASE/documents/N [--pdf OUT.pdf] | on-spot FILE.json |\n"
    "         public [--dept DEPT] | help\n"
    "LEAD is leads/{id} or the id, CASE cases/{id} or the id, D a day YYYY-MM-DD (default\n"
    "today; never after today, nor before the case's last step). P is a\n"
    "jianguan.cases.v1.Penalty as a JSON file or inline, e.g.\n"
    "  '{\"kinds\": [\"PENALTY_KIND_FINE\"], \"fine\": {\"fen\": 500000},\n"
    "    \"legal_basis\": \"《食品安全法》第一百二十四条\"}'\n"
    "FILE.json holds the RPC's request (RegisterLeadRequest, ActRequest, DecideOnSpotRequest);\n"
    "its request_id, when empty, is derived like every other. Calls are made as --department\n"
    "(JG_DEPARTMENT) and --user (JG_USER); a repeated command is answered like the first and\n"
    "changes nothing, so two equal steps need another --note or --date. A refused command may\n"
    "be repeated once it is allowed. 'jgctl cases help' lists the actions.";

// What each action of `cases act` does and needs (行政处罚法 unless named otherwise), as the
// service's procedure (services/cases/domain/procedure.cc) checks it.
struct ActionHelp {
  v1::CaseAction action;
  const char* help;
};
constexpr ActionHelp kActions[] = {
    {v1::CASE_ACTION_START_INVESTIGATION,
     "FILED → INVESTIGATING; --officers: two at least (第四十二条)"},
    {v1::CASE_ACTION_RECORD_EVIDENCE,
     "stays INVESTIGATING; --officers: two at least; --note what was recorded"},
    {v1::CASE_ACTION_START_TESTING,
     "stays INVESTIGATING, the decision clock pauses; --officers: two at least"},
    {v1::CASE_ACTION_END_TESTING, "stays INVESTIGATING, the clock runs again"},
    {v1::CASE_ACTION_SUBMIT_FOR_REVIEW,
     "INVESTIGATING (no testing open), NOTICED or HEARING (the party heard) → LEGAL_REVIEW"},
    {v1::CASE_ACTION_PASS_REVIEW,
     "stays LEGAL_REVIEW; --user is the reviewer, who must not be an officer of the case "
     "(第五十八条)"},
    {v1::CASE_ACTION_RETURN_FOR_INVESTIGATION, "LEGAL_REVIEW → INVESTIGATING; --note why"},
    {v1::CASE_ACTION_NOTICE,
     "INVESTIGATING or LEGAL_REVIEW (passed) → NOTICED; --penalty proposed (第四十四条)"},
    {v1::CASE_ACTION_RECORD_STATEMENT,
     "stays NOTICED; --waives_rights when the party waives statement and hearing in writing"},
    {v1::CASE_ACTION_REQUEST_HEARING,
     "NOTICED → HEARING, within 5 working days of the notice (第六十四条); the clock pauses"},
    {v1::CASE_ACTION_SCHEDULE_HEARING,
     "stays HEARING; --hearing_date at least 7 working days after --date (第六十四条)"},
    {v1::CASE_ACTION_HOLD_HEARING,
     "stays HEARING, on or after the hearing's day; the clock runs again"},
    {v1::CASE_ACTION_DECIDE,
     "NOTICED, HEARING or LEGAL_REVIEW → DECIDED; --penalty no heavier than noticed "
     "(第四十五条), --officers: two at least; only once the party was heard: a held hearing, "
     "--waives_rights recorded, or after the 5 working days to ask for one; a passed review "
     "when filed with --legal_review (after the hearing, if one was held); [--party_absent] "
     "[--serious]"},
    {v1::CASE_ACTION_SERVE, "DECIDED → SERVED (第六十一条)"},
    {v1::CASE_ACTION_EXECUTE,
     "SERVED → EXECUTED; --paid_fen exactly the decided fine, [--surcharge_paid_fen N] at most "
     "the fine (第七十二条)"},
    {v1::CASE_ACTION_CLOSE,
     "EXECUTED → CLOSED; from FILED … HEARING or SUSPENDED with --note why (不予处罚, 撤销立案, "
     "移送司法机关)"},
    {v1::CASE_ACTION_ARCHIVE, "CLOSED → ARCHIVED; nothing may change afterwards"},
    {v1::CASE_ACTION_SUSPEND, "FILED … HEARING → SUSPENDED; --note why; the clock pauses"},
    {v1::CASE_ACTION_RESUME, "SUSPENDED → the state it left"},
    {v1::CASE_ACTION_EXTEND,
     "FILED … HEARING: 30 more days for the decision, once, with the head's approval; --note"},
};

std::string ActionName(v1::CaseAction action) {
  return Dashed(v1::CaseAction_Name(action), "CASE_ACTION_");
}
std::string CaseStateName(v1::CaseState state) {
  return Dashed(v1::CaseState_Name(state), "CASE_STATE_");
}
std::string LeadStateName(v1::LeadState state) {
  return Dashed(v1::LeadState_Name(state), "LEAD_STATE_");
}

// Columns `text` takes on a terminal: a CJK character (three bytes of UTF-8) takes two.
size_t Columns(std::string_view text) {
  size_t columns = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) columns += c >= 0xE0 ? 2 : 1;
  }
  return columns;
}

void PrintActions(FILE* out) {
  constexpr size_t kIndent = 28, kWidth = 100;
  std::fprintf(out, "ACTION (cases act CASE ACTION), with what it needs:\n");
  for (const ActionHelp& a : kActions) {
    // Wrapped at word boundaries under the help column, so the table reads in 100 columns.
    std::string line = absl::StrFormat("  %-25s", ActionName(a.action));
    size_t width = Columns(line);
    for (absl::string_view word : absl::StrSplit(a.help, ' ')) {
      if (width + 1 + Columns(StdView(word)) > kWidth && width > kIndent) {
        std::fprintf(out, "%s\n", line.c_str());
        line = std::string(kIndent - 1, ' ');
        width = kIndent - 1;
      }
      absl::StrAppend(&line, " ", word);
      width += 1 + Columns(StdView(word));
    }
    std::fprintf(out, "%s\n", line.c_str());
  }
}

int Usage() {
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

std::string Named(const std::string& arg, const std::string& collection) {
  return arg.rfind(collection + "/", 0) == 0 ? arg : collection + "/" + arg;
}

// 123456 fen as "1234.56元".
std::string Yuan(int64_t fen) {
  return absl::StrFormat("%s%d.%02d元", fen < 0 ? "-" : "", std::abs(fen) / 100,
                         std::abs(fen) % 100);
}

// Sets `*date` from the flag's YYYY-MM-DD text; false, after saying so, when it is not a real
// day (absl would roll 2026-02-30 over to March).
bool ParseDate(std::string_view flag, const std::string& text, common::v1::Date* date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    std::fprintf(stderr, "jgctl: --%s takes a day YYYY-MM-DD, not \"%s\"\n",
                 std::string(flag).c_str(), text.c_str());
    return false;
  }
  *date = DateOf(day);
  return true;
}

// The --date flag into `request.date` when given; left unset otherwise, so that the service
// takes today (a present but empty date would be refused). False on a malformed one.
template <typename Request>
bool DateFlag(Request& request) {
  const std::string text = absl::GetFlag(FLAGS_date);
  return text.empty() || ParseDate("date", text, request.mutable_date());
}

// `json` (JSON text of `message`'s type) into `*message`; false after saying what is wrong.
bool FromJson(const std::string& json, const std::string& origin, pb::Message* message) {
  if (auto status = pb::util::JsonStringToMessage(json, message); !status.ok()) {
    std::fprintf(stderr, "jgctl: %s is not a %s in JSON: %s\n", origin.c_str(),
                 message->GetDescriptor()->full_name().c_str(),
                 std::string(status.message()).c_str());
    return false;
  }
  return true;
}

bool FromJsonFile(const std::string& path, pb::Message* message) {
  std::string content;
  return ReadWholeFile(path, &content) && FromJson(content, path, message);
}

class Client {
 public:
  Client()
      : channel_(Connect(absl::GetFlag(FLAGS_cases), "127.0.0.1:7105")),
        stub_(v1::Cases::NewStub(channel_)),
        public_(v1::PublicDecisions::NewStub(channel_)) {}

  v1::Cases::Stub& operator*() const { return *stub_; }
  v1::Cases::Stub* operator->() const { return stub_.get(); }
  v1::PublicDecisions::Stub& public_stub() const { return *public_; }

  // A call as ActingDepartment() and ActingUser() with `roles`.
  static void As(grpc::ClientContext& context, std::initializer_list<std::string_view> roles = {}) {
    IdentifyActing(context, roles);
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Cases::Stub> stub_;
  std::unique_ptr<v1::PublicDecisions::Stub> public_;
};

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

void PrintLead(const v1::Lead& lead) {
  std::string decided;
  if (!lead.case_name().empty()) {
    decided = absl::StrCat("  filed as ", lead.case_name());
  } else if (lead.state() == v1::LEAD_STATE_NOT_FILED) {
    decided = absl::StrCat("  not filed: ", lead.decision_reason());
  } else if (lead.state() == v1::LEAD_STATE_TRANSFER_PENDING && lead.transfers_size() > 0) {
    decided = absl::StrCat("  handed to ",
                           lead.transfers(lead.transfers_size() - 1).to_department().code());
  }
  std::printf("%-32s %-16s %-12s %s  %s  registered %s  decide by %s%s%s\n", lead.name().c_str(),
              LeadStateName(lead.state()).c_str(),
              Dashed(v1::LeadSource_Name(lead.source()), "LEAD_SOURCE_").c_str(),
              lead.uscc().c_str(), lead.department().code().c_str(),
              DateText(lead.registered_date()).c_str(), DateText(lead.filing_due_date()).c_str(),
              lead.extended() ? " (extended)" : "", decided.c_str());
}

void PrintCase(const v1::CaseView& view) {
  const v1::Case& c = view.case_record();
  const v1::CaseDeadlines& d = view.deadlines();
  std::string due;
  if (!c.has_decided_date() && d.has_decision_due_date()) {
    due = absl::StrCat("  decide by ", DateText(d.decision_due_date()), " (",
                       d.decision_days_remaining(), " days", d.at_risk() ? ", at risk" : "", ")");
  } else if (c.state() == v1::CASE_STATE_DECIDED && d.has_service_due_date()) {
    due = absl::StrCat("  serve by ", DateText(d.service_due_date()));
  } else if (c.state() == v1::CASE_STATE_SERVED && d.has_payment_due_date()) {
    due = absl::StrCat("  pay ", Yuan(c.decided_penalty().fine().fen()), " by ",
                       DateText(d.payment_due_date()));
  }
  std::string last;
  if (c.history_size() > 0) {
    const v1::CaseStepRecord& step = c.history(c.history_size() - 1);
    last = absl::StrCat("  last ", ActionName(step.action()), " ", DateText(step.date()), " ",
                        step.document_number());
  }
  std::printf("%-32s %-13s %s %s  v%lld%s%s\n", c.name().c_str(),
              CaseStateName(c.state()).c_str(), c.uscc().c_str(), c.party_name().c_str(),
              static_cast<long long>(c.version()), last.c_str(), due.c_str());
}

std::string PenaltyText(const pb::RepeatedField<int>& kinds, int64_t fine_fen,
                        int64_t confiscated_fen) {
  std::vector<std::string> parts;
  for (int kind : kinds) {
    std::string text = Dashed(v1::PenaltyKind_Name(static_cast<v1::PenaltyKind>(kind)),
                              "PENALTY_KIND_");
    if (kind == v1::PENALTY_KIND_FINE) absl::StrAppend(&text, " ", Yuan(fine_fen));
    if (kind == v1::PENALTY_KIND_CONFISCATION) absl::StrAppend(&text, " ", Yuan(confiscated_fen));
    parts.push_back(std::move(text));
  }
  return absl::StrJoin(parts, ", ");
}

// ---- leads ----------------------------------------------------------------------------------

int ListLeads(const Client& client) {
  v1::ListLeadsRequest request;
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    auto parsed = ParseDashed<v1::LeadState>(state, "LEAD_STATE_", v1::LeadState_Parse);
    if (!parsed) {
      std::fprintf(stderr,
                   "jgctl: unknown --state %s (registered, transfer-pending, filed, not-filed)\n",
                   state.c_str());
      return 2;
    }
    request.set_state(*parsed);
  }
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    Client::As(context);
    v1::ListLeadsResponse response;
    if (auto status = client->ListLeads(&context, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const v1::Lead& lead : response.leads()) PrintLead(lead);
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int GetLead(const Client& client, const std::string& name) {
  v1::GetLeadRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  Client::As(context);
  v1::Lead lead;
  if (auto status = client->GetLead(&context, request, &lead); !status.ok()) return Fail(status);
  PrintJson(lead);
  std::printf("\n");
  return 0;
}

// One call that answers a lead; printed on success.
template <typename Request>
int CallLead(grpc::Status (v1::Cases::Stub::*method)(grpc::ClientContext*, const Request&,
                                                     v1::Lead*),
             const Client& client, const Request& request) {
  grpc::ClientContext context;
  Client::As(context);
  v1::Lead lead;
  if (auto status = ((*client).*method)(&context, request, &lead); !status.ok()) {
    return Fail(status);
  }
  PrintLead(lead);
  return 0;
}

int RegisterLead(const Client& client, const std::string& path) {
  v1::RegisterLeadRequest request;
  if (!FromJsonFile(path, &request)) return 1;
  DeriveRequestId("register-lead", request);
  return CallLead(&v1::Cases::Stub::RegisterLead, client, request);
}

// The --reason a command cannot do without; empty after saying so.
std::string RequiredReason(const char* command) {
  std::string reason = absl::GetFlag(FLAGS_reason);
  if (reason.empty()) std::fprintf(stderr, "jgctl: cases %s needs --reason TEXT\n", command);
  return reason;
}

int TransferLead(const Client& client, const std::string& lead) {
  v1::TransferLeadRequest request;
  request.set_lead(lead);
  request.mutable_to_department()->set_code(absl::GetFlag(FLAGS_to));
  request.set_reason(RequiredReason("leads transfer"));
  if (request.to_department().code().empty()) {
    std::fprintf(stderr, "jgctl: cases leads transfer needs --to DEPARTMENT\n");
  }
  if (request.reason().empty() || request.to_department().code().empty()) return 2;
  if (!DateFlag(request)) return 2;
  DeriveRequestId("transfer-lead", request);
  return CallLead(&v1::Cases::Stub::TransferLead, client, request);
}

int AnswerTransfer(const Client& client, const std::string& lead) {
  const bool accept = absl::GetFlag(FLAGS_accept);
  if (accept == absl::GetFlag(FLAGS_return)) {
    std::fprintf(stderr, "jgctl: cases leads answer takes --accept or --return\n");
    return 2;
  }
  v1::AnswerTransferRequest request;
  request.set_lead(lead);
  request.set_accept(accept);
  if (accept) {
    request.set_reason(absl::GetFlag(FLAGS_reason));
  } else {
    request.set_reason(RequiredReason("leads answer --return"));
    if (request.reason().empty()) return 2;
  }
  if (!DateFlag(request)) return 2;
  DeriveRequestId("answer-transfer", request);
  return CallLead(&v1::Cases::Stub::AnswerTransfer, client, request);
}

int ExtendLead(const Client& client, const std::string& lead) {
  v1::ExtendLeadReviewRequest request;
  request.set_lead(lead);
  request.set_reason(RequiredReason("leads extend"));
  if (request.reason().empty()) return 2;
  DeriveRequestId("extend-lead", request);
  return CallLead(&v1::Cases::Stub::ExtendLeadReview, client, request);
}

int DeclineLead(const Client& client, const std::string& lead) {
  v1::DeclineLeadRequest request;
  request.set_lead(lead);
  request.set_reason(RequiredReason("leads decline"));
  if (request.reason().empty()) return 2;
  if (!DateFlag(request)) return 2;
  DeriveRequestId("decline-lead", request);
  return CallLead(&v1::Cases::Stub::DeclineLead, client, request);
}

int Leads(const Client& client, const std::vector<std::string>& args) {
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "list" && args.size() == 2) return ListLeads(client);
  if (args.size() != 3) return Usage();
  if (verb == "register") return RegisterLead(client, args[2]);
  const std::string lead = Named(args[2], "leads");
  if (verb == "get") return GetLead(client, lead);
  if (verb == "transfer") return TransferLead(client, lead);
  if (verb == "answer") return AnswerTransfer(client, lead);
  if (verb == "extend") return ExtendLead(client, lead);
  if (verb == "decline") return DeclineLead(client, lead);
  return Usage();
}

// ---- the general procedure -------------------------------------------------------------------

// One call that answers a case view; printed on success.
template <typename Request>
int CallCase(grpc::Status (v1::Cases::Stub::*method)(grpc::ClientContext*, const Request&,
                                                     v1::CaseView*),
             const Client& client, const Request& request) {
  grpc::ClientContext context;
  Client::As(context);
  v1::CaseView view;
  if (auto status = ((*client).*method)(&context, request, &view); !status.ok()) {
    return Fail(status);
  }
  PrintCase(view);
  return 0;
}

int FileCase(const Client& client, const std::string& lead) {
  v1::FileCaseRequest request;
  request.set_lead(lead);
  request.set_party_name(absl::GetFlag(FLAGS_party));
  const std::string kind = absl::GetFlag(FLAGS_party_kind);
  if (kind == "organisation") {
    request.set_party_kind(v1::PARTY_KIND_ORGANISATION);
  } else if (kind == "citizen") {
    request.set_party_kind(v1::PARTY_KIND_CITIZEN);
  } else {
    std::fprintf(stderr, "jgctl: cases file needs --party_kind organisation or citizen\n");
    return 2;
  }
  for (const std::string& item : absl::GetFlag(FLAGS_items)) request.add_item_codes(item);
  for (const std::string& officer : absl::GetFlag(FLAGS_officers)) {
    request.add_officer_ids(officer);
  }
  request.set_legal_review_required(absl::GetFlag(FLAGS_legal_review));
  request.set_note(absl::GetFlag(FLAGS_note));
  if (!DateFlag(request)) return 2;
  DeriveRequestId("file-case", request);
  return CallCase(&v1::Cases::Stub::FileCase, client, request);
}

// --penalty: inline JSON when it starts with '{', else a file of it.
bool PenaltyFlag(v1::Penalty* penalty) {
  const std::string value = absl::GetFlag(FLAGS_penalty);
  if (value.empty()) return true;
  if (value.front() == '{') return FromJson(value, "--penalty", penalty);
  return FromJsonFile(value, penalty);
}

// The ActRequest the flags describe; nullopt, after saying why, when a flag is malformed.
std::optional<v1::ActRequest> ActFromFlags(const std::string& case_name, v1::CaseAction action) {
  v1::ActRequest request;
  request.set_case_name(case_name);
  request.set_action(action);
  if (!DateFlag(request)) return std::nullopt;
  for (const std::string& officer : absl::GetFlag(FLAGS_officers)) {
    request.add_officer_ids(officer);
  }
  request.set_note(absl::GetFlag(FLAGS_note));
  if (!PenaltyFlag(request.mutable_penalty())) return std::nullopt;
  if (const std::string hearing = absl::GetFlag(FLAGS_hearing_date); !hearing.empty()) {
    if (!ParseDate("hearing_date", hearing, request.mutable_hearing_date())) return std::nullopt;
  }
  request.set_waives_rights(absl::GetFlag(FLAGS_waives_rights));
  request.set_party_absent(absl::GetFlag(FLAGS_party_absent));
  if (const int64_t paid = absl::GetFlag(FLAGS_paid_fen); paid != 0) {
    request.mutable_paid()->set_fen(paid);
  }
  if (const int64_t surcharge = absl::GetFlag(FLAGS_surcharge_paid_fen); surcharge != 0) {
    request.mutable_surcharge_paid()->set_fen(surcharge);
  }
  request.set_serious(absl::GetFlag(FLAGS_serious));
  return request;
}

int Act(const Client& client, const std::string& case_name, const std::string& what) {
  v1::ActRequest request;
  if (auto action = ParseDashed<v1::CaseAction>(what, "CASE_ACTION_", v1::CaseAction_Parse)) {
    if (*action == v1::CASE_ACTION_FILE) {
      std::fprintf(stderr, "jgctl: a case is filed with 'jgctl cases file LEAD …'\n");
      return 2;
    }
    auto asked = ActFromFlags(case_name, *action);
    if (!asked) return 2;
    request = *std::move(asked);
  } else if (what.size() > 5 && what.ends_with(".json")) {
    if (!FromJsonFile(what, &request)) return 1;
    if (request.case_name().empty()) request.set_case_name(case_name);
    if (request.case_name() != case_name) {
      std::fprintf(stderr, "jgctl: %s names %s, not %s\n", what.c_str(),
                   request.case_name().c_str(), case_name.c_str());
      return 2;
    }
  } else {
    std::fprintf(stderr, "jgctl: unknown action \"%s\"\n", what.c_str());
    PrintActions(stderr);
    return 2;
  }
  DeriveRequestId(absl::StrCat("act-", ActionName(request.action())), request);
  return CallCase(&v1::Cases::Stub::Act, client, request);
}

int ListCases(const Client& client) {
  v1::ListCasesRequest request;
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    auto parsed = ParseDashed<v1::CaseState>(state, "CASE_STATE_", v1::CaseState_Parse);
    if (!parsed) {
      std::vector<std::string> known;
      for (int s = 1; v1::CaseState_IsValid(s); ++s) {
        known.push_back(CaseStateName(static_cast<v1::CaseState>(s)));
      }
      std::fprintf(stderr, "jgctl: unknown --state %s (%s)\n", state.c_str(),
                   absl::StrJoin(known, ", ").c_str());
      return 2;
    }
    request.set_state(*parsed);
  }
  request.set_at_risk_only(absl::GetFlag(FLAGS_at_risk));
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    Client::As(context);
    v1::ListCasesResponse response;
    if (auto status = client->ListCases(&context, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const v1::CaseView& view : response.cases()) PrintCase(view);
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int GetCase(const Client& client, const std::string& name) {
  v1::GetCaseRequest request;
  request.set_name(name);
  if (const std::string as_of = absl::GetFlag(FLAGS_as_of); !as_of.empty()) {
    if (!ParseDate("as_of", as_of, request.mutable_as_of())) return 2;
  }
  grpc::ClientContext context;
  Client::As(context);
  v1::CaseView view;
  if (auto status = client->GetCase(&context, request, &view); !status.ok()) return Fail(status);
  PrintJson(view);
  std::printf("\n");
  return 0;
}

int Trail(const Client& client, const std::string& name) {
  v1::GetCaseTrailRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  Client::As(context);
  v1::CaseTrail trail;
  // DATA_LOSS here names the first step the audit chain does not prove.
  if (auto status = client->GetCaseTrail(&context, request, &trail); !status.ok()) {
    return Fail(status);
  }
  for (const v1::TrailStep& step : trail.steps()) {
    const common::v1::AuditRecord& audit = step.audit();
    std::printf("v%-3lld %s %-25s %-22s by %s/%s  audit #%llu %s\n",
                static_cast<long long>(step.version()), DateText(step.date()).c_str(),
                ActionName(step.action()).c_str(), step.document().number().c_str(),
                audit.department().c_str(), audit.user_id().empty() ? "-" : audit.user_id().c_str(),
                static_cast<unsigned long long>(audit.sequence()),
                audit.own_hash().substr(0, 16).c_str());
  }
  std::printf("%s: %d steps proven by the audit chain; replayed to %s, version %lld\n",
              name.c_str(), trail.steps_size(),
              CaseStateName(trail.rebuilt().state()).c_str(),
              static_cast<long long>(trail.rebuilt().version()));
  return 0;
}

int Document(const Client& client, const std::string& name) {
  v1::GetDocumentRequest request;
  request.set_name(name);
  const std::string pdf = absl::GetFlag(FLAGS_pdf);
  request.set_with_pdf(!pdf.empty());
  grpc::ClientContext context;
  Client::As(context);
  v1::Document document;
  if (auto status = client->GetDocument(&context, request, &document); !status.ok()) {
    return Fail(status);
  }
  std::printf("%s\n%s  sha256 %s\n", document.text().c_str(), document.ref().name().c_str(),
              document.ref().sha256().c_str());
  if (pdf.empty()) return 0;
  std::ofstream out(pdf, std::ios::binary | std::ios::trunc);
  out.write(document.pdf().data(), static_cast<std::streamsize>(document.pdf().size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "jgctl: cannot write %s\n", pdf.c_str());
    return 1;
  }
  std::printf("wrote %zu bytes of PDF to %s\n", document.pdf().size(), pdf.c_str());
  return 0;
}

int DecideOnSpot(const Client& client, const std::string& path) {
  v1::DecideOnSpotRequest request;
  if (!FromJsonFile(path, &request)) return 1;
  DeriveRequestId("on-spot", request);
  grpc::ClientContext context;
  Client::As(context);
  v1::OnSpotDecision decision;
  if (auto status = client->DecideOnSpot(&context, request, &decision); !status.ok()) {
    return Fail(status);
  }
  std::printf("%s %s %s %s  %s  decided %s\n", decision.name().c_str(),
              decision.document().number().c_str(), decision.uscc().c_str(),
              decision.party_name().c_str(),
              PenaltyText(decision.penalty().kinds(), decision.penalty().fine().fen(),
                          decision.penalty().confiscated().fen())
                  .c_str(),
              DateText(decision.decided_date()).c_str());
  return 0;
}

int Public(const Client& client) {
  v1::ListPublicDecisionsRequest request;
  request.set_department(absl::GetFlag(FLAGS_dept));
  request.mutable_page()->set_page_size(1000);
  do {
    // The public API still wants an authenticated caller (the portal's system account); jgctl
    // calls it as itself.
    grpc::ClientContext context;
    Client::As(context);
    v1::ListPublicDecisionsResponse response;
    if (auto status = client.public_stub().ListPublicDecisions(&context, request, &response);
        !status.ok()) {
      return Fail(status);
    }
    for (const v1::PublicDecision& d : response.decisions()) {
      std::printf("%-24s %s %s %s  %s  decided %s  %s  %s\n", d.document_number().c_str(),
                  d.department().code().c_str(), d.uscc().c_str(), d.party_name().c_str(),
                  PenaltyText(d.kinds(), d.fine().fen(), d.confiscated().fen()).c_str(),
                  DateText(d.decided_date()).c_str(),
                  Dashed(v1::Procedure_Name(d.procedure()), "PROCEDURE_").c_str(),
                  d.legal_basis().c_str());
    }
    request.mutable_page()->set_page_token(response.next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

}  // namespace

int Cases(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  if (verb == "help") {
    std::printf("%s\n", kUsage);
    PrintActions(stdout);
    return 0;
  }
  const Client client;
  if (verb == "leads") return Leads(client, args);
  if (verb == "list" && args.size() == 1) return ListCases(client);
  if (verb == "public" && args.size() == 1) return Public(client);
  if (verb == "act" && args.size() == 3) return Act(client, Named(args[1], "cases"), args[2]);
  if (args.size() == 2) {
    if (verb == "file") return FileCase(client, Named(args[1], "leads"));
    if (verb == "get") return GetCase(client, Named(args[1], "cases"));
    if (verb == "trail") return Trail(client, Named(args[1], "cases"));
    if (verb == "document") {
      return Document(client, args[1].rfind("decisions/", 0) == 0 ? args[1]
                                                                  : Named(args[1], "cases"));
    }
    if (verb == "on-spot") return DecideOnSpot(client, args[1]);
  }
  return Usage();
}

}  // namespace jianguan::jgctl
