// The inspectors a draw may assign (执法人员, docs/draw-algorithm.md §2.4): their
// department, the items they are authorised for, their enforcement certificate (执法证) and
// declared conflicts of interest (回避). Of an inspector only name and certificate number are
// public.
//
//   absl::StatusOr<InspectorPool> pool = InspectorPool::Create(std::move(inspectors));
//   Digest digest = pool->PoolDigest();
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/canonical_json.h"
#include "services/sampling/domain/draw_hash.h"

namespace jianguan::sampling {

struct Inspector {
  std::string id;  ///< IsInspectorId
  std::string name;
  std::string certificate_no;  ///< 执法证号, unique in the pool
  std::string department_id;
  std::vector<std::string> items;  ///< item codes the inspector is authorised for
  std::string valid_from;          ///< certificate validity, YYYY-MM-DD, inclusive
  std::string valid_until;
  std::vector<std::string> conflicts;  ///< USCCs with a declared conflict of interest
};

/// The inspector object of §2.4 (one element of the pool's array).
JsonValue InspectorJson(const Inspector& inspector);

/// A validated pool, sorted by id, items and conflicts sorted and unique. Immutable and
/// therefore safe to share between threads.
class InspectorPool {
 public:
  /// INVALID_ARGUMENT naming the first bad inspector: malformed or duplicate id, duplicate or
  /// empty certificate number, bad dates, a malformed conflict USCC.
  static absl::StatusOr<InspectorPool> Create(std::vector<Inspector> inspectors);

  size_t size() const { return inspectors_.size(); }
  const Inspector& operator[](size_t index) const { return inspectors_[index]; }
  std::span<const Inspector> inspectors() const { return inspectors_; }

  /// Index of the inspector with `id`, or −1.
  int64_t IndexOf(std::string_view id) const;
  /// Indexes of the inspectors who declared a conflict with `uscc`, ascending.
  std::vector<uint32_t> ConflictsWith(const PackedUscc& uscc) const;

  /// The array of §2.4 and its digest (inspectors_digest).
  JsonValue PoolJson() const;
  Digest PoolDigest() const;

 private:
  std::vector<Inspector> inspectors_;
  std::vector<std::pair<PackedUscc, uint32_t>> conflicts_;  // sorted
};

}  // namespace jianguan::sampling
