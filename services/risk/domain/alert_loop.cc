#include "services/risk/domain/alert_loop.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "jianguan/credit/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/rules/rule_text.h"

namespace jianguan::risk {
namespace {

using rules::Problems;
using rules::Quoted;

constexpr int kMaxEvidence = 20;
constexpr size_t kMaxVersionChars = 32;
constexpr size_t kMaxReasonChars = 500;
constexpr int kMaxAcceptDays = 30;
constexpr int kMaxCloseDays = 120;
constexpr int kMaxEscalateDays = 30;
constexpr int kMaxPoints = 100;
constexpr int kMaxCap = 1000;
constexpr int kMaxDays = 3660;  // ten years

constexpr std::array<v1::AlertLevel, 4> kLevels = {v1::ALERT_LEVEL_BLUE, v1::ALERT_LEVEL_YELLOW,
                                                    v1::ALERT_LEVEL_ORANGE, v1::ALERT_LEVEL_RED};

// ---------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), for the rule's part of an alert id: the domain links no crypto
// library, and an id needs only the first word of the digest.

using Sha256Digest = std::array<uint32_t, 8>;

Sha256Digest Sha256(std::string_view bytes) {
  static constexpr uint32_t kRound[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  Sha256Digest h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  // The message padded: a 1 bit, zeros to 56 mod 64 bytes, the length in bits (big-endian).
  std::string message(bytes);
  const uint64_t bits = static_cast<uint64_t>(bytes.size()) * 8;
  message.push_back(static_cast<char>(0x80));
  while (message.size() % 64 != 56) message.push_back('\0');
  for (int i = 7; i >= 0; --i) message.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));

