// Specification of the working-day calendar, on the real 2025–2027 data.
#include <catch2/catch.hpp>

#include <string>

#include "libs/core/calendar.h"
#include "tests/unit/core/data_root.h"

namespace jianguan {
namespace {

using absl::CivilDay;

const WorkingDayCalendar& China() {
  static const WorkingDayCalendar* calendar = [] {
    auto loaded = WorkingDayCalendar::Load(testing::DataRoot() + "/calendar/cn_workdays.csv");
    if (!loaded.ok()) FAIL("cannot load the calendar: " << loaded.status().ToString());
    return new WorkingDayCalendar(*std::move(loaded));
  }();
  return *calendar;
}

bool Working(CivilDay day) {
  auto working = China().IsWorkingDay(day);
  REQUIRE(working.ok());
  return *working;
}

CivilDay Add(CivilDay start, int n) {
  auto day = China().AddWorkingDays(start, n);
  REQUIRE(day.ok());
  return *day;
}

std::string LoadError(std::string_view csv) {
  auto cal = WorkingDayCalendar::FromCsv(csv, "t.csv");
  return cal.ok() ? "OK" : std::string(cal.status().message());
}

SCENARIO("the calendar covers 2025 to 2027, and nothing else") {
  CHECK(China().first_day() == CivilDay(2025, 1, 1));
  CHECK(China().last_day() == CivilDay(2027, 12, 31));
  WHEN("a day before or after is asked about") {
    THEN("the answer is OUT_OF_RANGE, not a guess") {
      CHECK(China().IsWorkingDay(CivilDay(2024, 12, 31)).status().code() ==
            absl::StatusCode::kOutOfRange);
      CHECK(China().IsWorkingDay(CivilDay(2028, 1, 3)).status().code() ==
            absl::StatusCode::kOutOfRange);
      CHECK(China().AddWorkingDays(CivilDay(2027, 12, 28), 5).status().code() ==
            absl::StatusCode::kOutOfRange);
      CHECK(China().WorkingDaysBetween(CivilDay(2024, 12, 1), CivilDay(2025, 1, 6))
                .status()
                .code() == absl::StatusCode::kOutOfRange);
    }
  }
}

SCENARIO("an ordinary week: Monday to Friday work, the weekend rests") {
  CHECK(Working(CivilDay(2025, 3, 10)));  // Monday
  CHECK(Working(CivilDay(2025, 3, 14)));  // Friday
  CHECK_FALSE(Working(CivilDay(2025, 3, 15)));  // Saturday
  CHECK_FALSE(Working(CivilDay(2025, 3, 16)));  // Sunday
  CHECK(Add(CivilDay(2025, 3, 14), 1) == CivilDay(2025, 3, 17));
}

SCENARIO("2025 is the first year with 除夕 and 5月2日 as statutory holidays") {
  CHECK_FALSE(Working(CivilDay(2025, 1, 28)));  // 除夕, a Tuesday
  CHECK_FALSE(Working(CivilDay(2025, 5, 2)));   // a Friday
  CHECK(Working(CivilDay(2025, 1, 26)));        // Sunday worked for 春节
  CHECK(Working(CivilDay(2025, 4, 27)));        // Sunday worked for 劳动节
}

SCENARIO("国庆节 and 中秋节 2025: 1–8 October off, Sunday 28 September and Saturday 11 October "
         "worked") {
  GIVEN("the days around the holiday") {
    THEN("each is what the notice says") {
      CHECK(Working(CivilDay(2025, 9, 28)));  // Sunday, make-up working day
      CHECK(Working(CivilDay(2025, 9, 30)));
      for (int d = 1; d <= 8; ++d) CHECK_FALSE(Working(CivilDay(2025, 10, d)));
      CHECK(Working(CivilDay(2025, 10, 9)));
      CHECK(Working(CivilDay(2025, 10, 11)));  // Saturday, make-up working day
      CHECK_FALSE(Working(CivilDay(2025, 10, 12)));
    }
  }
  WHEN("a penalty notice is served on Friday 26 September 2025") {
    const CivilDay notice(2025, 9, 26);
    THEN("the 5 working days to ask for a hearing (行政处罚法 第六十四条) end on 10 October") {
      // Sun 28 Sep, Mon 29, Tue 30, Thu 9 Oct, Fri 10 Oct.
      CHECK(Add(notice, 1) == CivilDay(2025, 9, 28));
      CHECK(Add(notice, 5) == CivilDay(2025, 10, 10));
      CHECK(*China().WorkingDaysBetween(notice, CivilDay(2025, 10, 10)) == 5);
    }
    THEN("the 6th working day is the make-up Saturday 11 October") {
      CHECK(Add(notice, 6) == CivilDay(2025, 10, 11));
      CHECK(Add(notice, 7) == CivilDay(2025, 10, 13));
    }
  }
}

SCENARIO("春节 2026: 15–23 February off, Saturdays 14 and 28 February worked") {
  WHEN("a deadline of 3 working days starts on Thursday 12 February 2026") {
    THEN("it runs Fri 13, Sat 14 (worked), then jumps the holiday to Tue 24") {
      CHECK(Add(CivilDay(2026, 2, 12), 1) == CivilDay(2026, 2, 13));
      CHECK(Add(CivilDay(2026, 2, 12), 2) == CivilDay(2026, 2, 14));
      CHECK(Add(CivilDay(2026, 2, 12), 3) == CivilDay(2026, 2, 24));
    }
  }
  WHEN("inspection results found on Friday 13 February must be published in 20 working days") {
    THEN("the last day is Thursday 19 March 2026") {
      CHECK(Add(CivilDay(2026, 2, 13), 20) == CivilDay(2026, 3, 19));
    }
  }
  THEN("the day of the start never counts, even on a holiday") {
    CHECK(Add(CivilDay(2026, 2, 17), 0) == CivilDay(2026, 2, 17));
    CHECK(Add(CivilDay(2026, 2, 17), 1) == CivilDay(2026, 2, 24));
  }
}

SCENARIO("2027 holds only the statutory days until its notice is published") {
  CHECK(China().IsProvisional(CivilDay(2027, 1, 4)));
  CHECK_FALSE(China().IsProvisional(CivilDay(2026, 12, 31)));
  CHECK_FALSE(Working(CivilDay(2027, 2, 5)));  // 除夕
  CHECK_FALSE(Working(CivilDay(2027, 2, 8)));  // 正月初三
  WHEN("a deadline crosses from 2026 into 2027") {
    THEN("元旦 and the weekend are skipped") {
      CHECK(Add(CivilDay(2026, 12, 31), 1) == CivilDay(2027, 1, 4));
    }
  }
}

SCENARIO("AddWorkingDays and WorkingDaysBetween agree everywhere") {
  for (CivilDay d(2025, 1, 1); d <= CivilDay(2026, 12, 31); d += 7) {
    for (int n : {0, 1, 2, 3, 5, 7, 15, 20, 30}) {
      const CivilDay end = Add(d, n);
      INFO(absl::FormatCivilTime(d) << " + " << n);
      CHECK(*China().WorkingDaysBetween(d, end) == n);
      CHECK(*China().WorkingDaysBetween(end, d) == -n);
      if (n > 0) CHECK(Working(end));
    }
  }
  CHECK(China().AddWorkingDays(CivilDay(2025, 6, 3), -1).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

SCENARIO("a bad calendar file is rejected with the line") {
  constexpr std::string_view kHeader = "date,kind,name,status\n";
  auto with = [&](std::string_view rows) {
    return LoadError(std::string(kHeader) + std::string(rows));
  };
  CHECK(with("2025-10-01,holiday,国庆节,final\n") == "OK");
  CHECK(with("2025-02-30,holiday,x,final\n") ==
        "t.csv:2: date \"2025-02-30\" is not YYYY-MM-DD");
  CHECK(with("2025/10/01,holiday,x,final\n") ==
        "t.csv:2: date \"2025/10/01\" is not YYYY-MM-DD");
  CHECK(with("2025-10-01,holiday,a,final\n2025-10-01,holiday,b,final\n") ==
        "t.csv:3: 2025-10-01 is listed twice (first on line 2)");
  CHECK(with("2025-10-01,rest,a,final\n") ==
        "t.csv:2: kind \"rest\" is neither holiday nor workday");
  CHECK(with("2025-10-09,workday,a,final\n") ==
        "t.csv:2: 2025-10-09 is a make-up working day but not a Saturday or Sunday");
  CHECK(with("2025-10-01,holiday,a,maybe\n") ==
        "t.csv:2: status \"maybe\" is neither final nor provisional");
  CHECK(with("2025-10-01,holiday,a,final\n2027-10-01,holiday,a,final\n") ==
        "t.csv:3: no rows for 2026: the calendar would have a gap");
  CHECK(LoadError("date,kind,name\n2025-10-01,holiday,a\n") ==
        "t.csv:1: missing column \"status\"");
  CHECK(WorkingDayCalendar::Load("/nonexistent.csv").status().code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jianguan
