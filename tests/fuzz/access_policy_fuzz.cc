// The access policy loader (libs/server/access_policy.h) on any bytes: it never crashes, a
// refusal is INVALID_ARGUMENT in valid UTF-8, and a policy it accepts answers admission
// questions without crashing, its refusals valid UTF-8 too, and never admits a caller that
// names no department.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/server/access_policy.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<AccessPolicy> policy = AccessPolicy::Parse(text, "<fuzz>");
  if (!policy.ok()) {
    JG_FUZZ_CHECK(policy.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(policy.status());
    return 0;
  }
  // The input's last line, split at its first space, as a department and a claimed role.
  const size_t last = text.rfind('\n');
  const std::string_view tail = last == std::string_view::npos ? text : text.substr(last + 1);
  const size_t space = tail.find(' ');
  const std::string department(tail.substr(0, space));
  const std::string role(space == std::string_view::npos ? "" : tail.substr(space + 1));
  for (const RoleSource source : {RoleSource::kGranted, RoleSource::kClaimed}) {
    for (const char* method : {"/jianguan.sampling.v1.Sampling/ExportVerificationPackage",
                               "/jianguan.credit.v1.Credit/GetLedger"}) {
      Caller caller{.department = department, .system = "jgctl"};
      if (!role.empty()) caller.roles.push_back(role);
      const absl::StatusOr<Caller> admitted = policy->Admit(caller, method, source);
      if (admitted.ok()) {
        JG_FUZZ_CHECK(IsDepartmentCode(admitted->department));
      } else {
        JG_FUZZ_CHECK(admitted.status().code() == absl::StatusCode::kPermissionDenied);
        fuzz::CheckMessageIsUtf8(admitted.status());
      }
    }
  }
  return 0;
}
