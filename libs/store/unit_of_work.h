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
// A UnitOfWork is plain data with no RocksDB types; it is not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  /// Remembers the answer to a request_id; the commit fails with ALREADY_EXISTS when the
  /// id was committed before (the caller then replays the stored answer).
  void SetIdempotency(common::v1::IdempotencyRecord record);

  /// Moves every write, condition and event of `other` into this unit (its audit and
  /// idempotency records are not taken).
  void Append(UnitOfWork&& other);

  /// Whether this commit waits for fsync (default: the store's setting). Consumers commit
  /// without it: their state and position are one batch, so a power cut only rewinds both
  /// to an earlier offset and the events are read again.
  void set_sync(bool sync) { sync_ = sync; }
  std::optional<bool> sync() const { return sync_; }

  bool empty() const;
  const std::vector<Mutation>& mutations() const { return mutations_; }
  const std::vector<Precondition>& preconditions() const { return preconditions_; }
  std::vector<common::v1::OutboxEvent>& events() { return events_; }
  const std::vector<common::v1::OutboxEvent>& events() const { return events_; }
  const std::optional<common::v1::AuditRecord>& audit() const { return audit_; }
  const std::optional<common::v1::IdempotencyRecord>& idempotency() const {
    return idempotency_;
  }

 private:
  std::vector<Mutation> mutations_;
  std::vector<Precondition> preconditions_;
  std::vector<common::v1::OutboxEvent> events_;
  std::optional<common::v1::AuditRecord> audit_;
  std::optional<common::v1::IdempotencyRecord> idempotency_;
  std::optional<bool> sync_;
};

}  // namespace jianguan::store
