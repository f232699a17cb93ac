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

namespace {

std::string IndexKey(std::string_view family, std::string_view key) {
  std::string joined;
  joined.reserve(family.size() + 1 + key.size());
  joined.append(family).push_back('\0');
  joined.append(key);
  return joined;
}

}  // namespace

const std::optional<std::string>* UnitOfWork::Pending(std::string_view family,
                                                      std::string_view key) const {
  for (; indexed_ < mutations_.size(); ++indexed_) {
    const Mutation& m = mutations_[indexed_];
    last_write_[IndexKey(m.family, m.key)] = indexed_;
  }
  const auto found = last_write_.find(IndexKey(family, key));
  return found == last_write_.end() ? nullptr : &mutations_[found->second].value;
}

void UnitOfWork::RollbackTo(const Mark& mark) {
  if (mark.mutations < mutations_.size()) {
    mutations_.resize(mark.mutations);
    if (indexed_ > mark.mutations) {  // rebuilt from the start on the next lookup
      last_write_.clear();
      indexed_ = 0;
    }
  }
  if (mark.preconditions < preconditions_.size()) preconditions_.resize(mark.preconditions);
  if (mark.events < events_.size()) events_.resize(mark.events);
}

void UnitOfWork::IndexAudit(std::string family, std::string key) {
  audit_indexes_.emplace_back(std::move(family), std::move(key));
}

bool UnitOfWork::empty() const {
  return mutations_.empty() && events_.empty() && !audit_ && !idempotency_;
}

}  // namespace jianguan::store
