// The store's promises: one atomic unit of work, preconditions, idempotency keys, outbox
// sequencing that survives reopening, a verifiable audit chain, paging, checkpoints.
#include "libs/store/store.h"

#include <catch2/catch.hpp>

#include "libs/testing/temp_dir.h"

namespace jianguan::store {
namespace {

using common::v1::AuditRecord;
using common::v1::IdempotencyRecord;
using common::v1::OutboxEvent;

std::unique_ptr<Store> OpenStore(const std::string& path) {
  auto store = Store::Open({.path = path, .families = {"subjects", "by_region"}});
  REQUIRE(store.ok());
  return std::move(*store);
}

OutboxEvent Event(const std::string& key) {
  OutboxEvent event;
  event.set_topic("jianguan.subject.v1");
  event.set_key(key);
  event.set_id("id-" + key);
  event.set_type("jianguan.ops.v1.ProbeEmitted");
  return event;
}

AuditRecord Audit(const std::string& resource) {
  AuditRecord record;
  record.set_department("330700-SCJG");
  record.set_user_id("inspector-1");
  record.set_method("/test/Method");
  record.set_resource(resource);
  record.set_request_digest(Sha256Hex(resource));
  return record;
}

SCENARIO("a unit of work commits state, index, event, audit and idempotency key together") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());

  GIVEN("a unit of work with every kind of write") {
    UnitOfWork work;
    work.Require("subjects", "91330700MA2E0T6W3X", std::nullopt);
    work.Put("subjects", "91330700MA2E0T6W3X", "subject-record");
    work.Put("by_region", "330700/91330700MA2E0T6W3X", "");
    work.AddEvent(Event("91330700MA2E0T6W3X"));
    work.SetAudit(Audit("subjects/91330700MA2E0T6W3X"));
    IdempotencyRecord idem;
    idem.set_request_id("req-1");
    idem.set_response("answer");
    work.SetIdempotency(idem);

    WHEN("it is committed") {
      REQUIRE(store->Commit(work).ok());
      THEN("all of it is there and the event got sequence 1") {
        CHECK(*store->Get("subjects", "91330700MA2E0T6W3X") == std::optional<std::string>("subject-record"));
        CHECK(store->Get("by_region", "330700/91330700MA2E0T6W3X")->has_value());
        CHECK(work.events()[0].sequence() == 1);
        CHECK(store->OutboxBacklog() == 1);
        CHECK((*store->FindIdempotency("req-1"))->response() == "answer");
        CHECK(*store->VerifyAuditChain() == 1);
      }
    }
  }

  GIVEN("a committed record") {
    UnitOfWork first;
    first.Put("subjects", "A", "v1");
    REQUIRE(store->Commit(first).ok());

    WHEN("a second unit of work expects it absent") {
      UnitOfWork second;
      second.Require("subjects", "A", std::nullopt);
      second.Put("subjects", "A", "v2");
      second.Put("by_region", "x/A", "");
      second.AddEvent(Event("A"));
      second.SetAudit(Audit("subjects/A"));
      const absl::Status status = store->Commit(second);
      THEN("the commit is refused and nothing of it is written") {
        CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
        CHECK(**store->Get("subjects", "A") == "v1");
        CHECK_FALSE(store->Get("by_region", "x/A")->has_value());
        CHECK(store->OutboxBacklog() == 0);
        CHECK(*store->VerifyAuditChain() == 0);
      }
    }
    WHEN("a unit of work expects the value it read") {
      UnitOfWork second;
      second.Require("subjects", "A", "v1");
      second.Put("subjects", "A", "v2");
      THEN("it commits") {
        REQUIRE(store->Commit(second).ok());
        CHECK(**store->Get("subjects", "A") == "v2");
      }
    }
  }

  GIVEN("a request_id already committed") {
    UnitOfWork first;
    IdempotencyRecord idem;
    idem.set_request_id("req-7");
    first.SetIdempotency(idem);
    first.Put("subjects", "B", "first");
    REQUIRE(store->Commit(first).ok());
    WHEN("the same request_id comes again") {
      UnitOfWork retry;
      retry.SetIdempotency(idem);
      retry.Put("subjects", "B", "second");
      THEN("the commit answers ALREADY_EXISTS and changes nothing") {
        CHECK(store->Commit(retry).code() == absl::StatusCode::kAlreadyExists);
        CHECK(**store->Get("subjects", "B") == "first");
      }
    }
  }

  GIVEN("an unknown column family") {
    UnitOfWork work;
    work.Put("nope", "k", "v");
    work.Put("subjects", "C", "v");
    THEN("the commit is refused and writes nothing") {
      CHECK(store->Commit(work).code() == absl::StatusCode::kInvalidArgument);
      CHECK_FALSE(store->Get("subjects", "C")->has_value());
    }
  }
}

