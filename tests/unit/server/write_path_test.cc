// The write path: a retried request_id gets the first answer and changes nothing; the same
// id for another request is refused naming request_id; every commit leaves an audit record
// naming the caller.
#include "libs/write/write_path.h"

#include <catch2/catch.hpp>

#include "grpc/health/v1/health.pb.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/temp_dir.h"
#include "libs/write/versioned.h"

namespace jianguan {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kMethod[] = "/jianguan.test.v1.Things/CreateThing";

SCENARIO("a write is committed once per request_id") {
  testing::TempDir dir;
  testing::FakeClock clock;
  auto store = std::move(*store::Store::Open({.path = dir.path(), .families = {"things"}}));
  WritePath writes(*store, clock);
  const WriteContext context{.caller = {.department = "330700-SCJG", .user_id = "u1"},
                             .method = kMethod,
                             .resource = "things/a",
                             .request_id = "req-1"};
  HealthCheckRequest request;  // any message serves as a request in this test
  request.set_service("thing a");
  HealthCheckResponse response;
  response.set_status(HealthCheckResponse::SERVING);

  GIVEN("a new request_id") {
    REQUIRE_FALSE(writes.Replay(kMethod, "req-1", request)->has_value());
    store::UnitOfWork work;
    work.Put("things", "a", "1");
    auto committed = writes.Commit(work, context, request, response);
    REQUIRE(committed.ok());
    CHECK(committed->status() == HealthCheckResponse::SERVING);

    WHEN("the same request comes again") {
      auto replay = writes.Replay<HealthCheckResponse>(kMethod, "req-1", request);
      THEN("the first answer comes back") {
        REQUIRE(replay.ok());
        REQUIRE(replay->has_value());
        CHECK((*replay)->status() == HealthCheckResponse::SERVING);
      }
    }
    WHEN("the request_id comes with a different request") {
      HealthCheckRequest other;
      other.set_service("thing b");
      auto replay = writes.Replay(kMethod, "req-1", other);
      THEN("it is refused naming request_id") {
        CHECK(replay.status().code() == absl::StatusCode::kInvalidArgument);
        REQUIRE(FieldViolationsOf(replay.status()).size() == 1);
        CHECK(FieldViolationsOf(replay.status())[0].field == "request_id");
      }
    }
    WHEN("the request_id comes with another method") {
      auto replay = writes.Replay("/jianguan.test.v1.Things/DeleteThing", "req-1", request);
      THEN("it is refused") { CHECK(replay.status().code() == absl::StatusCode::kInvalidArgument); }
    }
    WHEN("a racing retry reaches Commit after the first committed") {
      store::UnitOfWork again;
      again.Put("things", "a", "2");
      HealthCheckResponse different;
      different.set_status(HealthCheckResponse::NOT_SERVING);
      auto second = writes.Commit(again, context, request, different);
      THEN("it answers as the first did and changes nothing") {
        REQUIRE(second.ok());
        CHECK(second->status() == HealthCheckResponse::SERVING);
        CHECK(**store->Get("things", "a") == "1");
      }
    }
    THEN("the audit chain holds one record naming the caller and the resource") {
      CHECK(*store->VerifyAuditChain() == 1);
      std::string first_key(8, '\0');
      first_key[7] = 1;
      auto audit = store->GetMessage<common::v1::AuditRecord>(store::kAuditFamily, first_key);
      REQUIRE(audit.ok());
      REQUIRE(audit->has_value());
      CHECK((*audit)->department() == "330700-SCJG");
      CHECK((*audit)->user_id() == "u1");
      CHECK((*audit)->method() == kMethod);
      CHECK((*audit)->resource() == "things/a");
      CHECK((*audit)->request_digest() == MessageDigest(request));
    }
  }
}

SCENARIO("newest version wins, within one unit as against the store") {
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path(), .families = {"rows"}}));
  const auto version_of = [](std::string_view stored) -> int64_t {
    return std::stoll(std::string(stored.substr(1)));  // "v{n}"
  };
  const auto put = [&](store::UnitOfWork& work, int64_t version) {
    return *PutIfNewer(*store, work, "rows", "r", version, "v" + std::to_string(version),
                       version_of);
  };
  store::UnitOfWork seed;
  REQUIRE(put(seed, 2));
  REQUIRE(store->Commit(seed).ok());

  WHEN("one unit (a consumer batch) sees version 4, then a stale 3, then 2 again") {
    store::UnitOfWork work;
    CHECK(put(work, 4));
    CHECK_FALSE(put(work, 3));  // older than the pending 4, though newer than the stored 2
    CHECK_FALSE(put(work, 2));
    REQUIRE(store->Commit(work).ok());
    THEN("version 4 is stored") { CHECK(**store->Get("rows", "r") == "v4"); }
  }
  WHEN("a unit sees only versions the store already has") {
    store::UnitOfWork work;
    CHECK_FALSE(put(work, 1));
    CHECK_FALSE(put(work, 2));
    THEN("it writes nothing") { CHECK(work.mutations().empty()); }
  }
}

SCENARIO("request ids are checked") {
  const std::pair<std::string, bool> cases[] = {
      {"req-1", true}, {"01JD3Z8V2T9Q4M6N8P0R2S4T6V", true}, {"", false},
      {std::string(129, 'a'), false}, {"has space", false}, {"中文", false}};
  for (const auto& [id, ok] : cases) {
    FieldViolations v;
    CheckRequestId(v, id);
    CHECK(v.empty() == ok);
  }
}

}  // namespace
}  // namespace jianguan
