#include "libs/core/string_view_compat.h"
#include "libs/server/access_policy.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/text_checks.h"

namespace jianguan {
namespace {

bool IsUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// "330700-SCJG" (exact) or a prefix ending in '*' ("330000-*", "3307*", "*").
bool IsDepartmentPattern(std::string_view pattern) {
  if (pattern.empty()) return false;
  if (pattern.back() != '*') return IsDepartmentCode(pattern);
  const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char c = prefix[i];
    if (i < 6 ? !(c >= '0' && c <= '9') : i == 6 ? c != '-' : !IsUpperOrDigit(c)) return false;
  }
  return prefix.size() <= 6 + 1 + 16;
}

bool MatchesPattern(std::string_view pattern, std::string_view value) {
  if (!pattern.empty() && pattern.back() == '*') {
    return value.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return pattern == value;
}

bool IsKnownRole(std::string_view role) {
  return std::find(std::begin(roles::kAll), std::end(roles::kAll), role) != std::end(roles::kAll);
}

// A name of a system or user in a grant: what certificates carry, 1–64 of [A-Za-z0-9._-].
bool IsName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
           c == '-';
  });
}

// "registry-admin, draw-auditor, credit-officer", for errors.
std::string RoleList() {
  std::string list;
  for (std::string_view role : roles::kAll) {
    absl::StrAppend(&list, list.empty() ? "" : ", ", AbslView(role));
  }
  return list;
}

// Whether `method` has the form of a suite method: "/jianguan.area.v1.Service/Method", or
// "/jianguan.area.v1.Service/*" for all of a service. That the method exists is checked
// against the suite's descriptors by a test of the shipped policy (a binary links only the
// contracts it uses, so it cannot tell an unknown method from one of another service).
bool IsSuiteMethod(std::string_view method) {
  if (!method.starts_with("/jianguan.")) return false;
  const size_t slash = method.find('/', 1);
  if (slash == std::string_view::npos || slash + 1 == method.size()) return false;
  const std::string_view service = method.substr(1, slash - 1);
  const std::string_view name = method.substr(slash + 1);
  auto identifier = [](std::string_view text, bool dots) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || (dots && c == '.');
    });
  };
  return identifier(service, true) && !service.ends_with('.') &&
         (name == "*" || identifier(name, false));
}

// "330700-SCJG system 'jgctl' user 'u-1'", for refusals (quoted: the names are input).
std::string Who(const Caller& caller) {
  std::string who = caller.department;
  if (!caller.system.empty()) absl::StrAppend(&who, " system ", QuotedInput(caller.system));
  if (!caller.user_id.empty()) absl::StrAppend(&who, " user ", QuotedInput(caller.user_id));
  return who;
}

}  // namespace

bool IsDepartmentCode(std::string_view code) {
  if (code.size() < 9 || code.size() > 6 + 1 + 16) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (code[i] < '0' || code[i] > '9') return false;
  }
  if (code[6] != '-') return false;
  return std::all_of(code.begin() + 7, code.end(), IsUpperOrDigit);
}

