// The service's RocksDB: column families for its own tables and indexes, plus the families
// every service shares (outbox, audit, idempotency, consumer positions, meta).
//
// All writes go through Commit(UnitOfWork): one WriteBatch, checked preconditions, outbox
// sequence numbers and the audit chain assigned under one lock. Reads are lock-free.
// RocksDB types never leave store.cc; its errors are converted to absl::Status once, here.
//
// Group commit (issue #19). A commit holds the store's commit lock only while it checks its
// preconditions and idempotency key, builds the batch, assigns outbox and audit sequences and
// writes the batch to RocksDB *without* fsync: the WAL record is then in the operating
// system's page cache, the memtable is applied, and the commit is visible to readers. The
// lock is released, and a commit that wants durability (StoreOptions::sync_writes, or the
// unit's set_sync) then waits until the WAL is fsynced up to its own position: if another
// thread is syncing, it waits for that sync; if none is, it becomes the syncer, notes the
// last position written so far, calls RocksDB's SyncWAL, marks everything up to that
// position durable and wakes the others; a waiter still beyond the new mark goes round
// again. One fsync thus covers every commit written while the previous one ran, instead of
// one fsync per commit in series under the lock.
//
// Visibility comes before durability: a reader (and a later commit's preconditions) may see
// a commit a moment before it is durable. Nothing *leaves* the store before durability: the
// committer is answered only after the sync, the outbox listener is called only after it,
// ReadOutbox returns only events whose commit is durable (so the relay never publishes an
// event a power cut could take back), and FindIdempotency returns a remembered answer (which
// a retry is given as the acknowledgement) only once it is durable. A power cut can lose a visible commit only
// together with every commit after it (the WAL is replayed as a prefix), and none of those
// was acknowledged or published. A kill -9 loses nothing that reached Write: the WAL record
// is already in the page cache. Commits without sync (consumers: their state and position
// are one batch, so losing them only rewinds the consumer) never wait, as before; their
// events become durable with the next sync, which ReadOutbox makes itself if need be.
//
// A failed WAL sync fails every commit waiting on it with the sync's error (UNAVAILABLE for
// an I/O error). After a failed fsync the kernel may have dropped the unsynced pages, so the
// store cannot tell what of the WAL will survive: it stops accepting commits (every later
// Commit returns that error), ReadOutbox keeps returning only what was durable before, and
// WalSyncError() reports it. The process must be restarted; reopening replays whatever the
// WAL holds, and a client retrying a failed request with its request_id gets either the
// first answer (the commit survived) or a fresh commit.
//
// The outbox. A commit's events are one record of the outbox family: key the sequence of
// its last event (8 bytes, big-endian), value a common::v1::OutboxCommit holding them all,
// their sequences consecutive. A record goes once every one of its events is delivered
// (DeleteOutbox). One record a commit, not one an event: an import batch of 2,000 rows
// wrote 2,000 keys and later 2,000 deletions, a tenth of its memtable inserts. A record
// written by an earlier version (one OutboxEvent under its own sequence) is read as a
// commit of that one event. After a restart, the undelivered records are read whole, so an
// event delivered before the restart whose commit had others still undelivered is
// published again, which consumers drop as a copy (libs/events/consumer.h), as they do any
// republication.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/common/v1/records.pb.h"
#include "libs/store/unit_of_work.h"

