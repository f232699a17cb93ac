#include "services/sampling/domain/sampling_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jianguan::sampling {
namespace {

constexpr int64_t kMillion = 1'000'000;

}  // namespace

std::string StratumName(int stratum) {
  static constexpr const char* kRisk[] = {"low", "general", "medium", "high"};
  return std::string(1, static_cast<char>('A' + stratum / 4)) + "-" + kRisk[stratum % 4];
}

std::array<ClassRule, kStrata> DefaultClassRules() {
  // Xi'an high-tech zone (DESIGN §7). ppm 40 000 rounded down keeps level 0 strictly below
  // 5 % for every stratum size; "up" makes 5 % and 20 % true lower bounds.
  const ClassRule kByLevel[4] = {
      {.ppm = 40'000, .rounding = Rounding::kDown},
      {.ppm = 50'000, .rounding = Rounding::kUp},
      {.ppm = 200'000, .rounding = Rounding::kUp},
      {.ppm = kMillion, .rounding = Rounding::kUp, .full_coverage = true},
  };
  std::array<ClassRule, kStrata> rules;
  for (int s = 0; s < kStrata; ++s) rules[s] = kByLevel[std::max(s / 4, s % 4)];
  return rules;
}

int64_t Quota(const ClassRule& rule, int64_t eligible) {
  if (rule.full_coverage) return eligible;
  // eligible < 2^32 and ppm ≤ 10^6, so the product stays far below 2^63.
  const int64_t x = eligible * rule.ppm;
  int64_t q = rule.rounding == Rounding::kUp ? (x + kMillion - 1) / kMillion : x / kMillion;
  if (q < rule.min) q = rule.min;
  if (rule.max >= 0 && q > rule.max) q = rule.max;
  return std::min(q, eligible);
}

bool IsIsoDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (date[i] < '0' || date[i] > '9') return false;
  }
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  const int day = (date[8] - '0') * 10 + (date[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

absl::Status ValidatePlan(const SamplingPlan& plan) {
  std::vector<std::string> problems;
  auto add = [&](std::string field, std::string_view description) {
    problems.push_back(absl::StrCat(field, ": ", std::string(description)));
  };
  if (plan.plan_id.empty()) add("plan_id", "must not be empty");
  if (plan.departments.empty()) add("departments", "must name at least one department");
  std::set<std::string> departments;
  for (size_t d = 0; d < plan.departments.size(); ++d) {
    const PlanDepartment& department = plan.departments[d];
    const std::string field = absl::StrCat("departments[", d, "]");
    if (department.department_id.empty()) add(field + ".department_id", "must not be empty");
    if (!departments.insert(department.department_id).second) {
      add(field + ".department_id", "appears twice");
    }
    if (department.items.empty()) add(field + ".items", "must name at least one item");
    std::set<std::string> codes;
    for (size_t i = 0; i < department.items.size(); ++i) {
      if (department.items[i].code.empty() || !codes.insert(department.items[i].code).second) {
        add(absl::StrCat(field, ".items[", i, "].code"), "must be non-empty and unique");
      }
    }
  }
  for (int s = 0; s < kStrata; ++s) {
    const ClassRule& rule = plan.class_rules[s];
    const std::string field = absl::StrCat("class_rules[", s, "] (", StratumName(s), ")");
    if (rule.ppm < 0 || rule.ppm > kMillion) add(field + ".ppm", "must be 0 … 1000000");
    if (rule.min < 0 || rule.min > 0xffffffffLL) add(field + ".min", "must be 0 … 2^32−1");
    if (rule.max != -1 && (rule.max < rule.min || rule.max > 0xffffffffLL)) {
      add(field + ".max", "must be -1 (no cap) or at least min");
    }
  }
  if (plan.frequency_months < 0) add("frequency_months", "must not be negative");
  if (plan.inspectors_per_task < 2) {
    add("inspectors_per_task", "must be at least 2 (行政处罚法 第四十二条)");
  } else if (plan.inspectors_per_task < static_cast<int64_t>(plan.departments.size())) {
    add("inspectors_per_task", "must be at least the number of departments");
  } else if (plan.inspectors_per_task > 64) {
    add("inspectors_per_task", "must be at most 64");
  }
  if (plan.max_tasks_per_inspector < 1 || plan.max_tasks_per_inspector > 0xffffffffLL) {
    add("max_tasks_per_inspector", "must be 1 … 2^32−1");
  }
  if (!IsIsoDate(plan.inspection_date)) add("inspection_date", "must be YYYY-MM-DD");
  if (!DigestFromHex(plan.commitment).ok() ||
      plan.commitment != HexOf(*DigestFromHex(plan.commitment))) {
    add("commitment", "must be 64 lower-case hex digits");
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

JsonValue PlanJson(const SamplingPlan& plan) {
  JsonValue::Array departments;
  for (const PlanDepartment& department : plan.departments) {
    JsonValue::Array items;
    for (const PlanItem& item : department.items) {
      items.push_back(JsonValue::Object{{"code", item.code}, {"version", item.version}});
    }
    departments.push_back(JsonValue::Object{{"department_id", department.department_id},
                                            {"items", std::move(items)}});
  }
  JsonValue::Array rules;
  for (int s = 0; s < kStrata; ++s) {
    const ClassRule& rule = plan.class_rules[s];
    rules.push_back(JsonValue::Object{
        {"class", StratumName(s)},
        {"ppm", rule.ppm},
        {"rounding", rule.rounding == Rounding::kUp ? "up" : "down"},
        {"min", rule.min},
        {"max", rule.max},
        {"full_coverage", rule.full_coverage},
    });
  }
  return JsonValue::Object{
      {"plan_id", plan.plan_id},
      {"name", plan.name},
      {"year", plan.year},
      {"initiating_department", plan.initiating_department},
      {"period", JsonValue::Object{{"start", plan.period_start}, {"end", plan.period_end}}},
      {"departments", std::move(departments)},
      {"filter", JsonValue::Object{{"entity_types", JsonValue::Strings(plan.filter.entity_types)},
                                   {"industries", JsonValue::Strings(plan.filter.industries)},
                                   {"regions", JsonValue::Strings(plan.filter.regions)},
                                   {"statuses", JsonValue::Strings(plan.filter.statuses)},
                                   {"tags", JsonValue::Strings(plan.filter.tags)}}},
      {"class_rules", std::move(rules)},
      {"frequency_months", plan.frequency_months},
      {"inspectors_per_task", plan.inspectors_per_task},
      {"max_tasks_per_inspector", plan.max_tasks_per_inspector},
      {"inspection_date", plan.inspection_date},
      {"commitment", plan.commitment},
  };
}

Digest PlanHash(const SamplingPlan& plan) { return Sha256(PlanJson(plan).Canonical()); }

}  // namespace jianguan::sampling
