// jgctl notifications: a department's dual notifications (双告知) in the subject registry —
// listed with its unclaimed and overdue counts, claimed (认领), passed on (转办).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/store/store.h"
#include "tools/jgctl/client.h"
#include "tools/jgctl/commands.h"

ABSL_DECLARE_FLAG(std::string, registry);
ABSL_DECLARE_FLAG(std::string, dept);
ABSL_DECLARE_FLAG(std::string, state);
ABSL_DECLARE_FLAG(std::string, uscc);
ABSL_DECLARE_FLAG(std::string, to);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(int32_t, page_size);
ABSL_FLAG(bool, overdue, false,
          "notifications list: only the overdue ones (unclaimed past their due day, or claimed "
          "late)");

namespace jianguan::jgctl {
namespace {

namespace v1 = ::jianguan::subject::v1;

constexpr char kUsage[] =
    "usage: jgctl notifications list [--department D] [--dept D2] [--state raised|claimed|closed]\n"
    "                                [--overdue] [--uscc U] [--page_size N]\n"
    "       jgctl notifications claim ID\n"
    "       jgctl notifications pass ID --to DEPT --reason TEXT\n"
    "Calls are made as --department (JG_DEPARTMENT) and --user (JG_USER); list shows that\n"
    "department's notifications, or --dept's (another department's needs the role oversight).\n";

std::unique_ptr<v1::SubjectRegistry::Stub> Registry() {
  return v1::SubjectRegistry::NewStub(Connect(absl::GetFlag(FLAGS_registry), "127.0.0.1:7102"));
}

bool StateOf(const std::string& text, v1::NotificationState* state) {
  if (text.empty()) *state = v1::NOTIFICATION_STATE_UNSPECIFIED;
  else if (text == "raised") *state = v1::NOTIFICATION_STATE_RAISED;
  else if (text == "claimed") *state = v1::NOTIFICATION_STATE_CLAIMED;
  else if (text == "closed") *state = v1::NOTIFICATION_STATE_CLOSED;
  else return false;
  return true;
}

std::string StateText(v1::NotificationState state) {
  switch (state) {
    case v1::NOTIFICATION_STATE_RAISED: return "raised";
    case v1::NOTIFICATION_STATE_CLAIMED: return "claimed";
    case v1::NOTIFICATION_STATE_CLOSED: return "closed";
    default: return "?";
  }
}

void Print(const v1::LicenceNotification& n) {
  std::printf("%s  %-7s %-12s raised %s due %s%s  %s  %s  (%s)\n", n.id().c_str(),
              StateText(n.state()).c_str(), n.department().code().c_str(),
              DateText(n.raised_on()).c_str(), DateText(n.due_on()).c_str(),
              n.overdue() ? " OVERDUE" : "", n.licence_kind().c_str(), n.subject_name().c_str(),
              n.trigger().c_str());
}

// The same command by the same person is the same request: a repeated claim or pass is
// answered once by the registry, not refused as a second one.
template <typename Request>
void DeriveRequestId(const std::string& verb, Request& request) {
  const std::string asked = absl::StrCat(ActingDepartment(), "\n", ActingUser(), "\n",
                                         request.SerializeAsString());
  request.set_request_id(
      absl::StrCat("jgctl-notification-", verb, "-", store::Sha256Hex(asked).substr(0, 32)));
}

int List() {
  v1::ListNotificationsRequest request;
  v1::NotificationState state;
  if (!StateOf(absl::GetFlag(FLAGS_state), &state)) {
    std::fprintf(stderr, "jgctl: --state must be raised, claimed or closed\n%s", kUsage);
    return 2;
  }
  request.set_state(state);
  request.mutable_department()->set_code(absl::GetFlag(FLAGS_dept));
  request.set_overdue_only(absl::GetFlag(FLAGS_overdue));
  request.set_uscc(absl::GetFlag(FLAGS_uscc));
  request.mutable_page()->set_page_size(absl::GetFlag(FLAGS_page_size));
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::ListNotificationsResponse response;
  if (auto s = Registry()->ListNotifications(&context, request, &response); !s.ok()) {
    return Fail(s);
  }
  for (const auto& n : response.notifications()) Print(n);
  std::printf("unclaimed %lld, overdue %lld\n", static_cast<long long>(response.unclaimed()),
              static_cast<long long>(response.overdue()));
  if (!response.page().next_page_token().empty()) {
    std::printf("next page token: %s\n", response.page().next_page_token().c_str());
  }
  return 0;
}

int Claim(const std::string& id) {
  v1::ClaimNotificationRequest request;
  request.set_notification_id(id);
  DeriveRequestId("claim", request);
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::LicenceNotification n;
  if (auto s = Registry()->ClaimNotification(&context, request, &n); !s.ok()) return Fail(s);
  std::printf("%s claimed by %s on %s%s\n", n.id().c_str(), n.department().code().c_str(),
              DateText(n.claimed_on()).c_str(), n.overdue() ? " (overdue)" : "");
  return 0;
}

int Pass(const std::string& id) {
  if (absl::GetFlag(FLAGS_to).empty() || absl::GetFlag(FLAGS_reason).empty()) {
    std::fprintf(stderr, "jgctl: notifications pass needs --to and --reason\n%s", kUsage);
    return 2;
  }
  v1::PassNotificationRequest request;
  request.set_notification_id(id);
  request.mutable_to()->set_code(absl::GetFlag(FLAGS_to));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  DeriveRequestId("pass", request);
  grpc::ClientContext context;
  IdentifyActing(context);
  v1::LicenceNotification n;
  if (auto s = Registry()->PassNotification(&context, request, &n); !s.ok()) return Fail(s);
  std::printf("%s passed to %s, due %s\n", n.id().c_str(), n.department().code().c_str(),
              DateText(n.due_on()).c_str());
  return 0;
}

}  // namespace

int Notifications(const std::vector<std::string>& args) {
  const std::string verb = args.empty() ? "" : args[0];
  if (verb == "list" && args.size() == 1) return List();
  if (verb == "claim" && args.size() == 2) return Claim(args[1]);
  if (verb == "pass" && args.size() == 2) return Pass(args[1]);
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

}  // namespace jianguan::jgctl
