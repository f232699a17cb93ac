#include "services/risk/domain/rule_set.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/rules/rule_text.h"

namespace jianguan::risk {
namespace {

namespace pb = ::google::protobuf;
using rules::Problems;
using rules::Quoted;

constexpr int kMaxRules = 10'000;
constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxVersionChars = 32;
constexpr int kMaxCount = 1000;  // consecutive readings, window counts: bounds the state.
constexpr int kMaxDays = 3660;   // ten years
constexpr int kMaxHours = 8784;  // a leap year

// The suite's events.proto files, reached through one generated class of each: the proto
// library is static, so a file named only as a string might not be linked in, and a
// DescriptorPool lookup would miss it.
const std::vector<const pb::FileDescriptor*>& EventFiles() {
  static const auto* const kFiles = new std::vector<const pb::FileDescriptor*>{
      subject::v1::SubjectRegistered::descriptor()->file(),
      sampling::v1::TaskDrawn::descriptor()->file(),
      inspection::v1::TaskCreated::descriptor()->file(),
      cases::v1::CaseFiled::descriptor()->file(),
      credit::v1::CreditGradeChanged::descriptor()->file(),
      catalogue::v1::ItemPublished::descriptor()->file(),
  };
  return *kFiles;
}

const pb::Descriptor* FindEvent(std::string_view full_name) {
  for (const pb::FileDescriptor* file : EventFiles()) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (file->message_type(i)->full_name() == full_name) return file->message_type(i);
    }
  }
  return nullptr;
}

std::string RuleName(int index, const v1::Rule& rule) {
  return absl::StrCat("rules[", index, "] (", rules::Printable(rule.id()), ")");
}

std::string OutOfRange(std::string_view field, int64_t low, int64_t high, int64_t got) {
  return absl::StrCat(AbslView(field), " must be ", low, "–", high, ", got ", got);
}

// Compiles `match` into `out`, adding what is wrong (prefixed by `field`) to `what`.
bool CompileMatch(const v1::EventMatch& match, const std::string& field, CompiledMatch& out,
                  std::vector<std::string>& what) {
  out.type = FindEvent(match.event_type());
  if (out.type == nullptr) {
    what.push_back(absl::StrCat(field, ".event_type ", Quoted(match.event_type()),
                                " is not an event of the suite"));
    return false;
  }
  bool ok = true;
  for (int k = 0; k < match.conditions_size(); ++k) {
    const v1::Condition& condition = match.conditions(k);
    absl::StatusOr<rules::Condition> compiled = rules::Condition::Compile(
        *out.type, {.field = condition.field(),
                    .op = static_cast<rules::Operator>(condition.op()),
                    .values = {condition.values().begin(), condition.values().end()}});
    if (compiled.ok()) {
      out.conditions.push_back(*std::move(compiled));
    } else {
      what.push_back(absl::StrCat(field, ".conditions[", k, "] ", compiled.status().message()));
      ok = false;
    }
  }
  return ok;
}

void CheckThreshold(const v1::ThresholdRule& t, std::vector<std::string>& what) {
  if (!rules::IsIdentifier(t.metric(), kMaxIdChars)) {
    what.push_back(absl::StrCat("threshold.metric must be 1–64 characters of [A-Za-z0-9._-], got ",
                                Quoted(t.metric())));
  }
  if (t.unit().empty()) what.push_back("threshold.unit is empty");
  if (t.comparison() != v1::OPERATOR_LT && t.comparison() != v1::OPERATOR_LE &&
      t.comparison() != v1::OPERATOR_GT && t.comparison() != v1::OPERATOR_GE) {
    what.push_back(absl::StrCat("threshold.comparison must be OPERATOR_LT, _LE, _GT or _GE, got ",
                                t.comparison()));
  }
  if (!std::isfinite(t.limit())) what.push_back("threshold.limit is not a finite number");
  if (t.consecutive() < 1 || t.consecutive() > kMaxCount) {
    what.push_back(OutOfRange("threshold.consecutive", 1, kMaxCount, t.consecutive()));
  }
  if (t.clear_consecutive() < 0 || t.clear_consecutive() > kMaxCount) {
    what.push_back(OutOfRange("threshold.clear_consecutive", 0, kMaxCount, t.clear_consecutive()));
  }
}

