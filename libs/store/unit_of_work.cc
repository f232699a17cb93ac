#include "libs/store/unit_of_work.h"

namespace jianguan::store {

void UnitOfWork::Put(std::string family, std::string key, std::string value) {
  mutations_.push_back({std::move(family), std::move(key), std::move(value)});
}

void UnitOfWork::Delete(std::string family, std::string key) {
  mutations_.push_back({std::move(family), std::move(key), std::nullopt});
}

void UnitOfWork::Require(std::string family, std::string key,
                         std::optional<std::string> expected) {
  preconditions_.push_back({std::move(family), std::move(key), std::move(expected)});
}

void UnitOfWork::AddEvent(common::v1::OutboxEvent event) { events_.push_back(std::move(event)); }

void UnitOfWork::SetAudit(common::v1::AuditRecord record) { audit_ = std::move(record); }

void UnitOfWork::SetIdempotency(common::v1::IdempotencyRecord record) {
  idempotency_ = std::move(record);
}

void UnitOfWork::Append(UnitOfWork&& other) {
  for (auto& m : other.mutations_) mutations_.push_back(std::move(m));
  for (auto& p : other.preconditions_) preconditions_.push_back(std::move(p));
  for (auto& e : other.events_) events_.push_back(std::move(e));
  other.mutations_.clear();
  other.preconditions_.clear();
  other.events_.clear();
}

bool UnitOfWork::empty() const {
  return mutations_.empty() && events_.empty() && !audit_ && !idempotency_;
}

}  // namespace jianguan::store
