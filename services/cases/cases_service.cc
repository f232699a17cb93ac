// Construction, the shared helpers, the reads, the loop KPIs' report and the public decisions.
// Leads are in cases_service_leads.cc, the procedure's writes in cases_service_steps.cc, the
// trail in cases_service_trail.cc.
#include "services/cases/cases_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/department_scope.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/events/topics.h"
#include "libs/pdf/text_pdf.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "services/cases/case_steps.h"
#include "services/cases/domain/case_access.h"
#include "services/cases/domain/case_report.h"
#include "services/cases/domain/document_number.h"

namespace jianguan::cases {

std::string SequenceKey(std::string_view prefix_with_kind, int year) {
  return absl::StrCat(AbslView(prefix_with_kind), "/", year);
}

CasesService::CasesService(store::Store& store, const Departments& departments,
                           const WorkingDayCalendar& calendar, const Clock& clock,
                           CasesOptions options, CasesMetrics* metrics)
    : records_(store),
      departments_(departments),
      calendar_(calendar),
      clock_(clock),
      options_(options),
      metrics_(metrics),
      writes_(store, clock),
      emitter_(topics::kCases, kServiceName, clock),
      ids_(clock) {}

absl::CivilDay CasesService::Today() const {
  return absl::ToCivilDay(clock_.Now(), BeijingTime());
}

std::mutex& CasesService::SequenceLock(const std::string& sequence) {
  std::lock_guard lock(locks_mu_);
  std::unique_ptr<std::mutex>& mu = sequence_locks_[sequence];
  if (!mu) mu = std::make_unique<std::mutex>();
  return *mu;
}

absl::StatusOr<const DepartmentInfo*> CasesService::IssuerOf(std::string_view department,
                                                             std::string_view resource) const {
  const DepartmentInfo* info = departments_.Find(department);
  if (info == nullptr) {
    return FailedPrecondition(
        resource, absl::StrCat("department ", AbslView(department),
                               " has no document prefix (机关代字) configured, so it cannot "
                               "number documents; add it to the departments file"));
  }
  return info;
}

absl::StatusOr<Stored<v1::Case>> CasesService::ReadableCase(const Caller& caller,
                                                            std::string_view name) const {
  ASSIGN_OR_RETURN(std::string id, ParseResourceName("name", name, "cases", IsServiceId,
                                                     "case_id"));
  ASSIGN_OR_RETURN(std::optional<Stored<v1::Case>> stored, records_.FindCase(id));
  if (!stored) return ResourceNotFound(name);
  RETURN_IF_ERROR(CheckCaseReadable(caller, stored->record));
  return std::move(*stored);
}

absl::StatusOr<Stored<v1::Case>> CasesService::OwnCase(const Caller& caller,
                                                       std::string_view name) const {
  ASSIGN_OR_RETURN(Stored<v1::Case> stored, ReadableCase(caller, name));
  RETURN_IF_ERROR(CheckHandles(caller, stored.record));
  return stored;
}

v1::CaseView CasesService::ViewOf(const v1::Case& c, absl::CivilDay as_of) const {
  v1::CaseView view;
  *view.mutable_case_record() = c;
  *view.mutable_as_of() = DateOf(as_of);
  if (auto deadlines = DeadlinesOf(c, as_of, calendar_, options_.deadlines); deadlines.ok()) {
    *view.mutable_deadlines() = *std::move(deadlines);
  }
  return view;
}

absl::Status CasesService::RecordStep(store::UnitOfWork& work, const Stored<v1::Case>* before,
                                      v1::Case& after, const google::protobuf::Message& request,
                                      absl::CivilDay day) {
  ASSIGN_OR_RETURN(const DepartmentInfo* issuer, IssuerOf(after.department().code(), after.name()));
  const v1::CaseAction action = after.history(after.history_size() - 1).action();
  const std::string prefix = NumberPrefix(issuer->document_prefix, DocumentKindOf(action));
  ASSIGN_OR_RETURN(int64_t sequence,
                   records_.TakeNumber(work, SequenceKey(prefix, static_cast<int>(day.year()))));
  ASSIGN_OR_RETURN(std::string number,
                   FormatDocumentNumber({prefix, static_cast<int>(day.year()), sequence}));
  const v1::Document document = AddDocument(after, {issuer->code, issuer->name}, number);
  v1::StoredStep step;
  step.set_version(after.version());
  step.set_action(action);
  step.set_request(request.SerializeAsString());
  *step.mutable_date() = DateOf(day);
  *step.mutable_document() = document.ref();
  records_.SaveCase(work, before, after, step, document);
  return absl::OkStatus();
}

// ---- reads ------------------------------------------------------------------------------

grpc::ServerUnaryReactor* CasesService::GetCase(grpc::CallbackServerContext* context,
                                                const v1::GetCaseRequest* request,
                                                v1::CaseView* response) {
  return ServeUnary(context, response, [&](const Caller& c) { return DoGetCase(c, *request); });
}

absl::StatusOr<v1::CaseView> CasesService::DoGetCase(const Caller& caller,
                                                     const v1::GetCaseRequest& request) const {
  absl::CivilDay as_of = Today();
  if (request.has_as_of()) {
    auto day = ValidDayOf(request.as_of());
    if (!day) return InvalidField("as_of", "must be a valid date");
    as_of = *day;
  }
  ASSIGN_OR_RETURN(Stored<v1::Case> stored, ReadableCase(caller, request.name()));
  return ViewOf(stored.record, as_of);
}

grpc::ServerUnaryReactor* CasesService::ListCases(grpc::CallbackServerContext* context,
                                                  const v1::ListCasesRequest* request,
                                                  v1::ListCasesResponse* response) {
  return ServeUnary(context, response, [&](const Caller& c) { return DoListCases(c, *request); });
}

absl::StatusOr<v1::ListCasesResponse> CasesService::DoListCases(
    const Caller& caller, const v1::ListCasesRequest& request) const {
  FieldViolations violations;
  if (!v1::CaseState_IsValid(request.state())) violations.Add("state", "must be a known state");
  absl::CivilDay as_of = Today();
  if (request.has_as_of()) {
    if (auto day = ValidDayOf(request.as_of())) {
      as_of = *day;
    } else {
      violations.Add("as_of", "must be a valid date");
    }
  }
  auto page_size = PageSize(request.page());
  if (!page_size.ok()) violations.Add("page.page_size", "must not be negative");
  const std::string department =
      DepartmentToRead(violations, caller, request.department().code(), "department.code");
  RETURN_IF_ERROR(violations.ToStatus());
  // Filters apply to the page read, so a filtered page may hold fewer than page_size cases;
  // the token continues after the last case read.
  ASSIGN_OR_RETURN(auto page,
                   records_.CasesOf(department, *page_size, request.page().page_token()));
  v1::ListCasesResponse response;
  for (const v1::Case& c : page.first) {
    if (!MayReadCase(caller, c)) continue;
    if (request.state() != v1::CASE_STATE_UNSPECIFIED && c.state() != request.state()) continue;
    v1::CaseView view = ViewOf(c, as_of);
    if (request.at_risk_only() && !view.deadlines().at_risk()) continue;
    *response.add_cases() = std::move(view);
  }
  response.set_next_page_token(std::move(page.second));
  return response;
}

grpc::ServerUnaryReactor* CasesService::GetLead(grpc::CallbackServerContext* context,
                                                const v1::GetLeadRequest* request,
                                                v1::Lead* response) {
  return ServeUnary(context, response, [&](const Caller& c) { return DoGetLead(c, *request); });
}

absl::StatusOr<v1::Lead> CasesService::DoGetLead(const Caller& caller,
                                                 const v1::GetLeadRequest& request) const {
  ASSIGN_OR_RETURN(Stored<v1::Lead> lead, VisibleLead(caller, request.name()));
  return std::move(lead.record);
}

grpc::ServerUnaryReactor* CasesService::ListLeads(grpc::CallbackServerContext* context,
                                                  const v1::ListLeadsRequest* request,
                                                  v1::ListLeadsResponse* response) {
  return ServeUnary(context, response, [&](const Caller& c) { return DoListLeads(c, *request); });
}

absl::StatusOr<v1::ListLeadsResponse> CasesService::DoListLeads(
    const Caller& caller, const v1::ListLeadsRequest& request) const {
  FieldViolations violations;
  if (!v1::LeadState_IsValid(request.state())) violations.Add("state", "must be a known state");
  auto page_size = PageSize(request.page());
  if (!page_size.ok()) violations.Add("page.page_size", "must not be negative");
  const std::string department =
      DepartmentToRead(violations, caller, request.department().code(), "department.code");
  RETURN_IF_ERROR(violations.ToStatus());
  // The department's work: the leads it holds or is offered (a lead it handed over stays
  // readable by name, GetLead, but leaves this list).
  ASSIGN_OR_RETURN(auto page,
                   records_.LeadsOf(department, *page_size, request.page().page_token()));
  v1::ListLeadsResponse response;
  for (v1::Lead& lead : page.first) {
    if (!MayReadLead(caller, lead)) continue;
    if (request.state() != v1::LEAD_STATE_UNSPECIFIED && lead.state() != request.state()) continue;
    *response.add_leads() = std::move(lead);
  }
  response.set_next_page_token(std::move(page.second));
  return response;
}

grpc::Status CasesService::GetDocument(grpc::ServerContext* context,
                                       const v1::GetDocumentRequest* request,
                                       v1::Document* response) {
  return Serve(context, response, [&](const Caller& c) { return DoGetDocument(c, *request); });
}

absl::StatusOr<v1::Document> CasesService::DoGetDocument(
    const Caller& caller, const v1::GetDocumentRequest& request) const {
  // "cases/{id}/documents/{n}" or "decisions/{id}/documents/1".
  const std::string_view name = request.name();
  const size_t marker = name.find("/documents/");
  const std::string_view owner = marker == std::string_view::npos ? "" : name.substr(0, marker);
  int number = 0;
  const bool numbered =
      marker != std::string_view::npos &&
      absl::SimpleAtoi(AbslView(name.substr(marker + 11)), &number) && number >= 1 &&
      number <= 9999;
  const bool of_case = ResourceIdOf(owner, "cases", IsServiceId).has_value();
  const bool of_decision = ResourceIdOf(owner, "decisions", IsServiceId).has_value();
  if (!numbered || (!of_case && !of_decision)) {
    return InvalidField("name",
                        "must be cases/{case_id}/documents/{n} or decisions/{decision_id}/documents/1");
  }
  if (of_case) {
    RETURN_IF_ERROR(ReadableCase(caller, owner).status());
  } else {
    // Another department's decision is answered as absent, as a case is.
    ASSIGN_OR_RETURN(auto decision, records_.FindDecision(IdOf(owner)));
    if (!decision || !MayReadDecision(caller, *decision)) return ResourceNotFound(name);
  }
  ASSIGN_OR_RETURN(std::optional<v1::Document> document,
                   records_.FindDocument(IdOf(owner), number));
  if (!document) return ResourceNotFound(name);
  if (request.with_pdf()) {
    pdf::TextDocument text;
    text.title = absl::StrCat(document->issuer(), "\n", document->ref().title());
    text.number = document->ref().number();
    text.paragraphs.assign(document->paragraphs().begin(), document->paragraphs().end());
    text.closing.assign(document->closing().begin(), document->closing().end());
    ASSIGN_OR_RETURN(std::string bytes, pdf::RenderPdf(text));
    document->set_pdf(std::move(bytes));
  }
  return std::move(*document);
}

// ---- the loop KPIs --------------------------------------------------------------------------

grpc::Status CasesService::GetCaseReport(grpc::ServerContext* context,
                                         const v1::GetCaseReportRequest* request,
                                         v1::CaseReport* response) {
  return Serve(context, response, [&](const Caller& c) { return DoGetCaseReport(c, *request); });
}

absl::StatusOr<v1::CaseReport> CasesService::DoGetCaseReport(
    const Caller& caller, const v1::GetCaseReportRequest& request) const {
  FieldViolations violations;
  const std::string department =
      DepartmentToRead(violations, caller, request.department().code(), "department.code");
  const std::optional<absl::CivilDay> first = ValidDayOf(request.period_start());
  const std::optional<absl::CivilDay> last = ValidDayOf(request.period_end());
  if (!first) violations.Add("period_start", "must be a real calendar day of 1949–2200");
  if (!last) violations.Add("period_end", "must be a real calendar day of 1949–2200");
  if (first && last && *last < *first) {
    violations.Add("period_end", "must not be before period_start");
  } else if (first && last && *last - *first > 366) {
    violations.Add("period_end", "must be at most 366 days after period_start");
  }
  RETURN_IF_ERROR(violations.ToStatus());
  const auto in_period = [&](const common::v1::Date& date) {
    const absl::CivilDay day = DayOf(date);
    return day >= *first && day <= *last;
  };
  // The department's cases filed or executed in the period, each with its lead.
  std::vector<v1::Case> cases;
  std::vector<v1::Lead> leads;
  std::string token;
  do {
    ASSIGN_OR_RETURN(auto page, records_.CasesOf(department, 1000, token));
    for (v1::Case& c : page.first) {
      if (!(c.has_filed_date() && in_period(c.filed_date())) &&
          !(c.has_executed_date() && in_period(c.executed_date()))) {
        continue;
      }
      ASSIGN_OR_RETURN(std::optional<Stored<v1::Lead>> lead, records_.FindLead(IdOf(c.lead())));
      if (!lead) {
        return absl::DataLossError(absl::StrCat(c.name(), ": its lead ", c.lead(), " is missing"));
      }
      cases.push_back(std::move(c));
      leads.push_back(std::move(lead->record));
    }
    token = std::move(page.second);
  } while (!token.empty());
  std::vector<CaseAndLead> entries;
  for (size_t i = 0; i < cases.size(); ++i) entries.push_back({&cases[i], &leads[i]});
  v1::CaseReport report = CaseReportOf(entries, department, *first, *last);
  *report.mutable_generate_time() = ToTimestamp(clock_.Now());
  return report;
}

// ---- public decisions -----------------------------------------------------------------------

grpc::ServerUnaryReactor* PublicDecisionsService::ListPublicDecisions(
    grpc::CallbackServerContext* context, const v1::ListPublicDecisionsRequest* request,
    v1::ListPublicDecisionsResponse* response) {
  return ServeUnary(context, response, [&](const Caller&) { return DoList(*request); });
}

absl::StatusOr<v1::ListPublicDecisionsResponse> PublicDecisionsService::DoList(
    const v1::ListPublicDecisionsRequest& request) const {
  FieldViolations violations;
  auto page_size = PageSize(request.page());
  if (!page_size.ok()) violations.Add("page.page_size", "must not be negative");
  CheckText(violations, "department", request.department(), {.max_chars = 50});
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(auto page, records_.PublicDecisions(request.department(), *page_size,
                                                       request.page().page_token()));
  v1::ListPublicDecisionsResponse response;
  for (v1::PublicDecision& decision : page.first) *response.add_decisions() = std::move(decision);
  response.set_next_page_token(std::move(page.second));
  return response;
}

}  // namespace jianguan::cases
