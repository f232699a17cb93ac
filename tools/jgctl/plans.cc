// jgctl plans | draw: random inspection plans of the sampling service (双随机、一公开) from the
// command line (--sampling, env JG_GRPC_TARGET): create one from a JSON file, move it through
// approval, draw and publication, read it, its tasks and its public view, and export the
// auditors' verification package or the public result for tools/verify-draw.
//
// Writes are made as the calling department (--department, env JG_DEPARTMENT); left empty,
// the plan's initiating department, which is the only one the service lets move a plan.
// Request ids are derived from what is asked, so a repeated command is answered like the
// first and changes nothing.
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/sampling/v1/sampling.grpc.pb.h"
#include "libs/server/grpc_status.h"
#include "libs/store/store.h"
#include "libs/core/caller.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_FLAG(std::string, sampling, "127.0.0.1:7103", "sampling service address (env JG_GRPC_TARGET)");
ABSL_FLAG(std::string, department, "",
          "plans/draw: the calling department (x-jg-department; env JG_DEPARTMENT); default "
          "the plan's initiating department");
ABSL_FLAG(std::string, state, "",
          "plans list: only this state (draft, approved, drawn, published, completed)");
ABSL_FLAG(int32_t, year, 0, "plans list / public: only this year");
ABSL_FLAG(std::string, out, "", "plans export-package / export-result: the file to write");
ABSL_FLAG(std::string, entropy, "", "draw: the public entropy, 1–256 bytes of UTF-8");
ABSL_FLAG(std::string, entropy_source, "", "draw: where the entropy was announced");
ABSL_FLAG(bool, json, false,
          "plans public NAME: print the public plan as JSON (what tools/verify-draw "
          "verify-subject reads)");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::sampling::v1;
namespace pb = ::google::protobuf;

constexpr char kFailureReportTypeUrl[] =
    "type.googleapis.com/jianguan.sampling.v1.DrawFailureReport";
constexpr char kUsage[] =
    "usage: jgctl plans create FILE.json | list [--state S] [--year Y] | get NAME |\n"
    "                   approve NAME | publish NAME | complete NAME | tasks NAME |\n"
    "                   export-package NAME --out FILE | public [NAME [--json]] |\n"
    "                   export-result NAME --out FILE\n"
    "       jgctl draw NAME --entropy TEXT [--entropy_source TEXT]\n"
    "NAME is plans/{plan_id} or the plan_id.";

std::shared_ptr<grpc::Channel> Channel() {
  return Connect(absl::GetFlag(FLAGS_sampling), "127.0.0.1:7103");
}

// --department (or JG_DEPARTMENT); empty when neither is set.
std::string DepartmentFlag() {
  return WithEnvironment(absl::GetFlag(FLAGS_department), "", "JG_DEPARTMENT");
}

std::string PlanName(const std::string& arg) {
  return arg.rfind("plans/", 0) == 0 ? arg : "plans/" + arg;
}

// The sampling API for `department`; anonymous (the public API) when empty.
class Client {
 public:
  Client() : channel_(Channel()), stub_(v1::Sampling::NewStub(channel_)),
             public_(v1::SamplingPublic::NewStub(channel_)) {}

  // The department to act as for `plan_name`: --department (or JG_DEPARTMENT). Nothing else
  // can stand in: a draft plan is readable only by its own departments, so jgctl cannot look
  // its initiator up on the caller's behalf.
  std::string ActingDepartment(const std::string& plan_name, grpc::Status* status) const {
    const std::string flag = DepartmentFlag();
    if (flag.empty()) {
      *status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                             "name the department acting on " + plan_name +
                                 " (its initiator): --department or JG_DEPARTMENT");
    }
    return flag;
  }

  v1::Sampling::Stub& stub() const { return *stub_; }
  v1::SamplingPublic::Stub& public_stub() const { return *public_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Sampling::Stub> stub_;
  std::unique_ptr<v1::SamplingPublic::Stub> public_;
};

