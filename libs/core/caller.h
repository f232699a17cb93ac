// Who is calling: the caller's department, user, system and roles, resolved once per call by
// the server's authenticator (libs/server/identity.h) and handed to handlers and domain code
// as plain data. Nothing here knows gRPC: a domain rule such as "only the initiating
// department may approve" takes a Caller, and its unit test builds one by hand.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace jianguan {

/// Roles the suite's policy knows. A role widens what a caller may do on top of its
/// department; it never replaces the department.
namespace roles {
/// Sees full ID numbers of legal representatives (subject registry).
inline constexpr std::string_view kRegistryAdmin = "registry-admin";
/// Reads a draw's verification package with the internal classes (sampling).
inline constexpr std::string_view kDrawAuditor = "draw-auditor";
/// Starts the monthly credit reclassification (credit).
inline constexpr std::string_view kCreditOfficer = "credit-officer";

/// Reads every department's non-public records (draft plans, tasks, cases, credit ledgers,
/// alerts) for oversight (监督), and changes nothing through that role.
inline constexpr std::string_view kOversight = "oversight";

/// Every role above; the access policy refuses to grant or require any other.
inline constexpr std::string_view kAll[] = {kRegistryAdmin, kDrawAuditor, kCreditOfficer,
                                            kOversight};
}  // namespace roles

/// The authenticated origin of a call.
struct Caller {
  /// The calling department (执法主体), e.g. "330700-SCJG". Never empty once authenticated,
  /// except for the anonymous callers of a public listener (system "public").
  std::string department;
  /// The person acting, inside that department; may be empty for system-to-system calls.
  std::string user_id;
  /// The calling system (approval platform, grid governance, jgctl …); may be empty.
  std::string system;
  /// The roles the authenticator granted this call (see `roles`), sorted, without repeats.
  std::vector<std::string> roles;
  /// What vouched for the department: the client certificate's identity URI under mutual
  /// TLS ("spiffe://jianguan/dept/330700-SCJG/system/jgctl"); empty for loopback metadata.
  /// Audit records carry it.
  std::string identity;

  /// Whether the authenticator granted `role` to this call.
  bool HasRole(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }

  friend bool operator==(const Caller&, const Caller&) = default;
};

}  // namespace jianguan