  const auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (size_t block = 0; block < message.size(); block += 64) {
    std::array<uint32_t, 64> w{};
    for (int t = 0; t < 16; ++t) {
      for (int b = 0; b < 4; ++b) {
        w[t] = (w[t] << 8) | static_cast<unsigned char>(message[block + 4 * t + b]);
      }
    }
    for (int t = 16; t < 64; ++t) {
      const uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; ++t) {
      const uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                          kRound[t] + w[t];
      const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
  }
  return h;
}

// ---------------------------------------------------------------------------------------
// The policy's checks.

void InRange(Problems& problems, std::string_view field, int64_t low, int64_t high,
             int64_t got) {
  if (got < low || got > high) {
    problems.Add(absl::StrCat(AbslView(field), " must be ", low, "–", high, ", got ", got));
  }
}

bool IsLevel(v1::AlertLevel level) {
  return std::find(kLevels.begin(), kLevels.end(), level) != kLevels.end();
}

std::string LevelText(int level) {
  return v1::AlertLevel_IsValid(level) ? v1::AlertLevel_Name(static_cast<v1::AlertLevel>(level))
                                       : absl::StrCat(level);
}

// Each level BLUE … RED exactly once; accept 1–30, close accept–120.
void CheckLimits(const v1::RiskPolicy& policy, Problems& problems) {
  std::map<v1::AlertLevel, int> first;
  for (int i = 0; i < policy.limits_size(); ++i) {
    const v1::LevelLimits& limits = policy.limits(i);
    const std::string field = absl::StrCat("limits[", i, "]");
    if (!IsLevel(limits.level())) {
      problems.Add(absl::StrCat(field, ".level must be ALERT_LEVEL_BLUE … _RED, got ",
                                LevelText(limits.level())));
    } else if (const auto [at, fresh] = first.emplace(limits.level(), i); !fresh) {
      problems.Add(absl::StrCat(field, ".level ", LevelText(limits.level()),
                                " is listed already in limits[", at->second, "]"));
    }
    InRange(problems, field + ".accept_working_days", 1, kMaxAcceptDays,
            limits.accept_working_days());
    if (limits.close_working_days() < limits.accept_working_days() ||
        limits.close_working_days() > kMaxCloseDays) {
      problems.Add(absl::StrCat(field, ".close_working_days must be accept_working_days (",
                                limits.accept_working_days(), ")–", kMaxCloseDays, ", got ",
                                limits.close_working_days()));
    }
  }
  for (v1::AlertLevel level : kLevels) {
    if (first.count(level) == 0) {
      problems.Add(absl::StrCat("limits: no entry for ", v1::AlertLevel_Name(level),
                                " (each of BLUE … RED exactly once)"));
    }
  }
}

void CheckGradePoints(const v1::RiskPolicy& policy, Problems& problems) {
  std::map<std::string, int> first;
  for (int i = 0; i < policy.grade_points_size(); ++i) {
    const v1::GradePoints& entry = policy.grade_points(i);
    const std::string field = absl::StrCat("grade_points[", i, "]");
    credit::v1::CreditGrade grade = credit::v1::CREDIT_GRADE_UNSPECIFIED;
    if (!credit::v1::CreditGrade_Parse(entry.grade(), &grade) ||
        grade == credit::v1::CREDIT_GRADE_UNSPECIFIED) {
      problems.Add(absl::StrCat(field, ".grade must name a jianguan.credit.v1.CreditGrade "
                                       "(CREDIT_GRADE_A … _D), got ",
                                Quoted(entry.grade())));
    } else if (const auto [at, fresh] = first.emplace(entry.grade(), i); !fresh) {
      problems.Add(absl::StrCat(field, ".grade ", entry.grade(),
                                " is listed already in grade_points[", at->second, "]"));
    }
    InRange(problems, field + ".points", 0, kMaxPoints, entry.points());
  }
}

void CheckAlertPoints(const v1::RiskPolicy& policy, Problems& problems) {
  std::map<v1::AlertLevel, int> first;
  for (int i = 0; i < policy.open_alert_points_size(); ++i) {
    const v1::AlertPoints& entry = policy.open_alert_points(i);
    const std::string field = absl::StrCat("open_alert_points[", i, "]");
    if (!IsLevel(entry.level())) {
      problems.Add(absl::StrCat(field, ".level must be ALERT_LEVEL_BLUE … _RED, got ",
                                LevelText(entry.level())));
    } else if (const auto [at, fresh] = first.emplace(entry.level(), i); !fresh) {
      problems.Add(absl::StrCat(field, ".level ", LevelText(entry.level()),
                                " is listed already in open_alert_points[", at->second, "]"));
    }
    InRange(problems, field + ".points", 0, kMaxPoints, entry.points());
  }
}

void CheckIndustryPoints(const v1::RiskPolicy& policy, Problems& problems) {
  std::map<std::string, int> first;
  for (int i = 0; i < policy.industry_points_size(); ++i) {
    const v1::IndustryPoints& entry = policy.industry_points(i);
    const std::string field = absl::StrCat("industry_points[", i, "]");
    if (entry.industry_code().empty()) {
      problems.Add(absl::StrCat(field, ".industry_code is empty"));
    } else if (const auto [at, fresh] = first.emplace(entry.industry_code(), i); !fresh) {
      problems.Add(absl::StrCat(field, ".industry_code ", Quoted(entry.industry_code()),
                                " is listed already in industry_points[", at->second, "]"));
    }
    InRange(problems, field + ".points", 0, kMaxPoints, entry.points());
  }
}

void CheckThresholds(const v1::LevelThresholds& t, Problems& problems) {
  if (t.general() < 0) {
    problems.Add(absl::StrCat("thresholds.general must be ≥ 0, got ", t.general()));
  }
  if (t.medium() <= t.general()) {
    problems.Add(absl::StrCat("thresholds.medium must be above thresholds.general (",
                              t.general(), "), got ", t.medium()));
  }
  if (t.high() <= t.medium()) {
    problems.Add(absl::StrCat("thresholds.high must be above thresholds.medium (", t.medium(),
                              "), got ", t.high()));
  }
}

// ---------------------------------------------------------------------------------------
// The alert.

const std::string& NameOf(const v1::Alert& alert) { return alert.summary().name(); }

v1::AlertState StateOf(const v1::Alert& alert) { return alert.summary().state(); }

const std::string& DepartmentOf(const v1::Alert& alert) {
  return alert.summary().department().code();
}

void Bump(v1::Alert& alert) {
  alert.mutable_summary()->set_version(alert.summary().version() + 1);
}

absl::CivilDay BeijingDay(absl::Time time) { return absl::ToCivilDay(time, BeijingTime()); }

// The step is not allowed in the alert's state: names the alert, its state and the step.
absl::Status WrongState(const v1::Alert& alert, std::string_view step) {
  return FailedPrecondition(NameOf(alert),
                            absl::StrCat("is ", AbslView(StateName(StateOf(alert))),
                                         ": it cannot be ", AbslView(step)));
}

// Only the department responsible may take the step.
absl::Status NotResponsible(const v1::Alert& alert, std::string_view caller_department,
                            std::string_view step) {
  return absl::PermissionDeniedError(absl::StrCat(
      NameOf(alert), " is the responsibility of ", DepartmentOf(alert), ": department ",
      rules::Quoted(caller_department), " cannot ", AbslView(step), " it"));
}

const v1::LevelLimits* LimitsOf(const v1::RiskPolicy& policy, v1::AlertLevel level) {
  for (const v1::LevelLimits& limits : policy.limits()) {
    if (limits.level() == level) return &limits;
  }
  return nullptr;
}

bool SameEvidence(const google::protobuf::RepeatedPtrField<v1::AlertEvidence>& held,
                  const std::vector<v1::AlertEvidence>& given) {
  const size_t n = std::min<size_t>(given.size(), kMaxEvidence);
  if (static_cast<size_t>(held.size()) != n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(held.Get(static_cast<int>(i)),
                                                            given[i])) {
      return false;
    }
  }
  return true;
}

void SetEvidence(v1::Alert& alert, const std::vector<v1::AlertEvidence>& evidence) {
  alert.clear_evidence();
  for (size_t i = 0; i < evidence.size() && i < static_cast<size_t>(kMaxEvidence); ++i) {
    *alert.add_evidence() = evidence[i];
  }
}

// How serious an outcome is when several departments' results close one alert.
int Seriousness(v1::AlertOutcome outcome) {
  switch (outcome) {
    case v1::ALERT_OUTCOME_CONFIRMED: return 3;
    case v1::ALERT_OUTCOME_NOT_INSPECTED: return 2;
    case v1::ALERT_OUTCOME_NOT_CONFIRMED: return 1;
    default: return 0;
  }
}

v1::AlertOutcome OutcomeOf(inspection::v1::ResultOutcome outcome) {
  switch (outcome) {
    case inspection::v1::RESULT_OUTCOME_VIOLATION:
    case inspection::v1::RESULT_OUTCOME_PROBLEM_PENDING:
    case inspection::v1::RESULT_OUTCOME_PROBLEM_RECTIFIED:
      return v1::ALERT_OUTCOME_CONFIRMED;
    // NOT_ENGAGED: the subject does not carry on the business the alert concerns, so the
    // inspection found nothing of it.
    case inspection::v1::RESULT_OUTCOME_NO_PROBLEM:
    case inspection::v1::RESULT_OUTCOME_NOT_ENGAGED:
      return v1::ALERT_OUTCOME_NOT_CONFIRMED;
    case inspection::v1::RESULT_OUTCOME_UNREACHABLE:
    case inspection::v1::RESULT_OUTCOME_CLOSED:
    case inspection::v1::RESULT_OUTCOME_OBSTRUCTED:
    case inspection::v1::RESULT_OUTCOME_NO_LONGER_REGISTERED:
      return v1::ALERT_OUTCOME_NOT_INSPECTED;
    default:
      return v1::ALERT_OUTCOME_UNSPECIFIED;
  }
}

std::string OutcomeText(int outcome) {
  return v1::AlertOutcome_IsValid(outcome)
             ? v1::AlertOutcome_Name(static_cast<v1::AlertOutcome>(outcome))
             : absl::StrCat(outcome);
}

bool ClosedByResult(v1::AlertOutcome outcome) {
  return outcome == v1::ALERT_OUTCOME_CONFIRMED || outcome == v1::ALERT_OUTCOME_NOT_CONFIRMED ||
         outcome == v1::ALERT_OUTCOME_NOT_INSPECTED;
}

// Whether a result closes the alert: only its own task's result does.
absl::StatusOr<bool> ResultCloses(const v1::Alert& alert, const Closing& closing) {
  if (!closing.caller_department.empty()) {
    return InvalidField("caller_department",
                        "a result (task set) closes the alert for the service, not a department");
  }
  if (alert.task() != closing.task) return false;  // another task's result
  if (!ClosedByResult(closing.outcome)) {
    return InvalidField("outcome", absl::StrCat("a result closes an alert CONFIRMED, "
                                                "NOT_CONFIRMED or NOT_INSPECTED, got ",
                                                OutcomeText(closing.outcome)));
  }
  return true;
}

// A closing by hand: DISMISSED or NOT_INSPECTED with a reason, by the department responsible
// (any department while RAISED), before an inspection.
absl::Status CheckHandClosing(const v1::Alert& alert, const Closing& closing) {
  if (StateOf(alert) == v1::ALERT_STATE_INSPECTING) {
    return FailedPrecondition(NameOf(alert),
                              absl::StrCat("is INSPECTING: it cannot be closed by hand, it waits "
                                           "for the result of ",
                                           alert.task()));
  }
  FieldViolations violations;
  if (closing.outcome != v1::ALERT_OUTCOME_DISMISSED &&
      closing.outcome != v1::ALERT_OUTCOME_NOT_INSPECTED) {
    violations.Add("outcome", "must be ALERT_OUTCOME_DISMISSED or ALERT_OUTCOME_NOT_INSPECTED "
                              "(an inspection result closes the others)");
  }
  CheckText(violations, "reason", closing.feedback,
            {.required = true, .max_chars = kMaxReasonChars});
  RETURN_IF_ERROR(violations.ToStatus());
  if (StateOf(alert) != v1::ALERT_STATE_RAISED &&
      closing.caller_department != DepartmentOf(alert)) {
    return NotResponsible(alert, closing.caller_department, "close");
  }
  return absl::OkStatus();
}

// The escalation due for one limit (`missed`, last day `due`), if any.
absl::StatusOr<std::optional<v1::Escalation>> DueFor(
    const v1::Alert& alert, std::string_view missed, const common::v1::Date& due_date,
    const v1::RiskPolicy& policy, const WorkingDayCalendar& calendar, absl::CivilDay today,
    const std::function<std::string(std::string_view)>& parent_of, absl::Time now) {
  const absl::CivilDay due = DayOf(due_date);
  // The escalations of this limit: of the same kind and the same last day (a re-route sets
  // new limits, whose escalations start again from the new department).
  int recorded = 0;
  for (const v1::Escalation& e : alert.escalations()) {
    if (e.missed() != missed || DayOf(e.due_date()) != due) continue;
    if (e.supervising_department().code().empty()) return std::nullopt;  // the top was reached
    ++recorded;
  }
  const int k = recorded + 1;
  ASSIGN_OR_RETURN(const absl::CivilDay moved,
                   calendar.AddWorkingDays(due, (k - 1) * policy.escalate_every_working_days()));
  if (today <= moved) return std::nullopt;

  // The k-th ancestor; a department seen twice on the way (a cycle in the data) is the top.
  std::string supervising = DepartmentOf(alert);
  std::set<std::string> seen = {supervising};
  for (int i = 0; i < k && !supervising.empty(); ++i) {
    supervising = parent_of(supervising);
    if (!seen.insert(supervising).second) supervising.clear();
  }
  v1::Escalation escalation;
  escalation.set_missed(std::string(missed));
  *escalation.mutable_due_date() = due_date;
  if (!supervising.empty()) escalation.mutable_supervising_department()->set_code(supervising);
  escalation.set_escalation(k);
  *escalation.mutable_time() = ToTimestamp(now);
  return escalation;
}

}  // namespace

