#include "libs/store/store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace jianguan::store {
namespace {

constexpr std::string_view kOutboxSequenceKey = "outbox_sequence";
constexpr std::string_view kInstanceIdKey = "instance_id";

// The one place rocksdb::Status becomes absl::Status.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(message);
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

// Sequence numbers as 8 big-endian bytes, so key order is numeric order.
std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xFF);
    sequence >>= 8;
  }
  return key;
}

uint64_t SequenceFromKey(std::string_view key) {
  uint64_t sequence = 0;
  for (char c : key.substr(0, 8)) sequence = (sequence << 8) | static_cast<unsigned char>(c);
  return sequence;
}

// The events of one outbox record (store.h, "The outbox"), keyed by its last sequence.
absl::StatusOr<std::vector<common::v1::OutboxEvent>> ParseOutboxRecord(
    rocksdb::Slice key, rocksdb::Slice value) {
  common::v1::OutboxCommit record;
  std::vector<common::v1::OutboxEvent> events;
  if (record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    events.reserve(record.events_size());
    for (common::v1::OutboxEvent& event : *record.mutable_events()) {
      events.push_back(std::move(event));
    }
  }
  // Written before records held a commit: one event, under its own sequence.
  if (events.empty() &&
      !events.emplace_back().ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    events.clear();
  }
  if (events.empty()) {
    return absl::DataLossError(absl::StrCat("outbox record ", SequenceFromKey(key.ToStringView()),
                                            " does not parse"));
  }
  return events;
}

rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

std::string RandomHex(int bytes) {
  std::random_device device;
  std::string raw;
  for (int i = 0; i < bytes; ++i) raw.push_back(static_cast<char>(device() & 0xFF));
  return absl::BytesToHexString(raw);
}

}  // namespace

struct Store::Impl {
  StoreOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families;
  std::string instance_id;

  // Guarded by commit_mu: the counters a commit assigns from. Taken before sync_mu, never
  // after it.
  std::mutex commit_mu;
  // Guarded by commit_mu: Follow()'s followers, by id.
  struct Follower {
    uint64_t id;
    std::string family;
    Store::FamilyFollower call;
  };
  std::vector<Follower> followers;
  uint64_t last_follower_id = 0;
  uint64_t last_outbox_sequence = 0;
  uint64_t last_audit_sequence = 0;
  std::string last_audit_hash;

  // The group sync (see store.h). A position counts the commits written since the store was
  // opened; the WAL holds every one of them (without fsync) once it is counted.
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  uint64_t written = 0;         // the last position written; set under commit_mu too
  uint64_t written_outbox = 0;  // the last outbox sequence at `written`
  uint64_t durable = 0;         // every position up to this one is fsynced
  uint64_t durable_outbox = 0;  // the last outbox sequence at `durable`
  bool syncing = false;         // a thread is in SyncWAL for the group
  absl::Status sync_error;      // the failed sync that stopped commits; sticky

  // The outbox records in the store, by last sequence: their first sequence and which of
  // their events were delivered. Taken inside commit_mu (a commit adds its record), and
  // alone by DeleteOutbox.
  struct OutboxRecord {
    uint64_t first = 0;
    std::vector<bool> delivered;
    size_t undelivered = 0;
  };
  std::mutex outbox_mu;
  std::map<uint64_t, OutboxRecord> outbox_records;

  std::atomic<uint64_t> outbox_backlog{0};
  std::mutex listener_mu;
  std::function<void()> outbox_listener;

  ~Impl() {
    if (db) {
      // A clean close leaves nothing written undurable, synced commits or not.
      bool unsynced = false;
      {
        std::lock_guard lock(sync_mu);
        unsynced = sync_error.ok() && written > durable;
      }
      if (unsynced) db->SyncWAL().PermitUncheckedError();
    }
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    handles.clear();
    if (db) db->Close().PermitUncheckedError();
  }

