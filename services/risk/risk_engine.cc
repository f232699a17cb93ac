#include "services/risk/risk_engine.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/applicability/applicability.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "services/risk/domain/risk_level.h"
#include "services/risk/risk_metrics.h"

namespace jianguan::risk {
namespace {

// Combinations of combinations nest; the rule set refuses cycles, this bounds the walk.
constexpr int kMaxDepth = 8;
// Bounds of SubjectRecord's lists.
constexpr int kMaxTimes = 100;

absl::CivilDay BeijingDay(absl::Time time) { return absl::ToCivilDay(time, BeijingTime()); }

void PushNewest(google::protobuf::RepeatedPtrField<google::protobuf::Timestamp>& times,
                absl::Time time) {
  *times.Add() = ToTimestamp(time);
  std::rotate(times.rbegin(), times.rbegin() + 1, times.rend());
  while (times.size() > kMaxTimes) times.RemoveLast();
}

std::vector<v1::AlertEvidence> EvidenceOf(const v1::RuleState& state) {
  return {state.evidence().begin(), state.evidence().end()};
}

// The subject's industry and its ancestors (empty when unknown or not in the table).
std::vector<std::string> IndustryChain(const CodeTable& industries,
                                       const v1::SubjectRecord& subject) {
  std::vector<std::string> chain;
  const std::string& code = subject.attributes().industry().code();
  if (code.empty()) return chain;
  chain.push_back(code);
  absl::StatusOr<std::vector<const CodeEntry*>> ancestors = industries.Ancestors(code);
  if (!ancestors.ok()) return chain;
  for (const CodeEntry* entry : *ancestors) chain.push_back(entry->code);
  return chain;
}

}  // namespace

RiskEngine::RiskEngine(EngineContext context, RiskMetrics* metrics)
    : context_(context), metrics_(metrics) {}

absl::StatusOr<v1::SubjectRecord> RiskEngine::SubjectOf(RiskTx& tx, std::string_view uscc) const {
  ASSIGN_OR_RETURN(std::optional<v1::SubjectRecord> found,
                   tx.Read<v1::SubjectRecord>(kSubjectsFamily, uscc));
  if (found) return *std::move(found);
  v1::SubjectRecord fresh;
  fresh.set_uscc(std::string(uscc));
  return fresh;
}

void RiskEngine::SaveSubject(RiskTx& tx, const v1::SubjectRecord& subject) const {
  tx.Put(kSubjectsFamily, subject.uscc(), subject.SerializeAsString());
}

absl::Status RiskEngine::OnEvent(RiskTx& tx, const SuiteEvent& event, absl::Time now) const {
  const std::shared_ptr<const RuleBookSnapshot> book = context_.rules.snapshot();
  for (const RuleBookSnapshot::InForce& in_force : book->ForDay(BeijingDay(event.time))) {
    if (!in_force.rule->TakesEvent(event.ref.type)) continue;
    RETURN_IF_ERROR(Evaluated(tx, in_force, event.uscc, "", event, now, 0));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RiskEngine::OnReading(RiskTx& tx, const Reading& reading,
                                           absl::Time now) const {
  const std::string key = ReadingKey(reading.device_id, reading.metric, reading.time);
  // Unguarded: the commit needs no precondition on a key only this path adds (see
  // HoldsUnguarded), and a batch of 5,000 readings saves 5,000 re-reads under the commit lock.
  ASSIGN_OR_RETURN(const bool stored, tx.HoldsUnguarded(kReadingsFamily, key));
  if (stored) return false;
  tx.Put(kReadingsFamily, key, ReadingValue(reading.value, reading.unit));
  const std::shared_ptr<const RuleBookSnapshot> book = context_.rules.snapshot();
  for (const RuleBookSnapshot::InForce& in_force : book->ForDay(BeijingDay(reading.time))) {
    if (!in_force.rule->TakesReading(reading.metric)) continue;
    RETURN_IF_ERROR(
        Evaluated(tx, in_force, reading.uscc, reading.device_id, reading, now, 0));
  }
  return true;
}

absl::Status RiskEngine::OnTick(RiskTx& tx, std::string_view state_key, absl::Time now) const {
  ASSIGN_OR_RETURN(std::optional<v1::RuleState> state,
                   tx.Read<v1::RuleState>(kRuleStatesFamily, state_key));
  if (!state) return absl::OkStatus();
  const std::shared_ptr<const RuleBookSnapshot> book = context_.rules.snapshot();
  const RuleBookSnapshot::InForce in_force = book->Find(state->rule(), BeijingDay(now));
  if (in_force.rule == nullptr || !in_force.rule->TakesTicks()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Evaluation evaluation, Evaluate(*in_force.rule, *state, Tick{now}));
  if (evaluation.verdict == Verdict::kNone) return absl::OkStatus();
  tx.Put(kRuleStatesFamily, state_key, evaluation.state.SerializeAsString());
  return ActOnVerdict(tx, in_force, state->uscc(), evaluation, now, now, 0);
}

absl::Status RiskEngine::Evaluated(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                                   std::string_view uscc, std::string_view device,
                                   const Input& input, absl::Time now, int depth) const {
  const std::string key = StateKey(*in_force.rule, uscc, device);
  ASSIGN_OR_RETURN(std::optional<v1::RuleState> stored,
                   tx.Read<v1::RuleState>(kRuleStatesFamily, key));
  ASSIGN_OR_RETURN(Evaluation evaluation,
                   Evaluate(*in_force.rule, stored.value_or(v1::RuleState()), input));
  const bool changed = !stored || evaluation.state.SerializeAsString() != stored->SerializeAsString();
  if (changed) tx.Put(kRuleStatesFamily, key, evaluation.state.SerializeAsString());
  if (evaluation.verdict == Verdict::kNone) return absl::OkStatus();
  const absl::Time input_time = FromTimestamp(evaluation.state.latest());
  return ActOnVerdict(tx, in_force, uscc, evaluation, input_time, now, depth);
}

absl::Status RiskEngine::ActOnVerdict(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                                 std::string_view uscc, const Evaluation& evaluation,
                                 absl::Time input_time, absl::Time now, int depth) const {
  const CompiledRule& rule = *in_force.rule;
  ASSIGN_OR_RETURN(std::optional<std::string> open_id,
                   tx.ReadRaw(kAlertKeysFamily, absl::StrCat(rule.id(), "/", AbslView(uscc))));
  std::optional<v1::Alert> open;
  if (open_id) {
    ASSIGN_OR_RETURN(open, tx.Read<v1::Alert>(kAlertsFamily, *open_id));
  }
  // Whether the rule's condition for the subject opened or closed (for combinations).
  std::optional<bool> component;
  switch (evaluation.verdict) {
    case Verdict::kRaise:
      if (open) {
        v1::Alert after = *open;
        RETURN_IF_ERROR(Persist(after, evaluation.reason, EvidenceOf(evaluation.state),
                                input_time));
        RETURN_IF_ERROR(SaveChangedAlert(tx, *open, after, nullptr, now));
      } else {
        RETURN_IF_ERROR(Raised(tx, in_force, uscc, evaluation, input_time, now));
      }
      component = true;
      break;
    case Verdict::kPersist:
      if (open) {
        v1::Alert after = *open;
        RETURN_IF_ERROR(Persist(after, evaluation.reason, EvidenceOf(evaluation.state),
                                input_time));
        RETURN_IF_ERROR(SaveChangedAlert(tx, *open, after, nullptr, now));
      }
      break;
    case Verdict::kClear: {
      bool still_open = false;
      if (rule.PerDevice()) {
        ASSIGN_OR_RETURN(still_open, AnyDeviceOpen(tx, rule.id(), uscc));
      }
      if (!still_open) {
        if (open && open->condition_open()) {
          v1::Alert after = *open;
          RETURN_IF_ERROR(ConditionCleared(after, input_time));
          RETURN_IF_ERROR(SaveChangedAlert(tx, *open, after, nullptr, now));
        }
        component = false;
      }
      break;
    }
    case Verdict::kNone:
      break;
  }
  if (!component || depth >= kMaxDepth) return absl::OkStatus();
  const std::shared_ptr<const RuleBookSnapshot> book = context_.rules.snapshot();
  for (const CompiledRule* combination : in_force.set->CombinationsOf(rule.id())) {
    RuleBookSnapshot::InForce joined{combination, in_force.set};
    ComponentReport report{.rule = rule.id(), .uscc = std::string(uscc), .open = *component,
                           .time = input_time};
    RETURN_IF_ERROR(Evaluated(tx, joined, uscc, "", report, now, depth + 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RiskEngine::AnyDeviceOpen(RiskTx& tx, std::string_view rule,
                                               std::string_view uscc) const {
  const std::string prefix = absl::StrCat(AbslView(rule), "/", AbslView(uscc), "/");
  bool open = false;
  // The store's states, each read through the unit (a state this unit changed counts as
  // changed).
  std::vector<std::string> keys;
  RETURN_IF_ERROR(tx.store().ForEach(kRuleStatesFamily, prefix,
                                     [&](std::string_view key, std::string_view) {
                                       keys.emplace_back(key);
                                       return true;
                                     }));
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<v1::RuleState> state, tx.Read<v1::RuleState>(kRuleStatesFamily, key));
    if (state && state->open()) open = true;
  }
  return open;
}

absl::Status RiskEngine::Raised(RiskTx& tx, const RuleBookSnapshot::InForce& in_force,
                                std::string_view uscc, const Evaluation& evaluation,
                                absl::Time input_time, absl::Time now) const {
  const CompiledRule& rule = *in_force.rule;
  ASSIGN_OR_RETURN(v1::SubjectRecord subject, SubjectOf(tx, uscc));
  const absl::Time raise_time = FromTimestamp(evaluation.state.first_seen());
  std::string id;
  for (int attempt = 0; id.empty(); ++attempt) {
    std::string candidate = AlertId(uscc, rule.id(), raise_time, attempt);
    ASSIGN_OR_RETURN(std::optional<std::string> taken, tx.ReadRaw(kAlertsFamily, candidate));
    if (!taken) id = std::move(candidate);
  }
  ASSIGN_OR_RETURN(v1::Alert alert,
                   RaiseAlert({.alert_id = id,
                               .uscc = std::string(uscc),
                               .subject_name = subject.name(),
                               .rule = rule.id(),
                               .rule_version = in_force.set->version(),
                               .level = rule.rule->level(),
                               .reason = evaluation.reason,
                               .evidence = EvidenceOf(evaluation.state),
                               .raise_time = raise_time}));
  v1::AlertRaised raised;
  *raised.mutable_alert() = alert.summary();
  raised.set_reason(alert.reason());
  *raised.mutable_evidence() = alert.evidence();
  *raised.mutable_raise_time() = alert.raise_time();
  context_.emitter.Emit(tx.work(), uscc, raised);
  if (metrics_ != nullptr) metrics_->CountRaised(rule.id(), rule.rule->level());

  PushNewest(*subject.mutable_raised(), input_time);
  SaveSubject(tx, subject);
  const v1::Alert none;
  v1::Alert routed = alert;
  const google::protobuf::Message* event = nullptr;
  v1::AlertDispatched dispatched;
  RETURN_IF_ERROR(Route(tx, routed, rule.rule->field(), now, &event, dispatched));
  return SaveChangedAlert(tx, none, routed, event, now);
}

absl::Status RiskEngine::Route(RiskTx& tx, v1::Alert& alert, const std::string& field,
                               absl::Time now, const google::protobuf::Message** event,
                               v1::AlertDispatched& dispatched) const {
  const std::string& uscc = alert.summary().uscc();
  ASSIGN_OR_RETURN(v1::SubjectRecord subject, SubjectOf(tx, uscc));
  const auto failed = [&](std::string problem) {
    if (metrics_ != nullptr && problem != alert.routing_problem()) metrics_->CountUnrouted();
    return RoutingFailed(alert, problem);
  };
  if (subject.registry_version() == 0) {
    return failed("the subject is not known from the registry's events yet");
  }
  absl::StatusOr<catalogue::SubjectFacts> facts =
      catalogue::SubjectFactsOf(subject.attributes(), context_.industries);
  if (!facts.ok()) {
    return failed(absl::StrCat("the subject's industry ", subject.attributes().industry().code(),
                               " is not a GB/T 4754-2017 code"));
  }
  // Every published item of the rule's field that applies, with its responsible departments.
  std::map<std::string, std::vector<v1::AlertItem>> items_by_department;
  std::vector<std::string> department_order;
  std::vector<catalogue::v1::RegulatoryItem> items;
  RETURN_IF_ERROR(tx.store().ForEach(kItemsFamily, "", [&](std::string_view, std::string_view value) {
    catalogue::v1::RegulatoryItem item;
    if (item.ParseFromString(std::string(value)) && item.field() == field &&
        catalogue::Applies(item, *facts)) {
      items.push_back(std::move(item));
    }
    return true;
  }));
  const auto level_of = [&](std::string_view code) {
    absl::StatusOr<std::optional<catalogue::v1::Department>> department =
        tx.store().GetMessage<catalogue::v1::Department>(kDepartmentsFamily, code);
    return department.ok() && department->has_value() ? (*department)->level()
                                                      : catalogue::v1::LEVEL_UNSPECIFIED;
  };
  for (const catalogue::v1::RegulatoryItem& item : items) {
    std::vector<catalogue::v1::ItemClaim> claims;
    RETURN_IF_ERROR(tx.store().ForEach(
        kClaimsFamily, absl::StrCat(item.code(), "/"), [&](std::string_view, std::string_view value) {
          catalogue::v1::ItemClaim claim;
          if (claim.ParseFromString(std::string(value))) claims.push_back(std::move(claim));
          return true;
        }));
    for (const std::string& department :
         catalogue::ResponsibleDepartments(item, claims, level_of, facts->region)) {
      auto [it, fresh] = items_by_department.try_emplace(department);
      if (fresh) department_order.push_back(department);
      v1::AlertItem& ref = it->second.emplace_back();
      ref.set_code(item.code());
      ref.set_version(item.version());
    }
  }
  if (department_order.empty()) {
    return failed(absl::StrCat("no published item of field \"", field,
                               "\" applies to the subject (industry ",
                               subject.attributes().industry().code(), ", region ",
                               facts->region, ")"));
  }
  // The department with the most items of the field (ties: the first item's code order).
  std::string chosen = department_order.front();
  for (const std::string& department : department_order) {
    if (items_by_department[department].size() > items_by_department[chosen].size()) {
      chosen = department;
    }
  }
  Routing routing{.department = chosen, .items = items_by_department[chosen],
                  .region_code = facts->region};
  RETURN_IF_ERROR(Dispatch(alert, routing, context_.policy, context_.calendar, now));
  *dispatched.mutable_alert() = alert.summary();
  *dispatched.mutable_items() = alert.items();
  dispatched.set_reason(alert.reason());
  dispatched.set_region_code(alert.region_code());
  *dispatched.mutable_accept_due_date() = alert.accept_due_date();
  *dispatched.mutable_close_due_date() = alert.close_due_date();
  dispatched.mutable_actor()->set_system(kServiceName);
  *dispatched.mutable_time() = ToTimestamp(now);
  *event = &dispatched;
  return absl::OkStatus();
}

absl::Status RiskEngine::SaveChangedAlert(RiskTx& tx, const v1::Alert& before,
                                          const v1::Alert& after,
                                          const google::protobuf::Message* event,
                                          absl::Time now) const {
  SaveAlert(tx, after);
  // Re-routed: the former department no longer lists it (unless it supervises it).
  const std::string& former = before.summary().department().code();
  if (!former.empty() && former != after.summary().department().code() &&
      std::none_of(after.escalations().begin(), after.escalations().end(),
                   [&](const v1::Escalation& e) {
                     return e.supervising_department().code() == former;
                   })) {
    tx.Delete(kAlertsByDeptFamily,
              absl::StrCat(former, "/", AlertIdOf(after.summary().name())));
  }
  if (event != nullptr) {
    context_.emitter.Emit(tx.work(), after.summary().uscc(), *event);
    if (metrics_ != nullptr) metrics_->CountAlertEvent(*event, after);
  }
  // The subject's open alerts follow the alert's state.
  const bool was_open = before.has_summary() && before.summary().state() != v1::ALERT_STATE_CLOSED;
  const bool is_open = after.summary().state() != v1::ALERT_STATE_CLOSED;
  if (was_open == is_open && before.has_summary()) return absl::OkStatus();
  ASSIGN_OR_RETURN(v1::SubjectRecord subject, SubjectOf(tx, after.summary().uscc()));
  auto& open = *subject.mutable_open_alerts();
  open.erase(std::remove_if(open.begin(), open.end(),
                            [&](const v1::OpenAlert& a) { return a.name() == after.summary().name(); }),
             open.end());
  if (is_open) {
    v1::OpenAlert& entry = *open.Add();
    entry.set_name(after.summary().name());
    entry.set_rule(after.summary().rule());
    entry.set_level(after.summary().level());
  }
  return Reassess(tx, subject, now);
}

absl::Status RiskEngine::Reassess(RiskTx& tx, v1::SubjectRecord& subject, absl::Time now) const {
  const Assessment assessment =
      Assess(subject, context_.policy, IndustryChain(context_.industries, subject), now);
  std::optional<v1::RiskLevelChanged> changed = ApplyAssessment(subject, assessment, now);
  SaveSubject(tx, subject);
  if (changed) {
    context_.emitter.Emit(tx.work(), subject.uscc(), *changed);
    if (metrics_ != nullptr) metrics_->CountLevelChange(changed->level());
  }
  return absl::OkStatus();
}

absl::Status RiskEngine::OnTaskCreated(RiskTx& tx, const inspection::v1::TaskSummary& task,
                                       absl::Time now) const {
  const std::string id = AlertIdOf(task.origin().alert());
  if (id.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, tx.Read<v1::Alert>(kAlertsFamily, id));
  if (!alert) return absl::OkStatus();  // an alert of another deployment: nothing to follow
  v1::Alert after = *alert;
  if (absl::Status inspected = Inspect(after, task.name(), now); !inspected.ok()) {
    // A task for an alert closed meanwhile, or a second task: the alert stays as it is.
    if (absl::IsFailedPrecondition(inspected)) return absl::OkStatus();
    return inspected;
  }
  if (after.summary().version() == alert->summary().version()) return absl::OkStatus();
  return SaveChangedAlert(tx, *alert, after, nullptr, now);
}

absl::Status RiskEngine::OnTaskStateChanged(RiskTx& tx,
                                            const inspection::v1::TaskStateChanged& changed,
                                            absl::Time now) const {
  const std::string id = AlertIdOf(changed.task().origin().alert());
  if (id.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, tx.Read<v1::Alert>(kAlertsFamily, id));
  if (!alert) return absl::OkStatus();
  v1::Alert after = *alert;
  const google::protobuf::Message* event = nullptr;
  v1::AlertClosed closed;
  if (changed.task().state() == inspection::v1::TASK_STATE_CANCELLED) {
    RETURN_IF_ERROR(TaskCancelled(after, changed.task().name(), now));
  } else if (changed.task().state() == inspection::v1::TASK_STATE_REVIEWED) {
    const v1::AlertOutcome outcome = OutcomeOfResult(changed.result());
    if (outcome == v1::ALERT_OUTCOME_UNSPECIFIED) return absl::OkStatus();
    std::vector<std::string> outcomes;
    for (const auto& department : changed.result().departments()) {
      outcomes.push_back(inspection::v1::ResultOutcome_Name(department.category().outcome()));
    }
    absl::Status closing = Close(after, {.outcome = outcome,
                                         .task = changed.task().name(),
                                         .feedback = absl::StrJoin(outcomes, ","),
                                         .time = now});
    if (absl::IsFailedPrecondition(closing)) return absl::OkStatus();  // closed already
    RETURN_IF_ERROR(closing);
    if (after.summary().state() == v1::ALERT_STATE_CLOSED) {
      *closed.mutable_alert() = after.summary();
      closed.set_outcome(after.outcome());
      closed.set_task(after.task());
      closed.set_feedback(after.feedback());
      closed.set_on_time(after.on_time());
      closed.mutable_actor()->set_system(kServiceName);
      *closed.mutable_time() = ToTimestamp(now);
      event = &closed;
    }
  }
  if (after.summary().version() == alert->summary().version()) return absl::OkStatus();
  return SaveChangedAlert(tx, *alert, after, event, now);
}

absl::Status RiskEngine::RetryRouting(RiskTx& tx, std::string_view alert_id, absl::Time now) const {
  ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, tx.Read<v1::Alert>(kAlertsFamily, alert_id));
  if (!alert || alert->summary().state() != v1::ALERT_STATE_RAISED) return absl::OkStatus();
  const std::shared_ptr<const RuleBookSnapshot> book = context_.rules.snapshot();
  const RuleBookSnapshot::InForce in_force = book->Find(alert->summary().rule(), BeijingDay(now));
  if (in_force.rule == nullptr) return absl::OkStatus();
  v1::Alert after = *alert;
  const google::protobuf::Message* event = nullptr;
  v1::AlertDispatched dispatched;
  RETURN_IF_ERROR(Route(tx, after, in_force.rule->rule->field(), now, &event, dispatched));
  if (after.summary().version() == alert->summary().version()) return absl::OkStatus();
  return SaveChangedAlert(tx, *alert, after, event, now);
}

std::string RiskEngine::ParentOf(RiskTx& tx, std::string_view code) const {
  absl::StatusOr<std::optional<catalogue::v1::Department>> department =
      tx.store().GetMessage<catalogue::v1::Department>(kDepartmentsFamily, code);
  if (!department.ok() || !department->has_value()) return "";
  return (*department)->parent().code();
}

absl::Status RiskEngine::EscalateIfDue(RiskTx& tx, std::string_view alert_id, absl::Time now) const {
  ASSIGN_OR_RETURN(std::optional<v1::Alert> alert, tx.Read<v1::Alert>(kAlertsFamily, alert_id));
  if (!alert) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::Escalation> due,
                   DueEscalation(*alert, context_.policy, context_.calendar, BeijingDay(now),
                                 [&](std::string_view code) { return ParentOf(tx, code); }, now));
  if (!due) return absl::OkStatus();
  v1::Alert after = *alert;
  Escalate(after, *due);
  v1::AlertEscalated escalated;
  *escalated.mutable_alert() = after.summary();
  escalated.set_missed(due->missed());
  *escalated.mutable_due_date() = due->due_date();
  *escalated.mutable_supervising_department() = due->supervising_department();
  escalated.set_escalation(due->escalation());
  *escalated.mutable_time() = ToTimestamp(now);
  return SaveChangedAlert(tx, *alert, after, &escalated, now);
}

}  // namespace jianguan::risk
