// Document numbers of the case file (文书编号, 发文字号), e.g. 金市监罚〔2026〕12号: the
// department's prefix (机关代字, with the document kind), the year in full between hexagonal
// brackets, the sequence number and 号 — as GB/T 9704-2012 (党政机关公文格式) 7.2.4 writes
// them: 年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位（即1不编为01）.
//
// Formatting and parsing only: the gap-free sequence per prefix and year is kept by the
// store, under its own unit of work.
//
//   ASSIGN_OR_RETURN(std::string text, FormatDocumentNumber({"金市监罚", 2026, 12}));
//   ASSIGN_OR_RETURN(DocumentNumber number, ParseDocumentNumber(text));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jianguan::cases {

struct DocumentNumber {
  /// The prefix (机关代字 and document kind), e.g. "金市监罚": 1–20 characters of UTF-8,
  /// without brackets or white space.
  std::string prefix;
  /// The year in full, 1949–2200.
  int year = 0;
  /// The sequence number within prefix and year, from 1.
  int64_t sequence = 0;

  friend bool operator==(const DocumentNumber&, const DocumentNumber&) = default;
};

/// The largest sequence number accepted (9 digits).
inline constexpr int64_t kMaxDocumentSequence = 999'999'999;

/// "金市监罚〔2026〕12号". INVALID_ARGUMENT naming the part ("prefix", "year", "sequence")
/// that is out of its range.
absl::StatusOr<std::string> FormatDocumentNumber(const DocumentNumber& number);

/// The parts of a document number FormatDocumentNumber wrote; exactly its inverse.
/// INVALID_ARGUMENT saying what is wrong for anything else: missing 〔〕 or 号, a year not of
/// 4 digits, a sequence with 第, a leading zero (虚位) or a non-digit.
absl::StatusOr<DocumentNumber> ParseDocumentNumber(std::string_view text);

}  // namespace jianguan::cases
