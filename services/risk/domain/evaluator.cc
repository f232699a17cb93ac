#include "services/risk/domain/evaluator.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/core/clock.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/rules/rule_text.h"

namespace jianguan::risk {
namespace {

constexpr int kMaxEvidence = 20;
constexpr int32_t kMaxCounter = 1'000'000;

// ---------------------------------------------------------------------------------------
// Time and text.

// Reasons are read by the officers handling the alert: Beijing time, said so.
std::string Shown(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S 北京时间", t, BeijingTime());
}

const char* Symbol(v1::Operator op) {
  switch (op) {
    case v1::OPERATOR_LT: return "<";
    case v1::OPERATOR_LE: return "≤";
    case v1::OPERATOR_GT: return ">";
    case v1::OPERATOR_GE: return "≥";
    default: return "?";
  }
}

bool Beyond(v1::Operator op, double value, double limit) {
  switch (op) {
    case v1::OPERATOR_LT: return value < limit;
    case v1::OPERATOR_LE: return value <= limit;
    case v1::OPERATOR_GT: return value > limit;
    case v1::OPERATOR_GE: return value >= limit;
    default: return false;
  }
}

int32_t Capped(int64_t n) { return static_cast<int32_t>(std::min<int64_t>(n, kMaxCounter)); }

// ---------------------------------------------------------------------------------------
// Evidence.

v1::AlertEvidence EvidenceOf(const SuiteEvent& event) {
  v1::AlertEvidence out;
  out.set_topic(event.ref.topic);
  out.set_partition(event.ref.partition);
  out.set_offset(event.ref.offset);
  out.set_ce_id(event.ref.ce_id);
  out.set_type(event.ref.type.empty() ? event.message->GetDescriptor()->full_name()
                                      : event.ref.type);
  *out.mutable_time() = ToTimestamp(event.time);
  return out;
}

v1::AlertEvidence EvidenceOf(const Reading& reading) {
  v1::AlertEvidence out;
  out.set_device_id(reading.device_id);
  out.set_metric(reading.metric);
  out.set_value(reading.value);
  out.set_unit(reading.unit);
  *out.mutable_time() = ToTimestamp(reading.time);
  return out;
}

// One event delivered twice: the same ce_id, or without one the same place in the log.
bool SameEvent(const v1::AlertEvidence& a, const v1::AlertEvidence& b) {
  if (!a.ce_id().empty() || !b.ce_id().empty()) return a.ce_id() == b.ce_id();
  return a.topic() == b.topic() && a.partition() == b.partition() && a.offset() == b.offset();
}

// Newest first, at most kMaxEvidence.
void PushEvidence(v1::RuleState& s, v1::AlertEvidence evidence) {
  auto& list = *s.mutable_evidence();
  list.Add(std::move(evidence));
  for (int i = list.size() - 1; i > 0; --i) list.SwapElements(i, i - 1);
  while (list.size() > kMaxEvidence) list.RemoveLast();
}

// ---------------------------------------------------------------------------------------
// The state's common fields.

void Advance(v1::RuleState& s, absl::Time t) {
  if (!s.has_latest() || t > FromTimestamp(s.latest())) *s.mutable_latest() = ToTimestamp(t);
}

absl::Time Latest(const v1::RuleState& s) { return FromTimestamp(s.latest()); }

void Open(v1::RuleState& s, absl::Time t) {
  s.set_open(true);
  *s.mutable_first_seen() = ToTimestamp(t);
  *s.mutable_last_seen() = ToTimestamp(t);
  s.set_within_count(0);
}

void Close(v1::RuleState& s) {
  s.set_open(false);
  s.clear_first_seen();
  s.clear_last_seen();
  s.clear_evidence();
  s.set_within_count(0);
}

std::string KeyOf(std::string_view rule, std::string_view uscc, std::string_view device) {
  std::string key = absl::StrCat(AbslView(rule), "/", AbslView(uscc));
  if (!device.empty()) absl::StrAppend(&key, "/", AbslView(device));
  return key;
}

// Fills a fresh state's key, or checks that the stored state is the key's.
absl::Status Bind(const CompiledRule& rule, v1::RuleState& s, std::string_view uscc,
                  std::string_view device) {
  if (s.rule().empty()) {
    s.set_rule(rule.id());
    s.set_uscc(std::string(uscc));
    s.set_device_id(std::string(device));
    return absl::OkStatus();
  }
  if (s.uscc() != uscc || s.device_id() != device) {
    return absl::InvalidArgumentError(
        absl::StrCat("state of ", rules::Printable(KeyOf(s.rule(), s.uscc(), s.device_id())),
                     " given for an input of ", rules::Printable(KeyOf(rule.id(), uscc, device))));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------
// Threshold.

void ApplyThreshold(const CompiledRule& rule, const Reading& r, Evaluation& e) {
  const v1::ThresholdRule& t = rule.rule->threshold();
  v1::RuleState& s = e.state;
  if (s.has_last_reading() && r.time <= FromTimestamp(s.last_reading())) return;
  *s.mutable_last_reading() = ToTimestamp(r.time);
  Advance(s, r.time);
  const std::string value = absl::StrCat(t.metric_name(), " ", r.value, " ", t.unit());
  if (Beyond(t.comparison(), r.value, t.limit())) {
    s.set_over_count(Capped(int64_t{s.over_count()} + 1));
    s.set_within_count(0);
    PushEvidence(s, EvidenceOf(r));
    if (s.open()) {
      *s.mutable_last_seen() = ToTimestamp(r.time);
      e.verdict = Verdict::kPersist;
    } else if (s.over_count() >= t.consecutive()) {
      Open(s, r.time);
      e.verdict = Verdict::kRaise;
    } else {
      return;
    }
    e.reason = absl::StrCat(value, " ", Symbol(t.comparison()), " ", t.limit(), " ", t.unit(),
                            "，连续 ", s.over_count(), " 次");
    return;
  }
  s.set_over_count(0);
  if (!s.open()) {
    s.clear_evidence();  // The run over the limit is broken.
    return;
  }
  s.set_within_count(Capped(int64_t{s.within_count()} + 1));
  const int needed = t.clear_consecutive() > 0 ? t.clear_consecutive() : t.consecutive();
  if (s.within_count() < needed) return;
  e.reason = absl::StrCat(value, "，连续 ", s.within_count(), " 次恢复至限值 ", t.limit(), " ",
                          t.unit(), " 以内");
  Close(s);
  e.verdict = Verdict::kClear;
}

// ---------------------------------------------------------------------------------------
// Window.

absl::Duration Days(int days) { return absl::Hours(24) * days; }

// Drops the entries at or before `latest − days`, then all but the min_count newest.
void Prune(const v1::WindowRule& w, v1::RuleState& s) {
  const absl::Time horizon = Latest(s) - Days(w.days());
  auto& window = *s.mutable_window();
  int expired = 0;
  while (expired < window.size() && FromTimestamp(window.Get(expired).time()) <= horizon) ++expired;
  const int extra = std::max(0, window.size() - expired - w.min_count());
  if (expired + extra > 0) window.DeleteSubrange(0, expired + extra);
}

void WindowEvidence(v1::RuleState& s) {
  s.clear_evidence();
  for (int i = s.window_size() - 1; i >= 0 && s.evidence_size() < kMaxEvidence; --i) {
    *s.add_evidence() = s.window(i);
  }
}

// Decides after the window changed; `counted` when the input's event is in the window.
void DecideWindow(const CompiledRule& rule, Evaluation& e, absl::Time t, bool counted) {
  const v1::WindowRule& w = rule.rule->window();
  v1::RuleState& s = e.state;
  const bool holds = s.window_size() >= w.min_count();
  const std::string count = absl::StrCat(rule.rule->name(), "：", w.days(), " 日内 ",
                                         s.window_size(), " 次");
  if (holds && (!s.open() || counted)) {
    if (s.open()) {
      *s.mutable_last_seen() = ToTimestamp(t);
      e.verdict = Verdict::kPersist;
    } else {
      Open(s, t);
      e.verdict = Verdict::kRaise;
    }
    WindowEvidence(s);
    e.reason = absl::StrCat(count, "（≥ ", w.min_count(), " 次）");
  } else if (!holds && s.open()) {
    Close(s);
    e.verdict = Verdict::kClear;
    e.reason = absl::StrCat(count, "，少于 ", w.min_count(), " 次");
  }
}

void ApplyWindowEvent(const CompiledRule& rule, const SuiteEvent& event, Evaluation& e) {
  const v1::WindowRule& w = rule.rule->window();
  v1::RuleState& s = e.state;
  const absl::Time latest = s.has_latest() ? std::max(Latest(s), event.time) : event.time;
  if (event.time <= latest - Days(w.days())) return;  // Outside the window already.
  v1::AlertEvidence entry = EvidenceOf(event);
  for (const v1::AlertEvidence& held : s.window()) {
    if (SameEvent(held, entry)) return;
  }
  Advance(s, event.time);
  auto& window = *s.mutable_window();
  // After every entry of the same time or older: one order for one sequence of inputs.
  int at = window.size();
  while (at > 0 && FromTimestamp(window.Get(at - 1).time()) > event.time) --at;
  window.Add(std::move(entry));
  for (int i = window.size() - 1; i > at; --i) window.SwapElements(i, i - 1);
  const int size_before = window.size();
  Prune(w, s);
  // Prune removes from the front only: the entry survived if its index still exists.
  const bool counted = at - (size_before - window.size()) >= 0;
  DecideWindow(rule, e, event.time, counted);
}

void TickWindow(const CompiledRule& rule, absl::Time t, Evaluation& e) {
  Advance(e.state, t);
  Prune(rule.rule->window(), e.state);
  DecideWindow(rule, e, Latest(e.state), false);
}

// ---------------------------------------------------------------------------------------
// State.

void ApplyState(const CompiledRule& rule, const SuiteEvent& event, Evaluation& e) {
  const bool enter = rule.matches[0].Matches(*event.message);
  const bool clear = !enter && rule.clear && rule.clear->Matches(*event.message);
  if (!enter && !clear) return;
  v1::RuleState& s = e.state;
  if (s.has_last_change() && event.time < FromTimestamp(s.last_change())) return;  // Superseded.
  v1::AlertEvidence evidence = EvidenceOf(event);
  for (const v1::AlertEvidence& held : s.evidence()) {
    if (SameEvent(held, evidence)) return;  // Delivered again.
  }
  *s.mutable_last_change() = ToTimestamp(event.time);
  Advance(s, event.time);
  const std::string what =
      absl::StrCat(rule.rule->name(), "：", evidence.type(), "（", Shown(event.time), "）");
  if (enter) {
    if (s.open()) {
      *s.mutable_last_seen() = ToTimestamp(event.time);
      e.verdict = Verdict::kPersist;
    } else {
      Open(s, event.time);
      e.verdict = Verdict::kRaise;
    }
    PushEvidence(s, std::move(evidence));
    e.reason = what;
  } else if (s.open()) {
    Close(s);
    e.verdict = Verdict::kClear;
    e.reason = absl::StrCat(what, "，已解除");
  }
}

// ---------------------------------------------------------------------------------------
// Absence.

absl::Duration AbsenceSpan(const CompiledRule& rule) {
  return rule.kind == RuleKind::kReadingAbsence
             ? absl::Hours(rule.rule->absence().reading().hours())
             : Days(rule.rule->absence().event().days());
}

// The awaited input came: the clock of the absence starts again. An open absence ends only
// with an input that is current, i.e. less than the span older than the latest time this
// state has seen: a device uploading its buffer after an outage (补传), oldest first, keeps
// the alert open until its data reaches the present, instead of clearing it with an old
// reading and having the next tick raise a new one.
void Heard(const CompiledRule& rule, absl::Time t, v1::AlertEvidence evidence, Evaluation& e) {
  v1::RuleState& s = e.state;
  if (s.has_last_heard() && t <= FromTimestamp(s.last_heard())) return;
  *s.mutable_last_heard() = ToTimestamp(t);
  Advance(s, t);
  if (s.open() && Latest(s) - t < AbsenceSpan(rule)) {
    Close(s);
    e.verdict = Verdict::kClear;
    e.reason = absl::StrCat(rule.rule->name(), "：", Shown(t), " 恢复");
  }
  s.clear_evidence();
  s.mutable_evidence()->Add(std::move(evidence));  // The last one heard, for the next alert.
}

void ApplyEventAbsence(const CompiledRule& rule, const SuiteEvent& event, Evaluation& e) {
  if (rule.matches[0].Matches(*event.message)) {
    Heard(rule, event.time, EvidenceOf(event), e);
  } else if (rule.start && rule.start->Matches(*event.message) && !e.state.has_last_heard()) {
    *e.state.mutable_last_heard() = ToTimestamp(event.time);
    Advance(e.state, event.time);
    e.state.mutable_evidence()->Add(EvidenceOf(event));
  }
}

void TickAbsence(const CompiledRule& rule, absl::Time t, Evaluation& e) {
  v1::RuleState& s = e.state;
  Advance(s, t);
  if (!s.has_last_heard() || s.open()) return;
  const absl::Time since = FromTimestamp(s.last_heard());
  const absl::Time due = since + AbsenceSpan(rule);
  if (Latest(s) < due) return;
  // Raised as of the moment the silence reached the span, whatever the ticks' cadence.
  Open(s, due);
  e.verdict = Verdict::kRaise;
  if (rule.kind == RuleKind::kReadingAbsence) {
    const v1::ReadingAbsence& a = rule.rule->absence().reading();
    e.reason = absl::StrCat(rule.rule->name(), "：设备 ", s.device_id(), " 的", a.metric_name(),
                            "自 ", Shown(since), " 起已 ", a.hours(), " 小时无读数");
  } else {
    const v1::EventAbsence& a = rule.rule->absence().event();
    e.reason = absl::StrCat(rule.rule->name(), "：自 ", Shown(since), " 起 ", a.days(), " 日内无 ",
                            a.expected().event_type());
  }
}

// ---------------------------------------------------------------------------------------
// Combination.

void DecideCombination(const CompiledRule& rule, Evaluation& e, absl::Time t, bool opening) {
  const v1::CombinationRule& c = rule.rule->combination();
  v1::RuleState& s = e.state;
  const absl::Time now = Latest(s);
  std::vector<std::string> counting;
  for (const std::string& name : c.rules()) {
    for (const v1::ComponentState& component : s.components()) {
      if (component.rule() != name) continue;
      const bool recent = c.within_days() > 0 && component.has_last_open() &&
                          now - FromTimestamp(component.last_open()) <= Days(c.within_days());
      if (component.open() || recent) counting.push_back(name);
    }
  }
  const bool holds = c.join() == v1::JOIN_ALL
                         ? counting.size() == static_cast<size_t>(c.rules_size())
                         : !counting.empty();
  if (holds && (!s.open() || opening)) {
    if (s.open()) {
      *s.mutable_last_seen() = ToTimestamp(t);
      e.verdict = Verdict::kPersist;
    } else {
      Open(s, t);
      e.verdict = Verdict::kRaise;
    }
    e.reason = absl::StrCat(rule.rule->name(), "：规则 ", absl::StrJoin(counting, "、"),
                            c.join() == v1::JOIN_ALL ? " 同时预警" : " 预警");
  } else if (!holds && s.open()) {
    Close(s);
    e.verdict = Verdict::kClear;
    e.reason = absl::StrCat(rule.rule->name(), "：组合条件不再满足");
  }
}

void ApplyReport(const CompiledRule& rule, const ComponentReport& report, Evaluation& e) {
  v1::RuleState& s = e.state;
  v1::ComponentState* component = nullptr;
  for (v1::ComponentState& held : *s.mutable_components()) {
    if (held.rule() == report.rule) component = &held;
  }
  if (component == nullptr) {
    component = s.add_components();
    component->set_rule(report.rule);
  }
  if (component->has_last_open() && report.time < FromTimestamp(component->last_open())) return;
  if (!report.open && !component->open()) return;  // Closed already: nothing changes.
  component->set_open(report.open);
  *component->mutable_last_open() = ToTimestamp(report.time);
  Advance(s, report.time);
  DecideCombination(rule, e, report.time, report.open);
}

void TickCombination(const CompiledRule& rule, absl::Time t, Evaluation& e) {
  Advance(e.state, t);
  DecideCombination(rule, e, Latest(e.state), false);
}

// ---------------------------------------------------------------------------------------
// Inputs.

absl::Status CheckTime(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("input time is not finite");
  }
  return absl::OkStatus();
}

absl::Status CheckInput(const Input& input) {
  if (const auto* event = std::get_if<SuiteEvent>(&input)) {
    if (event->message == nullptr) return absl::InvalidArgumentError("event has no message");
    if (event->uscc.empty()) return absl::InvalidArgumentError("event has no uscc");
    return CheckTime(event->time);
  }
  if (const auto* reading = std::get_if<Reading>(&input)) {
    if (reading->device_id.empty()) return absl::InvalidArgumentError("reading has no device_id");
    if (reading->uscc.empty()) return absl::InvalidArgumentError("reading has no uscc");
    if (!std::isfinite(reading->value)) {
      return absl::InvalidArgumentError("reading value is not a finite number");
    }
    return CheckTime(reading->time);
  }
  if (const auto* report = std::get_if<ComponentReport>(&input)) {
    if (report->rule.empty() || report->uscc.empty()) {
      return absl::InvalidArgumentError("component report needs rule and uscc");
    }
    return CheckTime(report->time);
  }
  return CheckTime(std::get<Tick>(input).time);
}

absl::Status ApplyEvent(const CompiledRule& rule, const SuiteEvent& event, Evaluation& e) {
  const auto matches = [&](const CompiledMatch& m) { return m.Matches(*event.message); };
  bool concerned = std::any_of(rule.matches.begin(), rule.matches.end(), matches) ||
                   (rule.clear && matches(*rule.clear)) || (rule.start && matches(*rule.start));
  if (!concerned) return absl::OkStatus();
  RETURN_IF_ERROR(Bind(rule, e.state, event.uscc, ""));
  switch (rule.kind) {
    case RuleKind::kWindow: ApplyWindowEvent(rule, event, e); break;
    case RuleKind::kState: ApplyState(rule, event, e); break;
    case RuleKind::kEventAbsence: ApplyEventAbsence(rule, event, e); break;
    default: break;
  }
  return absl::OkStatus();
}

absl::Status ApplyReading(const CompiledRule& rule, const Reading& reading, Evaluation& e) {
  if (!rule.TakesReading(reading.metric)) return absl::OkStatus();
  if (rule.kind == RuleKind::kThreshold && reading.unit != rule.rule->threshold().unit()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reading of ", rules::Printable(reading.metric), " in ", rules::Quoted(reading.unit),
        ", rule ", rules::Printable(rule.id()), " compares ",
        rules::Quoted(rule.rule->threshold().unit())));
  }
  RETURN_IF_ERROR(Bind(rule, e.state, reading.uscc, reading.device_id));
  if (rule.kind == RuleKind::kThreshold) {
    ApplyThreshold(rule, reading, e);
  } else {
    Heard(rule, reading.time, EvidenceOf(reading), e);
  }
  return absl::OkStatus();
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNone: return "NONE";
    case Verdict::kRaise: return "RAISE";
    case Verdict::kPersist: return "PERSIST";
    case Verdict::kClear: return "CLEAR";
  }
  return "?";
}

