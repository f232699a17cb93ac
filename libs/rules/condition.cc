#include "libs/rules/condition.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/rules/rule_text.h"

namespace jianguan::rules {
namespace {

namespace pb = ::google::protobuf;
using FieldDescriptor = pb::FieldDescriptor;

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

bool IsInteger(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

bool IsText(const FieldDescriptor& field) { return field.type() == FieldDescriptor::TYPE_STRING; }

bool IsComparable(const FieldDescriptor& field) {
  return IsInteger(field) || IsText(field) ||
         field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM ||
         field.cpp_type() == FieldDescriptor::CPPTYPE_BOOL;
}

bool IsOrdering(Operator op) {
  return op == Operator::kLt || op == Operator::kLe || op == Operator::kGt || op == Operator::kGe;
}

// Only an optional minus sign and digits: SimpleAtoi alone would let spaces and '+' through.
std::optional<int64_t> ParseInteger(const std::string& text) {
  const size_t digits_from = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == digits_from ||
      !std::all_of(text.begin() + digits_from, text.end(),
                   [](char c) { return absl::ascii_isdigit(c); })) {
    return std::nullopt;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseNumber(const FieldDescriptor& leaf, const std::string& text) {
  if (IsInteger(leaf)) return ParseInteger(text);
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
    if (text == "true") return 1;
    if (text == "false") return 0;
    return std::nullopt;
  }
  const pb::EnumValueDescriptor* value = leaf.enum_type()->FindValueByName(text);
  if (value == nullptr) return std::nullopt;
  return value->number();
}

std::string ExpectedValue(const FieldDescriptor& leaf) {
  if (IsInteger(leaf)) return "an integer";
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_BOOL) return "true or false";
  return absl::StrCat("a value of ", leaf.enum_type()->full_name());
}

absl::Status CheckOperator(const ConditionSpec& spec, const FieldDescriptor& leaf) {
  const Operator op = spec.op;
  if (op == Operator::kUnspecified) return absl::InvalidArgumentError("op is not set");
  if (*OperatorName(op) == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("op ", static_cast<int>(op), " is not an operator"));
  }
  if (IsOrdering(op) && !IsInteger(leaf)) {
    return absl::InvalidArgumentError(absl::StrCat(OperatorName(op), " orders numbers, and ",
                                                   Quoted(spec.field), " is a ",
                                                   leaf.type_name()));
  }
  const size_t count = spec.values.size();
  if (op == Operator::kIn ? count < 1 : count != 1) {
    return absl::InvalidArgumentError(absl::StrCat(OperatorName(op), " takes ",
                                                   op == Operator::kIn ? "at least" : "exactly",
                                                   " one value, got ", count));
  }
  return absl::OkStatus();
}

// The value of a numeric leaf: the single value when `index` < 0, else that element.
int64_t NumberAt(const pb::Message& message, const FieldDescriptor& field, int index) {
  const pb::Reflection& r = *message.GetReflection();
  const bool single = index < 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return single ? r.GetInt32(message, &field) : r.GetRepeatedInt32(message, &field, index);
    case FieldDescriptor::CPPTYPE_INT64:
      return single ? r.GetInt64(message, &field) : r.GetRepeatedInt64(message, &field, index);
    case FieldDescriptor::CPPTYPE_UINT32:
      return single ? r.GetUInt32(message, &field) : r.GetRepeatedUInt32(message, &field, index);
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t value =
          single ? r.GetUInt64(message, &field) : r.GetRepeatedUInt64(message, &field, index);
      return value > static_cast<uint64_t>(kInt64Max) ? kInt64Max : static_cast<int64_t>(value);
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      return single ? r.GetEnumValue(message, &field)
                    : r.GetRepeatedEnumValue(message, &field, index);
    case FieldDescriptor::CPPTYPE_BOOL:
      return single ? r.GetBool(message, &field) : r.GetRepeatedBool(message, &field, index);
    default:
      return 0;
  }
}

// The smallest and largest value the field can hold, as Holds reads it.
std::pair<int64_t, int64_t> RangeOf(const FieldDescriptor& leaf) {
  switch (leaf.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case FieldDescriptor::CPPTYPE_UINT32:
      return {0, std::numeric_limits<uint32_t>::max()};
    case FieldDescriptor::CPPTYPE_UINT64:
      return {0, kInt64Max};
    case FieldDescriptor::CPPTYPE_BOOL:
      return {0, 1};
    default:
      return {kInt64Min, kInt64Max};
  }
}

}  // namespace

