#include "services/catalogue/domain/departments.h"

#include "services/catalogue/domain/timestamps.h"

namespace jianguan::catalogue {

v1::Department Created(v1::Department department, absl::Time now) {
  department.set_version(1);
  *department.mutable_update_time() = StampOf(now);
  return department;
}

v1::Department Replaced(const v1::Department& before, v1::Department after, absl::Time now) {
  after.set_version(before.version() + 1);
  *after.mutable_update_time() = StampOf(now);
  return after;
}

}  // namespace jianguan::catalogue
