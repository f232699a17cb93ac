// jgctl credit: a subject's score and its explanation, credit repair, the joint punishment
// checks, the monthly reclassification and the loaded models (--credit, env JG_GRPC_TARGET).
// Calls are made as --department (JG_DEPARTMENT, default "jgctl"); a reclassification is
// started with the role credit-officer.
#include <cstdio>
#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "libs/core/caller.h"
#include "libs/core/string_view_compat.h"
#include "libs/store/store.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_DECLARE_FLAG(std::string, item);

ABSL_FLAG(std::string, credit, "127.0.0.1:7106", "credit service address (env JG_GRPC_TARGET)");
ABSL_FLAG(int64_t, entry, 0, "credit repair: the ledger entry (its sequence) to repair");
ABSL_FLAG(std::string, statement, "", "credit repair: the subject's statement (已履行、已整改)");
ABSL_FLAG(std::string, measure, "",
          "credit check: subsidy, honour, tender or commitment (the measure about to be granted); "
          "with commitment, --item names the licence's item");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::credit::v1;

constexpr char kUsage[] =
    "usage: jgctl credit score USCC | explain USCC |\n"
    "                    repair USCC --entry N --statement TEXT |\n"
    "                    check USCC --measure subsidy|honour|tender|commitment [--item CODE] |\n"
    "                    reclassify YYYY-MM | models\n"
    "explain lists every ledger entry behind the score; check with --measure commitment\n"
    "and --item asks CheckCommitmentEligibility (告知承诺), else CheckRestrictions.";

const char* GradeLetter(v1::CreditGrade grade) {
  switch (grade) {
    case v1::CREDIT_GRADE_A: return "A";
    case v1::CREDIT_GRADE_B: return "B";
    case v1::CREDIT_GRADE_C: return "C";
    case v1::CREDIT_GRADE_D: return "D";
    default: return "-";
  }
}

class Client {
 public:
  Client()
      : stub_(v1::Credit::NewStub(Connect(absl::GetFlag(FLAGS_credit), "127.0.0.1:7106"))) {}

  v1::Credit::Stub& operator*() const { return *stub_; }
  v1::Credit::Stub* operator->() const { return stub_.get(); }

  // A call as --department (or JG_DEPARTMENT, else jgctl) with `roles`.
  static void As(grpc::ClientContext& context, std::initializer_list<std::string_view> roles = {}) {
    Identify(context, ActingDepartment(), roles);
  }

 private:
  std::unique_ptr<v1::Credit::Stub> stub_;
};

void PrintRestriction(const v1::Restriction& r) {
  std::vector<std::string> measures;
  for (int m : r.measures()) {
    measures.push_back(absl::AsciiStrToLower(v1::Measure_Name(static_cast<v1::Measure>(m)).substr(8)));
  }
  std::printf("  restricted: %s from %s until %s: %s (%s)\n",
              absl::StrJoin(measures, ", ").c_str(), DateText(r.start_date()).c_str(),
              r.has_end_date() ? DateText(r.end_date()).c_str() : "its cause ends",
              r.reason().c_str(), r.basis().c_str());
}

int Score(const Client& client, const std::string& uscc) {
  v1::GetCreditRequest request;
  request.set_name("subjects/" + uscc);
  v1::SubjectCredit credit;
  grpc::ClientContext context;
  Client::As(context);
  if (auto status = client->GetCredit(&context, request, &credit); !status.ok()) {
    return Fail(status);
  }
  std::printf("%s  score %d  grade %s  %lld entries  version %lld\n", uscc.c_str(), credit.score(),
              GradeLetter(credit.grade()), static_cast<long long>(credit.entry_count()),
              static_cast<long long>(credit.version()));
  for (const v1::Restriction& r : credit.restrictions()) PrintRestriction(r);
  return 0;
}

int Explain(const Client& client, const std::string& uscc) {
  v1::ExplainScoreRequest request;
  request.set_name("subjects/" + uscc);
  v1::ScoreExplanation explanation;
  grpc::ClientContext context;
  Client::As(context);
  if (auto status = client->ExplainScore(&context, request, &explanation); !status.ok()) {
    return Fail(status);
  }
  std::printf("%s  base %d\n", uscc.c_str(), explanation.base_score());
  int sum = explanation.base_score();
  for (const v1::LedgerEntry& e : explanation.entries()) {
    sum += e.points();
    const std::string kind = absl::AsciiStrToLower(v1::EntryKind_Name(e.kind()).substr(11));
    std::printf("  #%-3lld %s %+4d = %-4d %-6s %s %s (model %s) %s\n",
                static_cast<long long>(e.sequence()), DateText(e.effective_date()).c_str(),
                e.points(), e.score_after(), kind.c_str(), e.rule_id().c_str(),
                e.rule_name().c_str(), e.model_version().c_str(), e.legal_basis().c_str());
    if (e.has_source()) {
      std::printf("        from %s %s@%d:%lld ce_id %s %s\n", e.source().type().c_str(),
                  e.source().topic().c_str(), e.source().partition(),
                  static_cast<long long>(e.source().offset()), e.source().ce_id().c_str(),
                  e.source().resource().c_str());
    }
    if (e.restores() != 0) {
      std::printf("        restores #%lld %s\n", static_cast<long long>(e.restores()),
                  e.repair().c_str());
    }
  }
  std::printf("score %d = base %d + entries (%d), grade %s\n", explanation.score(),
              explanation.base_score(), sum - explanation.base_score(),
              GradeLetter(explanation.grade()));
  if (sum != explanation.score()) {
    std::fprintf(stderr, "jgctl: the entries sum to %d, not to the score %d\n", sum,
                 explanation.score());
    return 1;
  }
  return 0;
}