void CompileWindow(const v1::WindowRule& w, CompiledRule& out, std::vector<std::string>& what) {
  if (w.events_size() == 0) what.push_back("window.events is empty: nothing to count");
  for (int k = 0; k < w.events_size(); ++k) {
    CompiledMatch match;
    if (CompileMatch(w.events(k), absl::StrCat("window.events[", k, "]"), match, what)) {
      out.matches.push_back(std::move(match));
    }
  }
  if (w.min_count() < 1 || w.min_count() > kMaxCount) {
    what.push_back(OutOfRange("window.min_count", 1, kMaxCount, w.min_count()));
  }
  if (w.days() < 1 || w.days() > kMaxDays) {
    what.push_back(OutOfRange("window.days", 1, kMaxDays, w.days()));
  }
}

void CompileState(const v1::StateRule& s, CompiledRule& out, std::vector<std::string>& what) {
  if (!s.has_enter()) {
    what.push_back("state.enter is not set");
    return;
  }
  CompiledMatch enter;
  const bool enter_ok = CompileMatch(s.enter(), "state.enter", enter, what);
  if (enter_ok) out.matches.push_back(std::move(enter));
  if (!s.has_clear()) return;
  CompiledMatch clear;
  if (!CompileMatch(s.clear(), "state.clear", clear, what)) return;
  if (enter_ok && clear.type == out.matches[0].type &&
      !rules::Disjoint(rules::ConstraintsOf(out.matches[0].conditions),
                       rules::ConstraintsOf(clear.conditions))) {
    what.push_back("state.clear can match the same event as state.enter");
  }
  out.clear = std::move(clear);
}

void CompileAbsence(const v1::AbsenceRule& a, CompiledRule& out, std::vector<std::string>& what) {
  if (a.has_reading() == a.has_event()) {
    what.push_back("absence needs exactly one of reading and event");
    return;
  }
  if (a.has_reading()) {
    out.kind = RuleKind::kReadingAbsence;
    if (!rules::IsIdentifier(a.reading().metric(), kMaxIdChars)) {
      what.push_back(absl::StrCat(
          "absence.reading.metric must be 1–64 characters of [A-Za-z0-9._-], got ",
          Quoted(a.reading().metric())));
    }
    if (a.reading().hours() < 1 || a.reading().hours() > kMaxHours) {
      what.push_back(OutOfRange("absence.reading.hours", 1, kMaxHours, a.reading().hours()));
    }
    return;
  }
  out.kind = RuleKind::kEventAbsence;
  const v1::EventAbsence& e = a.event();
  if (!e.has_expected()) {
    what.push_back("absence.event.expected is not set");
  } else {
    CompiledMatch expected;
    if (CompileMatch(e.expected(), "absence.event.expected", expected, what)) {
      out.matches.push_back(std::move(expected));
    }
  }
  if (e.has_start()) {
    CompiledMatch start;
    if (CompileMatch(e.start(), "absence.event.start", start, what)) out.start = std::move(start);
  }
  if (e.days() < 1 || e.days() > kMaxDays) {
    what.push_back(OutOfRange("absence.event.days", 1, kMaxDays, e.days()));
  }
}

// The ids are checked against the set afterwards (CheckCombinations).
void CheckCombinationFields(const v1::CombinationRule& c, const v1::Rule& rule,
                            std::vector<std::string>& what) {
  if (c.join() != v1::JOIN_ALL && c.join() != v1::JOIN_ANY) {
    what.push_back(absl::StrCat("combination.join must be JOIN_ALL or JOIN_ANY, got ", c.join()));
  }
  if (c.rules_size() < 2) {
    what.push_back(
        absl::StrCat("combination.rules needs at least two rules, got ", c.rules_size()));
  }
  std::set<std::string_view> seen;
  for (int k = 0; k < c.rules_size(); ++k) {
    if (c.rules(k) == rule.id()) {
      what.push_back(absl::StrCat("combination.rules[", k, "] is the rule itself"));
    } else if (!seen.insert(c.rules(k)).second) {
      what.push_back(absl::StrCat("combination.rules[", k, "] ", Quoted(c.rules(k)),
                                  " is named twice"));
    }
  }
  if (c.within_days() < 0 || c.within_days() > kMaxDays) {
    what.push_back(OutOfRange("combination.within_days", 0, kMaxDays, c.within_days()));
  }
}

