// The credit service's tables: one record per scored subject, its ledger, its repairs, the
// monthly reclassifications and the digests of the model versions ever loaded.
//
// Families and keys:
//   subjects           <uscc>                      → v1::CreditRecord
//   ledger             <uscc>/<sequence, 12 digits> → v1::LedgerEntry, oldest first
//   repairs            <uscc>/<repair id>           → v1::Repair
//   reclassifications  <YYYY-MM>                    → v1::Reclassification
//   models             <version>                    → SHA-256 of the version's file
//
// Three writers change a record: the event consumer (in batches), RequestRepair and the
// reclassification. Each saves with a precondition on the bytes it read from the store, so
// a concurrent change fails the later commit, which then reads again (the consumer and the
// reclassification retry; RequestRepair answers FAILED_PRECONDITION).
//
// Thread-safe as store::Store is; writes happen only through the caller's UnitOfWork.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "jianguan/credit/v1/records.pb.h"
#include "libs/store/store.h"
#include "libs/store/unit_of_work.h"
#include "services/credit/domain/ledger.h"

namespace jianguan::credit {

inline constexpr char kSubjectsFamily[] = "subjects";
inline constexpr char kLedgerFamily[] = "ledger";
inline constexpr char kRepairsFamily[] = "repairs";
inline constexpr char kReclassificationsFamily[] = "reclassifications";
inline constexpr char kModelsFamily[] = "models";

/// A record as read, and what to require at commit: the stored bytes (nullopt: absent), or
/// nothing when the record came from the unit of work itself (an earlier event of the batch
/// already required the stored bytes).
struct StoredRecord {
  v1::CreditRecord record;
  bool exists = false;
  std::optional<std::optional<std::string>> require;
};

class CreditStore {
 public:
  /// The families the store must be opened with.
  static std::vector<std::string> Families();

  explicit CreditStore(store::Store& store) : store_(store) {}

  /// The subject's record as `work` leaves it (NewRecord when there is none).
  absl::StatusOr<StoredRecord> FindRecord(std::string_view uscc,
                                          const store::UnitOfWork* work = nullptr) const;
  /// The subject's ledger, oldest first.
  absl::StatusOr<std::vector<v1::LedgerEntry>> Ledger(std::string_view uscc) const;

  /// Adds to `work` the record `after`, with the precondition `before` asks for.
  void SaveRecord(store::UnitOfWork& work, const StoredRecord& before,
                  const v1::CreditRecord& after) const;
  /// Adds `change`'s record and entries to `work` (events are the caller's).
  void SaveChange(store::UnitOfWork& work, const StoredRecord& before,
                  const CreditChange& change) const;

  absl::StatusOr<std::optional<v1::Repair>> FindRepair(std::string_view uscc,
                                                       std::string_view repair_id) const;
  void SaveRepair(store::UnitOfWork& work, std::string_view uscc, std::string_view repair_id,
                  const v1::Repair& repair) const;

  /// The reclassification of `month` ("2026-12") and its stored bytes, or nullopt.
  absl::StatusOr<std::optional<std::pair<v1::Reclassification, std::string>>> FindReclassification(
      std::string_view month) const;
  /// Every reclassification still RUNNING (to resume at start).
  absl::StatusOr<std::vector<v1::Reclassification>> RunningReclassifications() const;
  /// Adds the reclassification to `work`, requiring the stored bytes `before` (nullopt: new).
  void SaveReclassification(store::UnitOfWork& work, std::string_view month,
                            const std::optional<std::string>& before,
                            const v1::Reclassification& after) const;

  /// Up to `limit` records with USCC after `after` (empty: from the first), in USCC order,
  /// each with its stored bytes.
  absl::StatusOr<std::vector<StoredRecord>> RecordsAfter(std::string_view after, int limit) const;

  /// The digest a model version was first loaded with, or nullopt.
  absl::StatusOr<std::optional<std::string>> ModelDigest(std::string_view version) const;
  void SaveModelDigest(store::UnitOfWork& work, std::string_view version,
                       std::string_view sha256) const;

  store::Store& store() const { return store_; }

 private:
  store::Store& store_;
};

/// "{uscc}/{sequence, 12 digits}".
std::string LedgerKey(std::string_view uscc, int64_t sequence);

}  // namespace jianguan::credit
