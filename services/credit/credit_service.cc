#include "services/credit/credit_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/actor.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/credit/credit_intake.h"
#include "services/credit/credit_metrics.h"
#include "services/credit/domain/ledger_access.h"
#include "services/credit/domain/repair.h"
#include "services/credit/reclassifier.h"

namespace jianguan::credit {
namespace {

bool IsUscc(std::string_view id) { return ValidateUscc(id).ok(); }

bool IsMonth(std::string_view id) {
  absl::CivilMonth month;
  return id.size() == 7 && absl::ParseCivilTime(AbslView(id), &month);
}

// A subject never scored counts as B (信用风险一般), as sampling counts it.
v1::CreditGrade GradeShown(const v1::CreditRecord& record) {
  return record.grade() == v1::CREDIT_GRADE_UNSPECIFIED ? v1::CREDIT_GRADE_B : record.grade();
}

}  // namespace

CreditService::CreditService(store::Store& store, const LoadedModels& models, const Clock& clock,
                             Reclassifier* reclassifier, CreditMetrics* metrics)
    : records_(store),
      models_(models),
      clock_(clock),
      reclassifier_(reclassifier),
      metrics_(metrics),
      writes_(store, clock),
      emitter_(topics::kCredit, kServiceName, clock),
      ids_(clock) {}

absl::CivilDay CreditService::Today() const {
  return absl::ToCivilDay(clock_.Now(), BeijingTime());
}

// ---- reads ----------------------------------------------------------------------------

grpc::ServerUnaryReactor* CreditService::GetCredit(grpc::CallbackServerContext* context,
                                                   const v1::GetCreditRequest* request,
                                                   v1::SubjectCredit* response) {
  return ServeUnary(context, response, [&](const Caller&) { return DoGetCredit(*request); });
}

grpc::ServerUnaryReactor* CreditService::ExplainScore(grpc::CallbackServerContext* context,
                                                      const v1::ExplainScoreRequest* request,
                                                      v1::ScoreExplanation* response) {
  return ServeUnary(context, response,
                    [&](const Caller& caller) { return DoExplainScore(caller, *request); });
}

grpc::ServerUnaryReactor* CreditService::CheckRestrictions(
    grpc::CallbackServerContext* context, const v1::CheckRestrictionsRequest* request,
    v1::RestrictionCheck* response) {
  return ServeUnary(context, response,
                    [&](const Caller&) { return DoCheckRestrictions(*request); });
}

grpc::ServerUnaryReactor* CreditService::CheckCommitmentEligibility(
    grpc::CallbackServerContext* context, const v1::CheckCommitmentEligibilityRequest* request,
    v1::CommitmentEligibility* response) {
  return ServeUnary(context, response,
                    [&](const Caller&) { return DoCheckCommitmentEligibility(*request); });
}

absl::StatusOr<v1::SubjectCredit> CreditService::DoGetCredit(
    const v1::GetCreditRequest& request) const {
  ASSIGN_OR_RETURN(std::string uscc,
                   ParseResourceName("name", request.name(), "subjects", IsUscc, "uscc"));
  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(uscc));
  const v1::CreditRecord& record = stored.record;
  v1::SubjectCredit credit;
  credit.set_name(request.name());
  credit.set_score(record.score());
  credit.set_grade(GradeShown(record));
  credit.set_entry_count(record.entry_count());
  for (v1::Restriction& r : RestrictionsInForce(record, Today())) {
    *credit.add_restrictions() = std::move(r);
  }
  credit.set_version(record.version());
  if (record.has_update_time()) *credit.mutable_update_time() = record.update_time();
  return credit;
}

absl::StatusOr<v1::ScoreExplanation> CreditService::DoExplainScore(
    const Caller& caller, const v1::ExplainScoreRequest& request) const {
  return Explain(request, &caller);
}

absl::StatusOr<v1::ScoreExplanation> CreditService::DoExplainScore(
    const v1::ExplainScoreRequest& request) const {
  return Explain(request, nullptr);
}

absl::StatusOr<v1::ScoreExplanation> CreditService::Explain(const v1::ExplainScoreRequest& request,
                                                            const Caller* caller) const {
  ASSIGN_OR_RETURN(std::string uscc,
                   ParseResourceName("name", request.name(), "subjects", IsUscc, "uscc"));
  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(uscc));
  ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> ledger, records_.Ledger(uscc));
  if (caller != nullptr) RETURN_IF_ERROR(CheckLedgerReadable(*caller, request.name(), ledger));
  v1::ScoreExplanation explanation;
  explanation.set_name(request.name());
  explanation.set_base_score(kBaseScore);
  explanation.set_score(stored.record.score());
  explanation.set_grade(GradeShown(stored.record));
  for (v1::LedgerEntry& entry : ledger) *explanation.add_entries() = std::move(entry);
  return explanation;
}