const char* OperatorName(Operator op) {
  switch (op) {
    case Operator::kUnspecified: return "OPERATOR_UNSPECIFIED";
    case Operator::kEq: return "OPERATOR_EQ";
    case Operator::kNe: return "OPERATOR_NE";
    case Operator::kLt: return "OPERATOR_LT";
    case Operator::kLe: return "OPERATOR_LE";
    case Operator::kGt: return "OPERATOR_GT";
    case Operator::kGe: return "OPERATOR_GE";
    case Operator::kIn: return "OPERATOR_IN";
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Compiling.

absl::StatusOr<Condition> Condition::Compile(const pb::Descriptor& message_type,
                                             const ConditionSpec& spec) {
  Condition out;
  out.op_ = spec.op;
  // The path, field by field from the message.
  const std::string shown = Quoted(spec.field);
  const pb::Descriptor* message = &message_type;
  for (absl::string_view name : absl::StrSplit(AbslView(spec.field), '.')) {
    if (message == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field ", shown, ": ", out.path_.back()->name(), " is not a message"));
    }
    const FieldDescriptor* field = message->FindFieldByName(std::string(name));
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("field ", shown, ": ", message->full_name(),
                                                     " has no field ", Quoted(StdView(name))));
    }
    out.path_.push_back(field);
    out.through_repeated_ = out.through_repeated_ || field->is_repeated();
    message = field->message_type();
  }
  const FieldDescriptor& leaf = *out.path_.back();
  if (leaf.message_type() != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("field ", shown, " ends on a message (",
                                                   leaf.message_type()->full_name(),
                                                   "); name one of its fields"));
  }
  if (!IsComparable(leaf)) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", shown, " is a ", leaf.type_name(),
                     "; conditions compare integers, enums, booleans and strings"));
  }
  RETURN_IF_ERROR(CheckOperator(spec, leaf));
  // The values, parsed for the leaf's type.
  if (IsText(leaf)) {
    out.strings_ = spec.values;
    return out;
  }
  for (size_t k = 0; k < spec.values.size(); ++k) {
    const std::optional<int64_t> number = ParseNumber(leaf, spec.values[k]);
    if (!number) {
      return absl::InvalidArgumentError(absl::StrCat(
          "values[", k, "] ", Quoted(spec.values[k]), " is not ", ExpectedValue(leaf)));
    }
    out.numbers_.push_back(*number);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Matching.

bool Condition::HoldsFor(int64_t x) const {
  switch (op_) {
    case Operator::kEq:
      return x == numbers_[0];
    case Operator::kNe:
      return x != numbers_[0];
    case Operator::kLt:
      return x < numbers_[0];
    case Operator::kLe:
      return x <= numbers_[0];
    case Operator::kGt:
      return x > numbers_[0];
    case Operator::kGe:
      return x >= numbers_[0];
    case Operator::kIn:
      return std::find(numbers_.begin(), numbers_.end(), x) != numbers_.end();
    default:
      return false;
  }
}

// `text` null stands for a string no condition mentions.
bool Condition::HoldsForText(const std::string* text) const {
  const bool mentioned =
      text != nullptr && std::find(strings_.begin(), strings_.end(), *text) != strings_.end();
  switch (op_) {
    case Operator::kEq:
    case Operator::kIn:
      return mentioned;
    case Operator::kNe:
      return !mentioned;
    default:
      return false;
  }
}

bool Condition::LeafHolds(const pb::Message& message, int index) const {
  const FieldDescriptor& field = *path_.back();
  if (!IsText(field)) return HoldsFor(NumberAt(message, field, index));
  const pb::Reflection& r = *message.GetReflection();
  std::string scratch;  // Only filled for string representations that are not std::string.
  const std::string& text = index < 0 ? r.GetStringReference(message, &field, &scratch)
                                      : r.GetRepeatedStringReference(message, &field, index,
                                                                     &scratch);
  return HoldsForText(&text);
}

// Through a repeated field the condition holds when it holds for any element reached.
bool Condition::HoldsFrom(const pb::Message& message, size_t depth) const {
  const FieldDescriptor& field = *path_[depth];
  const pb::Reflection& r = *message.GetReflection();
  const bool leaf = depth + 1 == path_.size();
  if (!field.is_repeated()) {
    return leaf ? LeafHolds(message, -1) : HoldsFrom(r.GetMessage(message, &field), depth + 1);
  }
  const int size = r.FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    if (leaf ? LeafHolds(message, i)
             : HoldsFrom(r.GetRepeatedMessage(message, &field, i), depth + 1)) {
      return true;
    }
  }
  return false;
}

