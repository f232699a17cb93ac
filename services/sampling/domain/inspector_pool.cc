#include "services/sampling/domain/inspector_pool.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {
namespace {

void SortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

absl::StatusOr<InspectorPool> InspectorPool::Create(std::vector<Inspector> inspectors) {
  InspectorPool pool;
  std::sort(inspectors.begin(), inspectors.end(),
            [](const Inspector& a, const Inspector& b) { return a.id < b.id; });
  std::set<std::string> certificates;
  for (uint32_t i = 0; i < inspectors.size(); ++i) {
    Inspector& inspector = inspectors[i];
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("inspector ", inspector.id, ": ", std::string(what)));
    };
    if (!IsInspectorId(inspector.id)) return bad("malformed id");
    if (i > 0 && inspectors[i - 1].id == inspector.id) return bad("id appears twice");
    if (inspector.certificate_no.empty() ||
        !certificates.insert(inspector.certificate_no).second) {
      return bad("certificate number empty or not unique");
    }
    if (!IsIsoDate(inspector.valid_from) || !IsIsoDate(inspector.valid_until)) {
      return bad("certificate dates must be YYYY-MM-DD");
    }
    SortUnique(inspector.items);
    SortUnique(inspector.conflicts);
    for (const std::string& uscc : inspector.conflicts) {
      absl::StatusOr<PackedUscc> packed = PackUscc(uscc);
      if (!packed.ok()) return bad(absl::StrCat("conflict ", uscc, " is not a USCC"));
      pool.conflicts_.emplace_back(*packed, i);
    }
  }
  std::sort(pool.conflicts_.begin(), pool.conflicts_.end());
  pool.inspectors_ = std::move(inspectors);
  return pool;
}

int64_t InspectorPool::IndexOf(std::string_view id) const {
  auto it = std::lower_bound(inspectors_.begin(), inspectors_.end(), id,
                             [](const Inspector& a, std::string_view b) { return a.id < b; });
  if (it == inspectors_.end() || it->id != id) return -1;
  return it - inspectors_.begin();
}

std::vector<uint32_t> InspectorPool::ConflictsWith(const PackedUscc& uscc) const {
  std::vector<uint32_t> out;
  auto it = std::lower_bound(conflicts_.begin(), conflicts_.end(), std::make_pair(uscc, 0u));
  for (; it != conflicts_.end() && it->first == uscc; ++it) out.push_back(it->second);
  return out;
}

JsonValue InspectorJson(const Inspector& inspector) {
  return JsonValue::Object{
      {"id", inspector.id},
      {"name", inspector.name},
      {"certificate_no", inspector.certificate_no},
      {"department_id", inspector.department_id},
      {"items", JsonValue::Strings(inspector.items)},
      {"valid_from", inspector.valid_from},
      {"valid_until", inspector.valid_until},
      {"conflicts", JsonValue::Strings(inspector.conflicts)},
  };
}

JsonValue InspectorPool::PoolJson() const {
  JsonValue::Array array;
  array.reserve(inspectors_.size());
  for (const Inspector& inspector : inspectors_) array.push_back(InspectorJson(inspector));
  return JsonValue(std::move(array));
}

Digest InspectorPool::PoolDigest() const { return Sha256(PoolJson().Canonical()); }

}  // namespace jianguan::sampling
