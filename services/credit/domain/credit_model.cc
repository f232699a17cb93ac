#include "services/credit/domain/credit_model.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/rules/condition.h"
#include "libs/rules/rule_text.h"

namespace jianguan::credit {
namespace {

namespace pb = ::google::protobuf;
using Condition = CompiledModel::CompiledCondition;
using rules::Printable;
using rules::Problems;
using rules::Quoted;

constexpr int kMaxRules = 10'000;
constexpr int kMaxPoints = 100;
constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxVersionChars = 32;

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
// Overlap (rules::Disjoint decides it for two rules).

struct IndexedRule {
  int index;
  CompiledModel::CompiledRule compiled;
};

// `rules` are of one event type, sorted by priority.
void CheckOverlaps(const std::vector<IndexedRule>& rules, Problems& problems) {
  std::vector<rules::Constraints> constraints;
  for (const IndexedRule& rule : rules) {
    constraints.push_back(rules::ConstraintsOf(rule.compiled.conditions));
  }
  for (size_t i = 0; i < rules.size() && !problems.full(); ++i) {
    for (size_t j = i + 1; j < rules.size() && !problems.full(); ++j) {
      const v1::Rule& a = *rules[i].compiled.rule;
      const v1::Rule& b = *rules[j].compiled.rule;
      if (a.priority() != b.priority()) break;  // Sorted by priority: no later one shares it.
      if (rules::Disjoint(constraints[i], constraints[j])) continue;
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
    const v1::Condition& spec = rule.conditions(k);
    absl::StatusOr<Condition> condition = Condition::Compile(
        *event, {.field = spec.field(),
                 .op = static_cast<rules::Operator>(spec.op()),
                 .values = {spec.values().begin(), spec.values().end()}});
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
  if (!rules::IsIdentifier(rule.id(), kMaxIdChars)) {
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
  if (!rules::IsIdentifier(model.version(), kMaxVersionChars)) {
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

absl::StatusOr<v1::CreditModel> ParseModelText(std::string_view text, std::string_view origin) {
  v1::CreditModel model;
  if (absl::Status parsed = rules::ParseText(text, origin, model); !parsed.ok()) return parsed;
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
// Matching: reflection over the event, without allocating (libs/rules).

namespace {

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
    if (rules::AllHold(rule.conditions, event)) {
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
