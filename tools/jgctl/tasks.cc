// jgctl tasks | results: inspection tasks of the inspection service (执法检查) from the command
// line (--inspection, env JG_GRPC_TARGET): list and read a department's tasks, move one
// through acceptance, arrival on site, the filled form, review, publication or cancellation,
// and read the published results (一公开) without credentials.
//
// Calls are made as the department --department (env JG_DEPARTMENT) and, where the service
// wants a person (an inspector accepting, arriving, submitting; a reviewer), as the user
// --user (env JG_USER). Request ids are derived from what is asked, so a repeated command is
// answered like the first and changes nothing.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "libs/store/store.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

ABSL_DECLARE_FLAG(std::string, department);
ABSL_DECLARE_FLAG(std::string, state);

ABSL_FLAG(std::string, inspection, "127.0.0.1:7104",
          "inspection service address (env JG_GRPC_TARGET)");
ABSL_FLAG(std::string, user, "",
          "tasks: the person acting (x-jg-user; env JG_USER), e.g. the inspector's id");
ABSL_FLAG(std::string, plan, "", "tasks list / results public: only this plan (NAME or plan_id)");
ABSL_FLAG(std::string, uscc, "", "tasks list / results public: only this subject");
ABSL_FLAG(std::string, decision, "approve", "tasks review: approve or return");
ABSL_FLAG(std::string, comment, "", "tasks review: the reviewer's comment (required to return)");
ABSL_FLAG(std::string, reason, "", "tasks cancel: why");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::inspection::v1;
namespace pb = ::google::protobuf;

constexpr char kUsage[] =
    "usage: jgctl tasks list [--state S] [--plan NAME] [--uscc USCC] | get NAME |\n"
    "                   accept NAME | arrive NAME | submit-result FILE.json |\n"
    "                   review NAME [--decision approve|return] [--comment C] |\n"
    "                   publish NAME | cancel NAME --reason R\n"
    "       jgctl results public --plan NAME | --uscc USCC\n"
    "NAME is tasks/{task_id} or the task_id; FILE.json a jianguan.inspection.v1.\n"
    "SubmitResultRequest (name and result; request_id derived from the file when empty).\n"
    "Calls are made as --department (JG_DEPARTMENT) and --user (JG_USER).";

std::string TaskName(const std::string& arg) {
  return arg.rfind("tasks/", 0) == 0 ? arg : "tasks/" + arg;
}

std::string PlanName(const std::string& arg) {
  return arg.empty() || arg.rfind("plans/", 0) == 0 ? arg : "plans/" + arg;
}

// A call as --department and --user.
void Act(grpc::ClientContext& context) {
  Identify(context, WithEnvironment(absl::GetFlag(FLAGS_department), "", "JG_DEPARTMENT"));
  if (const std::string user = WithEnvironment(absl::GetFlag(FLAGS_user), "", "JG_USER");
      !user.empty()) {
    context.AddMetadata("x-jg-user", user);
  }
}

