// The candidate list of a draw (docs/draw-algorithm.md §2.3) held compactly enough for a
// province or a country: 14 bytes a subject (the USCC packed into 90 bits, the stratum, two
// flags), kept sorted by USCC as it is appended so the draw never sorts. 10 million
// subjects take 140 MB.
//
//   CandidateProjection candidates;
//   candidates.Reserve(n);
//   RETURN_IF_ERROR(candidates.Append("91610131MA6TXXXX1X", CreditGrade::kB, RiskLevel::kLow,
//                                     {.recent = true}));
//   Digest digest = candidates.CandidatesDigest();
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

/// A USCC as 18 five-bit symbol values (GB 32100-2015 alphabet, value order = byte order),
/// most significant first, in 12 bytes; comparing packed codes compares the codes.
struct PackedUscc {
  std::array<uint8_t, 12> bytes{};
  friend auto operator<=>(const PackedUscc&, const PackedUscc&) = default;
};

/// Packs 18 characters of 0-9A-HJ-NPQRTUWXY; INVALID_ARGUMENT otherwise. The check
/// character is not verified here: the registry did that when the subject was registered.
absl::StatusOr<PackedUscc> PackUscc(std::string_view uscc);
/// Writes the 18 characters of `packed` to `out`.
void UnpackUscc(const PackedUscc& packed, char out[18]);
std::string UnpackUscc(const PackedUscc& packed);

/// Marks of a candidate computed by the service before the draw (§2.3).
struct CandidateMarks {
  bool filtered_out = false;  ///< does not match the plan's filter
  bool recent = false;        ///< drawn for one of the plan's items within frequency_months
  std::vector<std::string> last_inspectors;  ///< ids of those who last inspected it
};

/// One candidate as stored: 14 bytes, no padding.
struct CandidateRecord {
  PackedUscc uscc;
  uint8_t stratum;  ///< StratumOf(grade, risk)
  uint8_t flags;    ///< kFilteredOut | kRecent
  static constexpr uint8_t kFilteredOut = 1;
  static constexpr uint8_t kRecent = 2;
};
static_assert(sizeof(CandidateRecord) == 14);

/// §4 step 1: a candidate is eligible when it matches the filter and is not recent, unless
/// its class's rule asks for full coverage (which the frequency rule never limits).
inline bool IsEligible(const CandidateRecord& record, const ClassRule& rule) {
  if (record.flags & CandidateRecord::kFilteredOut) return false;
  return !(record.flags & CandidateRecord::kRecent) || rule.full_coverage;
}

/// The sorted candidate list. Appending is not thread-safe; a complete projection may be read
/// by many threads.
class CandidateProjection {
 public:
  void Reserve(size_t n) { records_.reserve(n); }

  /// Appends a candidate whose USCC is greater than every one before. INVALID_ARGUMENT for a
  /// malformed code, a code out of order or a duplicate, a bad inspector id, or beyond
  /// 2^32 − 1 candidates.
  absl::Status Append(std::string_view uscc, CreditGrade grade, RiskLevel risk,
                      const CandidateMarks& marks = {});
  /// As Append, for a code already packed (the projection store keeps packed codes).
  absl::Status AppendPacked(const PackedUscc& uscc, CreditGrade grade, RiskLevel risk,
                            const CandidateMarks& marks = {});

  size_t size() const { return records_.size(); }
  const CandidateRecord& operator[](size_t index) const { return records_[index]; }
  std::span<const CandidateRecord> records() const { return records_; }

  /// The last inspectors of candidate `index` (sorted ids), empty for most.
  std::span<const std::string> LastInspectors(uint32_t index) const;

  /// The line of §2.3 for candidate `index`, without the newline.
  std::string Line(uint32_t index) const;
  /// The same line written over `line` (its capacity kept: no allocation in a loop).
  void LineTo(uint32_t index, std::string& line) const;
  /// candidates_digest: SHA-256 of every line followed by "\n".
  Digest CandidatesDigest() const;

 private:
  struct LastInspection {
    uint32_t index;
    std::vector<std::string> ids;  // sorted
  };
  std::vector<CandidateRecord> records_;
  std::vector<LastInspection> last_;  // by index, ascending
};

/// True for 1–64 characters of 0-9 A-Z a-z . _ - (the ids of inspectors).
bool IsInspectorId(std::string_view id);

}  // namespace jianguan::sampling
