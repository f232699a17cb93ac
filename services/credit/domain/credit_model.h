// The credit model as data (信用评价模型, DESIGN.md §1.6): rules that turn a suite event into
// points, validated once at load so that a bad model never scores anything.
//
//   ASSIGN_OR_RETURN(v1::CreditModel text, ParseModelText(file_text, "data/credit/2026.1.textproto"));
//   ASSIGN_OR_RETURN(CompiledModel model, CompiledModel::Compile(text));
//   if (const v1::Rule* rule = model.Match(event_message)) { ... rule->points() ... }
//
// What Compile refuses, always naming the rule ("rules[3] (SCJG-FINE-10K): …"):
//   - an event_type that is not one of the events credit consumes (KnownEventTypes());
//   - a condition whose field path does not exist in that event, ends on a message, or whose
//     values do not parse for the field's type (integer, enum value name, bool, string);
//     an ordering operator (LT, LE, GT, GE) on a non-number; EQ/NE/LT… without exactly one
//     value, IN without at least one; OPERATOR_UNSPECIFIED;
//   - a duplicate rule id, an id or version outside [A-Za-z0-9._-]{1,64} (version: 1–32);
//   - points 0 or outside −100…100; a deduction without shown_months ≥ 1; negative
//     repair_after_months; a restriction without measures, with UNSPECIFIED or repeated
//     measures, or with months < 1;
//   - two rules of one event type and one priority that can both match one event
//     (Overlap below): "rules[i] (A) and rules[j] (B) overlap without a priority";
//   - bands not strictly descending (a_min > b_min > c_min), an invalid effective date, no
//     rules, more than 10,000 rules.
//
// Overlap. Two rules of the same event_type can match one event unless some field they both
// constrain, through singular fields only, has no value satisfying the conditions of both
// (rules::Disjoint, exact for these conditions). A path through a repeated field holds "for
// any element", and two such conditions may be met by different elements, so they never
// separate two rules.
//
// Conditions are compiled and matched by libs/rules, which risk's rule sets share.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/credit/v1/credit.pb.h"
#include "libs/rules/condition.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace jianguan::credit {

/// The full names of the events a rule may match: every event of jianguan.subject.v1,
/// jianguan.inspection.v1 and jianguan.cases.v1 (the topics credit consumes).
const std::vector<std::string>& KnownEventTypes();

/// Parses protobuf text format into a model. INVALID_ARGUMENT "origin:line:column: …" for a
/// syntax error or an unknown field name.
absl::StatusOr<v1::CreditModel> ParseModelText(std::string_view text, std::string_view origin);

/// The grade of `score` under `bands` (defaults 90 / 80 / 60 where the bands are unset).
v1::CreditGrade GradeOf(const v1::GradeBands& bands, int score);

/// "A" … "D" (信用风险分类 A–D), "-" for UNSPECIFIED.
const char* GradeLetter(v1::CreditGrade grade);

/// A validated model, ready to match events. Immutable; thread-safe for concurrent reads.
class CompiledModel {
 public:
  /// Validates `model` (see the file comment). INVALID_ARGUMENT naming the rule and what is
  /// wrong; the message is valid UTF-8 even when the model's text is not.
  static absl::StatusOr<CompiledModel> Compile(v1::CreditModel model);

  /// The rule that applies to `event` (a message of one of KnownEventTypes()): of the rules
  /// of its type whose every condition holds, the one with the highest priority; nullptr
  /// when none holds.
  const v1::Rule* Match(const google::protobuf::Message& event) const;

  /// Whether any rule matches events of `type` (a ce_type): a consumer skips the others
  /// without decoding them.
  bool HandlesType(std::string_view type) const;

  /// The rule with `id`, or nullptr.
  const v1::Rule* FindRule(std::string_view id) const;

  v1::CreditGrade GradeOf(int score) const { return credit::GradeOf(model_->bands(), score); }
  const v1::CreditModel& model() const { return *model_; }
  absl::CivilDay effective_day() const { return effective_day_; }

  /// A condition compiled against its event's descriptor (libs/rules).
  using CompiledCondition = rules::Condition;
  struct CompiledRule {
    const v1::Rule* rule = nullptr;
    std::vector<CompiledCondition> conditions;
  };

 private:
  CompiledModel() = default;

  /// Shared so that copies stay cheap and CompiledRule::rule stays valid in every copy.
  std::shared_ptr<const v1::CreditModel> model_;
  absl::CivilDay effective_day_;
  /// Rules by event type, highest priority first (stable in model order).
  std::vector<std::pair<std::string, std::vector<CompiledRule>>> by_type_;
  /// Every rule, by id, for FindRule.
  std::vector<const v1::Rule*> by_id_;
};

/// The versions of the model that are loaded, each applying from its effective day.
class ModelSet {
 public:
  /// INVALID_ARGUMENT when two versions share a version string or an effective day.
  static absl::StatusOr<ModelSet> Build(std::vector<CompiledModel> models);

  /// The version in force on `day`: the one with the latest effective day not after it;
  /// nullptr before the first.
  const CompiledModel* InForce(absl::CivilDay day) const;
  /// The version named `version`, or nullptr.
  const CompiledModel* Find(std::string_view version) const;
  /// Whether any version has a rule for `type`.
  bool HandlesType(std::string_view type) const;

  /// Every version, by effective day.
  const std::vector<CompiledModel>& models() const { return models_; }

 private:
  std::vector<CompiledModel> models_;
};

}  // namespace jianguan::credit