namespace jianguan::store {

/// The families every store has, in addition to the service's own.
inline constexpr std::string_view kOutboxFamily = "outbox";
inline constexpr std::string_view kAuditFamily = "audit";
inline constexpr std::string_view kIdempotencyFamily = "idempotency";
inline constexpr std::string_view kConsumerFamily = "consumer";
inline constexpr std::string_view kMetaFamily = "meta";

/// The most bytes of payload, key and ce_subject one event may carry. The relay publishes
/// each event as one Kafka message, and a message over librdkafka's message.max.bytes
/// (1,000,000, which the publisher sets; the broker's max.message.bytes is a little more)
/// is refused every time it is tried: it would hold the outbox, and every event of the
/// service after it, for good. Commit refuses such an event instead; the 40,000 bytes left
/// cover the message's other headers and framing.
inline constexpr size_t kMaxEventBytes = 960'000;

struct StoreOptions {
  /// Directory of the database; created when missing.
  std::string path;
  /// The service's own column families (tables and indexes).
  std::vector<std::string> families;
  /// fsync the WAL on every commit. Off, a kill -9 still loses nothing (the WAL is in the
  /// page cache) but a power cut may lose the last commits, never half of one.
  bool sync_writes = true;
  /// Size of the shared block cache.
  size_t block_cache_bytes = 64 << 20;
  /// RocksDB's max_total_wal_size: once the write-ahead log files exceed this, the column
  /// families whose memtables keep the oldest log alive are flushed so it can be deleted.
  /// RocksDB's default (0) is 4 × the write buffers of all families, several GB with a
  /// service's 15–20 families, and a family written rarely keeps every log since its last
  /// write. 256 MiB bounds the log (and the replay after a crash) at the cost of some small
  /// flushes.
  uint64_t max_total_wal_bytes = uint64_t{256} << 20;
  /// For tests only: called on the syncing thread before each WAL sync of a group commit,
  /// with no lock held. An error is taken as a failed sync; a hook that blocks or sleeps
  /// holds the sync open (as a slow disk does) so that concurrent commits queue behind it.
  std::function<absl::Status()> wal_sync_hook;
};

/// One key/value pair of a scan.
struct Entry {
  std::string key;
  std::string value;
};

/// One page of a prefix scan; next_page_token is empty on the last page.
struct Page {
  std::vector<Entry> entries;
  std::string next_page_token;
};

class Store {
 public:
  /// Opens (or creates) the database with every family. Errors: INVALID_ARGUMENT for bad
  /// options, UNAVAILABLE/INTERNAL for RocksDB failures (e.g. the directory is locked by a
  /// running process).
  static absl::StatusOr<std::unique_ptr<Store>> Open(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// The value at `key`, or nullopt. INVALID_ARGUMENT for an unknown family.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view family,
                                                 std::string_view key) const;

  /// The values at `keys` of one family, in the order of `keys` (nullopt where absent); one
  /// batched read, cheaper than a Get per key. INVALID_ARGUMENT for an unknown family.
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      std::string_view family, const std::vector<std::string_view>& keys) const;

  /// Get, parsed as message type M; DATA_LOSS when the bytes do not parse.
  template <typename M>
  absl::StatusOr<std::optional<M>> GetMessage(std::string_view family,
                                              std::string_view key) const {
    auto raw = Get(family, key);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return std::optional<M>();
    M message;
    if (!message.ParseFromString(**raw)) {
      return absl::DataLossError("stored record does not parse: " + std::string(key));
    }
    return std::optional<M>(std::move(message));
  }

  /// Commits the unit of work atomically. Assigns each event its outbox sequence (written
  /// back into `work.events()`), and chains the audit record. Returns once the commit is
  /// durable (fsynced, grouped with concurrent commits: see the file comment) unless the
  /// unit or the store asks for no sync. Errors: INVALID_ARGUMENT when an event is larger
  /// than kMaxEventBytes (the message names its type, topic and size), FAILED_PRECONDITION
  /// when a precondition does not hold, ALREADY_EXISTS when the idempotency key was
  /// committed before; in these cases nothing is written. The error of a failed WAL sync
  /// (UNAVAILABLE for an I/O error), for the commits that waited on it and for every
  /// commit after it: such a commit may be visible and may or may not survive a restart.
  absl::Status Commit(UnitOfWork& work);

  /// Keys starting with `prefix`, in key order, at most `page_size` (1–10000) per page.
  /// `page_token` is the previous page's next_page_token; INVALID_ARGUMENT if it was not
  /// made for this prefix.
  absl::StatusOr<Page> Scan(std::string_view family, std::string_view prefix, int page_size,
                            std::string_view page_token) const;

  /// The page token that continues a scan after `key` (a key of that scan's prefix): a
  /// batch job stores its last key and resumes from it after a restart.
  static std::string PageTokenAfter(std::string_view key);

