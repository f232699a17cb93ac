// The access policy: which departments may call the suite at all, which roles each holds,
// which methods need a role, and which suite services may act for a department. It is data
// (one text file per deployment, loaded and validated at start with --access_policy), and
// the ServiceHost applies it in one place, when a call's metadata arrives and before any
// handler runs (libs/server/internal/call_observer.cc). Rules that depend on the record a
// call touches ("only the initiating department transitions a plan", "a department reads
// its own cases") stay in the services' domain code, which gets the roles resolved here.
//
// The file, one rule a line, `#` starts a comment (docs/security.md has the full account):
//
//   department 330700-SCJG 330782-SCJG 330000-*      # admitted callers ('*' ends a prefix)
//   grant registry-admin dept=330700-SCJG system=registry-console
//   grant draw-auditor   dept=330000-SJT
//   require /jianguan.sampling.v1.Sampling/ExportVerificationPackage draw-auditor
//   delegate inspection                               # may act for the department it names
//
// A call is admitted when its department matches a `department` pattern; its roles are the
// `grant` lines that match it (under mutual TLS), or the roles it claims in metadata when
// every one of them is granted (loopback development); a method with `require` lines needs
// one of their roles. Every refusal is PERMISSION_DENIED naming what is missing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/caller.h"

namespace jianguan {

/// Where a call's roles come from.
enum class RoleSource {
  /// The certificate says who calls; the policy's grants say what that caller may do.
  kGranted,
  /// The caller named roles in metadata (loopback development): each must be granted.
  kClaimed,
};

class AccessPolicy {
 public:
  /// Parses a policy; INVALID_ARGUMENT naming `origin`, the line and the problem for an
  /// unknown keyword or role, a malformed department pattern, a method that no service of
  /// the suite has, a rule without its arguments, or a file that admits no department.
  static absl::StatusOr<AccessPolicy> Parse(std::string_view text, std::string_view origin);
  /// Reads and parses `path`; NOT_FOUND when it cannot be read.
  static absl::StatusOr<AccessPolicy> Load(const std::string& path);
  /// For loopback development and tests without a policy file: every department a caller
  /// names is admitted, every role it claims is granted, no method needs a role beyond what the
  /// handlers check themselves. Never used under mutual TLS (the host refuses to start).
  static AccessPolicy Development();

  /// `caller` (as the authenticator resolved it) admitted to call `method` ("/pkg.Service/
  /// Method"), with its roles resolved from `source`; PERMISSION_DENIED naming the missing
  /// admission, grant, delegation or role otherwise.
  absl::StatusOr<Caller> Admit(Caller caller, std::string_view method, RoleSource source) const;

  /// Whether `system` (a suite service's certificate without a department) may act for the
  /// department it names in metadata.
  bool MayDelegate(std::string_view system) const;

  /// The methods `require` lines name, as written ("/pkg.Service/Method" or "/pkg.Service/*").
  std::vector<std::string> RequiredMethods() const {
    std::vector<std::string> methods;
    for (const Requirement& r : requires_) methods.push_back(r.method);
    return methods;
  }

  /// Number of rules, for the start-up log line.
  size_t size() const { return departments_.size() + grants_.size() + requires_.size(); }

 private:
  struct Grant {
    std::string role;
    std::string department;  // a pattern
    std::string system;      // empty: any
    std::string user;        // empty: any
    int line = 0;
  };
  struct Requirement {
    std::string method;  // "/pkg.Service/Method", or "/pkg.Service/*"
    std::string role;
  };

  bool Admitted(std::string_view department) const;
  bool Grants(const Grant& grant, const Caller& caller) const;

  bool development_ = false;
  std::vector<std::string> departments_;  // patterns
  std::vector<Grant> grants_;
  std::vector<Requirement> requires_;
  std::vector<std::string> delegates_;
};

/// Whether `code` has the form of a department code: a six-digit GB/T 2260 region, '-', and
/// 2–16 upper-case letters or digits ("330700-SCJG").
bool IsDepartmentCode(std::string_view code);

}  // namespace jianguan
