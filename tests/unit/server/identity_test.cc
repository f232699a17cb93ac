// The development authenticator: metadata identity, trusted only from loopback.
#include "libs/server/identity.h"

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "grpcpp/server_context.h"

namespace jianguan {
namespace {

// Metadata as gRPC hands it to the server: views into strings the test owns.
class Metadata {
 public:
  Metadata& Add(const std::string& key, const std::string& value) {
    keys_.push_back(key);
    values_.push_back(value);
    return *this;
  }
  const std::multimap<grpc::string_ref, grpc::string_ref>& map() {
    map_.clear();
    for (size_t i = 0; i < keys_.size(); ++i) map_.emplace(keys_[i], values_[i]);
    return map_;
  }

 private:
  std::vector<std::string> keys_, values_;
  std::multimap<grpc::string_ref, grpc::string_ref> map_;
};

absl::StatusOr<Caller> Authenticate(std::string_view peer, Metadata& metadata) {
  CallAttributes call;
  call.peer = peer;
  call.metadata = &metadata.map();
  return LoopbackMetadataAuthenticator().Authenticate(call);
}

TEST_CASE("loopback peers are recognised from gRPC's peer strings", "[identity]") {
  CHECK(IsLoopbackPeer("ipv4:127.0.0.1:53422"));
  CHECK(IsLoopbackPeer("ipv4:127.8.9.10:1"));
  CHECK(IsLoopbackPeer("ipv6:[::1]:53422"));
  CHECK(IsLoopbackPeer("ipv6:[::ffff:127.0.0.1]:53422"));
  CHECK_FALSE(IsLoopbackPeer("ipv4:10.0.0.7:53422"));
  CHECK_FALSE(IsLoopbackPeer("ipv4:128.0.0.1:53422"));
  CHECK_FALSE(IsLoopbackPeer("ipv6:[::10]:53422"));
  CHECK_FALSE(IsLoopbackPeer("ipv6:[2001:db8::1]:53422"));
  CHECK_FALSE(IsLoopbackPeer("unix:/run/jianguan.sock"));
  CHECK_FALSE(IsLoopbackPeer(""));
}

SCENARIO("metadata names the caller on loopback", "[identity]") {
  GIVEN("a loopback call with department, user and system") {
    Metadata metadata;
    metadata.Add("x-jg-department", "330700-SCJG").Add("x-jg-user", "inspector-17")
        .Add("x-jg-system", "jgctl");
    WHEN("it is authenticated over IPv4 or IPv6") {
      const auto v4 = Authenticate("ipv4:127.0.0.1:40000", metadata);
      const auto v6 = Authenticate("ipv6:[::1]:40000", metadata);
      THEN("the caller is taken from the metadata") {
        REQUIRE(v4.ok());
        CHECK(*v4 == Caller{"330700-SCJG", "inspector-17", "jgctl"});
        REQUIRE(v6.ok());
        CHECK(*v6 == *v4);
      }
    }
  }
  GIVEN("a loopback call with only a department") {
    Metadata metadata;
    metadata.Add("x-jg-department", "330700-SCJG");
    const auto caller = Authenticate("ipv4:127.0.0.1:40000", metadata);
    THEN("user and system stay empty") {
      REQUIRE(caller.ok());
      CHECK(caller->department == "330700-SCJG");
      CHECK(caller->user_id.empty());
      CHECK(caller->system.empty());
    }
  }
}

SCENARIO("calls without a trustworthy department are refused", "[identity]") {
  GIVEN("a loopback call without a department") {
    Metadata metadata;
    metadata.Add("x-jg-user", "inspector-17");
    const auto caller = Authenticate("ipv4:127.0.0.1:40000", metadata);
    THEN("UNAUTHENTICATED says which metadata is missing") {
      CHECK(caller.status().code() == absl::StatusCode::kUnauthenticated);
      CHECK_THAT(std::string(caller.status().message()), Catch::Contains("x-jg-department"));
    }
  }
  GIVEN("an empty department") {
    Metadata metadata;
    metadata.Add("x-jg-department", "");
    CHECK(Authenticate("ipv4:127.0.0.1:40000", metadata).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
  GIVEN("a call from another machine that claims a department") {
    Metadata metadata;
    metadata.Add("x-jg-department", "330700-SCJG");
    const auto caller = Authenticate("ipv4:10.1.2.3:40000", metadata);
    THEN("it is refused: metadata is trusted on loopback only") {
      CHECK(caller.status().code() == absl::StatusCode::kUnauthenticated);
      CHECK_THAT(std::string(caller.status().message()), Catch::Contains("loopback"));
    }
  }
  GIVEN("no metadata at all") {
    CallAttributes call;
    call.peer = "ipv4:127.0.0.1:40000";
    CHECK(LoopbackMetadataAuthenticator().Authenticate(call).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("CallerOf outside a ServiceHost is an internal error, not a crash", "[identity]") {
  grpc::ServerContext context;
  CHECK(CallerOf(&context).status().code() == absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace jianguan