  // Returns once every position up to `position` is durable, syncing the WAL for the whole
  // group if no other thread is; or the error of a failed sync.
  absl::Status AwaitDurable(uint64_t position) {
    std::unique_lock lock(sync_mu);
    for (;;) {
      if (!sync_error.ok()) return sync_error;
      if (durable >= position) return absl::OkStatus();
      if (syncing) {
        sync_cv.wait(lock);
        continue;
      }
      // This thread syncs for everything written so far (its own commit included).
      syncing = true;
      const uint64_t target = written;
      const uint64_t target_outbox = written_outbox;
      lock.unlock();
      absl::Status synced = options.wal_sync_hook ? options.wal_sync_hook() : absl::OkStatus();
      if (synced.ok()) synced = FromRocks(db->SyncWAL(), "sync the write-ahead log");
      lock.lock();
      syncing = false;
      if (synced.ok()) {
        // Positions only grow, and a sync covers at least what it was asked for.
        durable = std::max(durable, target);
        durable_outbox = std::max(durable_outbox, target_outbox);
      } else {
        sync_error = absl::Status(
            synced.code(), absl::StrCat(synced.message(),
                                        "; the store accepts no more commits until the "
                                        "process restarts"));
        LogError("write-ahead log sync failed: commits stopped, restart the service",
                 {{"path", options.path}, {"reason", synced.message()},
                  {"durable_position", durable}, {"written_position", written}});
      }
      sync_cv.notify_all();
    }
  }

  // Returns once everything a reader could have seen so far is durable. Taking commit_mu
  // waits out a commit between its write and counting it, so nothing visible is missed.
  absl::Status AwaitVisibleDurable() {
    uint64_t visible = 0;
    {
      std::lock_guard commit_lock(commit_mu);
      std::lock_guard sync_lock(sync_mu);
      visible = written;
    }
    return AwaitDurable(visible);
  }

  absl::StatusOr<rocksdb::ColumnFamilyHandle*> Family(std::string_view name) const {
    auto it = families.find(name);
    if (it == families.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown column family '", AbslView(name), "'"));
    }
    return it->second;
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view family,
                                                 std::string_view key) const {
    ASSIGN_OR_RETURN(auto* handle, Family(family));
    std::string value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), handle, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(FromRocks(s, "get"));
    return std::optional<std::string>(std::move(value));
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.path.empty()) return absl::InvalidArgumentError("store path is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create store directory ", options.path, ": ", ec.message()));
  }

  auto impl = std::make_unique<Impl>();
  impl->options = options;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family_options.compression = rocksdb::kLZ4Compression;
  // A small bloom filter over each memtable's keys: a point read of a key that is not in
  // the memtable (most reads of a record written before the last flush, and every
  // existence check of a new record) skips the skip list search.
  family_options.memtable_prefix_bloom_size_ratio = 0.02;
  family_options.memtable_whole_key_filtering = true;

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                    std::string(kOutboxFamily),
                                    std::string(kAuditFamily),
                                    std::string(kIdempotencyFamily),
                                    std::string(kConsumerFamily),
                                    std::string(kMetaFamily)};
  for (const auto& name : options.families) {
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return absl::InvalidArgumentError(absl::StrCat("column family '", name, "' given twice"));
    }
    names.push_back(name);
  }
  // Families already on disk are opened too (RocksDB refuses to open without them), so a
  // tool can open any service's store and a service may stop using a family.
  {
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options.path, &existing).ok()) {
      for (auto& name : existing) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, family_options);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_total_wal_size = options.max_total_wal_bytes;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::DB::Open(db_options, options.path, descriptors, &impl->handles, &raw),
      absl::StrCat("open ", options.path)));
  impl->db.reset(raw);
  for (size_t i = 0; i < names.size(); ++i) impl->families[names[i]] = impl->handles[i];

  // The producer identity of this store, made once.
  ASSIGN_OR_RETURN(auto instance, impl->Get(kMetaFamily, kInstanceIdKey));
  if (instance) {
    impl->instance_id = *instance;
  } else {
    impl->instance_id = RandomHex(16);
    RETURN_IF_ERROR(FromRocks(
        impl->db->Put(SyncedWrite(), impl->families.at(std::string(kMetaFamily)),
                      kInstanceIdKey, impl->instance_id),
        "write instance id"));
  }

  // Counters resume where the last commit left them.
  ASSIGN_OR_RETURN(auto outbox_sequence, impl->Get(kMetaFamily, kOutboxSequenceKey));
  if (outbox_sequence) impl->last_outbox_sequence = SequenceFromKey(*outbox_sequence);
  // What the store opened with is as durable as it will get (recovery flushed the logs it
  // replayed); the group sync counts from here.
  impl->written_outbox = impl->durable_outbox = impl->last_outbox_sequence;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl->db->NewIterator(rocksdb::ReadOptions(), impl->families.at(std::string(kOutboxFamily))));
    uint64_t backlog = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(const std::vector<common::v1::OutboxEvent> events,
                       ParseOutboxRecord(it->key(), it->value()));
      impl->outbox_records.emplace(SequenceFromKey(it->key().ToStringView()),
                                   Impl::OutboxRecord{.first = events.front().sequence(),
                                                      .delivered = std::vector<bool>(events.size()),
                                                      .undelivered = events.size()});
      backlog += events.size();
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
    impl->outbox_backlog = backlog;
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl->db->NewIterator(rocksdb::ReadOptions(), impl->families.at(std::string(kAuditFamily))));
    it->SeekToLast();
    if (it->Valid()) {
      common::v1::AuditRecord last;
      if (!last.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("last audit record does not parse");
      }
      impl->last_audit_sequence = last.sequence();
      impl->last_audit_hash = last.own_hash();
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

absl::StatusOr<std::optional<std::string>> Store::Get(std::string_view family,
                                                      std::string_view key) const {
  return impl_->Get(family, key);
}

absl::StatusOr<std::vector<std::optional<std::string>>> Store::MultiGet(
    std::string_view family, const std::vector<std::string_view>& keys) const {
  ASSIGN_OR_RETURN(auto* handle, impl_->Family(family));
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (std::string_view key : keys) slices.emplace_back(key.data(), key.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), handle, keys.size(), slices.data(), values.data(),
                      statuses.data());
  std::vector<std::optional<std::string>> found(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(statuses[i], "multiget"));
    found[i] = values[i].ToString();
  }
  return found;
}

