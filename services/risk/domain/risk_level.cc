#include "services/risk/domain/risk_level.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/timestamps.h"

namespace jianguan::risk {
namespace {

constexpr std::string_view kGradePrefix = "CREDIT_GRADE_";

// "CREDIT_GRADE_D" → "D"; another text as it is.
std::string GradeLetter(const std::string& grade) {
  if (grade.size() > kGradePrefix.size() &&
      grade.compare(0, kGradePrefix.size(), kGradePrefix) == 0) {
    return grade.substr(kGradePrefix.size());
  }
  return grade;
}

// The emergency plans' colours (蓝色 一般 … 红色 特别严重).
const char* Colour(v1::AlertLevel level) {
  switch (level) {
    case v1::ALERT_LEVEL_BLUE: return "蓝色";
    case v1::ALERT_LEVEL_YELLOW: return "黄色";
    case v1::ALERT_LEVEL_ORANGE: return "橙色";
    case v1::ALERT_LEVEL_RED: return "红色";
    default: return "未定级";
  }
}

int Clamped(int64_t points) {
  return static_cast<int>(std::clamp<int64_t>(points, 0, std::numeric_limits<int32_t>::max()));
}

// The times within `days` days before `now` (after now − days; a time after `now`, e.g. an
// input a little ahead of the service's clock, is recent too).
int64_t CountRecent(const google::protobuf::RepeatedPtrField<google::protobuf::Timestamp>& times,
                    int days, absl::Time now) {
  const absl::Time horizon = now - absl::Hours(24) * days;
  return std::count_if(times.begin(), times.end(), [&](const google::protobuf::Timestamp& t) {
    return FromTimestamp(t) > horizon;
  });
}

void AddGrade(const v1::SubjectRecord& subject, const v1::RiskPolicy& policy, Assessment& out) {
  if (subject.credit_grade().empty()) return;  // none heard: 0
  for (const v1::GradePoints& entry : policy.grade_points()) {
    if (entry.grade() != subject.credit_grade() || entry.points() <= 0) continue;
    out.score += entry.points();
    out.dimensions.push_back(
        absl::StrCat("信用等级 ", GradeLetter(entry.grade()), "：", entry.points(), "分"));
    return;
  }
}

void AddOpenAlerts(const v1::SubjectRecord& subject, const v1::RiskPolicy& policy,
                   Assessment& out) {
  const int open = subject.open_alerts_size();
  if (open == 0) return;
  std::set<std::string> rules;
  v1::AlertLevel highest = v1::ALERT_LEVEL_UNSPECIFIED;
  for (const v1::OpenAlert& alert : subject.open_alerts()) {
    if (!alert.rule().empty()) rules.insert(alert.rule());
    highest = std::max(highest, alert.level());
  }
  out.rules.assign(rules.begin(), rules.end());
  int highest_points = 0;
  for (const v1::AlertPoints& entry : policy.open_alert_points()) {
    if (entry.level() == highest) highest_points = entry.points();
  }
  const int64_t further = int64_t{policy.further_open_alert_points()} * (open - 1);
  const int points = Clamped(highest_points + further);
  if (points <= 0) return;
  out.score = Clamped(int64_t{out.score} + points);
  std::string line = absl::StrCat("未办结预警 ", open, " 条（最高 ", Colour(highest), "）：",
                                  highest_points);
  if (open > 1) absl::StrAppend(&line, " + ", further);
  out.dimensions.push_back(line + "分");
}

// `count` times `each` points up to `cap`, as one line "近 365 日{what} 3 次：15分".
void AddCounted(int64_t count, int each, int cap, int days, const char* what, Assessment& out) {
  if (count == 0) return;
  const int points = Clamped(std::min<int64_t>(count * each, cap));
  if (points <= 0) return;
  out.score = Clamped(int64_t{out.score} + points);
  std::string line = absl::StrCat("近 ", days, " 日", what, " ", count, " 次：", points, "分");
  if (count * each > cap) absl::StrAppend(&line, "（上限）");
  out.dimensions.push_back(std::move(line));
}

// The chain is the subject's industry first, then its ancestors nearest first: the first
// code with an entry is the most specific one.
void AddIndustry(const std::vector<std::string>& industry_chain, const v1::RiskPolicy& policy,
                 Assessment& out) {
  for (const std::string& code : industry_chain) {
    for (const v1::IndustryPoints& entry : policy.industry_points()) {
      if (entry.industry_code() != code) continue;
      if (entry.points() <= 0) return;  // the most specific entry says: nothing extra
      out.score = Clamped(int64_t{out.score} + entry.points());
      std::string line = absl::StrCat("行业风险 ", code);
      if (!entry.reason().empty()) absl::StrAppend(&line, "（", entry.reason(), "）");
      out.dimensions.push_back(absl::StrCat(line, "：", entry.points(), "分"));
      return;
    }
  }
}

v1::RiskLevel LevelOf(int score, const v1::LevelThresholds& thresholds) {
  if (score >= thresholds.high()) return v1::RISK_LEVEL_HIGH;
  if (score >= thresholds.medium()) return v1::RISK_LEVEL_MEDIUM;
  if (score >= thresholds.general()) return v1::RISK_LEVEL_GENERAL;
  return v1::RISK_LEVEL_LOW;
}

bool SameAs(const v1::SubjectRisk& risk, const Assessment& assessment) {
  return risk.score() == assessment.score &&
         std::equal(risk.dimensions().begin(), risk.dimensions().end(),
                    assessment.dimensions.begin(), assessment.dimensions.end()) &&
         std::equal(risk.rules().begin(), risk.rules().end(), assessment.rules.begin(),
                    assessment.rules.end());
}

void Fill(v1::SubjectRisk& risk, const Assessment& assessment, absl::Time now) {
  risk.set_score(assessment.score);
  risk.clear_dimensions();
  for (const std::string& line : assessment.dimensions) risk.add_dimensions(line);
  risk.clear_rules();
  for (const std::string& rule : assessment.rules) risk.add_rules(rule);
  *risk.mutable_assess_time() = ToTimestamp(now);
}

}  // namespace

Assessment Assess(const v1::SubjectRecord& subject, const v1::RiskPolicy& policy,
                  const std::vector<std::string>& industry_chain, absl::Time now) {
  Assessment out;
  AddGrade(subject, policy, out);
  AddOpenAlerts(subject, policy, out);
  AddCounted(CountRecent(subject.raised(), policy.recent_days(), now),
             policy.recent_alert_points(), policy.recent_alert_cap(), policy.recent_days(), "预警",
             out);
  AddCounted(CountRecent(subject.violations(), policy.recent_days(), now),
             policy.violation_points(), policy.violation_cap(), policy.recent_days(), "违法违规",
             out);
  AddIndustry(industry_chain, policy, out);
  out.level = LevelOf(out.score, policy.thresholds());
  return out;
}

std::optional<v1::RiskLevelChanged> ApplyAssessment(v1::SubjectRecord& subject,
                                                    const Assessment& assessment,
                                                    absl::Time now) {
  v1::SubjectRisk& risk = *subject.mutable_risk();
  const bool assessed = risk.version() > 0 && risk.level() != v1::RISK_LEVEL_UNSPECIFIED;
  if (assessed && risk.level() == assessment.level) {
    // The same level: what made it is kept current, without a new version or event.
    if (!SameAs(risk, assessment)) Fill(risk, assessment, now);
    return std::nullopt;
  }
  const v1::RiskLevel previous = assessed ? risk.level() : v1::RISK_LEVEL_UNSPECIFIED;
  risk.set_uscc(subject.uscc());
  risk.set_level(assessment.level);
  Fill(risk, assessment, now);
  risk.set_version(risk.version() + 1);

  v1::RiskLevelChanged changed;
  changed.set_uscc(subject.uscc());
  changed.set_level(assessment.level);
  changed.set_previous_level(previous);
  *changed.mutable_assess_time() = risk.assess_time();
  *changed.mutable_rules() = risk.rules();
  changed.set_version(risk.version());
  return changed;
}

std::string RiskLevelName(v1::RiskLevel level) {
  switch (level) {
    case v1::RISK_LEVEL_LOW: return "低风险";
    case v1::RISK_LEVEL_GENERAL: return "一般风险";
    case v1::RISK_LEVEL_MEDIUM: return "较高风险";
    case v1::RISK_LEVEL_HIGH: return "高风险";
    default: return "未评估";
  }
}

}  // namespace jianguan::risk
