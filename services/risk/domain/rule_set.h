// Risk rule sets as data (风险预警模型, issue #13), validated once at load so that a bad rule
// set never raises anything:
//
//   ASSIGN_OR_RETURN(v1::RuleSet text, ParseRuleSetText(file_text, "data/risk/rules/jinhua.textproto"));
//   ASSIGN_OR_RETURN(CompiledRuleSet rules, CompiledRuleSet::Compile(std::move(text)));
//   for (const CompiledRule& rule : rules.rules()) if (rule.TakesEvent(type)) ...Evaluate...
//
// What Compile refuses, always naming the rule ("rules[3] (complaints-30d): …"):
//   - an event_type that is no message of the suite's events.proto files (KnownEventTypes());
//   - a condition that libs/rules refuses (unknown field, bad value, wrong operator);
//   - a rule without a kind, an id outside [A-Za-z0-9._-]{1,64}, a duplicate id, no name, an
//     UNSPECIFIED or unknown level, a field (监管领域, for routing) outside [a-z0-9-]{1,40};
//   - threshold: a metric outside [A-Za-z0-9._-]{1,64}, no unit, a comparison other than
//     LT/LE/GT/GE, a limit that is not finite, consecutive outside 1–1000, clear_consecutive
//     outside 0–1000;
//   - window: no events, min_count outside 1–1000, days outside 1–3660 (a window without a
//     bound: 0 or missing);
//   - state: no enter; a clear that can match the same event as enter (libs/rules' overlap);
//   - absence: neither or both of reading and event; no metric; hours outside 1–8784 or days
//     outside 1–3660 (an absence without a duration); an event absence without expected;
//   - combination: join UNSPECIFIED, fewer than two rules, a rule named twice, an unknown rule,
//     the combination itself, or a cycle through other combinations;
// and for the set: a name outside [A-Za-z0-9._-]{1,64}, a version outside
// [A-Za-z0-9._-]{1,32}, an invalid effective date, no rules, more than 10,000 rules. Every
// problem is reported at once (the first 20).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/risk/v1/rules.pb.h"
#include "libs/rules/condition.h"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace jianguan::risk {

/// The full names of the messages a rule may match: every top-level message of the
/// events.proto files of jianguan.{subject,sampling,inspection,cases,credit,catalogue}.v1, as
/// the generated descriptor pool holds them.
const std::vector<std::string>& KnownEventTypes();

/// Parses protobuf text format into a rule set. INVALID_ARGUMENT "origin:line:column: …" for
/// a syntax error or an unknown field name.
absl::StatusOr<v1::RuleSet> ParseRuleSetText(std::string_view text, std::string_view origin);

/// An EventMatch compiled against its event's descriptor.
struct CompiledMatch {
  const google::protobuf::Descriptor* type = nullptr;
  std::vector<rules::Condition> conditions;

  /// Whether `event` is of the type and meets every condition.
  bool Matches(const google::protobuf::Message& event) const;
};

/// The kinds of rule, absence split by what it waits for.
enum class RuleKind { kThreshold, kWindow, kState, kReadingAbsence, kEventAbsence, kCombination };

/// One validated rule. Points into the CompiledRuleSet's rule set, which every copy of the set
/// shares.
struct CompiledRule {
  const v1::Rule* rule = nullptr;
  /// Its index in the set, for messages ("rules[3] (id)").
  int index = 0;
  RuleKind kind = RuleKind::kThreshold;
  /// Window: its events; state: {enter}; event absence: {expected}.
  std::vector<CompiledMatch> matches;
  /// State: the clear event, if any.
  std::optional<CompiledMatch> clear;
  /// Event absence: the start event, if any.
  std::optional<CompiledMatch> start;

  const std::string& id() const { return rule->id(); }
  /// Whether the rule keeps its state per device (threshold, reading absence).
  bool PerDevice() const {
    return kind == RuleKind::kThreshold || kind == RuleKind::kReadingAbsence;
  }
  /// Whether events of `type` (a ce_type) can change the rule's state.
  bool TakesEvent(std::string_view type) const;
  /// Whether readings of `metric` can change the rule's state.
  bool TakesReading(std::string_view metric) const;
  /// Whether clock ticks can change it (window, absence, combination).
  bool TakesTicks() const {
    return kind == RuleKind::kWindow || kind == RuleKind::kReadingAbsence ||
           kind == RuleKind::kEventAbsence || kind == RuleKind::kCombination;
  }
};

/// A validated rule set. Immutable; thread-safe for concurrent reads; cheap to copy.
class CompiledRuleSet {
 public:
  /// Validates `set` (see the file comment). INVALID_ARGUMENT naming every rule and what is
  /// wrong; the message is valid UTF-8 even when the set's text is not.
  static absl::StatusOr<CompiledRuleSet> Compile(v1::RuleSet set);

  /// Every rule, in the set's order.
  const std::vector<CompiledRule>& rules() const { return rules_; }
  /// The rule with `id`, or nullptr.
  const CompiledRule* Find(std::string_view id) const;
  /// The combinations that name rule `id` directly: where the service reports the rule's
  /// condition opening and closing for a subject.
  std::vector<const CompiledRule*> CombinationsOf(std::string_view id) const;

  const v1::RuleSet& rule_set() const { return *set_; }
  const std::string& name() const { return set_->name(); }
  const std::string& version() const { return set_->version(); }
  absl::CivilDay effective_day() const { return effective_day_; }

 private:
  CompiledRuleSet() = default;

  std::shared_ptr<const v1::RuleSet> set_;
  absl::CivilDay effective_day_;
  std::vector<CompiledRule> rules_;
};

}  // namespace jianguan::risk
