// Leads (案源): registration, hand-over between departments and its answer, the extension of
// the filing period and the decision not to file. The filing itself is a case step
// (cases_service_steps.cc).
#include "absl/strings/str_cat.h"
#include "libs/core/actor.h"
#include "libs/core/civil_date.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/cases/case_steps.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/cases_service.h"
#include "services/cases/domain/case_access.h"
#include "services/cases/domain/lead.h"

namespace jianguan::cases {

absl::StatusOr<Stored<v1::Lead>> CasesService::VisibleLead(const Caller& caller,
                                                           std::string_view name) const {
  ASSIGN_OR_RETURN(std::string id, ParseResourceName("lead", name, "leads", IsServiceId,
                                                     "lead_id"));
  ASSIGN_OR_RETURN(std::optional<Stored<v1::Lead>> stored, records_.FindLead(id));
  if (!stored) return ResourceNotFound(name);
  RETURN_IF_ERROR(CheckLeadReadable(caller, stored->record));
  return std::move(*stored);
}

absl::StatusOr<Stored<v1::Lead>> CasesService::LeadToChange(const Caller& caller,
                                                            std::string_view name) const {
  ASSIGN_OR_RETURN(Stored<v1::Lead> stored, VisibleLead(caller, name));
  RETURN_IF_ERROR(CheckLeadParty(caller, stored.record));
  return stored;
}

template <typename Request, typename Change>
absl::StatusOr<v1::Lead> CasesService::WriteLead(const Caller& caller, std::string_view method,
                                                 const Request& request,
                                                 std::string_view lead_name, Change&& change) {
  return writes_.Write<v1::Lead>(
      {caller, methods_(method), request.request_id(), request},
      [&]() -> absl::StatusOr<Decision<v1::Lead>> {
        ASSIGN_OR_RETURN(Stored<v1::Lead> before, LeadToChange(caller, lead_name));
        Decision<v1::Lead> decision;
        ASSIGN_OR_RETURN(decision.response, change(before.record, decision.work));
        decision.resource = decision.response.name();
        records_.SaveLead(decision.work, &before, decision.response);
        return decision;
      });
}

// ---- RegisterLead --------------------------------------------------------------------------

grpc::Status CasesService::RegisterLead(grpc::ServerContext* context,
                                        const v1::RegisterLeadRequest* request,
                                        v1::Lead* response) {
  return Serve(context, response, [&](const Caller& c) { return DoRegisterLead(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoRegisterLead(const Caller& caller,
                                                      const v1::RegisterLeadRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (request.source() != v1::LEAD_SOURCE_RISK_ALERT &&
      request.source() != v1::LEAD_SOURCE_COMPLAINT &&
      request.source() != v1::LEAD_SOURCE_OWN_FINDING) {
    violations.Add("source",
                   "must be RISK_ALERT, COMPLAINT or OWN_FINDING (inspection transfers arrive as "
                   "events, department transfers through TransferLead)");
  }
  const absl::CivilDay day = DayOr(violations, "registered_date", request.registered_date(),
                                   request.has_registered_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  auto registered = writes_.Write<v1::Lead>(
      {caller, methods_("RegisterLead"), request.request_id(), request},
      [&]() -> absl::StatusOr<Decision<v1::Lead>> {
        if (!request.source_ref().empty()) {
          ASSIGN_OR_RETURN(auto taken, records_.LeadIdOfSource(request.source_ref()));
          if (taken) {
            return FailedPrecondition(absl::StrCat("leads/", *taken),
                                      "a lead is already registered for this source_ref");
          }
        }
        v1::Lead draft;
        draft.set_name(absl::StrCat("leads/", ids_.Next()));
        draft.set_uscc(request.uscc());
        draft.set_source(request.source());
        draft.set_source_ref(request.source_ref());
        draft.mutable_department()->set_code(caller.department);
        draft.set_summary(request.summary());
        *draft.mutable_violation() = request.violation();
        *draft.mutable_registered_date() = DateOf(day);
        Decision<v1::Lead> decision;
        ASSIGN_OR_RETURN(decision.response, NewLead(draft, calendar_, options_.filing_period));
        decision.resource = decision.response.name();
        records_.SaveLead(decision.work, nullptr, decision.response);
        v1::LeadRegistered registered;
        registered.set_lead(decision.response.name());
        registered.set_uscc(decision.response.uscc());
        registered.set_source(decision.response.source());
        registered.set_source_ref(decision.response.source_ref());
        *registered.mutable_department() = decision.response.department();
        registered.set_summary(decision.response.summary());
        *registered.mutable_time() = ToTimestamp(clock_.Now());
        emitter_.Emit(decision.work, decision.response.uscc(), registered);
        return decision;
      });
  if (registered.ok() && metrics_) metrics_->CountLeadRegistered(registered->source());
  return registered;
}

// ---- TransferLead and its answer ------------------------------------------------------------

grpc::Status CasesService::TransferLead(grpc::ServerContext* context,
                                        const v1::TransferLeadRequest* request,
                                        v1::Lead* response) {
  return Serve(context, response, [&](const Caller& c) { return DoTransferLead(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoTransferLead(const Caller& caller,
                                                      const v1::TransferLeadRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  return WriteLead(caller, "TransferLead", request, request.lead(),
                   [&](const v1::Lead& lead, store::UnitOfWork& work) -> absl::StatusOr<v1::Lead> {
                     ASSIGN_OR_RETURN(v1::Lead after,
                                      Transfer(lead, caller.department,
                                               request.to_department().code(), request.reason(),
                                               day));
                     v1::LeadTransferred transferred;
                     transferred.set_lead(after.name());
                     transferred.set_uscc(after.uscc());
                     transferred.mutable_from_department()->set_code(caller.department);
                     *transferred.mutable_to_department() = request.to_department();
                     transferred.set_reason(request.reason());
                     *transferred.mutable_time() = ToTimestamp(clock_.Now());
                     emitter_.Emit(work, after.uscc(), transferred);
                     return after;
                   });
}

grpc::Status CasesService::AnswerTransfer(grpc::ServerContext* context,
                                          const v1::AnswerTransferRequest* request,
                                          v1::Lead* response) {
  return Serve(context, response, [&](const Caller& c) { return DoAnswerTransfer(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoAnswerTransfer(const Caller& caller,
                                                        const v1::AnswerTransferRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  return WriteLead(caller, "AnswerTransfer", request, request.lead(),
                   [&](const v1::Lead& lead, store::UnitOfWork&) {
                     return cases::AnswerTransfer(lead, caller.department, request.accept(),
                                                  request.reason(), day, calendar_,
                                                  options_.filing_period);
                   });
}

// ---- the filing period -------------------------------------------------------------------

grpc::Status CasesService::ExtendLeadReview(grpc::ServerContext* context,
                                            const v1::ExtendLeadReviewRequest* request,
                                            v1::Lead* response) {
  return Serve(context, response,
               [&](const Caller& c) { return DoExtendLeadReview(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoExtendLeadReview(
    const Caller& caller, const v1::ExtendLeadReviewRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  RETURN_IF_ERROR(violations.ToStatus());
  return WriteLead(caller, "ExtendLeadReview", request, request.lead(),
                   [&](const v1::Lead& lead, store::UnitOfWork&) {
                     return Extend(lead, caller.department, request.reason(), calendar_,
                                   options_.filing_period);
                   });
}

grpc::Status CasesService::DeclineLead(grpc::ServerContext* context,
                                       const v1::DeclineLeadRequest* request, v1::Lead* response) {
  return Serve(context, response, [&](const Caller& c) { return DoDeclineLead(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoDeclineLead(const Caller& caller,
                                                     const v1::DeclineLeadRequest& request) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  const absl::CivilDay day = DayOr(violations, "date", request.date(), request.has_date(), Today());
  RETURN_IF_ERROR(violations.ToStatus());
  auto declined = WriteLead(caller, "DeclineLead", request, request.lead(),
                            [&](const v1::Lead& lead, store::UnitOfWork&) {
                              return Decline(lead, caller.department, request.reason(), day);
                            });
  if (declined.ok() && metrics_) metrics_->CountLeadDecision(*declined);
  return declined;
}

}  // namespace jianguan::cases