absl::StatusOr<v1::RiskPolicy> ParsePolicyText(std::string_view text, std::string_view origin) {
  v1::RiskPolicy policy;
  if (absl::Status parsed = rules::ParseText(text, origin, policy); !parsed.ok()) return parsed;
  return policy;
}

absl::Status ValidatePolicy(const v1::RiskPolicy& policy) {
  Problems problems;
  if (!rules::IsIdentifier(policy.version(), kMaxVersionChars)) {
    problems.Add(absl::StrCat("version must be 1–32 characters of [A-Za-z0-9._-], got ",
                              Quoted(policy.version())));
  }
  CheckLimits(policy, problems);
  InRange(problems, "escalate_every_working_days", 1, kMaxEscalateDays,
          policy.escalate_every_working_days());
  CheckGradePoints(policy, problems);
  CheckAlertPoints(policy, problems);
  InRange(problems, "further_open_alert_points", 0, kMaxPoints,
          policy.further_open_alert_points());
  InRange(problems, "recent_days", 1, kMaxDays, policy.recent_days());
  InRange(problems, "recent_alert_points", 0, kMaxPoints, policy.recent_alert_points());
  InRange(problems, "recent_alert_cap", 0, kMaxCap, policy.recent_alert_cap());
  InRange(problems, "violation_points", 0, kMaxPoints, policy.violation_points());
  InRange(problems, "violation_cap", 0, kMaxCap, policy.violation_cap());
  CheckIndustryPoints(policy, problems);
  CheckThresholds(policy.thresholds(), problems);
  InRange(problems, "reading_retention_days", 1, kMaxDays, policy.reading_retention_days());
  if (!problems.empty()) return problems.ToStatus();
  return absl::OkStatus();
}

