#include "libs/core/calendar.h"

#include <set>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include <utility>
#include "libs/core/csv.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"

namespace jianguan {

namespace {

absl::Status ErrorAt(std::string_view origin, int line, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(AbslView(origin), ":", line, ": ", AbslView(what)));
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

std::string Format(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// Strict YYYY-MM-DD: absl::ParseCivilTime normalises 2025-02-30 to 2025-03-02, so the
// result is printed back and compared.
bool ParseDate(std::string_view text, absl::CivilDay* day) {
  if (text.size() != 10) return false;
  if (!absl::ParseCivilTime(AbslView(text), day)) return false;
  return Format(*day) == text;
}

struct Parsed {
  std::map<absl::CivilDay, WorkingDayCalendar::Entry> entries;
  absl::CivilDay first;
  absl::CivilDay last;
};

absl::StatusOr<Parsed> ParseCalendar(const std::vector<CsvRecord>& records,
                                     std::string_view origin) {
  if (records.empty()) return ErrorAt(origin, 1, "no header");
  ASSIGN_OR_RETURN(std::vector<size_t> col,
                   CsvColumns(records[0], {"date", "kind", "name", "status"}, origin));
  if (records.size() == 1) return ErrorAt(origin, records[0].line, "no dates");

  Parsed out;
  std::map<absl::CivilDay, int> line_of;
  std::set<absl::civil_year_t> years;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string& date = rec.fields[col[0]];
    const std::string& kind = rec.fields[col[1]];
    const std::string& status = rec.fields[col[3]];
    absl::CivilDay day;
    if (!ParseDate(date, &day)) {
      return ErrorAt(origin, rec.line, absl::StrCat("date \"", date, "\" is not YYYY-MM-DD"));
    }
    WorkingDayCalendar::Entry entry;
    entry.name = rec.fields[col[2]];
    if (kind == "holiday") {
      entry.kind = WorkingDayCalendar::Kind::kHoliday;
    } else if (kind == "workday") {
      entry.kind = WorkingDayCalendar::Kind::kWorkday;
      if (!IsWeekend(day)) {
        return ErrorAt(origin, rec.line,
                       absl::StrCat(date, " is a make-up working day but not a Saturday or "
                                          "Sunday"));
      }
    } else {
      return ErrorAt(origin, rec.line,
                     absl::StrCat("kind \"", kind, "\" is neither holiday nor workday"));
    }
    if (status == "provisional") {
      entry.provisional = true;
    } else if (status != "final") {
      return ErrorAt(origin, rec.line,
                     absl::StrCat("status \"", status, "\" is neither final nor provisional"));
    }
    if (auto [it, inserted] = line_of.emplace(day, rec.line); !inserted) {
      return ErrorAt(origin, rec.line,
                     absl::StrCat(date, " is listed twice (first on line ", it->second, ")"));
    }
    years.insert(day.year());
    out.entries.emplace(day, std::move(entry));
  }
  for (absl::civil_year_t y = *years.begin(); y <= *years.rbegin(); ++y) {
    if (!years.contains(y)) {
      return ErrorAt(origin, records.back().line,
                     absl::StrCat("no rows for ", y, ": the calendar would have a gap"));
    }
  }
  out.first = absl::CivilDay(*years.begin(), 1, 1);
  out.last = absl::CivilDay(*years.rbegin(), 12, 31);
  return out;
}

}  // namespace

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
  ASSIGN_OR_RETURN(Parsed parsed, ParseCalendar(records, path));
  return WorkingDayCalendar(std::move(parsed.entries), parsed.first, parsed.last);
}

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::FromCsv(std::string_view text,
                                                               std::string_view origin) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, origin));
  ASSIGN_OR_RETURN(Parsed parsed, ParseCalendar(records, origin));
  return WorkingDayCalendar(std::move(parsed.entries), parsed.first, parsed.last);
}

absl::Status WorkingDayCalendar::CheckCovered(absl::CivilDay day) const {
  if (day < first_ || day > last_) {
    return absl::OutOfRangeError(absl::StrCat("the working-day calendar covers ",
                                              Format(first_), " to ", Format(last_), ", not ",
                                              Format(day)));
  }
  return absl::OkStatus();
}

const WorkingDayCalendar::Entry* WorkingDayCalendar::Find(absl::CivilDay day) const {
  auto it = entries_.find(day);
  return it == entries_.end() ? nullptr : &it->second;
}

bool WorkingDayCalendar::IsWorkingDayUnchecked(absl::CivilDay day) const {
  if (const Entry* e = Find(day)) return e->kind == Kind::kWorkday;
  return !IsWeekend(day);
}

absl::StatusOr<bool> WorkingDayCalendar::IsWorkingDay(absl::CivilDay day) const {
  RETURN_IF_ERROR(CheckCovered(day));
  return IsWorkingDayUnchecked(day);
}

absl::StatusOr<absl::CivilDay> WorkingDayCalendar::AddWorkingDays(absl::CivilDay start,
                                                                   int n) const {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("number of working days must not be negative, got ", n));
  }
  RETURN_IF_ERROR(CheckCovered(start));
  absl::CivilDay day = start;
  for (int counted = 0; counted < n;) {
    ++day;
    if (day > last_) {
      return absl::OutOfRangeError(
          absl::StrCat(n, " working days after ", Format(start), " fall beyond ",
                       Format(last_), ", the end of the working-day calendar"));
    }
    if (IsWorkingDayUnchecked(day)) ++counted;
  }
  return day;
}

absl::StatusOr<int> WorkingDayCalendar::WorkingDaysBetween(absl::CivilDay from,
                                                           absl::CivilDay to) const {
  RETURN_IF_ERROR(CheckCovered(from));
  RETURN_IF_ERROR(CheckCovered(to));
  const int sign = to < from ? -1 : 1;
  if (to < from) std::swap(from, to);
  int count = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (IsWorkingDayUnchecked(day)) ++count;
  }
  return sign * count;
}

bool WorkingDayCalendar::IsProvisional(absl::CivilDay day) const {
  // A year is provisional when any of its rows is.
  auto it = entries_.lower_bound(absl::CivilDay(day.year(), 1, 1));
  for (; it != entries_.end() && it->first.year() == day.year(); ++it) {
    if (it->second.provisional) return true;
  }
  return false;
}

}  // namespace jianguan