absl::Status Store::Commit(UnitOfWork& work) {
  for (const common::v1::OutboxEvent& event : work.events()) {
    const size_t bytes = event.payload().size() + event.key().size() + event.subject().size();
    if (bytes > kMaxEventBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the change makes a ", event.type(), " event of ", bytes, " bytes on ", event.topic(),
          ", and an event carries at most ", kMaxEventBytes,
          " (one Kafka message): nothing was written; make the record smaller"));
    }
  }
  const bool wants_sync = work.sync().value_or(impl_->options.sync_writes);
  bool added_events = false;
  uint64_t position = 0;  // this commit's place in the WAL, for the group sync
  {
    std::lock_guard lock(impl_->commit_mu);
    {
      // After a failed sync nothing more is built on what the WAL may have lost.
      std::lock_guard sync_lock(impl_->sync_mu);
      if (!impl_->sync_error.ok()) return impl_->sync_error;
    }
    // All preconditions in one batched read (an import checks thousands).
    const std::vector<Precondition>& preconditions = work.preconditions();
    if (!preconditions.empty()) {
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      std::vector<rocksdb::Slice> keys;
      handles.reserve(preconditions.size());
      keys.reserve(preconditions.size());
      for (const Precondition& pre : preconditions) {
        ASSIGN_OR_RETURN(auto* handle, impl_->Family(pre.family));
        handles.push_back(handle);
        keys.emplace_back(pre.key);
      }
      std::vector<rocksdb::PinnableSlice> values(preconditions.size());
      std::vector<rocksdb::Status> statuses(preconditions.size());
      impl_->db->MultiGet(rocksdb::ReadOptions(), preconditions.size(), handles.data(),
                          keys.data(), values.data(), statuses.data());
      for (size_t i = 0; i < preconditions.size(); ++i) {
        const Precondition& pre = preconditions[i];
        const bool absent = statuses[i].IsNotFound();
        if (!absent) RETURN_IF_ERROR(FromRocks(statuses[i], "precondition"));
        const bool holds = absent ? !pre.expected.has_value()
                                  : pre.expected.has_value() &&
                                        values[i].ToStringView() == *pre.expected;
        if (!holds) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the record ", pre.family, "/", pre.key, " changed since it was read"));
        }
      }
    }
    if (work.idempotency()) {
      ASSIGN_OR_RETURN(auto seen, impl_->Get(kIdempotencyFamily, work.idempotency()->request_id()));
      if (seen) {
        return absl::AlreadyExistsError(
            absl::StrCat("request_id ", work.idempotency()->request_id(), " was committed before"));
      }
    }

    // Written in key order within each family (a stable sort, so of two writes to one key
    // the later still wins): a memtable insert then starts from where the previous one
    // ended instead of searching the skip list from the top, which with thousands of rows
    // per unit is most of the cost of the write.
    std::vector<const Mutation*> ordered;
    ordered.reserve(work.mutations().size());
    for (const Mutation& m : work.mutations()) ordered.push_back(&m);
    std::stable_sort(ordered.begin(), ordered.end(), [](const Mutation* a, const Mutation* b) {
      if (a->family != b->family) return a->family < b->family;
      return a->key < b->key;
    });
    // The commit's events as one outbox record (the file comment of store.h).
    uint64_t outbox_sequence = impl_->last_outbox_sequence;
    std::string outbox_record;
    if (!work.events().empty()) {
      // Moved in and back out for the serialization.
      common::v1::OutboxCommit record;
      record.mutable_events()->Reserve(static_cast<int>(work.events().size()));
      for (auto& event : work.events()) {
        event.set_sequence(++outbox_sequence);
        *record.add_events() = std::move(event);
      }
      outbox_record = record.SerializeAsString();
      for (size_t i = 0; i < work.events().size(); ++i) {
        work.events()[i] = std::move(*record.mutable_events(static_cast<int>(i)));
      }
    }

    // Sized once: an import batch's buffer grown write by write was copied over a dozen
    // times (a tenth of the commit's CPU). A write costs its key and value and at most 16
    // bytes of framing; the audit record and the counters fit in the slack.
    size_t batch_bytes = outbox_record.size() + 4096;
    for (const Mutation& m : work.mutations()) {
      batch_bytes += m.key.size() + (m.value ? m.value->size() : 0) + 16;
    }
    rocksdb::WriteBatch batch(batch_bytes);
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    const std::string* handle_family = nullptr;
    for (const Mutation* m : ordered) {
      if (handle_family == nullptr || *handle_family != m->family) {
        ASSIGN_OR_RETURN(handle, impl_->Family(m->family));
        handle_family = &m->family;
      }
      rocksdb::Status s =
          m->value ? batch.Put(handle, m->key, *m->value) : batch.Delete(handle, m->key);
      RETURN_IF_ERROR(FromRocks(s, "batch"));
    }
    if (!work.events().empty()) {
      RETURN_IF_ERROR(FromRocks(batch.Put(impl_->families.at(std::string(kOutboxFamily)),
                                          SequenceKey(outbox_sequence), outbox_record),
                                "batch"));
      RETURN_IF_ERROR(FromRocks(batch.Put(impl_->families.at(std::string(kMetaFamily)),
                                          kOutboxSequenceKey, SequenceKey(outbox_sequence)),
                                "batch"));
    }

    std::optional<common::v1::AuditRecord> audit = work.audit();
    if (!audit && !work.audit_indexes().empty()) {
      return absl::InvalidArgumentError("an audit index needs an audit record in the unit");
    }
    if (audit) {
      audit->set_sequence(impl_->last_audit_sequence + 1);
      if (!audit->has_time()) {
        *audit->mutable_time() = ToTimestamp(absl::Now());
      }
      audit->set_previous_hash(impl_->last_audit_hash);
      audit->set_own_hash(Sha256Hex(AuditHashInput(*audit)));
      RETURN_IF_ERROR(FromRocks(batch.Put(impl_->families.at(std::string(kAuditFamily)),
                                          SequenceKey(audit->sequence()),
                                          audit->SerializeAsString()),
                                "batch"));
      for (const auto& [family, key] : work.audit_indexes()) {
        ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * index, impl_->Family(family));
        RETURN_IF_ERROR(
            FromRocks(batch.Put(index, key, SequenceKey(audit->sequence())), "batch"));
      }
    }
    if (work.idempotency()) {
      RETURN_IF_ERROR(FromRocks(batch.Put(impl_->families.at(std::string(kIdempotencyFamily)),
                                          work.idempotency()->request_id(),
                                          work.idempotency()->SerializeAsString()),
                                "batch"));
    }

    // Counted before the write: the relay may publish and remove an event as soon as the
    // write is durable, and its decrement must never come first.
    impl_->outbox_backlog += work.events().size();
    // Never sync here: under the lock an fsync would serialise every commit. The write
    // reaches the WAL in the page cache and the memtable; durability is the group sync's,
    // below, outside the lock.
    if (absl::Status written =
            FromRocks(impl_->db->Write(rocksdb::WriteOptions(), &batch), "commit");
        !written.ok()) {
      impl_->outbox_backlog -= work.events().size();
      return written;
    }
    for (const Impl::Follower& follower : impl_->followers) {
      for (const Mutation* m : ordered) {
        if (m->family == follower.family) follower.call(m->key, m->value);
      }
    }
    if (!work.events().empty()) {
      std::lock_guard outbox_lock(impl_->outbox_mu);
      impl_->outbox_records.emplace(
          outbox_sequence,
          Impl::OutboxRecord{.first = impl_->last_outbox_sequence + 1,
                             .delivered = std::vector<bool>(work.events().size()),
                             .undelivered = work.events().size()});
    }
    impl_->last_outbox_sequence = outbox_sequence;
    if (audit) {
      impl_->last_audit_sequence = audit->sequence();
      impl_->last_audit_hash = audit->own_hash();
    }
    added_events = !work.events().empty();
    {
      std::lock_guard sync_lock(impl_->sync_mu);
      position = ++impl_->written;
      impl_->written_outbox = outbox_sequence;
    }
  }
  if (work.on_visible()) work.on_visible()();
  // Acknowledged, and its events announced to the relay, only once durable.
  if (wants_sync) RETURN_IF_ERROR(impl_->AwaitDurable(position));
  if (added_events) {
    std::lock_guard lock(impl_->listener_mu);
    if (impl_->outbox_listener) impl_->outbox_listener();
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Store::Follow(std::string_view family, FamilyFollower follower) {
  RETURN_IF_ERROR(impl_->Family(family).status());
  std::lock_guard lock(impl_->commit_mu);
  const uint64_t id = ++impl_->last_follower_id;
  impl_->followers.push_back({.id = id, .family = std::string(family), .call = std::move(follower)});
  return id;
}

void Store::Unfollow(uint64_t id) {
  std::lock_guard lock(impl_->commit_mu);
  std::erase_if(impl_->followers, [id](const Impl::Follower& f) { return f.id == id; });
}

std::string Store::PageTokenAfter(std::string_view key) {
  return absl::WebSafeBase64Escape(AbslView(key));
}

absl::StatusOr<Page> Store::Scan(std::string_view family, std::string_view prefix, int page_size,
                                 std::string_view page_token) const {
  if (page_size < 1 || page_size > 10000) {
    return absl::InvalidArgumentError("page_size must be between 1 and 10000");
  }
  std::string start(prefix);
  bool after_start = false;
  if (!page_token.empty()) {
    std::string last_key;
    if (!absl::WebSafeBase64Unescape(AbslView(page_token), &last_key) ||
        !absl::StartsWith(last_key, AbslView(prefix))) {
      return absl::InvalidArgumentError("page_token: not a token of this listing");
    }
    start = std::move(last_key);
    after_start = true;
  }
  ASSIGN_OR_RETURN(auto* handle, impl_->Family(family));
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), handle));
  Page page;
  it->Seek(start);
  if (after_start && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();
  for (; it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    if (static_cast<int>(page.entries.size()) == page_size) {
      page.next_page_token = PageTokenAfter(page.entries.back().key);
      break;
    }
    page.entries.push_back({it->key().ToString(), it->value().ToString()});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
  return page;
}

absl::Status Store::ForEach(
    std::string_view family, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  ASSIGN_OR_RETURN(auto* handle, impl_->Family(family));
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), handle));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

