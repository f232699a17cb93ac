// The general procedure's writes (FileCase, Act) and the summary procedure's on-site decision
// (DecideOnSpot). Each numbers its document under the lock of the number's sequence (see
// cases_service.h), then goes through the write path.
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/actor.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/cases/case_steps.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/cases_service.h"
#include "services/cases/domain/case_report.h"
#include "services/cases/domain/document_number.h"
#include "services/cases/domain/documents.h"
#include "services/cases/domain/lead.h"
#include "services/cases/domain/summary_procedure.h"

namespace jianguan::cases {
namespace {

void CheckCodes(FieldViolations& violations, std::string_view field,
                const google::protobuf::RepeatedPtrField<std::string>& codes, int max) {
  if (codes.size() > max) violations.Add(field, absl::StrCat("at most ", max, " entries"));
  for (int i = 0; i < codes.size(); ++i) {
    CheckText(violations, absl::StrCat(AbslView(field), "[", i, "]"), codes[i],
              {.required = true, .max_chars = 64});
  }
}

// The document number of the decision a later step (execution) refers to.
std::string DecisionNumberOf(const v1::Case& c) {
  for (const v1::CaseStepRecord& step : c.history()) {
    if (step.action() == v1::CASE_ACTION_DECIDE) return step.document_number();
  }
  return "";
}

}  // namespace

// ---- FileCase ---------------------------------------------------------------------------

grpc::Status CasesService::FileCase(grpc::ServerContext* context,
                                    const v1::FileCaseRequest* request, v1::CaseView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoFileCase(c, *request); });
}

absl::StatusOr<v1::CaseView> CasesService::DoFileCase(const Caller& caller,
                                                      const v1::FileCaseRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  CheckText(violations, "party_name", request.party_name(), {.required = true, .max_chars = 200});
  CheckCodes(violations, "item_codes", request.item_codes(), 20);
  CheckCodes(violations, "officer_ids", request.officer_ids(), 20);
  CheckText(violations, "note", request.note(), {.max_chars = 500});
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(Stored<v1::Lead> lead, LeadToChange(caller, request.lead()));
  ASSIGN_OR_RETURN(const DepartmentInfo* issuer,
                   IssuerOf(lead.record.department().code(), request.lead()));
  const std::string sequence = SequenceKey(
      NumberPrefix(issuer->document_prefix, v1::DOCUMENT_KIND_FILING), static_cast<int>(day.year()));
  std::unique_lock numbering(SequenceLock(sequence));
  auto filed = writes_.Write<v1::CaseView>(
      {caller, methods_("FileCase"), request.request_id(), request},
      ReleasingWhenVisible(numbering, [&] { return DecideFiling(caller, request, day); }));
  if (filed.ok() && metrics_) {
    metrics_->CountStep(v1::CASE_ACTION_FILE);
    metrics_->CountLeadDecision(MarkFiled(lead.record, filed->case_record().name(), day));
  }
  return filed;
}

absl::StatusOr<Decision<v1::CaseView>> CasesService::DecideFiling(
    const Caller& caller, const v1::FileCaseRequest& request, absl::CivilDay day) {
  ASSIGN_OR_RETURN(Stored<v1::Lead> lead, LeadToChange(caller, request.lead()));
  RETURN_IF_ERROR(CheckFileable(lead.record, caller.department, day));
  const std::string name = absl::StrCat("cases/", ids_.Next());
  ASSIGN_OR_RETURN(v1::Case after,
                   Apply(DraftOf(lead.record, request, name),
                         FilingStepOf(request, day, ActorOf(caller)), calendar_));
  Decision<v1::CaseView> decision;
  RETURN_IF_ERROR(RecordStep(decision.work, nullptr, after, request, day));
  records_.SaveLead(decision.work, &lead, MarkFiled(lead.record, name, day));
  v1::CaseFiled filed;
  *filed.mutable_summary() = SummaryOf(after);
  filed.set_lead(lead.record.name());
  *filed.mutable_filed_date() = after.filed_date();
  filed.set_document_number(after.history(0).document_number());
  *filed.mutable_actor() = ActorOf(caller);
  emitter_.Emit(decision.work, after.uscc(), filed);
  if (metrics_ != nullptr) {
    // Once, when the filing commits (a retry is answered from the first commit).
    decision.work.OnVisible(
        [metrics = metrics_, source = lead.record.source()] { metrics->CountFiled(source); });
  }
  decision.resource = name;
  decision.response = ViewOf(after, day);
  return decision;
}

// ---- Act ----------------------------------------------------------------------------------

grpc::Status CasesService::Act(grpc::ServerContext* context, const v1::ActRequest* request,
                               v1::CaseView* response) {
  return Serve(context, response, [&](const Caller& c) { return DoAct(c, *request); });
}

