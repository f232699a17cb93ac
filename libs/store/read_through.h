// Reading a key as a unit of work will leave it: what the unit already writes there (an
// earlier event of a consumer batch, UnitOfWork::Pending), else the committed store. For
// handlers that read what they write and are consumed several events per commit.
//
//   ASSIGN_OR_RETURN(std::optional<v1::Task> task,
//                    store::ReadMessageThrough<v1::Task>(store, work, kTasks, id));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/store/store.h"
#include "libs/store/unit_of_work.h"

namespace jianguan::store {

/// The value `pending` leaves at `key` of `family`: its own last write there, or the store's.
inline absl::StatusOr<std::optional<std::string>> ReadThrough(const Store& store,
                                                              const UnitOfWork& pending,
                                                              std::string_view family,
                                                              std::string_view key) {
  if (const std::optional<std::string>* staged = pending.Pending(family, key)) return *staged;
  return store.Get(family, key);
}

/// ReadThrough, parsed as message type M; DATA_LOSS when the bytes do not parse.
template <typename M>
absl::StatusOr<std::optional<M>> ReadMessageThrough(const Store& store, const UnitOfWork& pending,
                                                    std::string_view family,
                                                    std::string_view key) {
  auto raw = ReadThrough(store, pending, family, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<M>();
  M message;
  if (!message.ParseFromString(**raw)) {
    return absl::DataLossError("stored record does not parse: " + std::string(key));
  }
  return std::optional<M>(std::move(message));
}

}  // namespace jianguan::store
