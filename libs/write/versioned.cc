#include "libs/write/versioned.h"

#include "libs/core/status_macros.h"
#include "libs/store/read_through.h"

namespace jianguan {

absl::StatusOr<bool> PutIfNewer(const store::Store& store, store::UnitOfWork& work,
                                std::string_view family, std::string_view key, int64_t version,
                                std::string value,
                                absl::FunctionRef<int64_t(std::string_view stored)> version_of) {
  // What this unit already writes there (an earlier event of a consumer batch) is newer
  // than the store.
  ASSIGN_OR_RETURN(std::optional<std::string> stored, store::ReadThrough(store, work, family, key));
  std::optional<int64_t> stored_version;
  if (stored) stored_version = version_of(*stored);
  if (!Supersedes(version, stored_version)) return false;
  work.Put(std::string(family), std::string(key), std::move(value));
  return true;
}

}  // namespace jianguan