absl::StatusOr<AccessPolicy> AccessPolicy::Parse(std::string_view text,
                                                 std::string_view origin) {
  AccessPolicy policy;
  int number = 0;
  auto problem = [&](std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(ShownUtf8(origin), ":", number, ": ", ShownUtf8(what)));
  };
  for (absl::string_view raw : absl::StrSplit(AbslView(text), '\n')) {
    ++number;
    absl::string_view line = raw.substr(0, raw.find('#'));
    std::vector<std::string> words = absl::StrSplit(line, absl::ByAnyChar(" \t\r"),
                                                    absl::SkipEmpty());
    if (words.empty()) continue;
    const std::string keyword = words.front();
    if (keyword == "department") {
      if (words.size() < 2) return problem("'department' needs at least one code or pattern");
      for (size_t i = 1; i < words.size(); ++i) {
        if (!IsDepartmentPattern(words[i])) {
          return problem(absl::StrCat("'", words[i],
                                      "' is not a department code (330700-SCJG) or a prefix "
                                      "ending in '*' (330000-*)"));
        }
        policy.departments_.push_back(words[i]);
      }
    } else if (keyword == "grant") {
      if (words.size() < 3) return problem("'grant' needs a role and dept=PATTERN");
      Grant grant{.role = words[1], .line = number};
      if (!IsKnownRole(grant.role)) {
        return problem(absl::StrCat("unknown role '", grant.role, "' (known: ",
                                    RoleList(), ")"));
      }
      for (size_t i = 2; i < words.size(); ++i) {
        const std::vector<std::string> pair = absl::StrSplit(words[i], absl::MaxSplits('=', 1));
        if (pair.size() != 2) return problem(absl::StrCat("'", words[i], "' is not key=value"));
        const std::string& key = pair[0];
        const std::string& value = pair[1];
        if (key == "dept" && IsDepartmentPattern(value)) {
          grant.department = value;
        } else if (key == "system" && IsName(value)) {
          grant.system = value;
        } else if (key == "user" && IsName(value)) {
          grant.user = value;
        } else {
          return problem(absl::StrCat("'", words[i],
                                      "': expected dept=PATTERN, system=NAME or user=NAME"));
        }
      }
      if (grant.department.empty()) return problem("'grant' needs dept=PATTERN");
      policy.grants_.push_back(std::move(grant));
    } else if (keyword == "require") {
      if (words.size() != 3) return problem("'require' needs a method and one role");
      if (!IsSuiteMethod(words[1])) {
        return problem(absl::StrCat("'", words[1],
                                    "' is not a method of the suite (/pkg.Service/Method or "
                                    "/pkg.Service/*)"));
      }
      if (!IsKnownRole(words[2])) {
        return problem(absl::StrCat("unknown role '", words[2], "' (known: ",
                                    RoleList(), ")"));
      }
      policy.requires_.push_back({.method = words[1], .role = words[2]});
    } else if (keyword == "delegate") {
      if (words.size() < 2) return problem("'delegate' needs at least one system name");
      for (size_t i = 1; i < words.size(); ++i) {
        if (!IsName(words[i])) return problem(absl::StrCat("'", words[i], "' is not a name"));
        policy.delegates_.push_back(words[i]);
      }
    } else {
      return problem(absl::StrCat("unknown rule '", keyword,
                                  "' (expected department, grant, require or delegate)"));
    }
  }
  if (policy.departments_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ShownUtf8(origin), ": admits no department (add a 'department' line)"));
  }
  return policy;
}

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the access policy ", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

AccessPolicy AccessPolicy::Development() {
  AccessPolicy policy;
  policy.development_ = true;
  policy.departments_.push_back("*");
  return policy;
}

bool AccessPolicy::Admitted(std::string_view department) const {
  // Development trusts whatever a loopback caller names (tests use made-up departments); a
  // policy file admits department codes only.
  if (development_) return !department.empty();
  if (!IsDepartmentCode(department)) return false;
  return std::any_of(departments_.begin(), departments_.end(),
                     [&](const std::string& p) { return MatchesPattern(p, department); });
}

bool AccessPolicy::Grants(const Grant& grant, const Caller& caller) const {
  return MatchesPattern(grant.department, caller.department) &&
         (grant.system.empty() || grant.system == caller.system) &&
         (grant.user.empty() || grant.user == caller.user_id);
}

bool AccessPolicy::MayDelegate(std::string_view system) const {
  return std::find(delegates_.begin(), delegates_.end(), system) != delegates_.end();
}

absl::StatusOr<Caller> AccessPolicy::Admit(Caller caller, std::string_view method,
                                           RoleSource source) const {
  if (!Admitted(caller.department)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "department ", QuotedInput(caller.department),
        IsDepartmentCode(caller.department)
            ? " is not admitted by the access policy (no 'department' rule matches it)"
            : " is not a department code (six-digit region, '-', agency: 330700-SCJG)"));
  }
  std::vector<std::string> roles;
  if (source == RoleSource::kClaimed) {
    for (const std::string& role : caller.roles) {
      const bool granted =
          development_ ||
          std::any_of(grants_.begin(), grants_.end(), [&](const Grant& g) {
            return g.role == role && Grants(g, caller);
          });
      if (!granted) {
        return absl::PermissionDeniedError(absl::StrCat(
            "the access policy does not grant role ", QuotedInput(role), " to ",
            Who(caller)));
      }
      roles.push_back(role);
    }
  } else {
    for (const Grant& grant : grants_) {
      if (Grants(grant, caller)) roles.push_back(grant.role);
    }
  }
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  caller.roles = std::move(roles);

  // A method with requirements needs one of their roles.
  std::vector<std::string> needed;
  for (const Requirement& r : requires_) {
    const bool applies =
        r.method == method ||
        (r.method.ends_with("/*") && method.starts_with(std::string_view(r.method).substr(
                                         0, r.method.size() - 1)));
    if (applies) needed.push_back(r.role);
  }
  if (!needed.empty() &&
      std::none_of(needed.begin(), needed.end(),
                   [&](const std::string& role) { return caller.HasRole(role); })) {
    return absl::PermissionDeniedError(
        absl::StrCat(AbslView(method), " needs role ", absl::StrJoin(needed, " or "),
                     ", which the access policy does not grant to ", Who(caller)));
  }
  return caller;
}

}  // namespace jianguan