absl::StatusOr<v1::CaseView> CasesService::DoAct(const Caller& caller,
                                                 const v1::ActRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (!v1::CaseAction_IsValid(request.action()) ||
      request.action() == v1::CASE_ACTION_UNSPECIFIED) {
    violations.Add("action", "must be a known action");
  } else if (request.action() == v1::CASE_ACTION_FILE) {
    violations.Add("action", "a case is filed with FileCase");
  }
  CheckCodes(violations, "officer_ids", request.officer_ids(), 20);
  CheckText(violations, "note", request.note(), {.max_chars = 500});
  if (request.has_hearing_date() && !ValidDayOf(request.hearing_date())) {
    violations.Add("hearing_date", "must be a valid date");
  }
  if (request.paid().fen() < 0) violations.Add("paid.fen", "must not be negative");
  if (request.surcharge_paid().fen() < 0) violations.Add("surcharge_paid.fen", "must not be negative");
  if (request.expected_version() < 0) violations.Add("expected_version", "must not be negative");
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(Stored<v1::Case> current, OwnCase(caller, request.case_name()));
  ASSIGN_OR_RETURN(const DepartmentInfo* issuer,
                   IssuerOf(current.record.department().code(), request.case_name()));
  const std::string sequence = SequenceKey(
      NumberPrefix(issuer->document_prefix, DocumentKindOf(request.action())),
      static_cast<int>(day.year()));
  std::unique_lock numbering(SequenceLock(sequence));
  auto acted = writes_.Write<v1::CaseView>(
      {caller, methods_("Act"), request.request_id(), request},
      ReleasingWhenVisible(numbering, [&] { return DecideAct(caller, request, day); }));
  if (acted.ok() && metrics_) metrics_->CountStep(request.action());
  return acted;
}

absl::StatusOr<Decision<v1::CaseView>> CasesService::DecideAct(const Caller& caller,
                                                               const v1::ActRequest& request,
                                                               absl::CivilDay day) {
  ASSIGN_OR_RETURN(Stored<v1::Case> before, OwnCase(caller, request.case_name()));
  if (request.expected_version() != 0 && request.expected_version() != before.record.version()) {
    return FailedPrecondition(
        request.case_name(),
        absl::StrCat("the case is at version ", before.record.version(), ", not ",
                     request.expected_version(), ": another step was recorded meanwhile"));
  }
  ASSIGN_OR_RETURN(v1::Case after,
                   Apply(before.record, StepOf(request, day, ActorOf(caller)), calendar_));
  Decision<v1::CaseView> decision;
  RETURN_IF_ERROR(RecordStep(decision.work, &before, after, request, day));
  const std::string& number = after.history(after.history_size() - 1).document_number();
  const std::string& uscc = after.uscc();
  switch (request.action()) {
    case v1::CASE_ACTION_NOTICE: {
      v1::PenaltyNoticed noticed;
      *noticed.mutable_summary() = SummaryOf(after);
      *noticed.mutable_proposed_kinds() = after.proposed_penalty().kinds();
      *noticed.mutable_proposed_fine() = after.proposed_penalty().fine();
      noticed.set_document_number(number);
      *noticed.mutable_served_date() = after.notice_served_date();
      emitter_.Emit(decision.work, uscc, noticed);
      break;
    }
    case v1::CASE_ACTION_REQUEST_HEARING: {
      v1::HearingRequested requested;
      *requested.mutable_summary() = SummaryOf(after);
      *requested.mutable_requested_date() = after.hearing_requested_date();
      emitter_.Emit(decision.work, uscc, requested);
      break;
    }
    case v1::CASE_ACTION_DECIDE: {
      v1::PenaltyDecided decided;
      *decided.mutable_summary() = SummaryOf(after);
      *decided.mutable_kinds() = after.decided_penalty().kinds();
      *decided.mutable_fine() = after.decided_penalty().fine();
      *decided.mutable_confiscated() = after.decided_penalty().confiscated();
      decided.set_document_number(number);
      decided.set_legal_basis(after.decided_penalty().legal_basis());
      *decided.mutable_decided_date() = after.decided_date();
      decided.set_serious(request.serious());
      emitter_.Emit(decision.work, uscc, decided);
      records_.PublishDecision(decision.work, ids_.Next(), PublicDecisionOf(after, number));
      break;
    }
    case v1::CASE_ACTION_EXECUTE: {
      v1::PenaltyExecuted executed;
      *executed.mutable_summary() = SummaryOf(after);
      executed.set_document_number(DecisionNumberOf(after));
      *executed.mutable_paid() = after.paid();
      *executed.mutable_surcharge() = after.surcharge_paid();
      *executed.mutable_executed_date() = after.executed_date();
      emitter_.Emit(decision.work, uscc, executed);
      if (metrics_ != nullptr) {
        // Days from the violation found (the lead's) to this execution, once the step commits.
        ASSIGN_OR_RETURN(std::optional<Stored<v1::Lead>> lead,
                         records_.FindLead(IdOf(after.lead())));
        if (lead) {
          decision.work.OnVisible(
              [metrics = metrics_,
               days = DaysFoundToExecuted(FoundDayOf(lead->record), DayOf(after.executed_date()))] {
                metrics->ObserveFoundToExecuted(days);
              });
        }
      }
      break;
    }
    case v1::CASE_ACTION_CLOSE: {
      v1::CaseClosed closed;
      *closed.mutable_summary() = SummaryOf(after);
      closed.set_reason(after.close_reason());
      *closed.mutable_closed_date() = after.closed_date();
      emitter_.Emit(decision.work, uscc, closed);
      break;
    }
    default:
      break;
  }
  decision.resource = after.name();
  decision.response = ViewOf(after, day);
  return decision;
}