absl::StatusOr<v1::RestrictionCheck> CreditService::DoCheckRestrictions(
    const v1::CheckRestrictionsRequest& request) const {
  FieldViolations violations;
  if (absl::Status valid = ValidateUscc(request.uscc()); !valid.ok()) {
    violations.Add("uscc", StdView(valid.message()));
  }
  if (request.measure() == v1::MEASURE_UNSPECIFIED || !v1::Measure_IsValid(request.measure())) {
    violations.Add("measure", "must be one of MEASURE_SUBSIDY, MEASURE_HONOUR, MEASURE_TENDER, "
                              "MEASURE_COMMITMENT_APPROVAL");
  }
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(request.uscc()));
  v1::RestrictionCheck check;
  for (v1::Restriction& r : RestrictionsInForce(stored.record, Today(), request.measure())) {
    *check.add_restrictions() = std::move(r);
  }
  check.set_allowed(check.restrictions().empty());
  return check;
}

absl::StatusOr<v1::CommitmentEligibility> CreditService::DoCheckCommitmentEligibility(
    const v1::CheckCommitmentEligibilityRequest& request) const {
  FieldViolations violations;
  if (absl::Status valid = ValidateUscc(request.uscc()); !valid.ok()) {
    violations.Add("uscc", StdView(valid.message()));
  }
  CheckText(violations, "item_code", request.item_code(), {.required = true, .max_chars = 64});
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(request.uscc()));
  v1::CommitmentEligibility answer;
  answer.set_grade(GradeShown(stored.record));
  answer.set_score(stored.record.score());
  // Yiwu: a score of 80 is grade B, which qualifies for approval on commitment (告知承诺).
  if (answer.grade() == v1::CREDIT_GRADE_C || answer.grade() == v1::CREDIT_GRADE_D) {
    answer.add_reasons(absl::StrCat("credit grade ", GradeLetter(answer.grade()),
                                    ": approval on commitment needs grade B or better"));
  }
  for (v1::Restriction& r :
       RestrictionsInForce(stored.record, Today(), v1::MEASURE_COMMITMENT_APPROVAL)) {
    answer.add_reasons(absl::StrCat("restricted until ",
                                    r.has_end_date()
                                        ? absl::FormatCivilTime(DayOf(r.end_date()))
                                        : std::string("its cause ends"),
                                    ": ", r.reason()));
    *answer.add_restrictions() = std::move(r);
  }
  answer.set_eligible(answer.reasons().empty());
  return answer;
}

// ---- repair ---------------------------------------------------------------------------

grpc::Status CreditService::RequestRepair(grpc::ServerContext* context,
                                          const v1::RequestRepairRequest* request,
                                          v1::Repair* response) {
  return Serve(context, response, [&](const Caller& c) { return DoRequestRepair(c, *request); });
}

absl::StatusOr<v1::Repair> CreditService::DoRequestRepair(const Caller& caller,
                                                          const v1::RequestRepairRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  const std::string uscc =
      ParseResourceName(violations, "parent", request.parent(), "subjects", IsUscc, "uscc");
  if (request.entry_sequence() < 1) violations.Add("entry_sequence", "must be 1 or more");
  CheckText(violations, "statement", request.statement(), {.required = true, .max_chars = 2000});
  RETURN_IF_ERROR(violations.ToStatus());
  auto repair = writes_.Write<v1::Repair>(
      {caller, methods_("RequestRepair"), request.request_id(), request},
      [&] { return DecideRepair(caller, uscc, request); });
  if (repair.ok() && metrics_) metrics_->CountRepair(repair->state());
  return repair;
}

absl::StatusOr<Decision<v1::Repair>> CreditService::DecideRepair(
    const Caller& caller, std::string_view uscc, const v1::RequestRepairRequest& request) {
  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(uscc));
  ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> ledger, records_.Ledger(uscc));
  // A repair's answer shows the entry and the ledger around it: only to its readers, and
  // decided only for the department that wrote the entry.
  RETURN_IF_ERROR(CheckLedgerReadable(caller, request.parent(), ledger));
  const v1::LedgerEntry* entry = FindEntry(ledger, request.entry_sequence());
  if (entry == nullptr) {
    return ResourceNotFound(absl::StrCat(request.parent(), "/entries/", request.entry_sequence()));
  }
  RETURN_IF_ERROR(CheckRepairer(caller, request.parent(), *entry));
  const CompiledModel* entry_model = models_.set.Find(entry->model_version());
  const v1::Rule* rule = entry_model ? entry_model->FindRule(entry->rule_id()) : nullptr;
  const absl::CivilDay today = Today();
  auto refusals = RepairRefusals(stored.record, ledger, *entry, rule, today);
  if (!refusals.ok()) return FailedPrecondition(request.parent(), StdView(refusals.status().message()));

  const std::string repair_id = ids_.Next();
  Decision<v1::Repair> decision;
  v1::Repair& repair = decision.response;
  repair.set_name(absl::StrCat(request.parent(), "/repairs/", repair_id));
  repair.set_entry_sequence(entry->sequence());
  repair.set_statement(request.statement());
  *repair.mutable_actor() = ActorOf(caller);
  *repair.mutable_decided_date() = DateOf(today);
  int64_t version = stored.record.version();
  if (refusals->empty()) {
    const CompiledModel* model = models_.set.InForce(today);
    CreditChange change = GrantRepair(stored.record, *entry, repair.name(),
                                      model ? *model : *entry_model, today, clock_.Now());
    repair.set_state(v1::REPAIR_STATE_GRANTED);
    repair.set_restoring_entry(change.entries.front().sequence());
    records_.SaveChange(decision.work, stored, change);
    EmitChange(emitter_, decision.work, change);
    version = change.record.version();
    if (metrics_) metrics_->CountScored(change);
  } else {
    repair.set_state(v1::REPAIR_STATE_REFUSED);
    for (std::string& reason : *refusals) repair.add_refusal_reasons(std::move(reason));
  }
  decision.resource = repair.name();
  records_.SaveRepair(decision.work, uscc, repair_id, repair);
  v1::RepairDecided decided;
  decided.set_uscc(std::string(uscc));
  *decided.mutable_repair() = repair;
  decided.set_version(version);
  emitter_.Emit(decision.work, uscc, decided);
  return decision;
}