std::string Lower(std::string name, std::string_view prefix) {
  name = name.substr(std::min(name.size(), prefix.size()));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

void PrintTask(const v1::Task& task) {
  std::vector<std::string> departments, people;
  for (const auto& d : task.departments()) departments.push_back(d.department().code());
  for (const auto& i : task.inspectors()) people.push_back(i.inspector_id());
  std::string origin = Lower(v1::TaskSource_Name(task.origin().source()), "TASK_SOURCE_");
  if (!task.origin().plan().empty()) {
    origin = absl::StrCat(task.origin().plan(), " #", task.origin().task_number());
  }
  std::printf("%-36s %-17s %s  due %s%s  %s  [%s]  inspectors %s\n", task.name().c_str(),
              Lower(v1::TaskState_Name(task.state()), "TASK_STATE_").c_str(), task.uscc().c_str(),
              DateText(task.due_date()).c_str(), task.overdue() ? " (overdue)" : "",
              origin.c_str(), absl::StrJoin(departments, ", ").c_str(),
              people.empty() ? "-" : absl::StrJoin(people, ", ").c_str());
}

class Client {
 public:
  Client()
      : channel_(Connect(absl::GetFlag(FLAGS_inspection), "127.0.0.1:7104")),
        stub_(v1::Inspection::NewStub(channel_)),
        public_(v1::InspectionPublic::NewStub(channel_)) {}
  v1::Inspection::Stub& stub() const { return *stub_; }
  v1::InspectionPublic::Stub& public_stub() const { return *public_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Inspection::Stub> stub_;
  std::unique_ptr<v1::InspectionPublic::Stub> public_;
};

int List(const Client& client) {
  v1::ListTasksRequest request;
  if (const std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    std::string upper = "TASK_STATE_" + state;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v1::TaskState parsed;
    if (!v1::TaskState_Parse(upper, &parsed)) {
      std::fprintf(stderr, "jgctl: unknown --state %s\n", state.c_str());
      return 2;
    }
    request.set_state(parsed);
  }
  request.set_plan(PlanName(absl::GetFlag(FLAGS_plan)));
  request.set_uscc(absl::GetFlag(FLAGS_uscc));
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    Act(context);
    v1::ListTasksResponse response;
    if (auto status = client.stub().ListTasks(&context, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const v1::Task& task : response.tasks()) PrintTask(task);
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

int Get(const Client& client, const std::string& name) {
  v1::GetTaskRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  Act(context);
  v1::Task task;
  if (auto status = client.stub().GetTask(&context, request, &task); !status.ok()) {
    return Fail(status);
  }
  PrintJson(task);
  return 0;
}

// One call that answers the task; printed on success.
template <typename Request>
int Call(grpc::Status (v1::Inspection::Stub::*method)(grpc::ClientContext*, const Request&,
                                                      v1::Task*),
         const Client& client, const Request& request) {
  grpc::ClientContext context;
  Act(context);
  v1::Task task;
  if (auto status = (client.stub().*method)(&context, request, &task); !status.ok()) {
    return Fail(status);
  }
  PrintTask(task);
  return 0;
}

int SubmitResult(const Client& client, const std::string& path) {
  std::string content;
  if (!ReadWholeFile(path, &content)) return 1;
  v1::SubmitResultRequest request;
  if (auto status = pb::util::JsonStringToMessage(content, &request); !status.ok()) {
    std::fprintf(stderr, "jgctl: %s is not a jianguan.inspection.v1.SubmitResultRequest in "
                 "JSON: %s\n", path.c_str(), std::string(status.message()).c_str());
    return 1;
  }
  request.set_name(TaskName(request.name()));
  if (request.request_id().empty()) {
    request.set_request_id(absl::StrCat("jgctl-submit-", request.name(), "-",
                                        store::Sha256Hex(content).substr(0, 16)));
  }
  return Call(&v1::Inspection::Stub::SubmitResult, client, request);
}

int Review(const Client& client, const std::string& name) {
  v1::ReviewResultRequest request;
  request.set_name(name);
  const std::string decision = absl::GetFlag(FLAGS_decision);
  if (decision == "approve") {
    request.set_decision(v1::REVIEW_DECISION_APPROVE);
  } else if (decision == "return") {
    request.set_decision(v1::REVIEW_DECISION_RETURN);
  } else {
    std::fprintf(stderr, "jgctl: --decision is approve or return, not %s\n", decision.c_str());
    return 2;
  }
  request.set_comment(absl::GetFlag(FLAGS_comment));
  request.set_request_id(absl::StrCat(
      "jgctl-review-", name, "-",
      store::Sha256Hex(decision + '\n' + request.comment()).substr(0, 16)));
  return Call(&v1::Inspection::Stub::ReviewResult, client, request);
}

int Cancel(const Client& client, const std::string& name) {
  const std::string reason = absl::GetFlag(FLAGS_reason);
  if (reason.empty()) {
    std::fprintf(stderr, "jgctl: tasks cancel needs --reason TEXT\n%s\n", kUsage);
    return 2;
  }
  v1::ReasonedTransitionRequest request;
  request.set_name(name);
  request.set_reason(reason);
  request.set_request_id(absl::StrCat("jgctl-cancel-", name));
  return Call(&v1::Inspection::Stub::CancelTask, client, request);
}

int Move(const Client& client, const std::string& verb, const std::string& name) {
  if (verb == "arrive") {
    v1::ArriveOnSiteRequest request;
    request.set_name(name);
    request.set_request_id(absl::StrCat("jgctl-arrive-", name));
    return Call(&v1::Inspection::Stub::ArriveOnSite, client, request);
  }
  v1::TaskTransitionRequest request;
  request.set_name(name);
  request.set_request_id(absl::StrCat("jgctl-", verb, "-", name));
  return Call(verb == "accept" ? &v1::Inspection::Stub::AcceptTask
                               : &v1::Inspection::Stub::PublishResult,
              client, request);
}

}  // namespace

int Tasks(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  const Client client;
  if (verb == "list" && args.size() == 1) return List(client);
  if (args.size() == 2) {
    const std::string name = TaskName(args[1]);
    if (verb == "get") return Get(client, name);
    if (verb == "accept" || verb == "arrive" || verb == "publish") return Move(client, verb, name);
    if (verb == "submit-result") return SubmitResult(client, args[1]);
    if (verb == "review") return Review(client, name);
    if (verb == "cancel") return Cancel(client, name);
  }
  std::fprintf(stderr, "%s\n", kUsage);
  return 2;
}

int Results(const std::vector<std::string>& args) {
  const std::string plan = PlanName(absl::GetFlag(FLAGS_plan));
  const std::string uscc = absl::GetFlag(FLAGS_uscc);
  if (args.size() != 1 || args[0] != "public" || plan.empty() == uscc.empty()) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  const Client client;
  v1::ListPublishedResultsRequest request;
  if (!plan.empty()) request.set_plan(plan);
  if (!uscc.empty()) request.set_uscc(uscc);
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;  // the public API: no credentials
    v1::ListPublishedResultsResponse response;
    if (auto status = client.public_stub().ListPublishedResults(&context, request, &response);
        !status.ok()) {
      return Fail(status);
    }
    for (const v1::PublicResult& result : response.results()) {
      std::vector<std::string> categories;
      for (const auto& d : result.departments()) {
        categories.push_back(absl::StrCat(d.department().code(), " ", d.category().code(), " ",
                                          d.category().label()));
      }
      std::printf("%-48s %s %-24s inspected %s published %s  %s\n", result.name().c_str(),
                  result.uscc().c_str(), result.subject_name().c_str(),
                  DateText(result.inspection_date()).c_str(),
                  DateText(result.publish_date()).c_str(),
                  absl::StrJoin(categories, "; ").c_str());
    }
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return 0;
}

}  // namespace jianguan::jgctl
