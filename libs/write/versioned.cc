#include "libs/write/versioned.h"

#include "libs/core/status_macros.h"

namespace jianguan {

absl::StatusOr<bool> PutIfNewer(const store::Store& store, store::UnitOfWork& work,
                                std::string_view family, std::string_view key, int64_t version,
                                std::string value,
                                absl::FunctionRef<int64_t(std::string_view stored)> version_of) {
  // What this unit already writes there (an earlier event of a consumer batch) is newer
  // than the store.
  std::optional<std::string> stored;
  if (const std::optional<std::string>* pending = work.Pending(family, key)) {
    stored = *pending;
  } else {
    ASSIGN_OR_RETURN(stored, store.Get(family, key));
  }
  std::optional<int64_t> stored_version;
  if (stored) stored_version = version_of(*stored);
  if (!Supersedes(version, stored_version)) return false;
  work.Put(std::string(family), std::string(key), std::move(value));
  return true;
}

}  // namespace jianguan
