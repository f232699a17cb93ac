// Conditions on the fields of a protobuf message, written as data and checked once at load
// (credit's model, risk's rule sets). A condition names a dotted field path from the message,
// an operator and its values as text, e.g. {"fine.fen", Operator::kGe, {"1000000"}}:
//
//   ASSIGN_OR_RETURN(rules::Condition c, rules::Condition::Compile(*Event::descriptor(), spec));
//   if (c.Holds(event)) { ... }
//
// What Compile refuses, in words each loader prefixes with the rule (the texts are credit's,
// which its tests and operators already know):
//   - a path naming a field the message does not have, going on from a field that is no
//     message, or ending on a message;
//   - a leaf that is not an integer, enum, bool or string (doubles, bytes);
//   - kUnspecified or a number that is no operator; an ordering operator (kLt, kLe, kGt, kGe)
//     on a non-integer; kEq, kNe or an ordering one without exactly one value, kIn without at
//     least one;
//   - a value that does not parse for the leaf: an integer (optional '-' and digits only), an
//     enum value's name, "true" or "false"; strings are taken as they are.
//
// Through a repeated field the condition holds when it holds for any element reached.
//
// Overlap (Disjoint). Two sets of conditions on one message type can both hold for one
// message unless some field they both constrain, through singular fields only, has no value
// satisfying the conditions of both. The test is exact for these conditions: every
// constraint on one field is a union of intervals (numbers) or a set / co-set (strings,
// enums, bools) whose ends are the values the conditions mention, so testing the mentioned
// values, their neighbours (±1), the ends of the field's range and one value mentioned
// nowhere decides it. Two conditions through a repeated field may be met by different
// elements, so they never separate two sets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
class Message;
}  // namespace google::protobuf

namespace jianguan::rules {

/// How a condition compares a field with its values. The numbering is that of the Operator
/// enums of the rule protos (jianguan.credit.v1.Operator, jianguan.risk.v1.Operator), so a
/// loader converts with static_cast; any other number is refused by Compile.
enum class Operator : int {
  kUnspecified = 0,
  kEq = 1,
  kNe = 2,
  kLt = 3,
  kLe = 4,
  kGt = 5,
  kGe = 6,
  kIn = 7,
};

/// "OPERATOR_EQ" … "OPERATOR_IN", the names the rule protos give; "" for any other number.
const char* OperatorName(Operator op);

/// A condition as a rule file states it.
struct ConditionSpec {
  /// Dotted path of field names from the message, e.g. "result.departments.category.code".
  std::string field;
  Operator op = Operator::kUnspecified;
  /// The values as text (see the file comment).
  std::vector<std::string> values;
};

/// A condition compiled against one message type. Immutable; cheap to match (reflection,
/// no allocation).
class Condition {
 public:
  /// INVALID_ARGUMENT naming what is wrong (see the file comment), e.g.
  /// `field "fine.yuan": jianguan.common.v1.Money has no field "yuan"` or
  /// `values[0] "10k" is not an integer`. The message is valid UTF-8 whatever the spec.
  static absl::StatusOr<Condition> Compile(const google::protobuf::Descriptor& message,
                                           const ConditionSpec& spec);

  /// Whether `message` meets the condition. False for a message of another type, including a
  /// message of the same name from another descriptor pool (a DynamicMessage).
  bool Holds(const google::protobuf::Message& message) const;

  /// The fields from the message to the compared one.
  const std::vector<const google::protobuf::FieldDescriptor*>& path() const { return path_; }
  Operator op() const { return op_; }
  /// The values parsed for the leaf: integers, enum numbers and bools (0/1) here …
  const std::vector<int64_t>& numbers() const { return numbers_; }
  /// … strings here.
  const std::vector<std::string>& strings() const { return strings_; }
  /// Whether the path goes through a repeated field.
  bool through_repeated() const { return through_repeated_; }

 private:
  Condition() = default;
  friend class FieldConstraint;

  bool HoldsFor(int64_t value) const;
  bool HoldsForText(const std::string* text) const;
  bool HoldsFrom(const google::protobuf::Message& message, size_t depth) const;
  bool LeafHolds(const google::protobuf::Message& message, int index) const;

  std::vector<const google::protobuf::FieldDescriptor*> path_;
  Operator op_ = Operator::kUnspecified;
  std::vector<int64_t> numbers_;
  std::vector<std::string> strings_;
  bool through_repeated_ = false;
};

/// Whether every condition of `conditions` holds for `message` (true for none).
bool AllHold(const std::vector<Condition>& conditions, const google::protobuf::Message& message);

/// The conditions of one set on each field, for the overlap test. Holds pointers into the
/// conditions it was built from, which must outlive it.
class FieldConstraint {
 public:
  /// The field numbers along the path, which identify the field within the message type.
  std::vector<int> key;
  std::vector<const Condition*> conditions;

  bool Holds(int64_t value) const;
  bool HoldsForText(const std::string* text) const;
  const google::protobuf::FieldDescriptor& leaf() const;
};

/// One set's constraints, by field, through singular fields only.
using Constraints = std::vector<FieldConstraint>;

/// Groups `conditions` (all of one message type) by field for Disjoint.
Constraints ConstraintsOf(const std::vector<Condition>& conditions);

/// Whether no message can meet both sets: some field both constrain has no value that meets
/// the conditions of both (see the file comment). Both must be of the same message type.
bool Disjoint(const Constraints& a, const Constraints& b);

}  // namespace jianguan::rules
