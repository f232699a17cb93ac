// A random inspection plan (抽查计划, DESIGN §1.3) as the draw reads it: the departments that
// inspect together and their items, the sampling rule of each of the 16 classes, the
// frequency rule, inspectors per task and the inspection date (docs/draw-algorithm.md §2.2).
//
//   SamplingPlan plan{.plan_id = "2024-xa-001", .departments = {{"SAMR-XA", {{"JG-001", 3}}}},
//                     .class_rules = DefaultClassRules(), .inspection_date = "2024-06-01", …};
//   RETURN_IF_ERROR(ValidatePlan(plan));
//   Digest plan_hash = PlanHash(plan);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "services/sampling/domain/canonical_json.h"
#include "services/sampling/domain/draw_hash.h"

namespace jianguan::sampling {

/// Credit risk class (信用风险分类, 国市监信发〔2022〕6号): A low … D high.
enum class CreditGrade : uint8_t { kA = 0, kB = 1, kC = 2, kD = 3 };
/// Risk level from risk alerting (风险预警, DESIGN §1.7).
enum class RiskLevel : uint8_t { kLow = 0, kGeneral = 1, kMedium = 2, kHigh = 3 };

/// The 16 strata, numbered 4 × grade + risk and always processed in that order.
inline constexpr int kStrata = 16;
inline constexpr int StratumOf(CreditGrade grade, RiskLevel risk) {
  return 4 * static_cast<int>(grade) + static_cast<int>(risk);
}
/// "A-low", "A-general", …, "D-high".
std::string StratumName(int stratum);

/// How a stratum's quota is rounded from its ratio.
enum class Rounding : uint8_t { kUp, kDown };

/// The sampling rule of one stratum (docs/draw-algorithm.md §4 step 2).
struct ClassRule {
  int64_t ppm = 0;                   ///< parts per million of the eligible subjects, 0 … 10^6
  Rounding rounding = Rounding::kUp;
  int64_t min = 0;                   ///< at least this many (capped by the eligible count)
  int64_t max = -1;                  ///< at most this many; −1: no cap
  bool full_coverage = false;        ///< every eligible subject; the frequency rule is waived

  friend bool operator==(const ClassRule&, const ClassRule&) = default;
};

/// The Xi'an high-tech zone rule (DESIGN §7: A < 5 %, B ≥ 5 %, C ≥ 20 %, D full coverage,
/// no cap) applied to level = max(grade, risk): level 0 40 000 ppm rounded down, level 1
/// 50 000 up, level 2 200 000 up, level 3 full coverage. Plans may override any rule.
std::array<ClassRule, kStrata> DefaultClassRules();

/// The number of subjects a stratum with `eligible` subjects must give.
int64_t Quota(const ClassRule& rule, int64_t eligible);

struct PlanItem {
  std::string code;  ///< 监管事项 code in the catalogue
  int64_t version = 0;
};

struct PlanDepartment {
  std::string department_id;
  std::vector<PlanItem> items;
};

/// The target filter (lists of codes, empty = no restriction); applied by the service when it
/// builds the candidate list, carried in the plan so that it is published and hashed.
struct TargetFilter {
  std::vector<std::string> entity_types;
  std::vector<std::string> industries;  ///< GB/T 4754
  std::vector<std::string> regions;     ///< GB/T 2260
  std::vector<std::string> tags;
  std::vector<std::string> statuses;  ///< "normal", "abnormal_operation", …
};

struct SamplingPlan {
  std::string plan_id;
  std::string name;
  int64_t year = 0;
  std::string initiating_department;
  std::string period_start;  ///< YYYY-MM-DD; informative, hashed with the plan
  std::string period_end;
  std::vector<PlanDepartment> departments;  ///< several: a joint plan (部门联合抽查)
  TargetFilter filter;
  std::array<ClassRule, kStrata> class_rules = DefaultClassRules();
  int64_t frequency_months = 12;
  int64_t inspectors_per_task = 2;  ///< 行政处罚法 第四十二条: at least two
  int64_t max_tasks_per_inspector = 50;
  std::string inspection_date;  ///< YYYY-MM-DD
  std::string commitment;       ///< hex SHA-256 commitment to the secret (CommitmentOf)
};

/// OK, or INVALID_ARGUMENT whose message names every offending field
/// ("field: description; …"), e.g. "inspectors_per_task: must be at least 2".
absl::Status ValidatePlan(const SamplingPlan& plan);

/// The plan object of docs/draw-algorithm.md §2.2.
JsonValue PlanJson(const SamplingPlan& plan);

/// SHA-256 of the canonical JSON of PlanJson(plan).
Digest PlanHash(const SamplingPlan& plan);

/// True when `date` is YYYY-MM-DD with month 01–12 and day 01–31.
bool IsIsoDate(std::string_view date);

}  // namespace jianguan::sampling
