// The risk rule evaluator (预警规则引擎): one compiled rule, the state stored for one key and
// one input in; the new state and a verdict out. Pure: it reads no clock, store or broker, so
// the service persists the state in the batch that records the input's position, and a
// restart that replays the inputs after the last committed position reaches exactly the
// verdicts of an uninterrupted run.
//
//   ASSIGN_OR_RETURN(Evaluation e, Evaluate(rule, stored_state, Input{event}));
//   switch (e.verdict) { case Verdict::kRaise: ...AlertRaised...; ... }
//   store e.state under StateKey(rule, uscc, device)
//
// Time is always the input's own time (the event's ce_time, the reading's time, the tick's
// time); the state's `latest` is the newest time applied, and windows and absences are
// measured against it. What each kind does:
//
//   threshold     a reading of the rule's metric, per device: `consecutive` readings in a row
//                 over the limit raise; a further one persists; `clear_consecutive` (default
//                 `consecutive`) in a row within the limit clear.
//   window        a matching event of the subject enters the window; RAISE when at least
//                 min_count lie within `days` before `latest`, PERSIST for each further one
//                 that counts, CLEAR when events ageing out (at a later event or tick) leave
//                 fewer. The window keeps only the min_count newest entries.
//   state         `enter` raises (then persists); `clear` clears.
//   absence       a reading (per device) or an expected event (per subject) is heard; a tick
//                 at least `hours`/`days` after the last one heard raises (raise time: the
//                 moment the duration ran out, whatever the tick cadence); the next one
//                 heard clears. A key is watched from the first input heard (or `start`).
//   combination   ComponentReport inputs say when a joined rule's condition opened or closed
//                 for the subject (the service reports each RAISE and CLEAR of the joined
//                 rules; for per-device rules, open while any device is open); ALL or ANY of
//                 them counting raises; a further opening report persists; falling short
//                 (also by within_days running out at a tick) clears.
//
// Out-of-order and repeated inputs, each documented by a test:
//   - a reading at or before the last reading applied for its device is ignored (kNone,
//     state unchanged): readings are consecutive in time, and a re-delivery changes nothing;
//   - a window event at or before `latest − days` is ignored (it is outside the window); a
//     later but out-of-order one is placed by its time; an event already in the window (same
//     ce_id, or same topic/partition/offset without one) is ignored;
//   - a state event before the last enter/clear applied is ignored, as is a repeated one;
//   - an absence input before the last one heard only moves nothing;
//   - a component report before the one applied for that rule is ignored.
// An input the rule does not take (another event type or metric) gives kNone and the state
// unchanged.
//
// Every bound: evidence at most 20 (newest first), window entries at most min_count (≤ 1000),
// counters capped at 1,000,000, combination components as many as the rule names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/risk/v1/records.pb.h"
#include "services/risk/domain/rule_set.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace jianguan::risk {

/// Where a suite event was read (the evidence of an alert).
struct EventRef {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string ce_id;
  /// The ce_type, e.g. "jianguan.credit.v1.CreditGradeChanged".
  std::string type;
};

/// A decoded suite event about a subject.
struct SuiteEvent {
  /// The decoded value; not owned, must outlive the call.
  const google::protobuf::Message* message = nullptr;
  /// The subject's USCC (the key and ce_subject).
  std::string uscc;
  /// ce_time.
  absl::Time time;
  EventRef ref;
};

/// A monitoring reading (在线监测数据).
struct Reading {
  std::string device_id;
  std::string uscc;
  std::string metric;
  double value = 0;
  std::string unit;
  absl::Time time;
};

/// The clock moved to `time` for the key (the service ticks every stored state of the rules
/// that take ticks, e.g. every minute, with the time of its newest input or its clock).
struct Tick {
  absl::Time time;
};

/// A joined rule's condition opened or closed for a subject (for combinations).
struct ComponentReport {
  std::string rule;
  std::string uscc;
  bool open = false;
  absl::Time time;
};

using Input = std::variant<SuiteEvent, Reading, Tick, ComponentReport>;

/// What the input did to the rule's condition for the key.
enum class Verdict {
  /// Nothing to tell (also: the input was ignored).
  kNone,
  /// The condition became true: raise an alert (AlertRaised).
  kRaise,
  /// Still true, with new evidence: update the open alert, never raise a second.
  kPersist,
  /// No longer true.
  kClear,
};

/// "NONE", "RAISE", "PERSIST", "CLEAR".
const char* VerdictName(Verdict verdict);

struct Evaluation {
  /// The state to store (the input applied); equal to the state given for an ignored input.
  v1::RuleState state;
  Verdict verdict = Verdict::kNone;
  /// RAISE and PERSIST: why the condition holds; CLEAR: why it no longer does; in Chinese with
  /// the figures, e.g. "氨氮 12.4 mg/L > 8 mg/L，连续 3 次".
  std::string reason;
};

/// Applies `input` to `state` (empty for a key never seen) under `rule`. INVALID_ARGUMENT
/// when the state belongs to another rule or key, or the input is malformed: an event without
/// message or USCC, a reading without device or USCC, a value that is not finite, a reading of
/// the rule's metric in another unit, a time that is not finite.
absl::StatusOr<Evaluation> Evaluate(const CompiledRule& rule, const v1::RuleState& state,
                                    const Input& input);

/// The store key of a rule's state: "{rule}/{uscc}", "{rule}/{uscc}/{device}" for per-device
/// rules.
std::string StateKey(const CompiledRule& rule, std::string_view uscc, std::string_view device);

}  // namespace jianguan::risk
