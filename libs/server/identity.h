// Who is calling: the caller's department, user and system, resolved once per call.
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
// Refusal never rejects the call by itself: services that need no identity (health,
// reflection) simply never ask, and every service decides for itself what an anonymous call
// may do.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/support/string_ref.h"

namespace grpc {
class AuthContext;
class ServerContextBase;
}  // namespace grpc

namespace jianguan {

/// The authenticated origin of a call.
struct Caller {
  /// The calling department (执法主体), e.g. "330700-SCJG". Never empty once authenticated.
  std::string department;
  /// The person acting, inside that department; may be empty for system-to-system calls.
  std::string user_id;
  /// The calling system (approval platform, grid governance, jgctl …); may be empty.
  std::string system;

  friend bool operator==(const Caller&, const Caller&) = default;
};

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
};

/// Development and test authenticator: trusts the metadata `x-jg-department`, `x-jg-user`
/// and `x-jg-system`, but only on loopback connections (peer `ipv4:127.*` or `ipv6:[::1]`),
/// so nothing outside the machine can claim a department. Production uses the client
/// certificate instead (mutual TLS).
class LoopbackMetadataAuthenticator final : public Authenticator {
 public:
  static constexpr std::string_view kDepartmentKey = "x-jg-department";
  static constexpr std::string_view kUserKey = "x-jg-user";
  static constexpr std::string_view kSystemKey = "x-jg-system";

  /// UNAUTHENTICATED when the peer is not loopback or `x-jg-department` is missing or empty.
  absl::StatusOr<Caller> Authenticate(const CallAttributes& call) const override;
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