SCENARIO("a unit of many rows, as an import makes it, keeps the meaning of each write") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  UnitOfWork seed;
  for (const char* key : {"K1", "K2", "K3"}) seed.Put("subjects", key, std::string("v-") + key);
  REQUIRE(store->Commit(seed).ok());

  GIVEN("many preconditions of which one no longer holds") {
    UnitOfWork work;
    work.Require("subjects", "K3", "v-K3");
    work.Require("subjects", "K9", std::nullopt);
    work.Require("subjects", "K1", "v-K1");
    work.Require("subjects", "K2", std::nullopt);  // K2 exists: stale
    work.Put("subjects", "K9", "new");
    THEN("the commit is refused and nothing is written") {
      CHECK(store->Commit(work).code() == absl::StatusCode::kFailedPrecondition);
      CHECK_FALSE(store->Get("subjects", "K9")->has_value());
    }
  }

  GIVEN("writes out of key order, two of them to one key") {
    UnitOfWork work;
    work.Require("subjects", "K2", "v-K2");
    work.Require("subjects", "K0", std::nullopt);
    work.Put("subjects", "Z", "z");
    work.Put("by_region", "b", "");
    work.Put("subjects", "K2", "first");
    work.Delete("subjects", "K2");
    work.Put("subjects", "A", "a");
    work.Delete("subjects", "K1");
    work.Put("subjects", "K1", "again");
    work.Put("subjects", "K0", "zero");
    REQUIRE(store->Commit(work).ok());
    THEN("each key holds what its last write in the unit says") {
      CHECK_FALSE(store->Get("subjects", "K2")->has_value());
      CHECK(**store->Get("subjects", "K1") == "again");
      CHECK(**store->Get("subjects", "K0") == "zero");
      CHECK(**store->Get("subjects", "A") == "a");
      CHECK(**store->Get("subjects", "Z") == "z");
      CHECK(store->Get("by_region", "b")->has_value());
    }
  }

  WHEN("many keys are read at once") {
    auto found = store->MultiGet("subjects", {"K3", "nope", "K1", "K3"});
    THEN("the values come in the order asked, absent ones empty") {
      REQUIRE(found.ok());
      REQUIRE(found->size() == 4);
      CHECK((*found)[0] == std::optional<std::string>("v-K3"));
      CHECK_FALSE((*found)[1].has_value());
      CHECK((*found)[2] == std::optional<std::string>("v-K1"));
      CHECK((*found)[3] == std::optional<std::string>("v-K3"));
      CHECK(store->MultiGet("subjects", {})->empty());
      CHECK(store->MultiGet("nope", {"K1"}).status().code() == absl::StatusCode::kInvalidArgument);
    }
  }
}

SCENARIO("a unit shows its own pending writes and can be rolled back to a mark") {
  UnitOfWork work;
  work.Put("subjects", "A", "a1");
  CHECK(work.Pending("subjects", "A") != nullptr);
  CHECK(*work.Pending("subjects", "A") == std::optional<std::string>("a1"));
  CHECK(work.Pending("subjects", "B") == nullptr);
  CHECK(work.Pending("by_region", "A") == nullptr);  // another family, same key

  WHEN("the key is written again and deleted after a mark") {
    const UnitOfWork::Mark mark = work.mark();
    work.Put("subjects", "A", "a2");
    CHECK(*work.Pending("subjects", "A") == std::optional<std::string>("a2"));
    work.Delete("subjects", "A");
    work.Put("subjects", "B", "b");
    work.Require("subjects", "B", std::nullopt);
    work.AddEvent(common::v1::OutboxEvent());
    REQUIRE(work.Pending("subjects", "A") != nullptr);
    CHECK_FALSE(work.Pending("subjects", "A")->has_value());  // a delete

    THEN("rolling back forgets those writes, conditions and events, and only those") {
      work.RollbackTo(mark);
      CHECK(work.mutations().size() == 1);
      CHECK(work.preconditions().empty());
      CHECK(work.events().empty());
      CHECK(*work.Pending("subjects", "A") == std::optional<std::string>("a1"));
      CHECK(work.Pending("subjects", "B") == nullptr);
      work.Put("subjects", "C", "c");  // the index goes on after a rollback
      CHECK(*work.Pending("subjects", "C") == std::optional<std::string>("c"));
    }
  }

  WHEN("another unit is appended") {
    UnitOfWork other;
    other.Put("subjects", "A", "from-other");
    work.Append(std::move(other));
    THEN("its writes are pending here, the later one winning") {
      CHECK(*work.Pending("subjects", "A") == std::optional<std::string>("from-other"));
    }
  }
}