int Repair(const Client& client, const std::string& uscc) {
  v1::RequestRepairRequest request;
  request.set_parent("subjects/" + uscc);
  request.set_entry_sequence(absl::GetFlag(FLAGS_entry));
  request.set_statement(absl::GetFlag(FLAGS_statement));
  // The same request asked twice is answered once.
  request.set_request_id(absl::StrCat("jgctl-repair-",
                                      store::Sha256Hex(request.SerializeAsString()).substr(0, 32)));
  v1::Repair repair;
  grpc::ClientContext context;
  Client::As(context);
  if (auto status = client->RequestRepair(&context, request, &repair); !status.ok()) {
    return Fail(status);
  }
  PrintJson(repair);
  std::printf("\n");
  return 0;
}

int Check(const Client& client, const std::string& uscc) {
  static const std::map<std::string, v1::Measure> kMeasures = {
      {"subsidy", v1::MEASURE_SUBSIDY}, {"honour", v1::MEASURE_HONOUR},
      {"tender", v1::MEASURE_TENDER}, {"commitment", v1::MEASURE_COMMITMENT_APPROVAL}};
  const auto measure = kMeasures.find(absl::GetFlag(FLAGS_measure));
  if (measure == kMeasures.end()) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  grpc::ClientContext context;
  Client::As(context);
  const std::string item = absl::GetFlag(FLAGS_item);
  if (measure->second == v1::MEASURE_COMMITMENT_APPROVAL && !item.empty()) {
    v1::CheckCommitmentEligibilityRequest request;
    request.set_uscc(uscc);
    request.set_item_code(item);
    v1::CommitmentEligibility answer;
    if (auto status = client->CheckCommitmentEligibility(&context, request, &answer);
        !status.ok()) {
      return Fail(status);
    }
    std::printf("%s  %s  grade %s  score %d\n", uscc.c_str(),
                answer.eligible() ? "eligible" : "not eligible", GradeLetter(answer.grade()),
                answer.score());
    for (const std::string& reason : answer.reasons()) std::printf("  %s\n", reason.c_str());
    return 0;
  }
  v1::CheckRestrictionsRequest request;
  request.set_uscc(uscc);
  request.set_measure(measure->second);
  v1::RestrictionCheck check;
  if (auto status = client->CheckRestrictions(&context, request, &check); !status.ok()) {
    return Fail(status);
  }
  std::printf("%s  %s: %s\n", uscc.c_str(), measure->first.c_str(),
              check.allowed() ? "allowed" : "restricted");
  for (const v1::Restriction& r : check.restrictions()) PrintRestriction(r);
  return 0;
}

int Reclassify(const Client& client, const std::string& month) {
  std::vector<std::string> parts = absl::StrSplit(AbslView(month), '-');
  int year = 0, number = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &year) ||
      !absl::SimpleAtoi(parts[1], &number)) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  v1::StartReclassificationRequest request;
  request.set_request_id("jgctl-reclassify-" + month);
  request.mutable_month()->set_year(year);
  request.mutable_month()->set_month(number);
  request.mutable_month()->set_day(1);
  v1::Reclassification r;
  {
    grpc::ClientContext context;
    Client::As(context, {roles::kCreditOfficer});
    if (auto status = client->StartReclassification(&context, request, &r); !status.ok()) {
      return Fail(status);
    }
  }
  // Progress until it is done: it runs in the service and survives a restart of it.
  while (r.state() == v1::RECLASSIFICATION_STATE_RUNNING) {
    std::fprintf(stderr, "\r%s: %lld subjects done", r.name().c_str(),
                 static_cast<long long>(r.subjects_done()));
    absl::SleepFor(absl::Milliseconds(500));
    v1::GetReclassificationRequest get;
    get.set_name(r.name());
    grpc::ClientContext context;
    Client::As(context);
    if (auto status = client->GetReclassification(&context, get, &r); !status.ok()) {
      std::fprintf(stderr, "\n");
      return Fail(status);
    }
  }
  std::fprintf(stderr, "\n");
  std::printf("%s done: %lld subjects, %lld grades changed, %lld entries expired, %lld "
              "restrictions lifted\n",
              r.name().c_str(), static_cast<long long>(r.subjects_done()),
              static_cast<long long>(r.grades_changed()),
              static_cast<long long>(r.entries_expired()),
              static_cast<long long>(r.restrictions_lifted()));
  return 0;
}

int Models(const Client& client) {
  grpc::ClientContext context;
  Client::As(context);
  v1::ListModelsResponse response;
  if (auto status = client->ListModels(&context, v1::ListModelsRequest(), &response);
      !status.ok()) {
    return Fail(status);
  }
  for (const v1::ModelInfo& m : response.models()) {
    std::printf("%-10s from %s  %d rules  sha256 %s  %s\n", m.version().c_str(),
                DateText(m.effective_date()).c_str(), m.rule_count(), m.sha256().c_str(),
                m.source().c_str());
  }
  return 0;
}

}  // namespace

int Credit(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  const Client client;
  if (verb == "models" && args.size() == 1) return Models(client);
  if (args.size() == 2) {
    if (verb == "score") return Score(client, args[1]);
    if (verb == "explain") return Explain(client, args[1]);
    if (verb == "repair") return Repair(client, args[1]);
    if (verb == "check") return Check(client, args[1]);
    if (verb == "reclassify") return Reclassify(client, args[1]);
  }
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

}  // namespace jianguan::jgctl
