// Working days for statutory deadlines (DESIGN §4 "Time"): weekends, China's public holidays
// and the make-up working days (调休上班) that the State Council General Office announces
// each year, loaded from data (data/calendar/cn_workdays.csv) rather than guessed.
//
//   ASSIGN_OR_RETURN(WorkingDayCalendar cal, WorkingDayCalendar::Load(path));
//   // 行政处罚法 第六十四条: a hearing may be asked for within 5 (working) days of the notice.
//   ASSIGN_OR_RETURN(absl::CivilDay last_day, cal.AddWorkingDays(notice_day, 5));
//
// Counting convention. 行政处罚法 (2021) 第八十五条 says the "2, 3, 5, 7 days" of that law are
// working days, and a period never counts the day on which it starts. So a deadline of
// N working days from day D is the N-th working day strictly after D: AddWorkingDays(D, N).
// Dates are Beijing civil dates (clock.h BeijingTime()).
//
// File format (CSV, see csv.h): columns date,kind,name,status (others, e.g. source, are
// kept only in the file). `date` is YYYY-MM-DD; `kind` is "holiday" (a day off, whatever
// weekday) or "workday" (a Saturday or Sunday on which people work); `status` is "final"
// (from a published notice) or "provisional" (a year whose notice is not out yet: only the
// statutory days are known, the make-up days and substitute days are not).
// The calendar covers every day from 1 January of the first year in the file to 31 December
// of the last; asking about any other day is an OUT_OF_RANGE error, never a guess.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace jianguan {

/// An immutable working-day calendar. Thread-safe for concurrent reads.
class WorkingDayCalendar {
 public:
  enum class Kind { kHoliday, kWorkday };
  struct Entry {
    Kind kind;
    std::string name;
    bool provisional = false;
  };

  /// Loads and validates a calendar file. NOT_FOUND when the file cannot be opened;
  /// INVALID_ARGUMENT "file:line: …" for a date that does not parse, a date listed twice, an
  /// unknown kind or status, a "workday" row on a Monday–Friday, or a year between the first
  /// and the last with no row at all (a gap in coverage).
  static absl::StatusOr<WorkingDayCalendar> Load(const std::string& path);

  /// As Load, from CSV text; `origin` names it in errors.
  static absl::StatusOr<WorkingDayCalendar> FromCsv(std::string_view text,
                                                    std::string_view origin = "<csv>");

  /// Whether people work on `day`: a Monday–Friday that is not a holiday, or a make-up
  /// working day. OUT_OF_RANGE outside the covered years.
  absl::StatusOr<bool> IsWorkingDay(absl::CivilDay day) const;

  /// The n-th working day after `start` (start itself never counts, working day or not);
  /// n = 0 gives `start`. INVALID_ARGUMENT for n < 0; OUT_OF_RANGE when `start` or the
  /// result lies outside the covered years.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay start, int n) const;

  /// The number of working days d with from < d ≤ to, so that
  /// AddWorkingDays(from, k) == to implies WorkingDaysBetween(from, to) == k. When to < from
  /// the result is −WorkingDaysBetween(to, from). OUT_OF_RANGE outside the covered years.
  absl::StatusOr<int> WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

  /// True when `day` falls in a year whose rows are provisional (see the file format above):
  /// deadlines reaching into it may move when the year's notice is published.
  bool IsProvisional(absl::CivilDay day) const;

  /// The listed entry for `day` (holiday or make-up working day), or nullptr for an ordinary
  /// day.
  const Entry* Find(absl::CivilDay day) const;

  absl::CivilDay first_day() const { return first_; }
  absl::CivilDay last_day() const { return last_; }

 private:
  WorkingDayCalendar(std::map<absl::CivilDay, Entry> entries, absl::CivilDay first,
                     absl::CivilDay last)
      : entries_(std::move(entries)), first_(first), last_(last) {}
  absl::Status CheckCovered(absl::CivilDay day) const;
  bool IsWorkingDayUnchecked(absl::CivilDay day) const;

  std::map<absl::CivilDay, Entry> entries_;
  absl::CivilDay first_;
  absl::CivilDay last_;
};

}  // namespace jianguan
