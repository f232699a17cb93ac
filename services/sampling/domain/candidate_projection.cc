#include "services/sampling/domain/candidate_projection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/core/uscc.h"

namespace jianguan::sampling {
namespace {

// Symbol value of each byte, −1 for bytes outside the GB 32100-2015 alphabet.
constexpr std::array<int8_t, 256> kSymbolValue = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t v = 0; v < kUsccAlphabet.size(); ++v) {
    table[static_cast<uint8_t>(kUsccAlphabet[v])] = static_cast<int8_t>(v);
  }
  return table;
}();

}  // namespace

absl::StatusOr<PackedUscc> PackUscc(std::string_view uscc) {
  if (uscc.size() != 18) return absl::InvalidArgumentError("a USCC has 18 characters");
  PackedUscc packed;
  // Bit position p (0 = most significant bit of byte 0) holds bit 4 − (p mod 5) of symbol
  // p / 5; 90 bits used, the last 6 zero.
  for (int i = 0; i < 18; ++i) {
    const int value = kSymbolValue[static_cast<uint8_t>(uscc[i])];
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("illegal USCC character at position ", i + 1));
    }
    for (int bit = 0; bit < 5; ++bit) {
      if (value >> (4 - bit) & 1) {
        const int p = 5 * i + bit;
        packed.bytes[p / 8] |= static_cast<uint8_t>(0x80 >> (p % 8));
      }
    }
  }
  return packed;
}

void UnpackUscc(const PackedUscc& packed, char out[18]) {
  // Two 64-bit halves: bits 0–63 and 64–95 of the packed code.
  uint64_t high = 0, low = 0;
  for (int i = 0; i < 8; ++i) high = high << 8 | packed.bytes[i];
  for (int i = 8; i < 12; ++i) low = low << 8 | packed.bytes[i];
  // Symbols 0–11 take bits 0–59 of `high`; symbol 12 straddles; 13–17 are in `low`.
  for (int i = 0; i < 12; ++i) out[i] = kUsccAlphabet[(high >> (59 - 5 * i)) & 31];
  out[12] = kUsccAlphabet[((high & 0xf) << 1) | (low >> 31)];
  for (int i = 13; i < 18; ++i) out[i] = kUsccAlphabet[(low >> (31 - 5 * (i - 12))) & 31];
}

std::string UnpackUscc(const PackedUscc& packed) {
  std::string out(18, '0');
  UnpackUscc(packed, out.data());
  return out;
}

bool IsInspectorId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c == '.' || c == '_' || c == '-';
  });
}

absl::Status CandidateProjection::Append(std::string_view uscc, CreditGrade grade,
                                         RiskLevel risk, const CandidateMarks& marks) {
  absl::StatusOr<PackedUscc> packed = PackUscc(uscc);
  if (!packed.ok()) return packed.status();
  return AppendPacked(*packed, grade, risk, marks);
}

absl::Status CandidateProjection::AppendPacked(const PackedUscc& uscc, CreditGrade grade,
                                               RiskLevel risk, const CandidateMarks& marks) {
  if (records_.size() >= 0xffffffffu) return absl::InvalidArgumentError("too many candidates");
  if (!records_.empty() && !(records_.back().uscc < uscc)) {
    return absl::InvalidArgumentError(
        absl::StrCat("candidates must be appended in ascending USCC order without duplicates: ",
                     UnpackUscc(uscc), " after ", UnpackUscc(records_.back().uscc)));
  }
  if (static_cast<int>(grade) > 3 || static_cast<int>(risk) > 3) {
    return absl::InvalidArgumentError("unknown credit grade or risk level");
  }
  if (!marks.last_inspectors.empty()) {
    LastInspection last{static_cast<uint32_t>(records_.size()), marks.last_inspectors};
    std::sort(last.ids.begin(), last.ids.end());
    last.ids.erase(std::unique(last.ids.begin(), last.ids.end()), last.ids.end());
    for (const std::string& id : last.ids) {
      if (!IsInspectorId(id)) return absl::InvalidArgumentError("malformed inspector id");
    }
    last_.push_back(std::move(last));
  }
  records_.push_back(CandidateRecord{
      .uscc = uscc,
      .stratum = static_cast<uint8_t>(StratumOf(grade, risk)),
      .flags = static_cast<uint8_t>((marks.filtered_out ? CandidateRecord::kFilteredOut : 0) |
                                    (marks.recent ? CandidateRecord::kRecent : 0)),
  });
  return absl::OkStatus();
}

std::span<const std::string> CandidateProjection::LastInspectors(uint32_t index) const {
  auto it = std::lower_bound(last_.begin(), last_.end(), index,
                             [](const LastInspection& l, uint32_t i) { return l.index < i; });
  if (it == last_.end() || it->index != index) return {};
  return it->ids;
}

std::string CandidateProjection::Line(uint32_t index) const {
  std::string line;
  LineTo(index, line);
  return line;
}

void CandidateProjection::LineTo(uint32_t index, std::string& line) const {
  const CandidateRecord& record = records_[index];
  line.resize(18);  // the USCC
  UnpackUscc(record.uscc, line.data());
  line += ',';
  line += static_cast<char>('A' + record.stratum / 4);
  line += ',';
  line += static_cast<char>('0' + record.stratum % 4);
  line += (record.flags & CandidateRecord::kFilteredOut) ? ",1" : ",0";
  line += (record.flags & CandidateRecord::kRecent) ? ",1," : ",0,";
  bool first = true;
  for (const std::string& id : LastInspectors(index)) {
    if (!first) line += ';';
    first = false;
    line += id;
  }
}

Digest CandidateProjection::CandidatesDigest() const {
  // Lines are assembled in a buffer of ~1 MB and hashed in pieces; a line without last
  // inspectors is 28 bytes, so 10 million candidates hash 280 MB.
  Sha256Stream sha;
  std::string buffer;
  buffer.reserve(1 << 20);
  auto last = last_.begin();
  for (uint32_t i = 0; i < records_.size(); ++i) {
    const CandidateRecord& record = records_[i];
    const size_t at = buffer.size();
    buffer.resize(at + 27);
    char* p = buffer.data() + at;
    UnpackUscc(record.uscc, p);
    p[18] = ',';
    p[19] = static_cast<char>('A' + record.stratum / 4);
    p[20] = ',';
    p[21] = static_cast<char>('0' + record.stratum % 4);
    p[22] = ',';
    p[23] = (record.flags & CandidateRecord::kFilteredOut) ? '1' : '0';
    p[24] = ',';
    p[25] = (record.flags & CandidateRecord::kRecent) ? '1' : '0';
    p[26] = ',';
    if (last != last_.end() && last->index == i) {
      for (size_t k = 0; k < last->ids.size(); ++k) {
        if (k > 0) buffer += ';';
        buffer += last->ids[k];
      }
      ++last;
    }
    buffer += '\n';
    if (buffer.size() > (1 << 20) - 1024) {
      sha.Update(buffer);
      buffer.clear();
    }
  }
  sha.Update(buffer);
  return sha.Finish();
}

}  // namespace jianguan::sampling

