// Everything one request changes, committed as one RocksDB WriteBatch (DESIGN.md §4):
// the new state, its index entries, the outgoing events, the audit record and the
// request's idempotency key. Either all of it is in the WAL, or none of it.
//
//   store::UnitOfWork work;
//   work.Require(kSubjects, uscc, std::nullopt);           // must not exist yet
//   work.Put(kSubjects, uscc, subject.SerializeAsString());
//   work.Put(kSubjectsByRegion, region + "/" + uscc, "");
//   work.AddEvent(std::move(event));                       // outbox
//   work.SetAudit(audit);                                  // chained by the store
//   work.SetIdempotency(request_id, record);
//   RETURN_IF_ERROR(store.Commit(work));
//
// A UnitOfWork is plain data (and one optional callback) with no RocksDB types; it is not
// thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "jianguan/common/v1/records.pb.h"

namespace jianguan::store {

/// One write to one column family.
struct Mutation {
  std::string family;
  std::string key;
  std::optional<std::string> value;  // nullopt: delete the key
};

/// A condition checked at commit, atomically with the write: the key's current value must
/// equal `expected` (nullopt: the key must be absent). Gives compare-and-set semantics.
struct Precondition {
  std::string family;
  std::string key;
  std::optional<std::string> expected;
};

class UnitOfWork {
 public:
  /// Writes `value` at `key` in `family` (a family the store was opened with).
  void Put(std::string family, std::string key, std::string value);
  /// Deletes `key` from `family`.
  void Delete(std::string family, std::string key);
  /// Fails the commit with FAILED_PRECONDITION unless the key's value is `expected`.
  void Require(std::string family, std::string key, std::optional<std::string> expected);
  /// Queues an event for the outbox; the store assigns its sequence number at commit.
  void AddEvent(common::v1::OutboxEvent event);
  /// The audit record of this change; the store fills sequence and hashes at commit.
  void SetAudit(common::v1::AuditRecord record);
  /// Writes, at commit, this unit's audit sequence number (8 bytes big-endian) at `key` of
  /// `family`: an index from a resource's own keys to the audit records that changed it, so
  /// a resource's trail is read without walking the chain (Store::IndexedAudit). The unit
  /// must have an audit record.
  void IndexAudit(std::string family, std::string key);
  /// Remembers the answer to a request_id; the commit fails with ALREADY_EXISTS when the
  /// id was committed before (the caller then replays the stored answer).
  void SetIdempotency(common::v1::IdempotencyRecord record);

  /// Moves every write, condition and event of `other` into this unit (its audit and
  /// idempotency records and its OnVisible callback are not taken).
  void Append(UnitOfWork&& other);

  /// What this unit writes at `key` of `family`, for code that must see its own pending
  /// writes before the commit (a consumer batch of several events): nullptr when the unit
  /// does not touch the key, else its last write (a value, or nullopt for a delete).
  /// Indexed on first use, then kept up to date: cheap for thousands of rows.
  const std::optional<std::string>* Pending(std::string_view family, std::string_view key) const;

  /// A point to go back to: the writes, conditions and events added after it can be undone.
  struct Mark {
    size_t mutations = 0;
    size_t preconditions = 0;
    size_t events = 0;
  };
  Mark mark() const { return {mutations_.size(), preconditions_.size(), events_.size()}; }
  /// Drops every write, condition and event added after `mark` (the audit and idempotency
  /// records are left as they are).
  void RollbackTo(const Mark& mark);

  /// Whether this commit waits for fsync (default: the store's setting). Consumers commit
  /// without it: their state and position are one batch, so a power cut only rewinds both
  /// to an earlier offset and the events are read again.
  void set_sync(bool sync) { sync_ = sync; }
  std::optional<bool> sync() const { return sync_; }

  /// Called once by Store::Commit when this unit is written and visible to readers, before
  /// the commit waits for durability (the group sync: store.h), with no store lock held;
  /// never when the commit fails before writing. For a caller that serialises its commits
  /// with a lock of its own (a gap-free number sequence): releasing it here lets the next
  /// commit in while this one waits for the fsync, and still in order, since a power cut
  /// can lose a written commit only together with every commit after it.
  void OnVisible(std::function<void()> callback) { on_visible_ = std::move(callback); }
  const std::function<void()>& on_visible() const { return on_visible_; }

  bool empty() const;
  const std::vector<Mutation>& mutations() const { return mutations_; }
  const std::vector<Precondition>& preconditions() const { return preconditions_; }
  std::vector<common::v1::OutboxEvent>& events() { return events_; }
  const std::vector<common::v1::OutboxEvent>& events() const { return events_; }
  const std::optional<common::v1::AuditRecord>& audit() const { return audit_; }
  /// The (family, key) pairs IndexAudit asked for.
  const std::vector<std::pair<std::string, std::string>>& audit_indexes() const {
    return audit_indexes_;
  }
  const std::optional<common::v1::IdempotencyRecord>& idempotency() const {
    return idempotency_;
  }

 private:
  std::vector<Mutation> mutations_;
  std::vector<Precondition> preconditions_;
  std::vector<common::v1::OutboxEvent> events_;
  std::optional<common::v1::AuditRecord> audit_;
  std::vector<std::pair<std::string, std::string>> audit_indexes_;
  std::optional<common::v1::IdempotencyRecord> idempotency_;
  std::optional<bool> sync_;
  std::function<void()> on_visible_;
  // Pending(): family + '\0' + key → index of the last mutation of that key, over the first
  // `indexed_` mutations.
  mutable absl::flat_hash_map<std::string, size_t> last_write_;
  mutable size_t indexed_ = 0;
};

}  // namespace jianguan::store
