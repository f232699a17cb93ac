// The store's promises: one atomic unit of work, preconditions, idempotency keys, outbox
// sequencing that survives reopening, a verifiable audit chain, paging, checkpoints; and
// the group commit: concurrent synced commits share fsyncs, yet none is answered and no
// event leaves the outbox before the WAL sync that covers it.
#include "libs/store/store.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "libs/testing/temp_dir.h"
#include "rocksdb/db.h"

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

  GIVEN("a unit of work with an event one byte larger than Kafka's message allows for") {
    UnitOfWork work;
    work.Put("subjects", "D", "v");
    work.AddEvent(Event("D"));
    OutboxEvent big = Event("D");
    big.set_payload(std::string(kMaxEventBytes - big.key().size() + 1, 'x'));
    work.AddEvent(big);
    work.SetAudit(Audit("subjects/D"));
    WHEN("it is committed") {
      const absl::Status status = store->Commit(work);
      THEN("it is refused, naming the event's type, topic and size, and nothing is written") {
        CHECK(status.code() == absl::StatusCode::kInvalidArgument);
        CHECK_THAT(std::string(status.message()),
                   Catch::Contains("jianguan.ops.v1.ProbeEmitted event of 960001 bytes on "
                                   "jianguan.subject.v1"));
        CHECK_FALSE(store->Get("subjects", "D")->has_value());
        CHECK(store->OutboxBacklog() == 0);
        CHECK(*store->VerifyAuditChain() == 0);
      }
      THEN("an event of the largest size allowed commits, and takes the next sequence") {
        UnitOfWork fitting;
        OutboxEvent largest = Event("D");
        largest.set_payload(std::string(kMaxEventBytes - largest.key().size(), 'x'));
        fitting.AddEvent(largest);
        REQUIRE(store->Commit(fitting).ok());
        CHECK(fitting.events()[0].sequence() == 1);
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

// The events of `keys` in one commit.
void CommitEvents(Store& store, const std::vector<std::string>& keys) {
  UnitOfWork work;
  for (const std::string& key : keys) work.AddEvent(Event(key));
  REQUIRE(store.Commit(work).ok());
}

std::vector<uint64_t> Sequences(const absl::StatusOr<std::vector<OutboxEvent>>& events) {
  REQUIRE(events.ok());
  std::vector<uint64_t> sequences;
  for (const OutboxEvent& event : *events) sequences.push_back(event.sequence());
  return sequences;
}

SCENARIO("a commit's events are one outbox record, read whole and removed once all are delivered") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.path());
    CommitEvents(*store, {"a", "b", "c", "d", "e"});  // sequences 1-5
    CommitEvents(*store, {"f", "g", "h"});            // 6-8
    CHECK(store->OutboxBacklog() == 8);

    // A commit is not split: the first is returned whole past the limit, and a later one
    // only when it fits.
    CHECK(Sequences(store->ReadOutbox(0, 4)) == std::vector<uint64_t>{1, 2, 3, 4, 5});
    CHECK(Sequences(store->ReadOutbox(0, 6)) == std::vector<uint64_t>{1, 2, 3, 4, 5});
    CHECK(Sequences(store->ReadOutbox(0, 8)).size() == 8);
    // Read from inside a commit: the rest of it.
    CHECK(Sequences(store->ReadOutbox(3, 100)) == std::vector<uint64_t>{4, 5, 6, 7, 8});
    const auto events = store->ReadOutbox(5, 100);
    REQUIRE(events.ok());
    REQUIRE(events->size() == 3);
    CHECK((*events)[1].key() == "g");
    CHECK((*events)[1].id() == "id-g");

    // Part of a commit delivered: its record stays; a sequence given twice counts once.
    REQUIRE(store->DeleteOutbox({1, 2, 2, 6}).ok());
    CHECK(store->OutboxBacklog() == 5);
    CHECK(Sequences(store->ReadOutbox(0, 100)).size() == 8);
    // The rest of the first commit: its record goes; unknown sequences are ignored.
    REQUIRE(store->DeleteOutbox({3, 4, 5, 5, 42}).ok());
    CHECK(store->OutboxBacklog() == 2);
    CHECK(Sequences(store->ReadOutbox(0, 100)) == std::vector<uint64_t>{6, 7, 8});
  }
  // After a restart a commit not wholly delivered is read whole again (its delivered event
  // is republished, and dropped by consumers as a copy).
  auto store = OpenStore(dir.path());
  CHECK(store->OutboxBacklog() == 3);
  CHECK(Sequences(store->ReadOutbox(0, 100)) == std::vector<uint64_t>{6, 7, 8});
  REQUIRE(store->DeleteOutbox({6, 7, 8}).ok());
  CHECK(store->OutboxBacklog() == 0);
  CHECK(store->ReadOutbox(0, 100)->empty());
}