// A catalogue supervision field (监管领域): 1–40 of [a-z0-9-].
bool IsFieldName(std::string_view field) {
  return !field.empty() && field.size() <= 40 &&
         std::all_of(field.begin(), field.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::optional<CompiledRule> CompileRule(int index, const v1::Rule& rule, Problems& problems) {
  std::vector<std::string> what;
  if (!rules::IsIdentifier(rule.id(), kMaxIdChars)) {
    what.push_back(absl::StrCat("id must be 1–64 characters of [A-Za-z0-9._-], got ",
                                Quoted(rule.id())));
  }
  if (rule.name().empty()) what.push_back("name is empty");
  if (!IsFieldName(rule.field())) {
    what.push_back(absl::StrCat("field must be 1–40 characters of [a-z0-9-] (a catalogue "
                                "supervision field, e.g. \"ecology-environment\"), got ",
                                Quoted(rule.field())));
  }
  if (rule.level() == v1::ALERT_LEVEL_UNSPECIFIED || !v1::AlertLevel_IsValid(rule.level())) {
    what.push_back(absl::StrCat("level must be ALERT_LEVEL_BLUE … _RED, got ", rule.level()));
  }
  CompiledRule out{.rule = &rule, .index = index};
  switch (rule.kind_case()) {
    case v1::Rule::kThreshold:
      out.kind = RuleKind::kThreshold;
      CheckThreshold(rule.threshold(), what);
      break;
    case v1::Rule::kWindow:
      out.kind = RuleKind::kWindow;
      CompileWindow(rule.window(), out, what);
      break;
    case v1::Rule::kState:
      out.kind = RuleKind::kState;
      CompileState(rule.state(), out, what);
      break;
    case v1::Rule::kAbsence:
      CompileAbsence(rule.absence(), out, what);
      break;
    case v1::Rule::kCombination:
      out.kind = RuleKind::kCombination;
      CheckCombinationFields(rule.combination(), rule, what);
      break;
    case v1::Rule::KIND_NOT_SET:
      what.push_back("no kind: set one of threshold, window, state, absence, combination");
      break;
  }
  for (std::string& problem : what) {
    problems.Add(absl::StrCat(RuleName(index, rule), ": ", problem));
  }
  if (!what.empty()) return std::nullopt;
  return out;
}

// Unknown rules and cycles among combinations (depth-first, each cycle reported once at the
// first rule of the set on it).
void CheckCombinations(const v1::RuleSet& set, const std::map<std::string_view, int>& by_id,
                       Problems& problems) {
  for (int i = 0; i < set.rules_size(); ++i) {
    const v1::Rule& rule = set.rules(i);
    if (!rule.has_combination()) continue;
    for (int k = 0; k < rule.combination().rules_size(); ++k) {
      const std::string& named = rule.combination().rules(k);
      if (named != rule.id() && by_id.find(named) == by_id.end()) {
        problems.Add(absl::StrCat(RuleName(i, rule), ": combination.rules[", k, "] ",
                                  Quoted(named), " is not a rule of the set"));
      }
    }
  }
  enum Mark { kNew, kOnPath, kDone };
  std::vector<Mark> marks(set.rules_size(), kNew);
  std::vector<int> path;
  const std::function<void(int)> visit = [&](int i) {
    marks[i] = kOnPath;
    path.push_back(i);
    const v1::Rule& rule = set.rules(i);
    for (const std::string& named : rule.combination().rules()) {
      const auto it = by_id.find(named);
      if (it == by_id.end() || it->second == i || !set.rules(it->second).has_combination()) {
        continue;
      }
      if (marks[it->second] == kOnPath) {
        std::string cycle;
        for (auto p = std::find(path.begin(), path.end(), it->second); p != path.end(); ++p) {
          absl::StrAppend(&cycle, rules::Printable(set.rules(*p).id()), " → ");
        }
        absl::StrAppend(&cycle, rules::Printable(named));
        problems.Add(absl::StrCat(RuleName(it->second, set.rules(it->second)),
                                  ": combination.rules form a cycle: ", cycle));
      } else if (marks[it->second] == kNew) {
        visit(it->second);
      }
    }
    path.pop_back();
    marks[i] = kDone;
  };
  for (int i = 0; i < set.rules_size(); ++i) {
    if (set.rules(i).has_combination() && marks[i] == kNew) visit(i);
  }
}

void CheckSetFields(const v1::RuleSet& set, Problems& problems) {
  if (!rules::IsIdentifier(set.name(), kMaxIdChars)) {
    problems.Add(absl::StrCat("name must be 1–64 characters of [A-Za-z0-9._-], got ",
                              Quoted(set.name())));
  }
  if (!rules::IsIdentifier(set.version(), kMaxVersionChars)) {
    problems.Add(absl::StrCat("version must be 1–32 characters of [A-Za-z0-9._-], got ",
                              Quoted(set.version())));
  }
  if (!ValidDayOf(set.effective_date())) {
    const common::v1::Date& d = set.effective_date();
    problems.Add(absl::StrFormat("effective_date %04d-%02d-%02d is not a date", d.year(),
                                 d.month(), d.day()));
  }
  if (set.rules_size() == 0) problems.Add("rules: a rule set needs at least one rule");
  if (set.rules_size() > kMaxRules) {
    problems.Add(absl::StrCat("rules: ", set.rules_size(), " rules, at most ", kMaxRules));
  }
}

}  // namespace

const std::vector<std::string>& KnownEventTypes() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const pb::FileDescriptor* file : EventFiles()) {
      for (int i = 0; i < file->message_type_count(); ++i) {
        names->push_back(file->message_type(i)->full_name());
      }
    }
    return names;
  }();
  return *kNames;
}