// ---- DecideOnSpot -----------------------------------------------------------------------------

grpc::Status CasesService::DecideOnSpot(grpc::ServerContext* context,
                                        const v1::DecideOnSpotRequest* request,
                                        v1::OnSpotDecision* response) {
  return Serve(context, response, [&](const Caller& c) { return DoDecideOnSpot(c, *request); });
}

absl::StatusOr<v1::OnSpotDecision> CasesService::DoDecideOnSpot(
    const Caller& caller, const v1::DecideOnSpotRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (absl::Status s = ValidateUscc(request.uscc()); !s.ok()) {
    violations.Add("uscc", StdView(s.message()));
  }
  CheckText(violations, "party_name", request.party_name(), {.required = true, .max_chars = 200});
  CheckText(violations, "facts", request.facts(), {.required = true, .max_chars = 2000});
  CheckCodes(violations, "item_codes", request.item_codes(), 20);
  CheckCodes(violations, "officer_ids", request.officer_ids(), 20);
  const std::set<std::string> officers(request.officer_ids().begin(), request.officer_ids().end());
  if (officers.size() < static_cast<size_t>(kMinOfficers)) {
    violations.Add("officer_ids",
                   "at least two distinct officers (行政处罚法 第四十二条: 执法人员不得少于两人)");
  }
  CheckPenalty(violations, "penalty", request.penalty());
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  // The limits of 第五十一条, with the article named.
  RETURN_IF_ERROR(CheckSummaryProcedure(request.party_kind(), request.penalty()));
  ASSIGN_OR_RETURN(const DepartmentInfo* issuer, IssuerOf(caller.department, "decisions"));
  const std::string prefix = NumberPrefix(issuer->document_prefix, v1::DOCUMENT_KIND_ON_SPOT_DECISION);
  const std::string sequence = SequenceKey(prefix, static_cast<int>(day.year()));
  std::unique_lock numbering(SequenceLock(sequence));
  auto decided = writes_.Write<v1::OnSpotDecision>(
      {caller, methods_("DecideOnSpot"), request.request_id(), request},
      ReleasingWhenVisible(numbering, [&]() -> absl::StatusOr<Decision<v1::OnSpotDecision>> {
        Decision<v1::OnSpotDecision> d;
        const std::string id = ids_.Next();
        v1::OnSpotDecision& decision = d.response;
        decision.set_name(absl::StrCat("decisions/", id));
        decision.set_uscc(request.uscc());
        decision.set_party_name(request.party_name());
        decision.set_party_kind(request.party_kind());
        decision.mutable_department()->set_code(caller.department);
        *decision.mutable_penalty() = request.penalty();
        decision.set_facts(request.facts());
        *decision.mutable_item_codes() = request.item_codes();
        *decision.mutable_officer_ids() = request.officer_ids();
        *decision.mutable_decided_date() = DateOf(day);
        *decision.mutable_actor() = ActorOf(caller);
        ASSIGN_OR_RETURN(int64_t sequence_number, records_.TakeNumber(d.work, sequence));
        ASSIGN_OR_RETURN(std::string number, FormatDocumentNumber(
                                                 {prefix, static_cast<int>(day.year()),
                                                  sequence_number}));
        v1::Document document = ComposeOnSpotDocument(
            {issuer->code, issuer->name}, decision, number,
            absl::StrCat(decision.name(), "/documents/1"));
        document.mutable_ref()->set_sha256(store::Sha256Hex(document.text()));
        *decision.mutable_document() = document.ref();
        records_.SaveDecision(d.work, id, decision, document);
        records_.PublishDecision(d.work, ids_.Next(), PublicDecisionOf(decision));
        v1::PenaltyDecided event;
        v1::CaseSummary& summary = *event.mutable_summary();
        summary.set_name(decision.name());
        summary.set_uscc(decision.uscc());
        summary.set_party_kind(decision.party_kind());
        *summary.mutable_department() = decision.department();
        *summary.mutable_item_codes() = decision.item_codes();
        summary.set_procedure(v1::PROCEDURE_SUMMARY);
        summary.set_version(1);
        *event.mutable_kinds() = decision.penalty().kinds();
        *event.mutable_fine() = decision.penalty().fine();
        *event.mutable_confiscated() = decision.penalty().confiscated();
        event.set_document_number(number);
        event.set_legal_basis(decision.penalty().legal_basis());
        *event.mutable_decided_date() = decision.decided_date();
        emitter_.Emit(d.work, decision.uscc(), event);
        d.resource = decision.name();
        return d;
      }));
  if (decided.ok() && metrics_) metrics_->CountOnSpotDecision();
  return decided;
}

}  // namespace jianguan::cases