std::string AlertId(std::string_view uscc, std::string_view rule, absl::Time raise_time,
                    int attempt) {
  std::string id = absl::StrCat(AbslView(uscc), "-",
                                absl::FormatTime("%Y%m%d%H%M%S", raise_time, absl::UTCTimeZone()),
                                "-", absl::Hex(Sha256(rule)[0], absl::kZeroPad8));
  if (attempt > 0) absl::StrAppend(&id, "-", attempt);
  return id;
}

absl::StatusOr<v1::Alert> RaiseAlert(const Raise& raise) {
  FieldViolations violations;
  if (raise.alert_id.empty()) violations.Add("alert_id", "must not be empty");
  if (raise.uscc.empty()) violations.Add("uscc", "must not be empty");
  if (raise.rule.empty()) violations.Add("rule", "must not be empty");
  if (!IsLevel(raise.level)) {
    violations.Add("level", absl::StrCat("must be ALERT_LEVEL_BLUE … _RED, got ",
                                         LevelText(raise.level)));
  }
  if (raise.raise_time == absl::InfinitePast() || raise.raise_time == absl::InfiniteFuture()) {
    violations.Add("raise_time", "must be a finite time");
  }
  RETURN_IF_ERROR(violations.ToStatus());

  v1::Alert alert;
  v1::AlertSummary& summary = *alert.mutable_summary();
  summary.set_name(absl::StrCat("alerts/", raise.alert_id));
  summary.set_uscc(raise.uscc);
  summary.set_subject_name(raise.subject_name);
  summary.set_rule(raise.rule);
  summary.set_rule_version(raise.rule_version);
  summary.set_level(raise.level);
  summary.set_state(v1::ALERT_STATE_RAISED);
  summary.set_version(1);
  alert.set_reason(raise.reason);
  SetEvidence(alert, raise.evidence);
  *alert.mutable_raise_time() = ToTimestamp(raise.raise_time);
  *alert.mutable_last_seen() = ToTimestamp(raise.raise_time);
  alert.set_condition_open(true);
  return alert;
}