absl::StatusOr<v1::RuleSet> ParseRuleSetText(std::string_view text, std::string_view origin) {
  v1::RuleSet set;
  if (absl::Status parsed = rules::ParseText(text, origin, set); !parsed.ok()) return parsed;
  return set;
}

bool CompiledMatch::Matches(const pb::Message& event) const {
  return event.GetDescriptor() == type && rules::AllHold(conditions, event);
}

bool CompiledRule::TakesEvent(std::string_view type) const {
  const auto is = [&](const CompiledMatch& m) { return m.type->full_name() == type; };
  return std::any_of(matches.begin(), matches.end(), is) || (clear && is(*clear)) ||
         (start && is(*start));
}

bool CompiledRule::TakesReading(std::string_view metric) const {
  if (kind == RuleKind::kThreshold) return rule->threshold().metric() == metric;
  if (kind == RuleKind::kReadingAbsence) return rule->absence().reading().metric() == metric;
  return false;
}

absl::StatusOr<CompiledRuleSet> CompiledRuleSet::Compile(v1::RuleSet set) {
  CompiledRuleSet compiled;
  compiled.set_ = std::make_shared<const v1::RuleSet>(std::move(set));
  const v1::RuleSet& s = *compiled.set_;
  Problems problems;
  CheckSetFields(s, problems);
  if (s.rules_size() > kMaxRules) return problems.ToStatus();

  std::map<std::string_view, int> by_id;
  for (int i = 0; i < s.rules_size(); ++i) {
    const v1::Rule& rule = s.rules(i);
    if (const auto [first, inserted] = by_id.emplace(rule.id(), i); !inserted) {
      problems.Add(absl::StrCat(RuleName(i, rule), ": id already used by rules[", first->second,
                                "]"));
    }
    if (std::optional<CompiledRule> compiled_rule = CompileRule(i, rule, problems)) {
      compiled.rules_.push_back(*std::move(compiled_rule));
    }
  }
  CheckCombinations(s, by_id, problems);
  if (!problems.empty()) return problems.ToStatus();
  compiled.effective_day_ = *ValidDayOf(s.effective_date());
  return compiled;
}

const CompiledRule* CompiledRuleSet::Find(std::string_view id) const {
  for (const CompiledRule& rule : rules_) {
    if (rule.id() == id) return &rule;
  }
  return nullptr;
}

std::vector<const CompiledRule*> CompiledRuleSet::CombinationsOf(std::string_view id) const {
  std::vector<const CompiledRule*> out;
  for (const CompiledRule& rule : rules_) {
    if (rule.kind != RuleKind::kCombination) continue;
    const auto& named = rule.rule->combination().rules();
    if (std::find(named.begin(), named.end(), id) != named.end()) out.push_back(&rule);
  }
  return out;
}

}  // namespace jianguan::risk
