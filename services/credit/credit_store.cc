#include "services/credit/credit_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::credit {
namespace {

template <typename M>
absl::StatusOr<M> Parse(std::string_view bytes, std::string_view what) {
  M message;
  if (!message.ParseFromString(std::string(bytes))) {
    return absl::DataLossError(absl::StrCat("stored ", AbslView(what), " does not parse"));
  }
  return message;
}

}  // namespace

std::string LedgerKey(std::string_view uscc, int64_t sequence) {
  return absl::StrFormat("%s/%012d", uscc, sequence);
}

std::vector<std::string> CreditStore::Families() {
  return {kSubjectsFamily, kLedgerFamily, kRepairsFamily, kReclassificationsFamily,
          kModelsFamily};
}

absl::StatusOr<StoredRecord> CreditStore::FindRecord(std::string_view uscc,
                                                     const store::UnitOfWork* work) const {
  StoredRecord found;
  std::optional<std::string> raw;
  if (const std::optional<std::string>* staged =
          work ? work->Pending(kSubjectsFamily, uscc) : nullptr) {
    raw = *staged;
  } else {
    auto stored = store_.Get(kSubjectsFamily, uscc);
    if (!stored.ok()) return stored.status();
    raw = *stored;
    found.require = *stored;
  }
  if (!raw) {
    found.record = NewRecord(uscc);
    return found;
  }
  auto record = Parse<v1::CreditRecord>(*raw, "credit record");
  if (!record.ok()) return record.status();
  found.record = *std::move(record);
  found.exists = true;
  return found;
}

absl::StatusOr<std::vector<v1::LedgerEntry>> CreditStore::Ledger(std::string_view uscc) const {
  std::vector<v1::LedgerEntry> entries;
  absl::Status parsed = absl::OkStatus();
  absl::Status scanned = store_.ForEach(
      kLedgerFamily, absl::StrCat(AbslView(uscc), "/"), [&](std::string_view, std::string_view value) {
        auto entry = Parse<v1::LedgerEntry>(value, "ledger entry");
        if (!entry.ok()) {
          parsed = entry.status();
          return false;
        }
        entries.push_back(*std::move(entry));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!parsed.ok()) return parsed;
  return entries;
}

void CreditStore::SaveRecord(store::UnitOfWork& work, const StoredRecord& before,
                             const v1::CreditRecord& after) const {
  if (before.require) work.Require(kSubjectsFamily, after.uscc(), *before.require);
  work.Put(kSubjectsFamily, after.uscc(), after.SerializeAsString());
}

void CreditStore::SaveChange(store::UnitOfWork& work, const StoredRecord& before,
                             const CreditChange& change) const {
  SaveRecord(work, before, change.record);
  for (const v1::LedgerEntry& entry : change.entries) {
    work.Put(kLedgerFamily, LedgerKey(change.record.uscc(), entry.sequence()),
             entry.SerializeAsString());
  }
}

absl::StatusOr<std::optional<v1::Repair>> CreditStore::FindRepair(
    std::string_view uscc, std::string_view repair_id) const {
  auto raw = store_.Get(kRepairsFamily, absl::StrCat(AbslView(uscc), "/", AbslView(repair_id)));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<v1::Repair>();
  auto repair = Parse<v1::Repair>(**raw, "repair");
  if (!repair.ok()) return repair.status();
  return std::optional<v1::Repair>(*std::move(repair));
}

void CreditStore::SaveRepair(store::UnitOfWork& work, std::string_view uscc,
                             std::string_view repair_id, const v1::Repair& repair) const {
  work.Require(kRepairsFamily, absl::StrCat(AbslView(uscc), "/", AbslView(repair_id)), std::nullopt);
  work.Put(kRepairsFamily, absl::StrCat(AbslView(uscc), "/", AbslView(repair_id)), repair.SerializeAsString());
}

absl::StatusOr<std::optional<std::pair<v1::Reclassification, std::string>>>
CreditStore::FindReclassification(std::string_view month) const {
  using Found = std::optional<std::pair<v1::Reclassification, std::string>>;
  auto raw = store_.Get(kReclassificationsFamily, month);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return Found();
  auto parsed = Parse<v1::Reclassification>(**raw, "reclassification");
  if (!parsed.ok()) return parsed.status();
  return Found(std::make_pair(*std::move(parsed), **std::move(raw)));
}

absl::StatusOr<std::vector<v1::Reclassification>> CreditStore::RunningReclassifications() const {
  std::vector<v1::Reclassification> running;
  absl::Status parsed = absl::OkStatus();
  absl::Status scanned =
      store_.ForEach(kReclassificationsFamily, "", [&](std::string_view, std::string_view value) {
        auto one = Parse<v1::Reclassification>(value, "reclassification");
        if (!one.ok()) {
          parsed = one.status();
          return false;
        }
        if (one->state() == v1::RECLASSIFICATION_STATE_RUNNING) running.push_back(*one);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!parsed.ok()) return parsed;
  return running;
}

void CreditStore::SaveReclassification(store::UnitOfWork& work, std::string_view month,
                                       const std::optional<std::string>& before,
                                       const v1::Reclassification& after) const {
  work.Require(kReclassificationsFamily, std::string(month), before);
  work.Put(kReclassificationsFamily, std::string(month), after.SerializeAsString());
}

absl::StatusOr<std::vector<StoredRecord>> CreditStore::RecordsAfter(std::string_view after,
                                                                    int limit) const {
  auto page = store_.Scan(kSubjectsFamily, "", limit,
                          after.empty() ? "" : store::Store::PageTokenAfter(after));
  if (!page.ok()) return page.status();
  std::vector<StoredRecord> records;
  for (store::Entry& entry : page->entries) {
    auto record = Parse<v1::CreditRecord>(entry.value, "credit record");
    if (!record.ok()) return record.status();
    StoredRecord& stored = records.emplace_back();
    stored.record = *std::move(record);
    stored.exists = true;
    stored.require = std::optional<std::string>(std::move(entry.value));
  }
  return records;
}

absl::StatusOr<std::optional<std::string>> CreditStore::ModelDigest(std::string_view version) const {
  return store_.Get(kModelsFamily, version);
}

void CreditStore::SaveModelDigest(store::UnitOfWork& work, std::string_view version,
                                  std::string_view sha256) const {
  work.Put(kModelsFamily, std::string(version), std::string(sha256));
}

}  // namespace jianguan::credit