absl::Status Persist(v1::Alert& alert, std::string_view reason,
                     const std::vector<v1::AlertEvidence>& evidence, absl::Time seen) {
  if (StateOf(alert) == v1::ALERT_STATE_CLOSED || StateOf(alert) == v1::ALERT_STATE_UNSPECIFIED) {
    return WrongState(alert, "updated by its rule");
  }
  // last_seen never goes back: it is the latest input that supported the condition.
  const absl::Time last_seen =
      alert.has_last_seen() ? std::max(FromTimestamp(alert.last_seen()), seen) : seen;
  if (alert.condition_open() && alert.reason() == reason &&
      SameEvidence(alert.evidence(), evidence) && alert.has_last_seen() &&
      FromTimestamp(alert.last_seen()) == last_seen) {
    return absl::OkStatus();  // the same input again: nothing changes
  }
  alert.set_reason(std::string(reason));
  SetEvidence(alert, evidence);
  *alert.mutable_last_seen() = ToTimestamp(last_seen);
  alert.set_condition_open(true);
  Bump(alert);
  return absl::OkStatus();
}

// `time` is not kept: the alert records when its condition last held (last_seen), not when it
// cleared.
absl::Status ConditionCleared(v1::Alert& alert, absl::Time /*time*/) {
  if (StateOf(alert) == v1::ALERT_STATE_CLOSED || StateOf(alert) == v1::ALERT_STATE_UNSPECIFIED) {
    return WrongState(alert, "cleared by its rule");
  }
  if (!alert.condition_open()) return absl::OkStatus();
  alert.set_condition_open(false);
  Bump(alert);
  return absl::OkStatus();
}

