#include "services/cases/domain/document_number.h"

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::cases {
namespace {

constexpr std::string_view kOpen = "〔";
constexpr std::string_view kClose = "〕";
constexpr std::string_view kHao = "号";
constexpr size_t kMaxPrefixChars = 20;
constexpr int kMinYear = 1949;
constexpr int kMaxYear = 2200;

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// A run of ASCII digits as a number; the caller has checked AllDigits and the length.
int64_t NumberOf(std::string_view digits) {
  int64_t value = 0;
  for (char ch : digits) value = value * 10 + (ch - '0');
  return value;
}

absl::Status CheckPrefix(std::string_view prefix) {
  const bool has_space = prefix.find_first_of(" \t\r\n") != std::string_view::npos;
  if (prefix.empty() || !IsValidUtf8(prefix) || Utf8Length(prefix) > kMaxPrefixChars ||
      has_space || prefix.find(kOpen) != std::string_view::npos ||
      prefix.find(kClose) != std::string_view::npos) {
    return InvalidField("prefix", absl::StrCat("must be 1–", kMaxPrefixChars,
                                               " characters of UTF-8 without 〔〕 or white space"));
  }
  return absl::OkStatus();
}

absl::Status Malformed(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("document number \"", AbslView(text),
                                                 "\": ", AbslView(why)));
}

}  // namespace

absl::StatusOr<std::string> FormatDocumentNumber(const DocumentNumber& number) {
  if (absl::Status s = CheckPrefix(number.prefix); !s.ok()) return s;
  if (number.year < kMinYear || number.year > kMaxYear) {
    return InvalidField("year", absl::StrCat("must be ", kMinYear, "–", kMaxYear));
  }
  if (number.sequence < 1 || number.sequence > kMaxDocumentSequence) {
    return InvalidField("sequence", absl::StrCat("must be 1–", kMaxDocumentSequence));
  }
  return absl::StrCat(number.prefix, AbslView(kOpen), number.year, AbslView(kClose),
                      number.sequence, AbslView(kHao));
}

absl::StatusOr<DocumentNumber> ParseDocumentNumber(std::string_view text) {
  const size_t open = text.find(kOpen);
  const size_t close = text.find(kClose);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Malformed(text, "the year must stand between 〔 and 〕");
  }
  if (text.size() < kHao.size() || text.substr(text.size() - kHao.size()) != kHao) {
    return Malformed(text, "must end with 号");
  }
  DocumentNumber number;
  number.prefix = std::string(text.substr(0, open));
  const std::string_view year = text.substr(open + kOpen.size(), close - open - kOpen.size());
  const size_t seq_begin = close + kClose.size();
  const size_t seq_end = text.size() - kHao.size();
  if (seq_begin > seq_end) return Malformed(text, "the sequence must stand between 〕 and 号");
  const std::string_view sequence = text.substr(seq_begin, seq_end - seq_begin);
  if (year.size() != 4 || !AllDigits(year)) return Malformed(text, "the year must be 4 digits");
  // GB/T 9704-2012 7.2.4: 不加“第”字，不编虚位.
  if (!AllDigits(sequence) || sequence.size() > 9 || sequence.front() == '0') {
    return Malformed(text, "the sequence must be 1–9 digits without 第 or a leading zero");
  }
  number.year = static_cast<int>(NumberOf(year));
  number.sequence = NumberOf(sequence);
  // The same rules as formatting, so Parse accepts exactly what Format writes.
  if (absl::StatusOr<std::string> again = FormatDocumentNumber(number); !again.ok()) {
    return Malformed(text, StdView(again.status().message()));
  }
  return number;
}

}  // namespace jianguan::cases