SCENARIO("outbox records of the earlier layout, one event each, are read and removed") {
  testing::TempDir dir;
  { OpenStore(dir.path()); }  // the families exist
  {
    // Two events as the store wrote them before a record held a commit: the event itself
    // under its own sequence (8 bytes, big-endian).
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    auto handle = [&](const std::string& name) {
      return handles[std::find(names.begin(), names.end(), name) - names.begin()];
    };
    for (uint64_t sequence : {1, 2}) {
      OutboxEvent event = Event("old-" + std::to_string(sequence));
      event.set_sequence(sequence);
      REQUIRE(db->Put(rocksdb::WriteOptions(), handle("outbox"),
                      std::string(7, '\0') + static_cast<char>(sequence),
                      event.SerializeAsString()).ok());
    }
    REQUIRE(db->Put(rocksdb::WriteOptions(), handle("meta"), "outbox_sequence",
                    std::string(7, '\0') + '\2').ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
  }
  auto store = OpenStore(dir.path());
  CHECK(store->OutboxBacklog() == 2);
  CommitEvents(*store, {"new-a", "new-b"});  // 3-4
  const auto events = store->ReadOutbox(0, 100);
  CHECK(Sequences(events) == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK((*events)[1].key() == "old-2");
  REQUIRE(store->DeleteOutbox({2, 3}).ok());
  CHECK(Sequences(store->ReadOutbox(0, 100)) == std::vector<uint64_t>{1, 3, 4});
  REQUIRE(store->DeleteOutbox({1, 4}).ok());
  CHECK(store->OutboxBacklog() == 0);
  CHECK(store->ReadOutbox(0, 100)->empty());
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

// --- group commit --------------------------------------------------------------------------

// Counts the WAL syncs of a store (through StoreOptions::wal_sync_hook) and can hold them:
// while closed, a sync blocks in the hook as it would on a slow disk. Opens on destruction,
// so that a failed REQUIRE never leaves a thread waiting.
class SyncGate {
 public:
  ~SyncGate() { Open(); }
  std::function<absl::Status()> Hook() {
    return [this] {
      std::unique_lock lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
      ++syncs_;
      return fail_ ? absl::UnavailableError("injected: fdatasync failed") : absl::OkStatus();
    };
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open(bool fail = false) {
    std::lock_guard lock(mu_);
    open_ = true;
    fail_ = fail;
    cv_.notify_all();
  }
  // Waits until `n` syncs have entered the hook; false after 10 s.
  bool AwaitEntered(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  int syncs() {
    std::lock_guard lock(mu_);
    return syncs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  bool fail_ = false;
  int entered_ = 0;
  int syncs_ = 0;
};

// Opens the gate when it goes out of scope. Declared after the futures of a test, it is
// destroyed before them: whatever a failed REQUIRE leaves waiting in a sync can finish, and
// the futures' threads can be joined.
struct OpenAtExit {
  SyncGate& gate;
  ~OpenAtExit() { gate.Open(); }
};

std::unique_ptr<Store> OpenStore(const std::string& path, std::function<absl::Status()> hook,
                                 bool sync_writes = true) {
  auto store = Store::Open({.path = path,
                            .families = {"subjects", "by_region"},
                            .sync_writes = sync_writes,
                            .wal_sync_hook = std::move(hook)});
  REQUIRE(store.ok());
  return std::move(*store);
}

// A synced unit as a write path makes it: state, event, audit, idempotency key.
UnitOfWork Unit(const std::string& key) {
  UnitOfWork work;
  work.Require("subjects", key, std::nullopt);
  work.Put("subjects", key, "v-" + key);
  work.AddEvent(Event(key));
  work.SetAudit(Audit("subjects/" + key));
  IdempotencyRecord idem;
  idem.set_request_id("req-" + key);
  work.SetIdempotency(idem);
  return work;
}

// Commits Unit(key) on a thread of its own.
std::future<absl::Status> CommitAsync(Store& store, const std::string& key) {
  return std::async(std::launch::async, [&store, key] {
    UnitOfWork work = Unit(key);
    return store.Commit(work);
  });
}

// Waits (bounded) until Unit(key) is visible to readers.
bool AwaitVisible(const Store& store, const std::string& key) {
  for (int i = 0; i < 1000 && !store.Get("subjects", key)->has_value(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return store.Get("subjects", key)->has_value();
}

template <typename T>
bool Done(std::future<T>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

SCENARIO("concurrent synced commits all succeed, gap-free, and share WAL syncs") {
  testing::TempDir dir;
  // Each sync takes at least 2 ms, as an fsync on a real disk does, so commits queue.
  std::atomic<int> syncs{0};
  auto store = OpenStore(dir.path(), [&syncs] {
    syncs.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return absl::OkStatus();
  });
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::vector<uint64_t>> sequences(kThreads);
  std::vector<std::vector<absl::Status>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        UnitOfWork work = Unit("t" + std::to_string(t) + "-" + std::to_string(i));
        if (absl::Status s = store->Commit(work); !s.ok()) {
          failures[t].push_back(s);
        } else {
          sequences[t].push_back(work.events()[0].sequence());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  constexpr int kCommits = kThreads * kEach;
  std::set<uint64_t> assigned;
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(failures[t].empty());
    CHECK(std::is_sorted(sequences[t].begin(), sequences[t].end()));
    assigned.insert(sequences[t].begin(), sequences[t].end());
  }
  // Every commit got its own outbox sequence, 1 to N without a gap.
  REQUIRE(assigned.size() == kCommits);
  CHECK(*assigned.begin() == 1);
  CHECK(*assigned.rbegin() == kCommits);
  // Far fewer WAL syncs than commits: concurrent commits shared them (one sync per commit,
  // as under the old lock, would make as many syncs as commits).
  const int synced = syncs.load();
  INFO(synced << " WAL syncs for " << kCommits << " commits");
  CHECK(synced >= 1);
  CHECK(synced * 2 <= kCommits);
  // The outbox holds them all, in order; the audit chain links every commit.
  auto outbox = store->ReadOutbox(0, 10 * kCommits);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == kCommits);
  for (size_t i = 0; i < outbox->size(); ++i) CHECK((*outbox)[i].sequence() == i + 1);
  CHECK(store->OutboxBacklog() == kCommits);
  CHECK(*store->VerifyAuditChain() == kCommits);
}

SCENARIO("a synced commit is visible at once, but answered, replayed, announced and relayed only once durable") {
  testing::TempDir dir;
  SyncGate gate;
  auto store = OpenStore(dir.path(), gate.Hook());
  std::atomic<int> announced{0};
  store->SetOutboxListener([&announced] { announced.fetch_add(1); });
  std::future<absl::Status> first, second;
  std::future<absl::StatusOr<std::vector<OutboxEvent>>> relay;
  std::future<absl::StatusOr<std::optional<IdempotencyRecord>>> retry;
  OpenAtExit open_at_exit{gate};

  gate.Close();
  first = CommitAsync(*store, "A");
  REQUIRE(gate.AwaitEntered(1));  // A is written, and its sync is held open

  // The sync runs outside the commit lock: B is written while A's sync is under way.
  second = CommitAsync(*store, "B");
  REQUIRE(AwaitVisible(*store, "B"));
  CHECK(store->Get("subjects", "A")->has_value());  // visible before durable
  CHECK(store->OutboxBacklog() == 2);

  relay = std::async(std::launch::async, [&] { return store->ReadOutbox(0, 100); });
  // A retry of A's request, which would be answered with A's remembered answer.
  retry = std::async(std::launch::async, [&] { return store->FindIdempotency("req-A"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // While the sync is held nothing is answered (to the request or to its retry), announced
  // or read from the outbox.
  CHECK_FALSE(Done(first));
  CHECK_FALSE(Done(second));
  CHECK_FALSE(Done(relay));
  CHECK_FALSE(Done(retry));
  CHECK(announced.load() == 0);
  CHECK(store->FindIdempotency("req-unknown")->has_value() == false);  // no wait when absent

  // A's sync answers A; B, written after that sync began, needs a second one.
  gate.Open();
  REQUIRE(first.get().ok());
  REQUIRE(second.get().ok());
  CHECK(gate.syncs() == 2);
  auto events = relay.get();
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].key() == "A");
  CHECK((*events)[1].key() == "B");
  CHECK(announced.load() == 2);
  auto replayed = retry.get();
  REQUIRE(replayed.ok());
  CHECK(replayed->has_value());
}

SCENARIO("commits without sync never wait, and their events are synced before they are read") {
  testing::TempDir dir;
  SyncGate gate;
  auto store = OpenStore(dir.path(), gate.Hook());
  std::atomic<int> announced{0};
  store->SetOutboxListener([&announced] { announced.fetch_add(1); });

  GIVEN("a synced commit whose sync is held open") {
    gate.Close();
    auto synced = std::async(std::launch::async, [&] {
      UnitOfWork work = Unit("A");
      return store->Commit(work);
    });
    OpenAtExit open_at_exit{gate};
    REQUIRE(gate.AwaitEntered(1));
    THEN("a commit without sync is answered and announced at once") {
      UnitOfWork consumer = Unit("C");
      consumer.set_sync(false);
      REQUIRE(store->Commit(consumer).ok());
      CHECK(consumer.events()[0].sequence() == 2);
      CHECK(announced.load() == 1);
      CHECK_FALSE(Done(synced));
      gate.Open();
      CHECK(synced.get().ok());
    }
  }

  GIVEN("only commits without sync") {
    for (const char* key : {"C1", "C2"}) {
      UnitOfWork consumer = Unit(key);
      consumer.set_sync(false);
      REQUIRE(store->Commit(consumer).ok());
    }
    CHECK(gate.syncs() == 0);
    CHECK(announced.load() == 2);
    THEN("reading the outbox makes them durable first, with one sync, and returns them") {
      auto events = store->ReadOutbox(0, 100);
      REQUIRE(events.ok());
      CHECK(events->size() == 2);
      CHECK(gate.syncs() == 1);
      CHECK(store->ReadOutbox(0, 100)->size() == 2);
      CHECK(store->ReadOutbox(2, 100)->empty());
      CHECK(gate.syncs() == 1);  // nothing new: no sync
    }
  }
}

SCENARIO("a failed WAL sync fails every commit waiting on it and stops the store's commits") {
  testing::TempDir dir;
  SyncGate gate;
  {
    auto store = OpenStore(dir.path(), gate.Hook());
    std::future<absl::Status> first, second;
    OpenAtExit open_at_exit{gate};
    UnitOfWork before = Unit("D");
    REQUIRE(store->Commit(before).ok());  // durable: sync 1
    REQUIRE(gate.syncs() == 1);

    gate.Close();
    first = CommitAsync(*store, "A");
    REQUIRE(gate.AwaitEntered(2));
    second = CommitAsync(*store, "B");
    REQUIRE(AwaitVisible(*store, "B"));
    CHECK(store->WalSyncError().ok());
    gate.Open(/*fail=*/true);

    // Both waiting commits fail with the sync's error.
    const absl::Status a = first.get();
    const absl::Status b = second.get();
    CHECK(a.code() == absl::StatusCode::kUnavailable);
    CHECK(b.code() == absl::StatusCode::kUnavailable);
    CHECK(a.message().find("injected") != std::string_view::npos);
    // The store accepts no more commits, synced or not, and says why.
    CHECK(store->WalSyncError().code() == absl::StatusCode::kUnavailable);
    UnitOfWork later = Unit("E");
    CHECK(store->Commit(later).code() == absl::StatusCode::kUnavailable);
    UnitOfWork consumer = Unit("F");
    consumer.set_sync(false);
    CHECK(store->Commit(consumer).code() == absl::StatusCode::kUnavailable);
    CHECK_FALSE(store->Get("subjects", "E")->has_value());
    // The outbox gives only what was durable before the failure, and nothing is announced
    // of what was not.
    auto events = store->ReadOutbox(0, 100);
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    CHECK(events->front().key() == "D");
  }
  // After a restart the store commits again, on an intact chain.
  gate.Open();
  auto store = OpenStore(dir.path(), gate.Hook());
  CHECK(store->WalSyncError().ok());
  auto chain = store->VerifyAuditChain();
  REQUIRE(chain.ok());
  UnitOfWork work = Unit("G");
  REQUIRE(store->Commit(work).ok());
  CHECK(work.events()[0].sequence() == *chain + 1);
}

SCENARIO("OnVisible runs once the commit is written, before its fsync, and never for a refused one") {
  testing::TempDir dir;
  SyncGate gate;
  auto store = OpenStore(dir.path(), gate.Hook());
  OpenAtExit open_at_exit{gate};
  std::atomic<int> called{0};
  std::atomic<bool> visible_when_called{false};

  gate.Close();
  std::future<absl::Status> commit = std::async(std::launch::async, [&] {
    UnitOfWork work = Unit("A");
    work.OnVisible([&] {
      visible_when_called = store->Get("subjects", "A")->has_value();
      ++called;
    });
    return store->Commit(work);
  });
  REQUIRE(gate.AwaitEntered(1));  // A's sync is held open
  for (int i = 0; i < 1000 && called == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  THEN("it ran while the commit still waits for durability, with the write visible") {
    CHECK(called == 1);
    CHECK(visible_when_called);
    CHECK_FALSE(Done(commit));
  }
  gate.Open();
  REQUIRE(commit.get().ok());
  CHECK(called == 1);

  AND_THEN("a commit refused by its precondition never calls it") {
    UnitOfWork again = Unit("A");  // requires A absent
    again.OnVisible([&] { ++called; });
    CHECK(store->Commit(again).code() == absl::StatusCode::kFailedPrecondition);
    CHECK(called == 1);
  }
}

SCENARIO("a follower sees every committed write of its family, in order, and nothing else") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  std::vector<std::pair<std::string, std::optional<std::string>>> seen;
  auto follower = store->Follow("subjects", [&](std::string_view key,
                                                const std::optional<std::string>& value) {
    seen.emplace_back(std::string(key), value);
  });
  REQUIRE(follower.ok());
  CHECK(store->Follow("nothing-like-it", [](auto, const auto&) {}).status().code() ==
        absl::StatusCode::kInvalidArgument);

  UnitOfWork first;
  first.Put("subjects", "b", "1");
  first.Put("subjects", "a", "2");
  first.Put("by_region", "r/a", "");
  first.Put("subjects", "b", "3");  // the later write to one key wins, and comes later
  REQUIRE(store->Commit(first).ok());
  THEN("each write of the family, sorted by key as the store applied them") {
    using Seen = std::vector<std::pair<std::string, std::optional<std::string>>>;
    CHECK(seen == Seen{{"a", "2"}, {"b", "1"}, {"b", "3"}});
  }

  AND_WHEN("a commit is refused, another deletes, and the follower stops following") {
    seen.clear();
    UnitOfWork refused;
    refused.Put("subjects", "c", "4");
    refused.Require("subjects", "a", "not what is there");
    CHECK(store->Commit(refused).code() == absl::StatusCode::kFailedPrecondition);
    UnitOfWork removal;
    removal.Delete("subjects", "a");
    REQUIRE(store->Commit(removal).ok());
    store->Unfollow(*follower);
    UnitOfWork after;
    after.Put("subjects", "d", "5");
    REQUIRE(store->Commit(after).ok());
    THEN("the refused commit is not seen, the delete is, nothing after Unfollow") {
      REQUIRE(seen.size() == 1);
      CHECK(seen[0].first == "a");
      CHECK_FALSE(seen[0].second.has_value());
    }
  }
}

SCENARIO("preconditions still serialise concurrent compare-and-sets") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());

  WHEN("two threads compare-and-set one key from the same value, many times over") {
    constexpr int kRounds = 60;
    UnitOfWork seed;
    seed.Put("subjects", "K", "0");
    REQUIRE(store->Commit(seed).ok());
    std::barrier sync_point(2);
    std::vector<absl::StatusCode> codes[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < kRounds; ++round) {
          const std::string expected = std::to_string(round);
          sync_point.arrive_and_wait();  // both read the same value
          UnitOfWork work;
          work.Require("subjects", "K", expected);
          work.Put("subjects", "K", std::to_string(round + 1));
          work.SetAudit(Audit("subjects/K"));
          codes[t].push_back(store->Commit(work).code());
          sync_point.arrive_and_wait();  // the round is over for both
        }
      });
    }
    for (auto& thread : threads) thread.join();
    THEN("in each round exactly one wins and the other is refused") {
      REQUIRE(codes[0].size() == kRounds);
      REQUIRE(codes[1].size() == kRounds);
      for (int round = 0; round < kRounds; ++round) {
        INFO("round " << round);
        const bool first_won = codes[0][round] == absl::StatusCode::kOk;
        const bool second_won = codes[1][round] == absl::StatusCode::kOk;
        CHECK(first_won != second_won);
        CHECK((first_won ? codes[1][round] : codes[0][round]) ==
              absl::StatusCode::kFailedPrecondition);
      }
      CHECK(**store->Get("subjects", "K") == std::to_string(kRounds));
      CHECK(*store->VerifyAuditChain() == kRounds);
    }
  }

  WHEN("threads increment one counter with compare-and-set and retry") {
    constexpr int kThreads = 4;
    constexpr int kEach = 25;
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kEach;) {
          auto current = store->Get("subjects", "counter");
          if (!current.ok()) return;
          const int value = current->has_value() ? std::stoi(**current) : 0;
          UnitOfWork work;
          work.Require("subjects", "counter", *current);
          work.Put("subjects", "counter", std::to_string(value + 1));
          const absl::Status s = store->Commit(work);
          if (s.ok()) {
            ++i;
          } else if (s.code() == absl::StatusCode::kFailedPrecondition) {
            refused.fetch_add(1);
          } else {
            return;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    THEN("no increment is lost") {
      INFO(refused.load() << " stale commits refused");
      CHECK(**store->Get("subjects", "counter") == std::to_string(kThreads * kEach));
    }
  }
}

SCENARIO("a store reopened after concurrent synced commits has every acknowledged one") {
  testing::TempDir dir;
  constexpr int kThreads = 6;
  constexpr int kEach = 30;
  std::vector<std::vector<std::string>> acknowledged(kThreads);
  {
    auto store = OpenStore(dir.path());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          const std::string key = "r" + std::to_string(t) + "-" + std::to_string(i);
          UnitOfWork work = Unit(key);
          if (store->Commit(work).ok()) acknowledged[t].push_back(key);
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  auto store = OpenStore(dir.path());
  size_t total = 0;
  for (int t = 0; t < kThreads; ++t) {
    CHECK(acknowledged[t].size() == kEach);
    for (const std::string& key : acknowledged[t]) {
      INFO(key);
      CHECK(store->Get("subjects", key)->has_value());
      CHECK(store->FindIdempotency("req-" + key)->has_value());
    }
    total += acknowledged[t].size();
  }
  CHECK(*store->VerifyAuditChain() == total);
  auto outbox = store->ReadOutbox(0, 10 * total);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == total);
  for (size_t i = 0; i < total; ++i) CHECK((*outbox)[i].sequence() == i + 1);
  UnitOfWork next = Unit("next");
  REQUIRE(store->Commit(next).ok());
  CHECK(next.events()[0].sequence() == total + 1);
}

}  // namespace
}  // namespace jianguan::store
