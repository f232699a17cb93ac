#include "services/cases/domain/limitation.h"

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"

namespace jianguan::cases {
namespace {

// 第三十六条: 从违法行为发生之日起计算；有连续或者继续状态的，从行为终了之日起计算.
std::optional<absl::CivilDay> PeriodStart(const ViolationTiming& violation) {
  if (!violation.continuing) return violation.committed_on;
  return violation.ended_on;
}

}  // namespace

std::optional<absl::CivilDay> LimitationLastDay(const ViolationTiming& violation) {
  const std::optional<absl::CivilDay> start = PeriodStart(violation);
  if (!start.has_value()) return std::nullopt;
  const int years =
      violation.harmed_life_health_or_finance ? kLimitationYearsForHarm : kLimitationYears;
  return AddMonths(*start, 12 * years);
}

absl::Status CheckLimitation(std::string_view lead, const ViolationTiming& violation,
                             absl::CivilDay discovered_on) {
  if (violation.continuing && violation.ended_on.has_value() &&
      *violation.ended_on < violation.committed_on) {
    return InvalidField("violation.ended_on", "must not be before the day the act began");
  }
  const std::optional<absl::CivilDay> last = LimitationLastDay(violation);
  if (!last.has_value() || discovered_on <= *last) return absl::OkStatus();
  const int years =
      violation.harmed_life_health_or_finance ? kLimitationYearsForHarm : kLimitationYears;
  return FailedPrecondition(
      lead, absl::StrCat("行政处罚法 第三十六条: a violation not discovered within ", years,
                         " years is no longer punished; the last day was ",
                         absl::FormatCivilTime(*last), ", discovered on ",
                         absl::FormatCivilTime(discovered_on)));
}

absl::StatusOr<absl::CivilDay> FilingDecisionDue(const WorkingDayCalendar& calendar,
                                                 absl::CivilDay registered_on, bool extended,
                                                 const FilingPeriod& period) {
  const int days = period.working_days + (extended ? period.extension_working_days : 0);
  return calendar.AddWorkingDays(registered_on, days);
}

}  // namespace jianguan::cases
