// The access policy: parsing with clear errors, admission, roles, method requirements.
#include "libs/server/access_policy.h"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "libs/core/text_checks.h"
#include "libs/server/tls.h"

namespace jianguan {
namespace {

constexpr char kExport[] = "/jianguan.sampling.v1.Sampling/ExportVerificationPackage";

AccessPolicy Parsed(std::string_view text) {
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Parse(text, "test.policy");
  INFO(policy.status().message());
  REQUIRE(policy.ok());
  return *std::move(policy);
}

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Parse(text, "test.policy");
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string message(policy.status().message());
  CHECK(IsValidUtf8(message));
  return message;
}

Caller As(std::string department, std::string system = "", std::vector<std::string> roles = {}) {
  return Caller{.department = std::move(department), .system = std::move(system),
                .roles = std::move(roles)};
}

TEST_CASE("a policy file that does not hold is refused naming its line") {
  CHECK(ErrorOf("department 330700-SCJG\nfrobnicate x\n").find("test.policy:2: unknown rule") == 0);
  CHECK(ErrorOf("department SCJG\n").find("test.policy:1:") == 0);
  CHECK(ErrorOf("department 330700-SCJG\ngrant root dept=330700-SCJG\n").find("unknown role 'root'") !=
        std::string::npos);
  CHECK(ErrorOf("department 330700-SCJG\ngrant draw-auditor system=x\n").find("needs dept=") !=
        std::string::npos);
  CHECK(ErrorOf("department 330700-SCJG\nrequire /other.Sampling/Export draw-auditor\n")
            .find("not a method of the suite") != std::string::npos);
  CHECK(ErrorOf("# nothing admitted\n").find("admits no department") != std::string::npos);
  // Text quoted back stays valid UTF-8 whatever the file holds.
  CHECK(ErrorOf("department 330700-SCJG\n\xff\xfe x\n").find("test.policy:2: unknown rule") == 0);
}

TEST_CASE("admission: only the departments the policy names, by code or prefix") {
  const AccessPolicy policy = Parsed("department 330700-SCJG 330000-* # comment\n");
  CHECK(policy.Admit(As("330700-SCJG"), "/x.Y/Z", RoleSource::kClaimed).ok());
  CHECK(policy.Admit(As("330000-GAT"), "/x.Y/Z", RoleSource::kClaimed).ok());
  const auto outsider = policy.Admit(As("330782-SCJG"), "/x.Y/Z", RoleSource::kClaimed);
  CHECK(outsider.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(outsider.status().message().find("not admitted") != absl::string_view::npos);
  const auto anything = policy.Admit(As("anything"), "/x.Y/Z", RoleSource::kClaimed);
  CHECK(anything.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(anything.status().message().find("not a department code") != absl::string_view::npos);
}

TEST_CASE("roles: granted by the policy, claimed only when granted") {
  const AccessPolicy policy = Parsed(
      "department 330700-SCJG 330782-SCJG\n"
      "grant registry-admin dept=330700-SCJG system=jgctl\n"
      "grant draw-auditor dept=330700-*\n");
  SECTION("from a certificate, every grant that matches") {
    const auto caller = policy.Admit(As("330700-SCJG", "jgctl"), "/x.Y/Z", RoleSource::kGranted);
    REQUIRE(caller.ok());
    CHECK(caller->roles == std::vector<std::string>{"draw-auditor", "registry-admin"});
    const auto other = policy.Admit(As("330700-SCJG", "approval"), "/x.Y/Z", RoleSource::kGranted);
    REQUIRE(other.ok());
    CHECK(other->roles == std::vector<std::string>{"draw-auditor"});
    // Roles a certificate caller somehow carries are replaced by the grants.
    const auto yiwu =
        policy.Admit(As("330782-SCJG", "jgctl", {"registry-admin"}), "/x.Y/Z", RoleSource::kGranted);
    REQUIRE(yiwu.ok());
    CHECK(yiwu->roles.empty());
  }
  SECTION("claimed in metadata: each must be granted") {
    const auto ok = policy.Admit(As("330700-SCJG", "jgctl", {"registry-admin"}), "/x.Y/Z",
                                 RoleSource::kClaimed);
    REQUIRE(ok.ok());
    CHECK(ok->roles == std::vector<std::string>{"registry-admin"});
    const auto refused = policy.Admit(As("330782-SCJG", "jgctl", {"registry-admin"}), "/x.Y/Z",
                                      RoleSource::kClaimed);
    CHECK(refused.status().code() == absl::StatusCode::kPermissionDenied);
    CHECK(refused.status().message().find("does not grant role 'registry-admin'") !=
          absl::string_view::npos);
  }
}

TEST_CASE("a method the policy restricts needs one of its roles") {
  const AccessPolicy policy = Parsed(
      "department 330700-SCJG 330000-SCJG\n"
      "grant draw-auditor dept=330000-SCJG\n"
      "require /jianguan.sampling.v1.Sampling/ExportVerificationPackage draw-auditor\n"
      "require /jianguan.credit.v1.Credit/* credit-officer\n");
  CHECK(policy.Admit(As("330000-SCJG"), kExport, RoleSource::kGranted).ok());
  const auto refused = policy.Admit(As("330700-SCJG"), kExport, RoleSource::kGranted);
  CHECK(refused.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(refused.status().message().find("needs role draw-auditor") != absl::string_view::npos);
  CHECK(policy.Admit(As("330700-SCJG"), "/jianguan.sampling.v1.Sampling/GetPlan",
                     RoleSource::kGranted)
            .ok());
  CHECK_FALSE(policy.Admit(As("330000-SCJG"), "/jianguan.credit.v1.Credit/GetLedger",
                           RoleSource::kGranted)
                  .ok());
}

TEST_CASE("the development policy admits any department a caller names, with its claimed roles") {
  const AccessPolicy policy = AccessPolicy::Development();
  const auto caller =
      policy.Admit(As("330700-SCJG", "", {"draw-auditor"}), kExport, RoleSource::kClaimed);
  REQUIRE(caller.ok());
  CHECK(caller->HasRole("draw-auditor"));
  CHECK(policy.Admit(As("jgctl"), kExport, RoleSource::kClaimed).ok());
  CHECK_FALSE(policy.Admit(As(""), kExport, RoleSource::kClaimed).ok());
  CHECK_FALSE(policy.MayDelegate("inspection"));
}

TEST_CASE("the repository's demo policy parses") {
  std::ifstream in(JG_SOURCE_DIR "/config/access-policy.txt");
  std::stringstream text;
  text << in.rdbuf();
  const AccessPolicy policy = Parsed(text.str());
  CHECK(policy.MayDelegate("inspection"));
  // Every method it restricts exists in the suite's contracts (the descriptor set the build
  // writes), so a typo cannot leave a method open.
  google::protobuf::FileDescriptorSet set;
  std::ifstream descriptors(JG_DESCRIPTOR_SET, std::ios::binary);
  REQUIRE(set.ParseFromIstream(&descriptors));
  google::protobuf::DescriptorPool pool;
  for (const auto& file : set.file()) REQUIRE(pool.BuildFile(file) != nullptr);
  const std::vector<std::string> methods = policy.RequiredMethods();
  REQUIRE_FALSE(methods.empty());
  for (const std::string& method : methods) {
    INFO(method);
    const size_t slash = method.find('/', 1);
    const auto* service = pool.FindServiceByName(method.substr(1, slash - 1));
    REQUIRE(service != nullptr);
    const std::string name = method.substr(slash + 1);
    CHECK((name == "*" || service->FindMethodByName(name) != nullptr));
  }
  CHECK(policy.Admit(As("330700-XFJY"), "/x.Y/Z", RoleSource::kGranted).ok());
}

TEST_CASE("identity URIs: the forms the suite issues, and clear refusals") {
  const auto person = ParseIdentityUri("spiffe://jianguan/dept/330700-SCJG/system/jgctl/user/u-17");
  REQUIRE(person.ok());
  CHECK(person->department == "330700-SCJG");
  CHECK(person->system == "jgctl");
  CHECK(person->user == "u-17");
  const auto service = ParseIdentityUri("spiffe://jianguan/system/inspection");
  REQUIRE(service.ok());
  CHECK(service->department.empty());
  for (const char* bad : {"spiffe://other/dept/330700-SCJG/system/x",
                          "spiffe://jianguan/dept/330700-SCJG",
                          "spiffe://jianguan/dept/SCJG/system/x",
                          "spiffe://jianguan/dept/330700-SCJG/system/x/role/admin",
                          "spiffe://jianguan/system/x/user/u", "spiffe://jianguan/system/",
                          "spiffe://jianguan/system/a/system/b"}) {
    INFO(bad);
    const auto refused = ParseIdentityUri(bad);
    CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace jianguan