bool Condition::Holds(const pb::Message& message) const {
  // A message of another descriptor pool (a DynamicMessage) has the same name but other
  // field descriptors, which reflection must not be handed.
  if (path_.empty() || path_.front()->containing_type() != message.GetDescriptor()) return false;
  return HoldsFrom(message, 0);
}

bool AllHold(const std::vector<Condition>& conditions, const pb::Message& message) {
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const Condition& c) { return c.Holds(message); });
}

// ---------------------------------------------------------------------------------------
// Overlap.

bool FieldConstraint::Holds(int64_t x) const {
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const Condition* c) { return c->HoldsFor(x); });
}

bool FieldConstraint::HoldsForText(const std::string* text) const {
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const Condition* c) { return c->HoldsForText(text); });
}

const FieldDescriptor& FieldConstraint::leaf() const { return *conditions.front()->path().back(); }

namespace {

// Whether one of the candidate numbers satisfies `holds`. Every constraint is a union of
// intervals whose ends are the mentioned values, so the mentioned values, their neighbours
// and the ends of the field's range meet every region.
template <typename Predicate>
bool SomeNumber(const FieldConstraint& a, const FieldConstraint& b, Predicate holds) {
  const FieldDescriptor& leaf = a.leaf();
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    // The enum's values, and one it does not name: proto3 enums are open, so a message from a
    // newer producer may carry it.
    int64_t largest = 0;
    for (int k = 0; k < leaf.enum_type()->value_count(); ++k) {
      const int64_t number = leaf.enum_type()->value(k)->number();
      if (holds(number)) return true;
      largest = std::max(largest, number);
    }
    return holds(largest + 1);
  }
  // Not a structured binding: clang 14 (the fuzz preset's compiler) cannot capture one in
  // the lambda below.
  const std::pair<int64_t, int64_t> range = RangeOf(leaf);
  const int64_t low = range.first, high = range.second;
  const auto holds_clamped = [&](int64_t v) { return holds(std::clamp(v, low, high)); };
  if (holds(low) || holds(high)) return true;
  for (const FieldConstraint* constraint : {&a, &b}) {
    for (const Condition* c : constraint->conditions) {
      for (int64_t v : c->numbers()) {
        if (holds_clamped(v) || (v > kInt64Min && holds_clamped(v - 1)) ||
            (v < kInt64Max && holds_clamped(v + 1))) {
          return true;
        }
      }
    }
  }
  return false;
}

// Whether a mentioned string, or one mentioned nowhere (null), satisfies `holds`.
template <typename Predicate>
bool SomeText(const FieldConstraint& a, const FieldConstraint& b, Predicate holds) {
  if (holds(nullptr)) return true;
  for (const FieldConstraint* constraint : {&a, &b}) {
    for (const Condition* c : constraint->conditions) {
      for (const std::string& text : c->strings()) {
        if (holds(&text)) return true;
      }
    }
  }
  return false;
}

bool BothSatisfiable(const FieldConstraint& a, const FieldConstraint& b) {
  if (IsText(a.leaf())) {
    return SomeText(a, b, [&](const std::string* text) {
      return a.HoldsForText(text) && b.HoldsForText(text);
    });
  }
  return SomeNumber(a, b, [&](int64_t x) { return a.Holds(x) && b.Holds(x); });
}

}  // namespace

Constraints ConstraintsOf(const std::vector<Condition>& conditions) {
  Constraints out;
  for (const Condition& c : conditions) {
    if (c.through_repeated()) continue;
    std::vector<int> key;
    for (const FieldDescriptor* field : c.path()) key.push_back(field->number());
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const FieldConstraint& f) { return f.key == key; });
    if (it == out.end()) it = out.insert(out.end(), FieldConstraint{std::move(key), {}});
    it->conditions.push_back(&c);
  }
  std::sort(out.begin(), out.end(),
            [](const FieldConstraint& x, const FieldConstraint& y) { return x.key < y.key; });
  return out;
}

bool Disjoint(const Constraints& a, const Constraints& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (i->key < j->key) {
      ++i;
    } else if (j->key < i->key) {
      ++j;
    } else if (!BothSatisfiable(*i++, *j++)) {
      return true;
    }
  }
  return false;
}

}  // namespace jianguan::rules
