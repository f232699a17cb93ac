#include "services/credit/domain/credit_model.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::credit {
namespace {

namespace pb = ::google::protobuf;
using Condition = CompiledModel::CompiledCondition;
using FieldDescriptor = pb::FieldDescriptor;

constexpr int kMaxRules = 10'000;
constexpr int kMaxPoints = 100;
constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxVersionChars = 32;
// A model with thousands of bad rules still gives a readable error.
constexpr size_t kMaxProblems = 20;
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// ---------------------------------------------------------------------------------------
// The events credit consumes.

// Referenced through the generated classes: the proto library is static, so a type named
// only as a string might not be linked in, and DescriptorPool lookups would miss it.
const std::vector<const pb::Descriptor*>& EventDescriptors() {
  static const auto* const kEvents = new std::vector<const pb::Descriptor*>{
      subject::v1::SubjectRegistered::descriptor(),
      subject::v1::SubjectUpdated::descriptor(),
      subject::v1::SubjectStatusChanged::descriptor(),
      subject::v1::LicenceGranted::descriptor(),
      subject::v1::CommitmentRecorded::descriptor(),
      subject::v1::CommitmentResolved::descriptor(),
      inspection::v1::TaskCreated::descriptor(),
      inspection::v1::TaskAssigned::descriptor(),
      inspection::v1::TaskStateChanged::descriptor(),
      inspection::v1::ResultSubmitted::descriptor(),
      inspection::v1::ResultPublished::descriptor(),
      inspection::v1::RectificationOrdered::descriptor(),
      inspection::v1::FollowUpCompleted::descriptor(),
      inspection::v1::LeadTransferred::descriptor(),
      inspection::v1::CommitmentVerified::descriptor(),
      cases::v1::LeadRegistered::descriptor(),
      cases::v1::LeadTransferred::descriptor(),
      cases::v1::CaseFiled::descriptor(),
      cases::v1::PenaltyNoticed::descriptor(),
      cases::v1::HearingRequested::descriptor(),
      cases::v1::PenaltyDecided::descriptor(),
      cases::v1::PenaltyExecuted::descriptor(),
      cases::v1::CaseClosed::descriptor(),
  };
  return *kEvents;
}

const pb::Descriptor* FindEvent(std::string_view full_name) {
  for (const pb::Descriptor* event : EventDescriptors()) {
    if (event->full_name() == full_name) return event;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Text echoed in errors.

size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Text from the model as an error shows it: cut to a readable length, and each byte that is
// not part of valid UTF-8 replaced by U+FFFD, so the error is valid UTF-8 whatever the model.
std::string Printable(std::string_view text) {
  constexpr size_t kMaxBytes = 100;
  const bool cut = text.size() > kMaxBytes;
  if (cut) text = text.substr(0, kMaxBytes);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n <= text.size() && IsValidUtf8(text.substr(i, n))) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  if (cut) out.append("…");
  return out;
}

std::string Quoted(std::string_view text) { return absl::StrCat("\"", Printable(text), "\""); }

// The problems found in a model, each a sentence; the first kMaxProblems are kept.
class Problems {
 public:
  void Add(std::string problem) {
    if (lines_.size() < kMaxProblems) lines_.push_back(std::move(problem));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ >= kMaxProblems; }
  absl::Status ToStatus() const {
    std::string text = absl::StrJoin(lines_, "; ");
    if (count_ > lines_.size()) absl::StrAppend(&text, "; and ", count_ - lines_.size(), " more");
    return absl::InvalidArgumentError(text);
  }

 private:
  std::vector<std::string> lines_;
  size_t count_ = 0;
};

std::string RuleName(int index, const v1::Rule& rule) {
  return absl::StrCat("rules[", index, "] (", Printable(rule.id()), ")");
}

// ---------------------------------------------------------------------------------------
// Small checks.

// The grade bands with the defaults where unset: A ≥ 90, B ≥ 80, C ≥ 60 (Yiwu: a subject
// with score 80 is grade B).
struct Bands {
  int a;
  int b;
  int c;
};

Bands BandsOf(const v1::GradeBands& bands) {
  return {bands.a_min() != 0 ? bands.a_min() : 90, bands.b_min() != 0 ? bands.b_min() : 80,
          bands.c_min() != 0 ? bands.c_min() : 60};
}

bool IsName(std::string_view text, size_t max_chars) {
  return !text.empty() && text.size() <= max_chars &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

// "" when the measures are 1–4 distinct named measures, else what is wrong.
std::string MeasuresProblem(const pb::RepeatedField<int>& measures, std::string_view field) {
  if (measures.empty()) return absl::StrCat(AbslView(field), " is empty");
  std::set<int> seen;
  for (int k = 0; k < measures.size(); ++k) {
    const int measure = measures.Get(k);
    if (measure == v1::MEASURE_UNSPECIFIED || !v1::Measure_IsValid(measure)) {
      return absl::StrCat(AbslView(field), "[", k, "] is not a measure (", measure, ")");
    }
    if (!seen.insert(measure).second) {
      return absl::StrCat(AbslView(field), "[", k, "] repeats ",
                          v1::Measure_Name(static_cast<v1::Measure>(measure)));
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Conditions: compiling.

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

// Walks the dotted path field by field from the event's message.
absl::Status ResolvePath(const pb::Descriptor& event, std::string_view dotted, Condition& out) {
  const std::string shown = Quoted(dotted);
  const pb::Descriptor* message = &event;
  for (absl::string_view name : absl::StrSplit(AbslView(dotted), '.')) {
    if (message == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field ", shown, ": ", out.path.back()->name(), " is not a message"));
    }
    const FieldDescriptor* field = message->FindFieldByName(std::string(name));
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("field ", shown, ": ", message->full_name(),
                                                     " has no field ", Quoted(StdView(name))));
    }
    out.path.push_back(field);
    out.through_repeated = out.through_repeated || field->is_repeated();
    message = field->message_type();
  }
  const FieldDescriptor& leaf = *out.path.back();
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
  return absl::OkStatus();
}

absl::Status CheckOperator(const v1::Condition& condition, const FieldDescriptor& leaf) {
  const v1::Operator op = condition.op();
  if (op == v1::OPERATOR_UNSPECIFIED) return absl::InvalidArgumentError("op is not set");
  if (!v1::Operator_IsValid(op)) {
    return absl::InvalidArgumentError(absl::StrCat("op ", op, " is not an operator"));
  }
  const bool ordering = op == v1::OPERATOR_LT || op == v1::OPERATOR_LE ||
                        op == v1::OPERATOR_GT || op == v1::OPERATOR_GE;
  if (ordering && !IsInteger(leaf)) {
    return absl::InvalidArgumentError(absl::StrCat(v1::Operator_Name(op), " orders numbers, and ",
                                                   Quoted(condition.field()), " is a ",
                                                   leaf.type_name()));
  }
  const int count = condition.values_size();
  if (op == v1::OPERATOR_IN ? count < 1 : count != 1) {
    return absl::InvalidArgumentError(absl::StrCat(v1::Operator_Name(op), " takes ",
                                                   op == v1::OPERATOR_IN ? "at least" : "exactly",
                                                   " one value, got ", count));
  }
  return absl::OkStatus();
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

absl::Status ParseValues(const v1::Condition& condition, Condition& out) {
  const FieldDescriptor& leaf = *out.path.back();
  if (IsText(leaf)) {
    out.strings.assign(condition.values().begin(), condition.values().end());
    return absl::OkStatus();
  }
  for (int k = 0; k < condition.values_size(); ++k) {
    const std::optional<int64_t> number = ParseNumber(leaf, condition.values(k));
    if (!number) {
      return absl::InvalidArgumentError(absl::StrCat("values[", k, "] ",
                                                     Quoted(condition.values(k)), " is not ",
                                                     ExpectedValue(leaf)));
    }
    out.numbers.push_back(*number);
  }
  return absl::OkStatus();
}

absl::StatusOr<Condition> CompileCondition(const pb::Descriptor& event,
                                           const v1::Condition& condition) {
  Condition out;
  out.op = condition.op();
  RETURN_IF_ERROR(ResolvePath(event, condition.field(), out));
  RETURN_IF_ERROR(CheckOperator(condition, *out.path.back()));
  RETURN_IF_ERROR(ParseValues(condition, out));
  return out;
}

// ---------------------------------------------------------------------------------------
// Conditions: testing one value.

bool NumberHolds(const Condition& c, int64_t x) {
  switch (c.op) {
    case v1::OPERATOR_EQ:
      return x == c.numbers[0];
    case v1::OPERATOR_NE:
      return x != c.numbers[0];
    case v1::OPERATOR_LT:
      return x < c.numbers[0];
    case v1::OPERATOR_LE:
      return x <= c.numbers[0];
    case v1::OPERATOR_GT:
      return x > c.numbers[0];
    case v1::OPERATOR_GE:
      return x >= c.numbers[0];
    case v1::OPERATOR_IN:
      return std::find(c.numbers.begin(), c.numbers.end(), x) != c.numbers.end();
    default:
      return false;
  }
}

// `text` nullopt stands for a string no condition mentions.
bool TextHolds(const Condition& c, std::optional<std::string_view> text) {
  const auto mentioned = [&] {
    return text && std::find(c.strings.begin(), c.strings.end(), *text) != c.strings.end();
  };
  switch (c.op) {
    case v1::OPERATOR_EQ:
    case v1::OPERATOR_IN:
      return mentioned();
    case v1::OPERATOR_NE:
      return !mentioned();
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Overlap.

// The smallest and largest value the field can hold, as Match reads it.
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

// The conditions one rule puts on one field, reached through singular fields only.
struct FieldConstraint {
  int field;  // The path's number among the model's paths.
  std::vector<const Condition*> conditions;

  bool Holds(int64_t x) const {
    return std::all_of(conditions.begin(), conditions.end(),
                       [&](const Condition* c) { return NumberHolds(*c, x); });
  }
  bool Holds(std::optional<std::string_view> text) const {
    return std::all_of(conditions.begin(), conditions.end(),
                       [&](const Condition* c) { return TextHolds(*c, text); });
  }
  const FieldDescriptor& leaf() const { return *conditions.front()->path.back(); }
};

// Whether one of the candidate numbers satisfies `holds`. Every constraint is a union of
// intervals whose ends are the mentioned values, so the mentioned values, their neighbours
// and the ends of the field's range meet every region.
template <typename Predicate>
bool SomeNumber(const FieldConstraint& a, const FieldConstraint& b, Predicate holds) {
  const FieldDescriptor& leaf = a.leaf();
  if (leaf.cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    // The enum's values, and one it does not name: proto3 enums are open, so an event from a
    // newer producer may carry it.
    int64_t largest = 0;
    for (int k = 0; k < leaf.enum_type()->value_count(); ++k) {
      const int64_t number = leaf.enum_type()->value(k)->number();
      if (holds(number)) return true;
      largest = std::max(largest, number);
    }
    return holds(largest + 1);
  }
  const auto [low, high] = RangeOf(leaf);
  const auto holds_clamped = [&](int64_t v) { return holds(std::clamp(v, low, high)); };
  if (holds(low) || holds(high)) return true;
  for (const FieldConstraint* constraint : {&a, &b}) {
    for (const Condition* c : constraint->conditions) {
      for (int64_t v : c->numbers) {
        if (holds_clamped(v) || (v > kInt64Min && holds_clamped(v - 1)) ||
            (v < kInt64Max && holds_clamped(v + 1))) {
          return true;
        }
      }
    }
  }
  return false;
}

// Whether a mentioned string, or one mentioned nowhere (nullopt), satisfies `holds`.
template <typename Predicate>
bool SomeText(const FieldConstraint& a, const FieldConstraint& b, Predicate holds) {
  if (holds(std::nullopt)) return true;
  for (const FieldConstraint* constraint : {&a, &b}) {
    for (const Condition* c : constraint->conditions) {
      for (const std::string& text : c->strings) {
        if (holds(text)) return true;
      }
    }
  }
  return false;
}

bool BothSatisfiable(const FieldConstraint& a, const FieldConstraint& b) {
  if (IsText(a.leaf())) {
    return SomeText(a, b, [&](std::optional<std::string_view> text) {
      return a.Holds(text) && b.Holds(text);
    });
  }
  return SomeNumber(a, b, [&](int64_t x) { return a.Holds(x) && b.Holds(x); });
}

// A rule's constraints by field (ascending), for the overlap check. A path through a
// repeated field is left out: two conditions on it may be met by different elements.
using RuleConstraints = std::vector<FieldConstraint>;
using PathNumbers = std::map<std::vector<const FieldDescriptor*>, int>;

RuleConstraints ConstraintsOf(const CompiledModel::CompiledRule& rule, PathNumbers& paths) {
  RuleConstraints out;
  for (const Condition& c : rule.conditions) {
    if (c.through_repeated) continue;
    const int field = paths.emplace(c.path, static_cast<int>(paths.size())).first->second;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const FieldConstraint& f) { return f.field == field; });
    if (it == out.end()) it = out.insert(out.end(), FieldConstraint{field, {}});
    it->conditions.push_back(&c);
  }
  std::sort(out.begin(), out.end(),
            [](const FieldConstraint& x, const FieldConstraint& y) { return x.field < y.field; });
  return out;
}

// Whether some field both rules constrain has no value meeting the conditions of both.
bool Disjoint(const RuleConstraints& a, const RuleConstraints& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (i->field < j->field) {
      ++i;
    } else if (j->field < i->field) {
      ++j;
    } else if (!BothSatisfiable(*i++, *j++)) {
      return true;
    }
  }
  return false;
}

struct IndexedRule {
  int index;
  CompiledModel::CompiledRule compiled;
};

// `rules` are of one event type, sorted by priority.
void CheckOverlaps(const std::vector<IndexedRule>& rules, Problems& problems) {
  PathNumbers paths;
  std::vector<RuleConstraints> constraints;
  for (const IndexedRule& rule : rules) constraints.push_back(ConstraintsOf(rule.compiled, paths));
  for (size_t i = 0; i < rules.size() && !problems.full(); ++i) {
    for (size_t j = i + 1; j < rules.size() && !problems.full(); ++j) {
      const v1::Rule& a = *rules[i].compiled.rule;
      const v1::Rule& b = *rules[j].compiled.rule;
      if (a.priority() != b.priority()) break;  // Sorted by priority: no later one shares it.
      if (Disjoint(constraints[i], constraints[j])) continue;
      problems.Add(absl::StrCat(RuleName(rules[i].index, a), " and ",
                                RuleName(rules[j].index, b), " overlap without a priority: both ",
                                "can match one ", a.event_type(), " at priority ",
                                a.priority()));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Rules.

void CheckRestriction(const v1::RestrictionRule& restriction, std::vector<std::string>& what) {
  if (std::string problem = MeasuresProblem(restriction.measures(), "restricts.measures");
      !problem.empty()) {
    what.push_back(std::move(problem));
  }
  if (restriction.months() < 1) {
    what.push_back(absl::StrCat("restricts.months must be at least 1, got ", restriction.months()));
  }
}

void CheckScoring(const v1::Rule& rule, std::vector<std::string>& what) {
  if (rule.points() == 0 || rule.points() < -kMaxPoints || rule.points() > kMaxPoints) {
    what.push_back(absl::StrCat("points must be −100…100 and not 0, got ", rule.points()));
  }
  if (rule.points() < 0 && rule.shown_months() < 1) {
    what.push_back(absl::StrCat("a deduction needs shown_months of at least 1, got ",
                                rule.shown_months()));
  }
  if (rule.repair_after_months() < 0) {
    what.push_back(absl::StrCat("repair_after_months must not be negative, got ",
                                rule.repair_after_months()));
  }
  if (rule.has_restricts()) CheckRestriction(rule.restricts(), what);
}

// Compiles the rule's conditions into `out`, adding what is wrong to `what`.
void CompileConditions(const v1::Rule& rule, CompiledModel::CompiledRule& out,
                       std::vector<std::string>& what) {
  const pb::Descriptor* event = FindEvent(rule.event_type());
  if (event == nullptr) {
    what.push_back(absl::StrCat("event_type ", Quoted(rule.event_type()),
                                " is not an event credit consumes"));
    return;
  }
  for (int k = 0; k < rule.conditions_size(); ++k) {
    absl::StatusOr<Condition> condition = CompileCondition(*event, rule.conditions(k));
    if (condition.ok()) {
      out.conditions.push_back(*std::move(condition));
    } else {
      what.push_back(absl::StrCat("conditions[", k, "] ", condition.status().message()));
    }
  }
}

std::optional<CompiledModel::CompiledRule> CompileRule(int index, const v1::Rule& rule,
                                                       Problems& problems) {
  std::vector<std::string> what;
  if (!IsName(rule.id(), kMaxIdChars)) {
    what.push_back(absl::StrCat("id must be 1–64 characters of [A-Za-z0-9._-], got ",
                                Quoted(rule.id())));
  }
  CompiledModel::CompiledRule out{.rule = &rule};
  CompileConditions(rule, out, what);
  CheckScoring(rule, what);
  for (std::string& problem : what) {
    problems.Add(absl::StrCat(RuleName(index, rule), ": ", problem));
  }
  if (!what.empty()) return std::nullopt;
  return out;
}

void CheckModelFields(const v1::CreditModel& model, Problems& problems) {
  if (!IsName(model.version(), kMaxVersionChars)) {
    problems.Add(absl::StrCat("version must be 1–32 characters of [A-Za-z0-9._-], got ",
                              Quoted(model.version())));
  }
  if (!ValidDayOf(model.effective_date())) {
    const common::v1::Date& d = model.effective_date();
    problems.Add(absl::StrFormat("effective_date %04d-%02d-%02d is not a date", d.year(),
                                 d.month(), d.day()));
  }
  if (const Bands bands = BandsOf(model.bands()); !(bands.a > bands.b && bands.b > bands.c)) {
    problems.Add(absl::StrCat("bands must descend strictly (a_min > b_min > c_min), got ",
                              bands.a, ", ", bands.b, ", ", bands.c, " with the defaults"));
  }
  if (model.rules_size() == 0) problems.Add("rules: a model needs at least one rule");
  if (model.rules_size() > kMaxRules) {
    problems.Add(absl::StrCat("rules: ", model.rules_size(), " rules, at most ", kMaxRules));
  }
  if (model.grade_d_measures_size() > 0) {
    if (std::string problem = MeasuresProblem(model.grade_d_measures(), "grade_d_measures");
        !problem.empty()) {
      problems.Add(std::move(problem));
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------

const std::vector<std::string>& KnownEventTypes() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const pb::Descriptor* event : EventDescriptors()) names->push_back(event->full_name());
    return names;
  }();
  return *kNames;
}

namespace {

// Keeps the first error as "origin:line:column: message", 1-based.
class FirstError : public pb::io::ErrorCollector {
 public:
  explicit FirstError(std::string_view origin) : origin_(origin) {}

  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (!error_.empty()) return;
    error_ = absl::StrCat(Printable(origin_), ":", std::max(line, 0) + 1, ":",
                          std::max(column, 0) + 1, ": ", Printable(message));
  }
  const std::string& error() const { return error_; }

 private:
  std::string_view origin_;
  std::string error_;
};

}  // namespace

absl::StatusOr<v1::CreditModel> ParseModelText(std::string_view text, std::string_view origin) {
  FirstError errors(origin);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  v1::CreditModel model;
  if (!parser.ParseFromString(std::string(text), &model)) {
    if (errors.error().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(Printable(origin), ": does not parse"));
    }
    return absl::InvalidArgumentError(errors.error());
  }
  return model;
}

const char* GradeLetter(v1::CreditGrade grade) {
  switch (grade) {
    case v1::CREDIT_GRADE_A: return "A";
    case v1::CREDIT_GRADE_B: return "B";
    case v1::CREDIT_GRADE_C: return "C";
    case v1::CREDIT_GRADE_D: return "D";
    default: return "-";
  }
}

v1::CreditGrade GradeOf(const v1::GradeBands& bands, int score) {
  const Bands b = BandsOf(bands);
  if (score >= b.a) return v1::CREDIT_GRADE_A;
  if (score >= b.b) return v1::CREDIT_GRADE_B;
  if (score >= b.c) return v1::CREDIT_GRADE_C;
  return v1::CREDIT_GRADE_D;
}

// ---------------------------------------------------------------------------------------
// Compiling.

absl::StatusOr<CompiledModel> CompiledModel::Compile(v1::CreditModel model) {
  CompiledModel compiled;
  compiled.model_ = std::make_shared<const v1::CreditModel>(std::move(model));
  const v1::CreditModel& m = *compiled.model_;
  Problems problems;
  CheckModelFields(m, problems);
  if (m.rules_size() > kMaxRules) return problems.ToStatus();

  std::map<std::string_view, int> first_with_id;
  std::map<std::string_view, std::vector<IndexedRule>> by_type;
  for (int i = 0; i < m.rules_size(); ++i) {
    const v1::Rule& rule = m.rules(i);
    if (const auto [first, inserted] = first_with_id.emplace(rule.id(), i); !inserted) {
      problems.Add(absl::StrCat(RuleName(i, rule), ": id already used by rules[", first->second,
                                "]"));
    }
    if (std::optional<CompiledRule> compiled_rule = CompileRule(i, rule, problems)) {
      by_type[rule.event_type()].push_back({i, *std::move(compiled_rule)});
    }
  }
  if (!problems.empty()) return problems.ToStatus();

  for (auto& [type, rules] : by_type) {
    std::stable_sort(rules.begin(), rules.end(), [](const IndexedRule& a, const IndexedRule& b) {
      return a.compiled.rule->priority() > b.compiled.rule->priority();
    });
    CheckOverlaps(rules, problems);
  }
  if (!problems.empty()) return problems.ToStatus();

  compiled.effective_day_ = *ValidDayOf(m.effective_date());
  for (auto& [type, rules] : by_type) {
    std::vector<CompiledRule>& out = compiled.by_type_.emplace_back(std::string(type),
                                                                    std::vector<CompiledRule>())
                                         .second;
    for (IndexedRule& rule : rules) out.push_back(std::move(rule.compiled));
  }
  for (const v1::Rule& rule : m.rules()) compiled.by_id_.push_back(&rule);
  std::sort(compiled.by_id_.begin(), compiled.by_id_.end(),
            [](const v1::Rule* a, const v1::Rule* b) { return a->id() < b->id(); });
  return compiled;
}

// ---------------------------------------------------------------------------------------
// Matching: reflection over the event, without allocating.

namespace {

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

// The compared field of `message`: the single value when `index` < 0, else that element.
bool LeafHolds(const pb::Message& message, const Condition& c, int index) {
  const FieldDescriptor& field = *c.path.back();
  if (!IsText(field)) return NumberHolds(c, NumberAt(message, field, index));
  const pb::Reflection& r = *message.GetReflection();
  std::string scratch;  // Only filled for string representations that are not std::string.
  const std::string& text = index < 0 ? r.GetStringReference(message, &field, &scratch)
                                      : r.GetRepeatedStringReference(message, &field, index,
                                                                     &scratch);
  return TextHolds(c, text);
}

// Through a repeated field the condition holds when it holds for any element reached.
bool HoldsFrom(const pb::Message& message, const Condition& c, size_t depth) {
  const FieldDescriptor& field = *c.path[depth];
  const pb::Reflection& r = *message.GetReflection();
  const bool leaf = depth + 1 == c.path.size();
  if (!field.is_repeated()) {
    return leaf ? LeafHolds(message, c, -1)
                : HoldsFrom(r.GetMessage(message, &field), c, depth + 1);
  }
  const int size = r.FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    if (leaf ? LeafHolds(message, c, i)
             : HoldsFrom(r.GetRepeatedMessage(message, &field, i), c, depth + 1)) {
      return true;
    }
  }
  return false;
}

bool Holds(const pb::Message& event, const Condition& c) {
  // A message of another descriptor pool (a DynamicMessage) has the same name but other
  // field descriptors, which reflection must not be handed.
  if (c.path.front()->containing_type() != event.GetDescriptor()) return false;
  return HoldsFrom(event, c, 0);
}

using RulesByType =
    std::vector<std::pair<std::string, std::vector<CompiledModel::CompiledRule>>>;

const std::vector<CompiledModel::CompiledRule>* RulesOf(const RulesByType& by_type,
                                                        std::string_view type) {
  const auto it = std::lower_bound(
      by_type.begin(), by_type.end(), type,
      [](const auto& entry, std::string_view t) { return std::string_view(entry.first) < t; });
  return it != by_type.end() && it->first == type ? &it->second : nullptr;
}

}  // namespace

const v1::Rule* CompiledModel::Match(const pb::Message& event) const {
  const std::vector<CompiledRule>* rules = RulesOf(by_type_, event.GetDescriptor()->full_name());
  if (rules == nullptr) return nullptr;
  for (const CompiledRule& rule : *rules) {
    if (std::all_of(rule.conditions.begin(), rule.conditions.end(),
                    [&](const Condition& c) { return Holds(event, c); })) {
      return rule.rule;
    }
  }
  return nullptr;
}

bool CompiledModel::HandlesType(std::string_view type) const {
  return RulesOf(by_type_, type) != nullptr;
}

const v1::Rule* CompiledModel::FindRule(std::string_view id) const {
  const auto it = std::lower_bound(
      by_id_.begin(), by_id_.end(), id,
      [](const v1::Rule* rule, std::string_view i) { return std::string_view(rule->id()) < i; });
  return it != by_id_.end() && (*it)->id() == id ? *it : nullptr;
}

// ---------------------------------------------------------------------------------------
// The loaded versions.

absl::StatusOr<ModelSet> ModelSet::Build(std::vector<CompiledModel> models) {
  std::stable_sort(models.begin(), models.end(),
                   [](const CompiledModel& a, const CompiledModel& b) {
                     return a.effective_day() < b.effective_day();
                   });
  std::map<std::string_view, size_t> by_version;
  for (size_t i = 0; i < models.size(); ++i) {
    const std::string& version = models[i].model().version();
    if (const auto [first, inserted] = by_version.emplace(version, i); !inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("model versions ", version, " and ", version, ": one version loaded twice"));
    }
    if (i > 0 && models[i - 1].effective_day() == models[i].effective_day()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model versions ", models[i - 1].model().version(), " and ", version,
          " take effect on the same day, ", absl::FormatCivilTime(models[i].effective_day())));
    }
  }
  ModelSet set;
  set.models_ = std::move(models);
  return set;
}

const CompiledModel* ModelSet::InForce(absl::CivilDay day) const {
  const auto after = std::upper_bound(
      models_.begin(), models_.end(), day,
      [](absl::CivilDay d, const CompiledModel& model) { return d < model.effective_day(); });
  return after == models_.begin() ? nullptr : &*std::prev(after);
}

const CompiledModel* ModelSet::Find(std::string_view version) const {
  for (const CompiledModel& model : models_) {
    if (model.model().version() == version) return &model;
  }
  return nullptr;
}

bool ModelSet::HandlesType(std::string_view type) const {
  return std::any_of(models_.begin(), models_.end(),
                     [&](const CompiledModel& model) { return model.HandlesType(type); });
}

}  // namespace jianguan::credit
