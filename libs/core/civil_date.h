// Conversions between the contracts' calendar date (jianguan.common.v1.Date, a Beijing date)
// and absl::CivilDay, and the month arithmetic statutory periods use ("6 months after").
#pragma once

#include <optional>

#include "absl/time/civil_time.h"

namespace jianguan {
namespace common::v1 {
class Date;
}

/// The day `date` names, unchecked: absl normalises 2026-02-30 to 2026-03-02. Use for dates
/// already validated.
absl::CivilDay DayOf(const common::v1::Date& date);

/// The day `date` names when it is a real calendar day of 1949–2200, else nullopt.
std::optional<absl::CivilDay> ValidDayOf(const common::v1::Date& date);

common::v1::Date DateOf(absl::CivilDay day);

/// The same day of the month `months` later (earlier when negative), or the month's last day
/// when it is shorter: 2026-08-31 + 6 months = 2027-02-28. A period of N months from D ends
/// on AddMonths(D, N) (民法典 第二百零二条: the corresponding day of the last month; the
/// month's last day when there is none).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace jianguan