SCENARIO("outbox sequences and the audit chain continue after reopening") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.path());
    for (int i = 0; i < 3; ++i) {
      UnitOfWork work;
      work.AddEvent(Event("k" + std::to_string(i)));
      work.SetAudit(Audit("r" + std::to_string(i)));
      REQUIRE(store->Commit(work).ok());
    }
    REQUIRE(store->DeleteOutbox({1, 2, 3}).ok());
    CHECK(store->OutboxBacklog() == 0);
  }
  auto store = OpenStore(dir.path());
  UnitOfWork work;
  work.AddEvent(Event("k3"));
  work.SetAudit(Audit("r3"));
  REQUIRE(store->Commit(work).ok());
  CHECK(work.events()[0].sequence() == 4);
  CHECK(*store->VerifyAuditChain() == 4);
  auto pending = store->ReadOutbox(0, 100);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK(pending->front().sequence() == 4);
  CHECK(store->instance_id().size() == 32);
}

SCENARIO("an altered audit record breaks the chain") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  for (int i = 0; i < 3; ++i) {
    UnitOfWork work;
    work.SetAudit(Audit("r" + std::to_string(i)));
    REQUIRE(store->Commit(work).ok());
  }
  // Rewrite record 2 as an intruder with direct access would: new resource, old hashes.
  std::string key2(8, '\0');
  key2[7] = 2;
  auto stored = store->GetMessage<AuditRecord>(kAuditFamily, key2);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  AuditRecord forged = **stored;
  forged.set_resource("subjects/someone-else");
  UnitOfWork tamper;
  tamper.Put(std::string(kAuditFamily), key2, forged.SerializeAsString());
  REQUIRE(store->Commit(tamper).ok());
  auto verified = store->VerifyAuditChain();
  CHECK(verified.status().code() == absl::StatusCode::kDataLoss);
  CHECK(verified.status().message().find("record 2") != std::string_view::npos);
}

SCENARIO("an audit index finds a resource's audit records, checked, without walking the chain") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  for (int i = 0; i < 3; ++i) {
    UnitOfWork work;
    work.Put("subjects", "s", std::to_string(i));
    work.SetAudit(Audit("subjects/s"));
    work.IndexAudit("by_region", "trail/s/" + std::to_string(i));
    REQUIRE(store->Commit(work).ok());
  }
  auto second = store->IndexedAudit("by_region", "trail/s/1");
  REQUIRE(second.ok());
  REQUIRE(second->has_value());
  CHECK((*second)->sequence() == 2);
  CHECK((*second)->resource() == "subjects/s");
  auto absent = store->IndexedAudit("by_region", "trail/s/9");
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());

  UnitOfWork without_audit;
  without_audit.IndexAudit("by_region", "trail/x");
  CHECK(store->Commit(without_audit).code() == absl::StatusCode::kInvalidArgument);

  // The record before the indexed one is rewritten: the link no longer holds.
  std::string key1(8, '\0');
  key1[7] = 1;
  auto first = store->GetMessage<AuditRecord>(kAuditFamily, key1);
  REQUIRE(first.ok());
  AuditRecord forged = **first;
  forged.set_user_id("someone-else");
  forged.set_own_hash(Sha256Hex(AuditHashInput(forged)));
  UnitOfWork tamper;
  tamper.Put(std::string(kAuditFamily), key1, forged.SerializeAsString());
  REQUIRE(store->Commit(tamper).ok());
  auto broken = store->IndexedAudit("by_region", "trail/s/1");
  CHECK(broken.status().code() == absl::StatusCode::kDataLoss);
  CHECK(broken.status().message().find("does not link") != std::string_view::npos);
}

SCENARIO("prefix scans page with opaque tokens") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  UnitOfWork work;
  for (int i = 0; i < 25; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "330700/%02d", i);
    work.Put("by_region", key, "");
  }
  work.Put("by_region", "330800/00", "");
  REQUIRE(store->Commit(work).ok());

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store->Scan("by_region", "330700/", 10, token);
    REQUIRE(page.ok());
    for (auto& e : page->entries) seen.push_back(e.key);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  CHECK(pages == 3);
  REQUIRE(seen.size() == 25);
  CHECK(seen.front() == "330700/00");
  CHECK(seen.back() == "330700/24");

  auto first = store->Scan("by_region", "330700/", 10, "");
  CHECK(store->Scan("by_region", "330800/", 10, first->next_page_token).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(store->Scan("by_region", "330700/", 10, "%%%").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(store->Scan("by_region", "330700/", 0, "").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

SCENARIO("an online checkpoint opens as a copy of the store") {
  testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  UnitOfWork work;
  work.Put("subjects", "K", "kept");
  REQUIRE(store->Commit(work).ok());
  REQUIRE(store->Checkpoint(dir.Sub("backup")).ok());
  auto copy = OpenStore(dir.Sub("backup"));
  CHECK(**copy->Get("subjects", "K") == "kept");
  CHECK(copy->instance_id() == store->instance_id());
}

}  // namespace
}  // namespace jianguan::store
