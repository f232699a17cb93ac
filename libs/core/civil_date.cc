#include "libs/core/civil_date.h"

#include "jianguan/common/v1/types.pb.h"

namespace jianguan {

absl::CivilDay DayOf(const common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

std::optional<absl::CivilDay> ValidDayOf(const common::v1::Date& date) {
  if (date.year() < 1949 || date.year() > 2200) return std::nullopt;
  const absl::CivilDay day = DayOf(date);
  if (day.month() != date.month() || day.day() != date.day()) return std::nullopt;
  return day;
}

common::v1::Date DateOf(absl::CivilDay day) {
  common::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  const absl::CivilDay same_day(month.year(), month.month(), day.day());
  // absl normalises 02-31 into March: clamp to the month's last day instead.
  return absl::CivilMonth(same_day) == month ? same_day : last_of_month;
}

}  // namespace jianguan
