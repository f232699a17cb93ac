#include "services/sampling/domain/plan_rules.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "services/sampling/domain/candidate_projection.h"

namespace jianguan::sampling {
namespace {

namespace subject = ::jianguan::subject::v1;

constexpr int kDefaultFrequencyMonths = 12;
constexpr int kDefaultInspectorsPerTask = 2;
constexpr int kDefaultMaxTasksPerInspector = 50;

v1::ClassRule RuleMessage(int stratum, const ClassRule& rule) {
  v1::ClassRule message;
  message.set_class_name(StratumName(stratum));
  message.set_ppm(rule.ppm);
  message.set_round_up(rule.rounding == Rounding::kUp);
  message.set_min(rule.min);
  message.set_max(rule.max);
  message.set_full_coverage(rule.full_coverage);
  return message;
}

int StratumByName(std::string_view name) {
  for (int s = 0; s < kStrata; ++s) {
    if (StratumName(s) == name) return s;
  }
  return -1;
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// GB/T 4754 division, group or class: 2–4 digits (subjects carry digit codes).
bool IsIndustryPrefix(std::string_view code) {
  return code.size() >= 2 && code.size() <= 4 && IsDigits(code);
}

bool IsTag(std::string_view tag) {
  return !tag.empty() && tag.size() <= 40 && std::all_of(tag.begin(), tag.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  });
}

bool IsBlockedStatus(int status) {
  return status == subject::SUBJECT_STATUS_REVOKED ||
         status == subject::SUBJECT_STATUS_DEREGISTERED ||
         status == subject::SUBJECT_STATUS_MOVED_OUT;
}

template <typename List, typename Check>
void CheckList(FieldViolations& v, const std::string& field, const List& list, Check&& ok,
               std::string_view what) {
  if (list.size() > PlanLimits::kMaxFilterEntries) {
    v.Add(field, absl::StrCat("at most ", PlanLimits::kMaxFilterEntries, " entries"));
    return;
  }
  for (int i = 0; i < list.size(); ++i) {
    if (!ok(list.Get(i))) v.Add(absl::StrCat(field, "[", i, "]"), what);
  }
}

std::string EnumSuffix(const std::string& full, std::string_view prefix) {
  std::string name = full.substr(std::min(full.size(), prefix.size()));
  return absl::AsciiStrToLower(name);
}

}  // namespace

std::string TypeName(int type) {
  return EnumSuffix(subject::SubjectType_Name(type), "SUBJECT_TYPE_");
}

std::string StatusName(int status) {
  return EnumSuffix(subject::SubjectStatus_Name(status), "SUBJECT_STATUS_");
}

bool IsPlanId(std::string_view plan_id) { return IsInspectorId(plan_id); }

std::string PlanResource(std::string_view plan_id) {
  return absl::StrCat("plans/", AbslView(plan_id));
}

std::string IsoDate(const common::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

bool IsValidDate(const common::v1::Date& date) {
  if (date.year() < 1900 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return false;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

namespace {

// `iso_date` moved by `months` calendar months (negative: back), the day clamped to the
// target month's last day; `iso_date` itself when it is not YYYY-MM-DD.
std::string MonthsMoved(std::string_view iso_date, int months) {
  int year = 0, month = 0, day = 0;
  if (std::sscanf(std::string(iso_date).c_str(), "%d-%d-%d", &year, &month, &day) != 3) {
    return std::string(iso_date);
  }
  const absl::CivilMonth target = absl::CivilMonth(year, month) + months;
  const int last_day = static_cast<int>((absl::CivilDay(target + 1) - 1).day());
  return absl::StrFormat("%04d-%02d-%02d", target.year(), target.month(),
                         std::min(day, last_day));
}

}  // namespace

std::string MonthsBefore(std::string_view iso_date, int months) {
  return MonthsMoved(iso_date, -months);
}

std::string MonthsAfter(std::string_view iso_date, int months) {
  return MonthsMoved(iso_date, months);
}

void ApplyPlanDefaults(v1::Plan& plan) {
  const std::array<ClassRule, kStrata> defaults = DefaultClassRules();
  std::array<std::optional<v1::ClassRule>, kStrata> given;
  std::vector<v1::ClassRule> unknown;
  for (const v1::ClassRule& rule : plan.class_rules()) {
    const int s = StratumByName(rule.class_name());
    if (s < 0 || given[s]) {
      unknown.push_back(rule);  // CheckPlan reports it
    } else {
      given[s] = rule;
    }
  }
  plan.clear_class_rules();
  for (int s = 0; s < kStrata; ++s) {
    *plan.add_class_rules() = given[s] ? *given[s] : RuleMessage(s, defaults[s]);
  }
  for (v1::ClassRule& rule : unknown) *plan.add_class_rules() = std::move(rule);

  if (!plan.has_frequency_months()) plan.set_frequency_months(kDefaultFrequencyMonths);
  if (plan.inspectors_per_task() == 0) plan.set_inspectors_per_task(kDefaultInspectorsPerTask);
  if (plan.max_tasks_per_inspector() == 0) {
    plan.set_max_tasks_per_inspector(kDefaultMaxTasksPerInspector);
  }
  if (!plan.has_inspection_date() && plan.has_period_start()) {
    *plan.mutable_inspection_date() = plan.period_start();
  }
  if (plan.target().statuses().empty()) {
    v1::TargetFilter& target = *plan.mutable_target();
    target.add_statuses(subject::SUBJECT_STATUS_NORMAL);
    target.add_statuses(subject::SUBJECT_STATUS_ABNORMAL_OPERATION);
    target.add_statuses(subject::SUBJECT_STATUS_SERIOUS_VIOLATION);
  }
}

void CheckPlan(FieldViolations& v, std::string_view prefix_view, const v1::Plan& plan) {
  const std::string prefix(prefix_view);
  if (!IsPlanId(plan.plan_id())) {
    v.Add(prefix + "plan_id", "must be 1–64 characters of 0-9 A-Z a-z . _ -");
  }
  CheckText(v, prefix + "title", plan.title(),
            {.required = true, .max_chars = PlanLimits::kMaxTitleChars});
  if (plan.year() < 2000 || plan.year() > 2100) v.Add(prefix + "year", "must be 2000–2100");

  // Departments and their items.
  std::set<std::string> departments;
  if (plan.departments().empty()) {
    v.Add(prefix + "departments", "must name at least one department");
  } else if (plan.departments_size() > PlanLimits::kMaxDepartments) {
    v.Add(prefix + "departments",
          absl::StrCat("at most ", PlanLimits::kMaxDepartments, " departments"));
  }
  for (int d = 0; d < plan.departments_size(); ++d) {
    const v1::PlanDepartment& department = plan.departments(d);
    const std::string field = absl::StrCat(prefix, "departments[", d, "]");
    const std::string& code = department.department().code();
    if (!IsInspectorId(code)) {
      v.Add(field + ".department.code", "must be 1–64 characters of 0-9 A-Z a-z . _ -");
    } else if (!departments.insert(code).second) {
      v.Add(field + ".department.code", absl::StrCat("department ", code, " appears twice"));
    }
    if (department.items().empty()) {
      v.Add(field + ".items", "must name at least one item");
    } else if (department.items_size() > PlanLimits::kMaxItemsPerDepartment) {
      v.Add(field + ".items",
            absl::StrCat("at most ", PlanLimits::kMaxItemsPerDepartment, " items"));
    }
    std::set<std::string> codes;
    for (int i = 0; i < department.items_size(); ++i) {
      const v1::PlanItem& item = department.items(i);
      const std::string item_field = absl::StrCat(field, ".items[", i, "]");
      if (!IsInspectorId(item.code())) {
        v.Add(item_field + ".code", "must be 1–64 characters of 0-9 A-Z a-z . _ -");
      } else if (!codes.insert(item.code()).second) {
        v.Add(item_field + ".code", absl::StrCat("item ", item.code(), " appears twice"));
      }
      if (item.version() < 1) v.Add(item_field + ".version", "must be at least 1");
    }
  }
  const std::string& initiator = plan.initiating_department().code();
  if (initiator.empty()) {
    v.Add(prefix + "initiating_department.code", "must not be empty");
  } else if (!departments.empty() && departments.count(initiator) == 0) {
    v.Add(prefix + "initiating_department.code",
          "must be one of the participating departments");
  }

  // Target filter.
  const v1::TargetFilter& target = plan.target();
  CheckList(v, prefix + "target.types", target.types(),
            [](int type) {
              return type != subject::SUBJECT_TYPE_UNSPECIFIED && subject::SubjectType_IsValid(type);
            },
            "must be a known subject type");
  CheckList(v, prefix + "target.industry_prefixes", target.industry_prefixes(),
            [](const std::string& code) { return IsIndustryPrefix(code); },
            "must be 2–4 digits of a GB/T 4754 code");
  CheckList(v, prefix + "target.region_prefixes", target.region_prefixes(),
            [](const std::string& code) { return code.size() <= 6 && IsDigits(code); },
            "must be 1–6 digits of a GB/T 2260 code");
  CheckList(v, prefix + "target.tags", target.tags(),
            [](const std::string& tag) { return IsTag(tag); },
            "must be 1–40 characters of a-z 0-9 -");
  CheckList(v, prefix + "target.statuses", target.statuses(),
            [](int status) {
              return status != subject::SUBJECT_STATUS_UNSPECIFIED &&
                     subject::SubjectStatus_IsValid(status);
            },
            "must be a known subject status");

  // Class rules: exactly the 16 after the defaults; anything beyond is a bad name.
  for (int i = 0; i < plan.class_rules_size(); ++i) {
    const v1::ClassRule& rule = plan.class_rules(i);
    const std::string field = absl::StrCat(prefix, "class_rules[", i, "]");
    if (i >= kStrata) {
      v.Add(field + ".class_name",
            absl::StrCat("\"", rule.class_name(),
                         "\" is not a class (A-low … D-high) or is given twice"));
      continue;
    }
    if (rule.ppm() < 0 || rule.ppm() > 1000000) v.Add(field + ".ppm", "must be 0–1000000");
    if (rule.min() < 0 || rule.min() > 0xffffffffLL) v.Add(field + ".min", "must be 0–2^32−1");
    if (rule.max() != -1 && (rule.max() < rule.min() || rule.max() > 0xffffffffLL)) {
      v.Add(field + ".max", "must be -1 (no cap) or at least min");
    }
  }

  if (plan.frequency_months() < 0 || plan.frequency_months() > PlanLimits::kMaxFrequencyMonths) {
    v.Add(prefix + "frequency_months",
          absl::StrCat("must be 0–", PlanLimits::kMaxFrequencyMonths));
  }
  if (plan.inspectors_per_task() < 2) {
    v.Add(prefix + "inspectors_per_task", "must be at least 2 (行政处罚法 第四十二条)");
  } else if (plan.inspectors_per_task() > PlanLimits::kMaxInspectorsPerTask) {
    v.Add(prefix + "inspectors_per_task",
          absl::StrCat("must be at most ", PlanLimits::kMaxInspectorsPerTask));
  } else if (plan.inspectors_per_task() < plan.departments_size()) {
    v.Add(prefix + "inspectors_per_task",
          "must be at least the number of departments (one from each)");
  }
  if (plan.max_tasks_per_inspector() < 1 ||
      plan.max_tasks_per_inspector() > PlanLimits::kMaxTasksPerInspector) {
    v.Add(prefix + "max_tasks_per_inspector",
          absl::StrCat("must be 1–", PlanLimits::kMaxTasksPerInspector));
  }

  // Period and inspection date.
  const bool start_ok = plan.has_period_start() && IsValidDate(plan.period_start());
  const bool end_ok = plan.has_period_end() && IsValidDate(plan.period_end());
  if (!start_ok) v.Add(prefix + "period_start", "must be a valid date");
  if (!end_ok) v.Add(prefix + "period_end", "must be a valid date");
  if (start_ok && end_ok) {
    const std::string start = IsoDate(plan.period_start());
    const std::string end = IsoDate(plan.period_end());
    if (end < start) v.Add(prefix + "period_end", "must not be before period_start");
    if (plan.period_end().year() != plan.year() && plan.period_start().year() != plan.year()) {
      v.Add(prefix + "period_start", "the period must lie in the plan's year");
    }
    if (!plan.has_inspection_date() || !IsValidDate(plan.inspection_date())) {
      v.Add(prefix + "inspection_date", "must be a valid date");
    } else {
      const std::string date = IsoDate(plan.inspection_date());
      if (date < start || date > end) {
        v.Add(prefix + "inspection_date", "must lie within the period");
      }
    }
  }
}

absl::Status RequireState(const v1::Plan& plan, v1::PlanState from, std::string_view action) {
  if (plan.state() == from) return absl::OkStatus();
  return FailedPrecondition(
      PlanResource(plan.plan_id()),
      absl::StrCat("cannot ", AbslView(action), ": the plan is ",
                   absl::AsciiStrToLower(v1::PlanState_Name(plan.state()).substr(11)),
                   ", it must be ", absl::AsciiStrToLower(v1::PlanState_Name(from).substr(11))));
}

absl::Status RequireInitiator(const Caller& caller, const v1::Plan& plan,
                              std::string_view action) {
  if (caller.department == plan.initiating_department().code()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "only the initiating department ", plan.initiating_department().code(), " may ",
      AbslView(action), " ", PlanResource(plan.plan_id()), "; the caller is ", caller.department));
}

SamplingPlan AsDrawPlan(const v1::Plan& plan, const std::string& commitment) {
  SamplingPlan out;
  out.plan_id = plan.plan_id();
  out.name = plan.title();
  out.year = plan.year();
  out.initiating_department = plan.initiating_department().code();
  out.period_start = IsoDate(plan.period_start());
  out.period_end = IsoDate(plan.period_end());
  for (const v1::PlanDepartment& department : plan.departments()) {
    PlanDepartment& d = out.departments.emplace_back();
    d.department_id = department.department().code();
    for (const v1::PlanItem& item : department.items()) {
      d.items.push_back({.code = item.code(), .version = item.version()});
    }
  }
  for (int type : plan.target().types()) out.filter.entity_types.push_back(TypeName(type));
  out.filter.industries.assign(plan.target().industry_prefixes().begin(),
                               plan.target().industry_prefixes().end());
  out.filter.regions.assign(plan.target().region_prefixes().begin(),
                            plan.target().region_prefixes().end());
  out.filter.tags.assign(plan.target().tags().begin(), plan.target().tags().end());
  for (int status : plan.target().statuses()) out.filter.statuses.push_back(StatusName(status));
  for (int s = 0; s < kStrata && s < plan.class_rules_size(); ++s) {
    const v1::ClassRule& rule = plan.class_rules(s);
    out.class_rules[s] = {.ppm = rule.ppm(),
                          .rounding = rule.round_up() ? Rounding::kUp : Rounding::kDown,
                          .min = rule.min(),
                          .max = rule.max(),
                          .full_coverage = rule.full_coverage()};
  }
  out.frequency_months = plan.frequency_months();
  out.inspectors_per_task = plan.inspectors_per_task();
  out.max_tasks_per_inspector = plan.max_tasks_per_inspector();
  out.inspection_date = IsoDate(plan.inspection_date());
  out.commitment = commitment;
  return out;
}

bool IsCandidateStatus(const v1::TargetFilter& target, int status) {
  for (int wanted : target.statuses()) {
    if (wanted == status) return true;
  }
  return target.statuses().empty() && !IsBlockedStatus(status);
}

bool MatchesTarget(const v1::TargetFilter& target, const SubjectFacets& subject) {
  if (!target.types().empty() &&
      std::find(target.types().begin(), target.types().end(), subject.type) ==
          target.types().end()) {
    return false;
  }
  if (!target.industry_prefixes().empty() &&
      std::none_of(target.industry_prefixes().begin(), target.industry_prefixes().end(),
                   [&](const std::string& prefix) {
                     return subject.industry.starts_with(prefix);
                   })) {
    return false;
  }
  if (!target.tags().empty() &&
      std::none_of(target.tags().begin(), target.tags().end(), [&](const std::string& tag) {
        return std::binary_search(subject.tags.begin(), subject.tags.end(), tag);
      })) {
    return false;
  }
  return true;
}

bool MatchesTarget(const v1::TargetFilter& target, const v1::ProjectedSubject& subject) {
  const std::vector<std::string> tags(subject.tags().begin(), subject.tags().end());
  return MatchesTarget(target, {.type = subject.type(),
                                .status = subject.status(),
                                .industry = subject.industry(),
                                .business_region = subject.business_region(),
                                .tags = tags});
}

bool InTargetRegion(const v1::TargetFilter& target, std::string_view business_region) {
  if (target.region_prefixes().empty()) return true;
  return std::any_of(
      target.region_prefixes().begin(), target.region_prefixes().end(),
      [&](const std::string& prefix) { return business_region.starts_with(prefix); });
}

}  // namespace jianguan::sampling