absl::StatusOr<std::vector<common::v1::OutboxEvent>> Store::ReadOutbox(uint64_t after,
                                                                      size_t limit) const {
  // Only entries of durable commits leave the store. Entries written but not yet durable
  // are waited for: the sync of their synced commit, or one made here for a commit that
  // did not sync (nobody else would).
  uint64_t readable = 0;  // the last outbox sequence that may be returned
  {
    uint64_t wait_for = 0;
    {
      std::lock_guard lock(impl_->sync_mu);
      if (impl_->sync_error.ok() &&
          impl_->written_outbox > std::max(impl_->durable_outbox, after)) {
        wait_for = impl_->written;
      }
    }
    // A failed sync is the committers' error (and logged); here it only means that
    // nothing beyond what was durable before is read.
    if (wait_for > 0) impl_->AwaitDurable(wait_for).IgnoreError();
    std::lock_guard lock(impl_->sync_mu);
    readable = impl_->durable_outbox;
  }
  std::vector<common::v1::OutboxEvent> events;
  if (readable <= after) return events;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(
      rocksdb::ReadOptions(), impl_->families.at(std::string(kOutboxFamily))));
  // Records are commits and `readable` ends one: a record is read whole or not at all.
  for (it->Seek(SequenceKey(after + 1)); it->Valid() && events.size() < limit; it->Next()) {
    if (SequenceFromKey(it->key().ToStringView()) > readable) break;
    ASSIGN_OR_RETURN(std::vector<common::v1::OutboxEvent> record,
                     ParseOutboxRecord(it->key(), it->value()));
    if (!events.empty() && events.size() + record.size() > limit) break;
    for (common::v1::OutboxEvent& event : record) {
      if (event.sequence() > after) events.push_back(std::move(event));
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  return events;
}

absl::Status Store::DeleteOutbox(const std::vector<uint64_t>& sequences) {
  if (sequences.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  auto* outbox = impl_->families.at(std::string(kOutboxFamily));
  {
    std::lock_guard lock(impl_->outbox_mu);
    for (uint64_t sequence : sequences) {
      auto record = impl_->outbox_records.lower_bound(sequence);
      if (record == impl_->outbox_records.end() || sequence < record->second.first) continue;
      Impl::OutboxRecord& r = record->second;
      if (r.delivered[sequence - r.first]) continue;
      r.delivered[sequence - r.first] = true;
      --impl_->outbox_backlog;
      if (--r.undelivered > 0) continue;
      // A record whose deletion is not written stays in RocksDB and is read again after a
      // restart; in memory it is delivered either way.
      const uint64_t last = record->first;
      impl_->outbox_records.erase(record);
      RETURN_IF_ERROR(FromRocks(batch.Delete(outbox, SequenceKey(last)), "batch"));
    }
  }
  if (batch.Count() == 0) return absl::OkStatus();
  // Losing a deletion only republishes its events, which consumers drop as duplicates,
  // so this write need not wait for fsync.
  return FromRocks(impl_->db->Write(rocksdb::WriteOptions(), &batch), "delete outbox");
}

uint64_t Store::OutboxBacklog() const { return impl_->outbox_backlog.load(); }

absl::Status Store::WalSyncError() const {
  std::lock_guard lock(impl_->sync_mu);
  return impl_->sync_error;
}

void Store::SetOutboxListener(std::function<void()> listener) {
  std::lock_guard lock(impl_->listener_mu);
  impl_->outbox_listener = std::move(listener);
}

absl::StatusOr<std::optional<common::v1::IdempotencyRecord>> Store::FindIdempotency(
    std::string_view request_id) const {
  ASSIGN_OR_RETURN(auto record,
                   GetMessage<common::v1::IdempotencyRecord>(kIdempotencyFamily, request_id));
  // A remembered answer is given again as an acknowledgement of the first commit, so that
  // commit must be durable first (a retry may come while it is still in its group sync).
  if (record) RETURN_IF_ERROR(impl_->AwaitVisibleDurable());
  return record;
}

absl::StatusOr<std::optional<common::v1::AuditRecord>> Store::IndexedAudit(
    std::string_view family, std::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> index, Get(family, key));
  if (!index) return std::optional<common::v1::AuditRecord>();
  if (index->size() != 8) {
    return absl::DataLossError(absl::StrCat("audit index ", AbslView(family), " is not a sequence"));
  }
  const uint64_t sequence = SequenceFromKey(*index);
  auto read = [&](uint64_t at) -> absl::StatusOr<common::v1::AuditRecord> {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, Get(kAuditFamily, SequenceKey(at)));
    common::v1::AuditRecord record;
    if (!raw || !record.ParseFromString(*raw) || record.sequence() != at) {
      return absl::DataLossError(absl::StrCat("audit record ", at, " is missing or does not parse"));
    }
    if (record.own_hash() != Sha256Hex(AuditHashInput(record))) {
      return absl::DataLossError(absl::StrCat("audit record ", at, " was altered"));
    }
    return record;
  };
  ASSIGN_OR_RETURN(common::v1::AuditRecord record, read(sequence));
  if (sequence > 1) {
    ASSIGN_OR_RETURN(common::v1::AuditRecord previous, read(sequence - 1));
    if (record.previous_hash() != previous.own_hash()) {
      return absl::DataLossError(
          absl::StrCat("audit record ", sequence, " does not link to record ", sequence - 1));
    }
  } else if (!record.previous_hash().empty()) {
    return absl::DataLossError("audit record 1 links to a record before it");
  }
  return std::optional<common::v1::AuditRecord>(std::move(record));
}