absl::Status Dispatch(v1::Alert& alert, const Routing& routing, const v1::RiskPolicy& policy,
                      const WorkingDayCalendar& calendar, absl::Time now) {
  if (StateOf(alert) != v1::ALERT_STATE_RAISED && StateOf(alert) != v1::ALERT_STATE_DISPATCHED) {
    return WrongState(alert, "dispatched");
  }
  FieldViolations violations;
  if (routing.department.empty()) violations.Add("department", "must not be empty");
  if (routing.items.empty()) violations.Add("items", "must name at least one item");
  RETURN_IF_ERROR(violations.ToStatus());
  const v1::LevelLimits* limits = LimitsOf(policy, alert.summary().level());
  if (limits == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the policy has no limits for ", LevelText(alert.summary().level()), " (", NameOf(alert),
        ")"));
  }
  // Both limits first: an error from the calendar leaves the alert as it was.
  const absl::CivilDay day = BeijingDay(now);
  ASSIGN_OR_RETURN(const absl::CivilDay accept_due,
                   calendar.AddWorkingDays(day, limits->accept_working_days()));
  ASSIGN_OR_RETURN(const absl::CivilDay close_due,
                   calendar.AddWorkingDays(day, limits->close_working_days()));

  v1::AlertSummary& summary = *alert.mutable_summary();
  summary.set_state(v1::ALERT_STATE_DISPATCHED);
  summary.mutable_department()->set_code(routing.department);
  alert.clear_items();
  for (const v1::AlertItem& item : routing.items) *alert.add_items() = item;
  alert.set_region_code(routing.region_code);
  *alert.mutable_dispatch_time() = ToTimestamp(now);
  *alert.mutable_accept_due_date() = DateOf(accept_due);
  *alert.mutable_close_due_date() = DateOf(close_due);
  alert.clear_routing_problem();
  Bump(alert);
  return absl::OkStatus();
}

absl::Status RoutingFailed(v1::Alert& alert, std::string_view problem) {
  if (StateOf(alert) != v1::ALERT_STATE_RAISED) return WrongState(alert, "marked unroutable");
  if (alert.routing_problem() == problem) return absl::OkStatus();
  alert.set_routing_problem(std::string(problem));
  Bump(alert);
  return absl::OkStatus();
}

absl::Status Accept(v1::Alert& alert, std::string_view caller_department, absl::Time now) {
  if (StateOf(alert) != v1::ALERT_STATE_DISPATCHED) return WrongState(alert, "accepted");
  if (caller_department != DepartmentOf(alert)) {
    return NotResponsible(alert, caller_department, "accept");
  }
  alert.mutable_summary()->set_state(v1::ALERT_STATE_ACCEPTED);
  *alert.mutable_accept_time() = ToTimestamp(now);
  Bump(alert);
  return absl::OkStatus();
}

absl::Status Inspect(v1::Alert& alert, std::string_view task, absl::Time now) {
  const v1::AlertState state = StateOf(alert);
  if (state != v1::ALERT_STATE_DISPATCHED && state != v1::ALERT_STATE_ACCEPTED &&
      state != v1::ALERT_STATE_INSPECTING) {
    return WrongState(alert, "inspected");
  }
  if (task.empty()) return InvalidField("task", "must name the inspection task (\"tasks/{id}\")");
  if (state == v1::ALERT_STATE_INSPECTING) {
    if (alert.task() == task) return absl::OkStatus();  // the same task again
    return FailedPrecondition(NameOf(alert),
                              absl::StrCat("is INSPECTING with ", alert.task(),
                                           ": it cannot be inspected by ", AbslView(task)));
  }
  // A task created before the department accepted counts as accepting the alert.
  if (state == v1::ALERT_STATE_DISPATCHED) *alert.mutable_accept_time() = ToTimestamp(now);
  alert.mutable_summary()->set_state(v1::ALERT_STATE_INSPECTING);
  alert.set_task(std::string(task));
  Bump(alert);
  return absl::OkStatus();
}