std::string StateName(v1::PlanState state) {
  std::string name = v1::PlanState_Name(state);
  name = name.substr(std::min(name.size(), sizeof("PLAN_STATE_") - 1));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

void PrintPlan(const v1::Plan& plan) {
  std::vector<std::string> departments;
  for (const auto& d : plan.departments()) departments.push_back(d.department().code());
  std::printf("%s  %s  v%lld  %d  %s\n", plan.name().c_str(), StateName(plan.state()).c_str(),
              static_cast<long long>(plan.version()), plan.year(), plan.title().c_str());
  std::printf("  departments: %s (initiated by %s)\n", absl::StrJoin(departments, ", ").c_str(),
              plan.initiating_department().code().c_str());
  if (plan.has_frozen()) {
    const v1::FrozenInputs& f = plan.frozen();
    std::printf("  commitment: %s\n  plan hash: %s\n", f.commitment().c_str(),
                f.plan_hash().c_str());
    std::printf("  candidates: %lld, digest %s\n  inspectors: %lld, digest %s\n",
                static_cast<long long>(f.candidate_count()), f.candidates_digest().c_str(),
                static_cast<long long>(f.inspector_count()), f.inspectors_digest().c_str());
  }
  if (plan.has_draw()) {
    const v1::DrawSummary& d = plan.draw();
    std::printf("  entropy: %s%s%s\n", d.entropy().c_str(), d.entropy_source().empty() ? "" : " — ",
                d.entropy_source().c_str());
    std::printf("  tasks: %lld, visits saved: %lld, inspector load %lld–%lld\n",
                static_cast<long long>(d.task_count()), static_cast<long long>(d.visits_saved()),
                static_cast<long long>(d.min_load()), static_cast<long long>(d.max_load()));
    std::printf("  secret: %s\n  result digest: %s\n", d.secret().c_str(),
                d.result_digest().c_str());
  }
}

int Create(const Client& client, const std::string& path) {
  std::string content;
  if (!ReadWholeFile(path, &content)) return 1;
  v1::CreatePlanRequest request;
  if (auto status = pb::util::JsonStringToMessage(content, request.mutable_plan());
      !status.ok()) {
    std::fprintf(stderr, "jgctl: %s is not a jianguan.sampling.v1.Plan in JSON: %s\n",
                 path.c_str(), std::string(status.message()).c_str());
    return 1;
  }
  request.set_request_id(absl::StrCat("jgctl-create-", request.plan().plan_id(), "-",
                                      store::Sha256Hex(content).substr(0, 16)));
  std::string department = DepartmentFlag();
  if (department.empty()) department = request.plan().initiating_department().code();
  grpc::ClientContext context;
  Identify(context, department);
  v1::Plan plan;
  if (auto status = client.stub().CreatePlan(&context, request, &plan); !status.ok()) {
    return Fail(status);
  }
  PrintPlan(plan);
  return 0;
}

using Transition = grpc::Status (v1::Sampling::Stub::*)(grpc::ClientContext*,
                                                        const v1::PlanTransitionRequest&,
                                                        v1::Plan*);

int Move(const Client& client, const std::string& verb, Transition method,
         const std::string& name) {
  grpc::Status looked_up;
  const std::string department = client.ActingDepartment(name, &looked_up);
  if (!looked_up.ok()) return Fail(looked_up);
  v1::PlanTransitionRequest request;
  request.set_request_id(absl::StrCat("jgctl-", verb, "-", name));
  request.set_name(name);
  grpc::ClientContext context;
  Identify(context, department);
  v1::Plan plan;
  if (auto status = (client.stub().*method)(&context, request, &plan); !status.ok()) {
    return Fail(status);
  }
  PrintPlan(plan);
  return 0;
}

int DrawPlan(const Client& client, const std::string& name) {
  const std::string entropy = absl::GetFlag(FLAGS_entropy);
  if (entropy.empty()) {
    std::fprintf(stderr, "jgctl: draw needs --entropy TEXT (the public entropy)\n%s\n", kUsage);
    return 2;
  }
  grpc::Status looked_up;
  const std::string department = client.ActingDepartment(name, &looked_up);
  if (!looked_up.ok()) return Fail(looked_up);
  v1::DrawPlanRequest request;
  request.set_name(name);
  request.set_entropy(entropy);
  request.set_entropy_source(absl::GetFlag(FLAGS_entropy_source));
  request.set_request_id(absl::StrCat(
      "jgctl-draw-", name, "-",
      store::Sha256Hex(request.entropy() + '\n' + request.entropy_source()).substr(0, 16)));
  grpc::ClientContext context;
  Identify(context, department);
  v1::Plan plan;
  const grpc::Status status = client.stub().DrawPlan(&context, request, &plan);
  if (!status.ok()) {
    // An infeasible draw carries its report (docs/draw-algorithm.md §7).
    const absl::Status detailed = FromGrpcStatus(status);
    if (auto payload = detailed.GetPayload(kFailureReportTypeUrl)) {
      v1::DrawFailureReport report;
      if (report.ParseFromString(std::string(*payload))) {
        std::fprintf(stderr, "jgctl: the draw failed: %s\n", report.reason().c_str());
        if (report.task_number() > 0) {
          std::fprintf(stderr, "  task %lld (%s), slot %s\n",
                       static_cast<long long>(report.task_number()), report.uscc().c_str(),
                       report.slot().c_str());
        }
        for (const auto& [reason, count] : report.excluded()) {
          std::fprintf(stderr, "  excluded %s: %lld\n", reason.c_str(),
                       static_cast<long long>(count));
        }
        std::fprintf(stderr, "  %s\n", report.message().c_str());
        return 1;
      }
    }
    return Fail(status);
  }
  const v1::DrawSummary& d = plan.draw();
  std::printf("%s drawn: %lld tasks, %lld visits saved\n", plan.name().c_str(),
              static_cast<long long>(d.task_count()), static_cast<long long>(d.visits_saved()));
  std::printf("secret: %s\nresult digest: %s\n", d.secret().c_str(), d.result_digest().c_str());
  for (const v1::ClassCount& c : d.classes()) {
    if (c.candidates() == 0) continue;
    std::printf("  %-10s %6lld candidates %6lld eligible %6lld drawn\n", c.class_name().c_str(),
                static_cast<long long>(c.candidates()), static_cast<long long>(c.eligible()),
                static_cast<long long>(c.quota()));
  }
  return 0;
}

int List(const Client& client) {
  v1::ListPlansRequest request;
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    std::string upper = "PLAN_STATE_" + state;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v1::PlanState parsed;
    if (!v1::PlanState_Parse(upper, &parsed)) {
      std::fprintf(stderr, "jgctl: unknown --state %s\n", state.c_str());
      return 2;
    }
    request.set_state(parsed);
  }
  request.set_year(absl::GetFlag(FLAGS_year));
  request.mutable_page()->set_page_size(500);
  do {
    grpc::ClientContext context;
    Identify(context);
    v1::ListPlansResponse response;
    if (auto status = client.stub().ListPlans(&context, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const v1::Plan& plan : response.plans()) {
      std::printf("%-32s %-10s %d  %lld tasks  %s\n", plan.name().c_str(),
                  StateName(plan.state()).c_str(), plan.year(),
                  static_cast<long long>(plan.draw().task_count()), plan.title().c_str());
    }
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int Get(const Client& client, const std::string& name) {
  v1::GetPlanRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  Identify(context);
  v1::Plan plan;
  if (auto status = client.stub().GetPlan(&context, request, &plan); !status.ok()) {
    return Fail(status);
  }
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)pb::util::MessageToJsonString(plan, &json, options);
  std::printf("%s", json.c_str());
  return 0;
}

int Tasks(const Client& client, const std::string& name) {
  v1::ListTasksRequest request;
  request.set_name(name);
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    Identify(context);
    v1::ListTasksResponse response;
    if (auto status = client.stub().ListTasks(&context, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const v1::Task& task : response.tasks()) {
      std::vector<std::string> people;
      for (const auto& i : task.inspectors()) {
        people.push_back(absl::StrCat(i.inspector_id(), " ", i.name(), " (",
                                      i.department().code(), ")"));
      }
      std::printf("%5lld  %s  %-24s %s\n", static_cast<long long>(task.task_number()),
                  task.uscc().c_str(), task.subject_name().c_str(),
                  absl::StrJoin(people, ", ").c_str());
    }
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

// Reads a streamed export, checks its size and SHA-256, writes it to --out.
int Export(grpc::ClientReader<v1::ExportChunk>& reader) {
  const std::string out = absl::GetFlag(FLAGS_out);
  std::string document, sha256;
  int64_t total = -1;
  v1::ExportChunk chunk;
  while (reader.Read(&chunk)) {
    document += chunk.data();
    if (!chunk.sha256().empty()) {
      sha256 = chunk.sha256();
      total = chunk.total_size();
    }
  }
  if (auto status = reader.Finish(); !status.ok()) return Fail(status);
  if (total != static_cast<int64_t>(document.size()) || store::Sha256Hex(document) != sha256) {
    std::fprintf(stderr, "jgctl: the export arrived damaged (%zu bytes, expected %lld)\n",
                 document.size(), static_cast<long long>(total));
    return 1;
  }
  std::ofstream file(out, std::ios::binary);
  file << document;
  if (!file.good()) {
    std::fprintf(stderr, "jgctl: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("wrote %zu bytes to %s, sha256 %s\n", document.size(), out.c_str(), sha256.c_str());
  return 0;
}

int ExportPackage(const Client& client, const std::string& name) {
  if (absl::GetFlag(FLAGS_out).empty()) {
    std::fprintf(stderr, "jgctl: export-package needs --out FILE\n");
    return 2;
  }
  v1::ExportRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  Identify(context, {},
           {roles::kDrawAuditor});
  auto reader = client.stub().ExportVerificationPackage(&context, request);
  return Export(*reader);
}

int ExportResult(const Client& client, const std::string& name) {
  if (absl::GetFlag(FLAGS_out).empty()) {
    std::fprintf(stderr, "jgctl: export-result needs --out FILE\n");
    return 2;
  }
  v1::ExportRequest request;
  request.set_name(name);
  grpc::ClientContext context;  // the public API: no credentials
  auto reader = client.public_stub().ExportPublicResult(&context, request);
  return Export(*reader);
}

int Public(const Client& client, const std::string& name) {
  if (name.empty()) {
    v1::ListPublicPlansRequest request;
    request.set_year(absl::GetFlag(FLAGS_year));
    request.mutable_page()->set_page_size(500);
    do {
      grpc::ClientContext context;
      v1::ListPublicPlansResponse response;
      if (auto status = client.public_stub().ListPublicPlans(&context, request, &response);
          !status.ok()) {
        return Fail(status);
      }
      for (const v1::PublicPlan& plan : response.plans()) {
        std::printf("%-32s %-10s %d  commitment %s  %s\n", plan.name().c_str(),
                    StateName(plan.state()).c_str(), plan.year(), plan.commitment().c_str(),
                    plan.title().c_str());
      }
      request.mutable_page()->set_page_token(response.page().next_page_token());
    } while (!request.page().page_token().empty());
    return 0;
  }
  v1::GetPlanRequest get;
  get.set_name(name);
  grpc::ClientContext context;
  v1::PublicPlan plan;
  if (auto status = client.public_stub().GetPublicPlan(&context, get, &plan); !status.ok()) {
    return Fail(status);
  }
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(plan);
    std::printf("\n");
    return 0;
  }
  std::printf("%s  %s  %d  %s\n", plan.name().c_str(), StateName(plan.state()).c_str(),
              plan.year(), plan.title().c_str());
  std::printf("  plan hash: %s\n  commitment: %s\n  candidates: %lld, digest %s\n"
              "  inspectors digest: %s\n",
              plan.plan_hash().c_str(), plan.commitment().c_str(),
              static_cast<long long>(plan.candidate_count()), plan.candidates_digest().c_str(),
              plan.inspectors_digest().c_str());
  if (!plan.strata().empty()) {
    std::printf("  proof roots: %d classes, pool %s (per-subject proofs, docs/draw-algorithm.md "
                "§10)\n", plan.strata_size(), plan.pool_root().c_str());
  }
  for (const v1::FailedDraw& failed : plan.failed_draws()) {
    std::printf("  failed draw: entropy %s%s%s: %s\n", failed.entropy().c_str(),
                failed.entropy_source().empty() ? "" : " — ", failed.entropy_source().c_str(),
                failed.reason().c_str());
  }
  if (plan.state() < v1::PLAN_STATE_PUBLISHED) return 0;
  std::printf("  entropy: %s%s%s\n  secret: %s\n  result digest: %s\n"
              "  tasks: %lld, visits saved: %lld\n",
              plan.entropy().c_str(), plan.entropy_source().empty() ? "" : " — ",
              plan.entropy_source().c_str(), plan.secret().c_str(), plan.result_digest().c_str(),
              static_cast<long long>(plan.task_count()), static_cast<long long>(plan.visits_saved()));
  v1::ListTasksRequest request;
  request.set_name(name);
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext tasks_context;
    v1::ListPublicTasksResponse response;
    if (auto status = client.public_stub().ListPublicTasks(&tasks_context, request, &response);
        !status.ok()) {
      return Fail(status);
    }
    for (const v1::PublicTask& task : response.tasks()) {
      std::vector<std::string> people;
      for (const auto& i : task.inspectors()) {
        people.push_back(absl::StrCat(i.name(), " ", i.certificate_no()));
      }
      std::printf("%5lld  %s  %-24s %s\n", static_cast<long long>(task.task_number()),
                  task.uscc().c_str(), task.subject_name().c_str(),
                  absl::StrJoin(people, ", ").c_str());
    }
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

}  // namespace

int Plans(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  const Client client;
  if (verb == "create" && args.size() == 2) return Create(client, args[1]);
  if (verb == "list" && args.size() == 1) return List(client);
  if (verb == "public" && args.size() <= 2) {
    return Public(client, args.size() == 2 ? PlanName(args[1]) : "");
  }
  if (args.size() == 2) {
    const std::string name = PlanName(args[1]);
    if (verb == "get") return Get(client, name);
    if (verb == "approve") return Move(client, verb, &v1::Sampling::Stub::ApprovePlan, name);
    if (verb == "publish") return Move(client, verb, &v1::Sampling::Stub::PublishPlan, name);
    if (verb == "complete") return Move(client, verb, &v1::Sampling::Stub::CompletePlan, name);
    if (verb == "tasks") return Tasks(client, name);
    if (verb == "export-package") return ExportPackage(client, name);
    if (verb == "export-result") return ExportResult(client, name);
  }
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

int Draw(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  return DrawPlan(Client(), PlanName(args[0]));
}

}  // namespace jianguan::jgctl
