// A subject's risk level (风险等级) from several dimensions, scored by the policy
// (data/risk/policy.textproto, jianguan.risk.v1.RiskPolicy):
//
//   credit grade          GradePoints of the grade credit published (none heard: 0)
//   open alerts           AlertPoints of the highest level among the open ones, plus
//                         further_open_alert_points for each other open alert
//   recent alerts         recent_alert_points per alert raised within recent_days, capped
//   violations            violation_points per violation within recent_days, capped
//   industry              IndustryPoints of the most specific entry matching the subject's
//                         industry or an ancestor (GB/T 4754-2017)
//
// The sum is the score; the level is the highest threshold it reaches (LOW below
// `general`). Each dimension that counts gives a line in Chinese with its points, so a
// department can see why a subject is HIGH. Pure; `now` bounds "recent".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "jianguan/risk/v1/policy.pb.h"
#include "jianguan/risk/v1/records.pb.h"

namespace jianguan::risk {

struct Assessment {
  v1::RiskLevel level = v1::RISK_LEVEL_LOW;
  int score = 0;
  /// One line per dimension that counted, e.g. "信用等级 D：40分",
  /// "未办结预警 2 条（最高 橙色）：30 + 5分", "行业风险 2614（危险化学品）：15分".
  std::vector<std::string> dimensions;
  /// The rules with an open alert, sorted, distinct.
  std::vector<std::string> rules;
};

/// Scores `subject` under `policy` (validated). `industry_chain`: the subject's industry and
/// its ancestors (empty when unknown).
Assessment Assess(const v1::SubjectRecord& subject, const v1::RiskPolicy& policy,
                  const std::vector<std::string>& industry_chain, absl::Time now);

/// Applies `assessment` to the record's risk when the level changed (or the subject was never
/// assessed): risk level, score, dimensions, rules, assess_time = now, version + 1; returns
/// the RiskLevelChanged to publish. When only the score, dimensions or rules changed the
/// record's risk is updated without a new version and nothing is returned.
std::optional<v1::RiskLevelChanged> ApplyAssessment(v1::SubjectRecord& subject,
                                                    const Assessment& assessment, absl::Time now);

/// "低风险", "一般风险", "较高风险", "高风险".
std::string RiskLevelName(v1::RiskLevel level);

}  // namespace jianguan::risk