std::string StateKey(const CompiledRule& rule, std::string_view uscc, std::string_view device) {
  return KeyOf(rule.id(), uscc, rule.PerDevice() ? device : std::string_view());
}

absl::StatusOr<Evaluation> Evaluate(const CompiledRule& rule, const v1::RuleState& state,
                                    const Input& input) {
  if (!state.rule().empty() && state.rule() != rule.id()) {
    return absl::InvalidArgumentError(absl::StrCat("state of rule ",
                                                   rules::Quoted(state.rule()),
                                                   " given to rule ", rules::Quoted(rule.id())));
  }
  RETURN_IF_ERROR(CheckInput(input));
  Evaluation e{.state = state};
  if (const auto* event = std::get_if<SuiteEvent>(&input)) {
    RETURN_IF_ERROR(ApplyEvent(rule, *event, e));
  } else if (const auto* reading = std::get_if<Reading>(&input)) {
    RETURN_IF_ERROR(ApplyReading(rule, *reading, e));
  } else if (const auto* report = std::get_if<ComponentReport>(&input)) {
    if (rule.kind != RuleKind::kCombination) return e;
    const auto& named = rule.rule->combination().rules();
    if (std::find(named.begin(), named.end(), report->rule) == named.end()) return e;
    RETURN_IF_ERROR(Bind(rule, e.state, report->uscc, ""));
    ApplyReport(rule, *report, e);
  } else if (!state.rule().empty()) {
    const absl::Time t = std::get<Tick>(input).time;
    switch (rule.kind) {
      case RuleKind::kWindow: TickWindow(rule, t, e); break;
      case RuleKind::kReadingAbsence:
      case RuleKind::kEventAbsence: TickAbsence(rule, t, e); break;
      case RuleKind::kCombination: TickCombination(rule, t, e); break;
      default: break;
    }
  }
  return e;
}

}  // namespace jianguan::risk
