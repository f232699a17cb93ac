// Who is calling: the caller's department, user, system and roles, resolved once per call.
//
// Every call carries its caller (DESIGN §4 "Identity"). An Authenticator turns what the
// transport knows about a call (peer address, TLS properties, metadata) into a Caller. The
// ServiceHost runs its authenticator once when a call arrives and remembers the answer for
// the call's lifetime, so a handler only asks for it:
//
//   grpc::Status SubjectService::GetSubject(grpc::ServerContext* ctx, ...) {
//     absl::StatusOr<Caller> caller = CallerOf(ctx);
//     if (!caller.ok()) return ToGrpcStatus(caller.status());  // UNAUTHENTICATED
//     ... caller->department ...
//   }
//
// Handlers never read identity or roles from metadata themselves: the authenticator is the one
// place that turns transport facts into a Caller (libs/core/caller.h).
//
// Refusal never rejects the call by itself: services that need no identity (health,
// reflection) simply never ask, and every service decides for itself what an anonymous call
// may do.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/string_ref.h"
#include "libs/core/caller.h"
#include "libs/server/access_policy.h"

namespace grpc {
class AuthContext;
class ServerContextBase;
}  // namespace grpc

namespace jianguan {

/// What the transport knows about one incoming call; a view, valid only during
/// Authenticate(). Built by the host from the call's ServerContext, or by tests by hand.
struct CallAttributes {
  /// gRPC's peer string: "ipv4:127.0.0.1:53422", "ipv6:[::1]:53422", "unix:/run/x.sock".
  std::string_view peer;
  /// TLS properties (the client certificate's names under mutual TLS); null when the
  /// channel is insecure or nothing is known.
  const grpc::AuthContext* auth_context = nullptr;
  /// The client's initial metadata (keys are lower case). Null means "none".
  const std::multimap<grpc::string_ref, grpc::string_ref>* metadata = nullptr;

  /// The first value of metadata `key`, or an empty view when absent.
  std::string_view Metadata(std::string_view key) const;
  /// Every value of metadata `key`, each split at commas, trimmed, sorted and without
  /// repeats: "a, b" and two entries "b" and "a" both give {"a", "b"}.
  std::vector<std::string> MetadataList(std::string_view key) const;
};

/// Resolves the caller of an incoming call.
///
/// Implementations must be thread-safe: the host calls Authenticate concurrently from
/// gRPC's threads, once per call, before the handler runs; it must not block on I/O.
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  /// The caller of the call described by `call`, or UNAUTHENTICATED with a message that
  /// tells the client what is missing. Other codes are reserved for internal faults.
  virtual absl::StatusOr<Caller> Authenticate(const CallAttributes& call) const = 0;

  /// Where the roles of the callers it resolves come from: claimed in metadata (each then
  /// checked against the access policy's grants), or granted by the policy alone.
  virtual RoleSource role_source() const { return RoleSource::kClaimed; }
};

/// Development and test authenticator: trusts the metadata `x-jg-department`, `x-jg-user`,
/// `x-jg-system` and `x-jg-role` (roles, comma-separated or repeated), but only on loopback connections (peer `ipv4:127.*` or `ipv6:[::1]`),
/// so nothing outside the machine can claim a department. Production uses the client
/// certificate instead (mutual TLS).
class LoopbackMetadataAuthenticator final : public Authenticator {
 public:
  static constexpr std::string_view kDepartmentKey = "x-jg-department";
  static constexpr std::string_view kUserKey = "x-jg-user";
  static constexpr std::string_view kSystemKey = "x-jg-system";
  static constexpr std::string_view kRoleKey = "x-jg-role";

  /// UNAUTHENTICATED when the peer is not loopback or `x-jg-department` is missing or empty.
  absl::StatusOr<Caller> Authenticate(const CallAttributes& call) const override;
};

/// The public listener's authenticator (ServiceHost::AddPublicService): nobody proves who
/// they are there, so every call is the same anonymous caller, with no department, the system
/// "public" and no role. Handlers served there must not depend on who calls.
class PublicAuthenticator final : public Authenticator {
 public:
  static constexpr std::string_view kSystem = "public";
  absl::StatusOr<Caller> Authenticate(const CallAttributes& call) const override;
  RoleSource role_source() const override { return RoleSource::kGranted; }
};

/// True for gRPC peer strings of loopback connections: "ipv4:127.x.y.z:port",
/// "ipv6:[::1]:port" (and IPv4-mapped "ipv6:[::ffff:127.x.y.z]:port").
bool IsLoopbackPeer(std::string_view peer);

/// The caller of the call `context` belongs to, as the ServiceHost's authenticator resolved
/// it when the call arrived: UNAUTHENTICATED (with the authenticator's message) when it was
/// refused, INTERNAL when the call is not served by a ServiceHost. Works with the sync and
/// the callback API. Thread-safe; cheap (one map lookup under a mutex, one copy).
absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase* context);

}  // namespace jianguan
