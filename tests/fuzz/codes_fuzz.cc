// The codes other than the USCC that requests carry, on any bytes: resource ids (IdTime,
// libs/core/ids.h), calendar dates (ValidDayOf, AddMonths, libs/core/civil_date.h) and region
// and industry codes looked up in the GB/T 2260 and GB/T 4754 tables of data/ (CodeTable's
// Find and Ancestors).
//
// Input: 12 bytes of date (year, month, day as little-endian int32), 2 of a month offset, then
// the text tried as an id, a region code and an industry code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "jianguan/common/v1/types.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/code_table.h"
#include "libs/core/ids.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int32_t ReadInt32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  int32_t out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

void CheckId(std::string_view text) {
  const absl::StatusOr<absl::Time> time = IdTime(text);
  if (!time.ok()) {
    fuzz::CheckMessageIsUtf8(time.status());
    return;
  }
  JG_FUZZ_CHECK(text.size() == kIdLength);
  for (char c : text) JG_FUZZ_CHECK(kCrockford.find(c) != std::string_view::npos);
  // The time part written back in base32 is the id's first ten characters.
  uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(*time));
  std::string prefix(10, '0');
  for (int i = 9; i >= 0; --i, millis >>= 5) prefix[i] = kCrockford[millis & 31];
  JG_FUZZ_CHECK(millis == 0 && text.substr(0, 10) == prefix);
}

void CheckDate(int32_t year, int32_t month, int32_t day, int months) {
  common::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  const std::optional<absl::CivilDay> valid = ValidDayOf(date);
  if (!valid) return;
  JG_FUZZ_CHECK(year >= 1949 && year <= 2200);
  const common::v1::Date back = DateOf(*valid);
  JG_FUZZ_CHECK(back.year() == year && back.month() == month && back.day() == day);
  // N months later is in the N-th month after, on the same day or, when that month is
  // shorter, on its last day.
  const absl::CivilDay later = AddMonths(*valid, months);
  JG_FUZZ_CHECK(absl::CivilMonth(later) == absl::CivilMonth(*valid) + months);
  if (later.day() != valid->day()) {
    JG_FUZZ_CHECK(later.day() < valid->day() && (later + 1).day() == 1);
  }
}

void CheckCode(const CodeTable& table, std::string_view code) {
  const CodeEntry* entry = table.Find(code);
  const auto ancestors = table.Ancestors(code);
  JG_FUZZ_CHECK((entry != nullptr) == ancestors.ok());
  if (entry == nullptr) {
    fuzz::CheckMessageIsUtf8(ancestors.status());
    return;
  }
  JG_FUZZ_CHECK(entry->code == code);
  int level = entry->level;
  for (const CodeEntry* parent : *ancestors) {
    JG_FUZZ_CHECK(parent != nullptr && parent->level < level);
    level = parent->level;
  }
}

}  // namespace
}  // namespace jianguan

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  static const CodeTable& regions = fuzz::ReferenceTable("regions.csv");
  static const CodeTable& industries = fuzz::ReferenceTable("industries.csv");
  if (size < 14) return 0;
  const int months = static_cast<int16_t>(data[12] | data[13] << 8) % 2400;
  CheckDate(ReadInt32(data), ReadInt32(data + 4), ReadInt32(data + 8), months);
  const std::string_view text(reinterpret_cast<const char*>(data + 14), size - 14);
  CheckId(text);
  CheckCode(regions, text);
  CheckCode(industries, text);
  return 0;
}