// `now` is not kept: the alert goes back to ACCEPTED with the time it was accepted.
absl::Status TaskCancelled(v1::Alert& alert, std::string_view task, absl::Time /*now*/) {
  if (StateOf(alert) != v1::ALERT_STATE_INSPECTING || task.empty() || alert.task() != task) {
    return absl::OkStatus();
  }
  alert.mutable_summary()->set_state(v1::ALERT_STATE_ACCEPTED);
  alert.clear_task();
  Bump(alert);
  return absl::OkStatus();
}

v1::AlertOutcome OutcomeOfResult(const inspection::v1::ResultDigest& result) {
  v1::AlertOutcome most = v1::ALERT_OUTCOME_UNSPECIFIED;
  for (const inspection::v1::DepartmentResult& department : result.departments()) {
    const v1::AlertOutcome outcome = OutcomeOf(department.category().outcome());
    if (Seriousness(outcome) > Seriousness(most)) most = outcome;
  }
  return most;
}

absl::Status Close(v1::Alert& alert, const Closing& closing) {
  if (StateOf(alert) == v1::ALERT_STATE_CLOSED || StateOf(alert) == v1::ALERT_STATE_UNSPECIFIED) {
    return WrongState(alert, "closed");
  }
  if (!closing.task.empty()) {
    ASSIGN_OR_RETURN(const bool closes, ResultCloses(alert, closing));
    if (!closes) return absl::OkStatus();
  } else if (closing.caller_department.empty()) {
    return InvalidField("caller_department",
                        "a closing names the department closing by hand, or the task whose "
                        "result closes the alert");
  } else {
    RETURN_IF_ERROR(CheckHandClosing(alert, closing));
  }
  // A RAISED alert never routed has no limit: it closes on time.
  const bool on_time = !alert.has_close_due_date() ||
                       BeijingDay(closing.time) <= DayOf(alert.close_due_date());
  alert.mutable_summary()->set_state(v1::ALERT_STATE_CLOSED);
  alert.set_outcome(closing.outcome);
  alert.set_feedback(closing.feedback);
  *alert.mutable_close_time() = ToTimestamp(closing.time);
  alert.set_on_time(on_time);
  Bump(alert);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Escalation>> DueEscalation(
    const v1::Alert& alert, const v1::RiskPolicy& policy, const WorkingDayCalendar& calendar,
    absl::CivilDay today, const std::function<std::string(std::string_view)>& parent_of,
    absl::Time now) {
  const v1::AlertState state = StateOf(alert);
  if (state != v1::ALERT_STATE_DISPATCHED && state != v1::ALERT_STATE_ACCEPTED &&
      state != v1::ALERT_STATE_INSPECTING) {
    return std::nullopt;
  }
  // Once the close limit passed, it alone is escalated.
  if (alert.has_close_due_date() && today > DayOf(alert.close_due_date())) {
    return DueFor(alert, "close", alert.close_due_date(), policy, calendar, today, parent_of,
                  now);
  }
  if (state == v1::ALERT_STATE_DISPATCHED && alert.has_accept_due_date() &&
      today > DayOf(alert.accept_due_date())) {
    return DueFor(alert, "accept", alert.accept_due_date(), policy, calendar, today, parent_of,
                  now);
  }
  return std::nullopt;
}

void Escalate(v1::Alert& alert, const v1::Escalation& escalation) {
  *alert.add_escalations() = escalation;
  Bump(alert);
}

std::string_view StateName(v1::AlertState state) {
  switch (state) {
    case v1::ALERT_STATE_RAISED: return "RAISED";
    case v1::ALERT_STATE_DISPATCHED: return "DISPATCHED";
    case v1::ALERT_STATE_ACCEPTED: return "ACCEPTED";
    case v1::ALERT_STATE_INSPECTING: return "INSPECTING";
    case v1::ALERT_STATE_CLOSED: return "CLOSED";
    default: return "UNSPECIFIED";
  }
}

}  // namespace jianguan::risk
