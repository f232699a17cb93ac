// "Newest version wins, stale ignored": the rule of every projection fed by events that carry
// a per-resource version (a subject's facts, a grade, an inspector, an item). A consumer may
// see an older copy after a newer one — a republished outbox, a replay — and must not let it
// overwrite what it has.
//
//   ASSIGN_OR_RETURN(bool written, PutIfNewer(store, work, kProjection, key, row));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "libs/store/store.h"

namespace jianguan {

/// Whether a copy at `incoming` replaces what is stored at `stored` (nullopt: nothing yet).
/// Equal versions do not: applying the same version twice changes nothing.
inline bool Supersedes(int64_t incoming, std::optional<int64_t> stored) {
  return !stored.has_value() || incoming > *stored;
}

/// Puts `value` (whose version is `version`) at `key` in `family` unless the value stored
/// there has a version of at least `version`; `version_of` reads a stored value's version.
/// Returns whether it wrote. Reads what `work` already writes at the key (an earlier event of
/// the same consumer batch), else the committed store.
absl::StatusOr<bool> PutIfNewer(const store::Store& store, store::UnitOfWork& work,
                                std::string_view family, std::string_view key, int64_t version,
                                std::string value,
                                absl::FunctionRef<int64_t(std::string_view stored)> version_of);

/// The same for rows that are protobuf messages with an int64 `version` field.
template <typename Row>
absl::StatusOr<bool> PutIfNewer(const store::Store& store, store::UnitOfWork& work,
                                std::string_view family, std::string_view key, const Row& row) {
  return PutIfNewer(store, work, family, key, row.version(), row.SerializeAsString(),
                    [](std::string_view stored) -> int64_t {
                      Row old;
                      if (!old.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
                        return -1;  // unreadable: let the new copy replace it
                      }
                      return old.version();
                    });
}

}  // namespace jianguan