absl::StatusOr<uint64_t> Store::VerifyAuditChain() const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(
      rocksdb::ReadOptions(), impl_->families.at(std::string(kAuditFamily))));
  uint64_t count = 0;
  std::string previous_hash;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    common::v1::AuditRecord record;
    const uint64_t key_sequence = SequenceFromKey(it->key().ToStringView());
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("audit record ", key_sequence, " does not parse"));
    }
    ++count;
    if (record.sequence() != count || key_sequence != count) {
      return absl::DataLossError(absl::StrCat("audit chain has a gap before record ", count));
    }
    if (record.previous_hash() != previous_hash) {
      return absl::DataLossError(
          absl::StrCat("audit record ", count, " does not link to record ", count - 1));
    }
    if (record.own_hash() != Sha256Hex(AuditHashInput(record))) {
      return absl::DataLossError(absl::StrCat("audit record ", count, " was altered"));
    }
    previous_hash = record.own_hash();
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read audit"));
  return count;
}

absl::Status Store::Checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(impl_->db.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocks(checkpoint->CreateCheckpoint(dir), absl::StrCat("checkpoint to ", dir));
}

uint64_t Store::IntProperty(std::string_view name) const {
  uint64_t total = 0;
  for (auto* handle : impl_->handles) {
    uint64_t value = 0;
    if (impl_->db->GetIntProperty(handle, rocksdb::Slice(name.data(), name.size()), &value)) {
      total += value;
    }
  }
  return total;
}

const std::string& Store::instance_id() const { return impl_->instance_id; }

std::string AuditHashInput(const common::v1::AuditRecord& record) {
  // Fields joined by newlines in contract order; time as RFC 3339 UTC with nanoseconds.
  return absl::StrCat(record.sequence(), "\n",
                      google::protobuf::util::TimeUtil::ToString(record.time()), "\n",
                      record.department(), "\n", record.user_id(), "\n", record.system(), "\n",
                      record.method(), "\n", record.resource(), "\n", record.request_digest(),
                      "\n", record.previous_hash(),
                      // The certificate identity joined the record later: appended only when
                      // present, so the chains written before it still verify.
                      record.identity().empty() ? "" : "\n", record.identity());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace jianguan::store