  /// Calls `visit` for every key starting with `prefix` until it returns false.
  absl::Status ForEach(std::string_view family, std::string_view prefix,
                       const std::function<bool(std::string_view key, std::string_view value)>&
                           visit) const;

  /// Outbox entries with sequence > `after`, in sequence order, of durable commits only: at
  /// most `limit`, or more when the first commit read holds more (a commit's events are
  /// read together; a later commit is left for the next call when it would go past
  /// `limit`). When entries after `after` are written but not yet durable (a synced
  /// commit still in its group sync, or a commit without sync), it first waits for (or
  /// makes) the WAL sync that covers them, so it may block for about one fsync. After a
  /// failed WAL sync it returns only what was durable before, without waiting.
  absl::StatusOr<std::vector<common::v1::OutboxEvent>> ReadOutbox(uint64_t after,
                                                                 size_t limit) const;
  /// Marks published entries delivered; a commit's record is removed once all its events
  /// are. A sequence not in the outbox (or marked before) is ignored.
  absl::Status DeleteOutbox(const std::vector<uint64_t>& sequences);
  /// Entries waiting in the outbox, counted from the moment their commit writes (durable
  /// or not yet).
  uint64_t OutboxBacklog() const;
  /// Called (from the committing thread) after a commit that added events: once it is
  /// durable, or at once for a commit without sync (ReadOutbox then syncs before reading).
  void SetOutboxListener(std::function<void()> listener);

  /// One committed write to a followed family: the value, or nullopt for a delete.
  using FamilyFollower =
      std::function<void(std::string_view key, const std::optional<std::string>& value)>;
  /// Calls `follower` for every write to `family` of every later commit, in the order the
  /// store applied them (each commit's writes sorted by key), once the commit is visible to
  /// readers and before it waits for durability, on the committing thread with the commit
  /// lock held: commits wait while it runs, so it must be quick and must not use the store.
  /// For an in-memory view of a family that never misses a write and never sees them out of
  /// order; the caller loads what was there before from a scan started after this call (a
  /// commit visible to that scan may reach the follower too: the follower must accept a
  /// write it already holds). Returns the id Unfollow takes; INVALID_ARGUMENT for an unknown
  /// family.
  absl::StatusOr<uint64_t> Follow(std::string_view family, FamilyFollower follower);
  /// Stops calling the follower `id`; once it returns, no call to it is running.
  void Unfollow(uint64_t id);

  /// OK, or the error of the failed WAL sync that stopped this store's commits (see the
  /// file comment); the process should then be restarted.
  absl::Status WalSyncError() const;

  /// The remembered answer for a request_id, if any. A found answer is returned only once
  /// the commit that stored it is durable (a retry is answered with it, as an
  /// acknowledgement), so it may wait for about one fsync; the error of a failed WAL sync.
  absl::StatusOr<std::optional<common::v1::IdempotencyRecord>> FindIdempotency(
      std::string_view request_id) const;

  /// The audit record whose sequence UnitOfWork::IndexAudit wrote at `key` of `family`,
  /// checked: its own hash recomputed and its link to the record before it. nullopt when
  /// the key is absent; DATA_LOSS when the record is missing, altered or unlinked.
  absl::StatusOr<std::optional<common::v1::AuditRecord>> IndexedAudit(std::string_view family,
                                                                     std::string_view key) const;

  /// Walks the audit chain from the first record, recomputing every hash. Returns the
  /// number of records, or DATA_LOSS naming the first broken link.
  absl::StatusOr<uint64_t> VerifyAuditChain() const;

  /// An online, consistent copy of the database in `dir` (hard links where possible).
  absl::Status Checkpoint(const std::string& dir) const;

  /// A RocksDB property (e.g. "rocksdb.estimate-num-keys") summed over families, for metrics.
  uint64_t IntProperty(std::string_view name) const;

  /// A random id made when the database was created; names this store as an event producer
  /// so consumers can drop republished duplicates (see libs/events/consumer.h).
  const std::string& instance_id() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The canonical text hashed for an audit record (own_hash excluded); documented in
/// docs/audit.md so that anyone can verify a chain.
std::string AuditHashInput(const common::v1::AuditRecord& record);

/// SHA-256 of `data` as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace jianguan::store