// ---- reclassification -----------------------------------------------------------------

grpc::Status CreditService::StartReclassification(grpc::ServerContext* context,
                                                  const v1::StartReclassificationRequest* request,
                                                  v1::Reclassification* response) {
  return Serve(context, response,
               [&](const Caller& c) { return DoStartReclassification(c, *request); });
}

grpc::Status CreditService::GetReclassification(grpc::ServerContext* context,
                                                const v1::GetReclassificationRequest* request,
                                                v1::Reclassification* response) {
  return ServeRead(context, response, [&] { return DoGetReclassification(*request); });
}

absl::StatusOr<v1::Reclassification> CreditService::DoStartReclassification(
    const Caller& caller, const v1::StartReclassificationRequest& request) {
  if (!caller.HasRole(roles::kCreditOfficer)) {
    return absl::PermissionDeniedError("StartReclassification needs the role credit-officer");
  }
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  const std::optional<absl::CivilDay> day = ValidDayOf(request.month());
  if (!day || day->day() != 1) {
    violations.Add("month", "must be the first day of a month, e.g. 2026-12-01");
  } else if (absl::CivilMonth(*day) > absl::CivilMonth(Today())) {
    violations.Add("month", "must not be after the current month");
  }
  RETURN_IF_ERROR(violations.ToStatus());
  const std::string month = absl::FormatCivilTime(absl::CivilMonth(*day));
  auto started = writes_.Write<v1::Reclassification>(
      {caller, methods_("StartReclassification"), request.request_id(), request},
      [&]() -> absl::StatusOr<Decision<v1::Reclassification>> {
        Decision<v1::Reclassification> decision;
        decision.resource = absl::StrCat("reclassifications/", month);
        ASSIGN_OR_RETURN(auto existing, records_.FindReclassification(month));
        if (existing) {
          decision.response = existing->first;  // started before: nothing to write
          return decision;
        }
        if (models_.set.InForce(*day) == nullptr) {
          return FailedPrecondition(decision.resource, "no model version is in force on that day");
        }
        v1::Reclassification& r = decision.response;
        r.set_name(decision.resource);
        r.set_state(v1::RECLASSIFICATION_STATE_RUNNING);
        *r.mutable_start_time() = ToTimestamp(clock_.Now());
        *r.mutable_actor() = ActorOf(caller);
        records_.SaveReclassification(decision.work, month, std::nullopt, r);
        return decision;
      });
  if (started.ok() && reclassifier_ != nullptr) reclassifier_->Wake();
  return started;
}

absl::StatusOr<v1::Reclassification> CreditService::DoGetReclassification(
    const v1::GetReclassificationRequest& request) const {
  ASSIGN_OR_RETURN(std::string month, ParseResourceName("name", request.name(),
                                                        "reclassifications", IsMonth, "YYYY-MM"));
  ASSIGN_OR_RETURN(auto found, records_.FindReclassification(month));
  if (!found) return ResourceNotFound(request.name());
  return found->first;
}

// ---- models ---------------------------------------------------------------------------

grpc::Status CreditService::ListModels(grpc::ServerContext* context,
                                       const v1::ListModelsRequest*,
                                       v1::ListModelsResponse* response) {
  return ServeRead(context, response,
                   [&]() -> absl::StatusOr<v1::ListModelsResponse> { return DoListModels(); });
}

v1::ListModelsResponse CreditService::DoListModels() const {
  v1::ListModelsResponse response;
  for (const v1::ModelInfo& info : models_.infos) *response.add_models() = info;
  return response;
}

}  // namespace jianguan::credit
