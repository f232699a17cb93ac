#include "libs/core/string_view_compat.h"
#include "libs/server/identity.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "libs/server/internal/caller_registry.h"

namespace jianguan {
namespace {

// Calls in flight and their callers. One entry per call; entries live as long as the call's
// ServerContext, so the map stays as small as the number of concurrent calls.
struct CallerTable {
  absl::Mutex mu;
  absl::flat_hash_map<const grpc::ServerContextBase*, absl::StatusOr<Caller>> callers
      ABSL_GUARDED_BY(mu);
};

// Never destroyed: calls may still finish while static destructors run at exit.
CallerTable& Table() {
  static CallerTable* const table = new CallerTable;
  return *table;
}

}  // namespace

std::string_view CallAttributes::Metadata(std::string_view key) const {
  if (metadata == nullptr) return {};
  auto it = metadata->find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata->end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

std::vector<std::string> CallAttributes::MetadataList(std::string_view key) const {
  std::vector<std::string> values;
  if (metadata == nullptr) return values;
  auto [first, last] = metadata->equal_range(grpc::string_ref(key.data(), key.size()));
  for (auto it = first; it != last; ++it) {
    for (absl::string_view value :
         absl::StrSplit(absl::string_view(it->second.data(), it->second.size()), ',',
                        absl::SkipWhitespace())) {
      values.emplace_back(absl::StripAsciiWhitespace(value));
    }
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

bool IsLoopbackPeer(std::string_view peer) {
  return peer.starts_with("ipv4:127.") || peer.starts_with("ipv6:[::1]:") ||
         peer.starts_with("ipv6:[::ffff:127.");
}

absl::StatusOr<Caller> PublicAuthenticator::Authenticate(const CallAttributes&) const {
  Caller caller;
  caller.system = std::string(kSystem);
  return caller;
}

absl::StatusOr<Caller> LoopbackMetadataAuthenticator::Authenticate(
    const CallAttributes& call) const {
  if (!IsLoopbackPeer(call.peer)) {
    return absl::UnauthenticatedError(
        absl::StrCat("metadata identity is accepted only from loopback peers, not from ",
                     AbslView(call.peer), "; use mutual TLS"));
  }
  Caller caller;
  caller.department = std::string(call.Metadata(kDepartmentKey));
  if (caller.department.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("the call names no department: set metadata '", AbslView(kDepartmentKey),
                     "'"));
  }
  caller.user_id = std::string(call.Metadata(kUserKey));
  caller.system = std::string(call.Metadata(kSystemKey));
  caller.roles = call.MetadataList(kRoleKey);
  return caller;
}

absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase* context) {
  CallerTable& table = Table();
  absl::MutexLock lock(&table.mu);
  auto it = table.callers.find(context);
  if (it == table.callers.end()) {
    return absl::InternalError(
        "no caller is known for this call: is the service served by a ServiceHost?");
  }
  return it->second;
}

namespace server_internal {

void RecordCaller(const grpc::ServerContextBase* context, absl::StatusOr<Caller> caller) {
  CallerTable& table = Table();
  absl::MutexLock lock(&table.mu);
  table.callers.insert_or_assign(context, std::move(caller));
}

void ForgetCaller(const grpc::ServerContextBase* context) {
  CallerTable& table = Table();
  absl::MutexLock lock(&table.mu);
  table.callers.erase(context);
}

}  // namespace server_internal
}  // namespace jianguan
