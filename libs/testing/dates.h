// A calendar date of the contracts, spelt briefly in tests: DateOf(2026, 3, 1).
#pragma once

#include "jianguan/common/v1/types.pb.h"

namespace jianguan::testing {

inline common::v1::Date DateOf(int year, int month, int day) {
  common::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

}  // namespace jianguan::testing
