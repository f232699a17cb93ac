// SubjectRegistry: the writes on a registered subject other than UpdateSubject — status
// transitions (经营异常名录, 严重违法失信名单, 吊销, 注销, 迁出), licences and credit
// commitments. Each checks its request, lets the domain (domain/subject_changes.h) decide,
// and commits through WritePath.
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"

namespace jianguan::subject {
namespace {

void CheckUscc(FieldViolations& v, std::string_view uscc) {
  if (auto status = ValidateUscc(uscc); !status.ok()) v.Add("uscc", StdView(status.message()));
}

absl::Status CheckStatusRequest(const v1::ChangeSubjectStatusRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckUscc(v, request.uscc());
  if (!v1::StatusAction_IsValid(request.action()) ||
      request.action() == v1::STATUS_ACTION_UNSPECIFIED) {
    v.Add("action", "must be a known status action");
  }
  // Only the abnormal operation list (经营异常名录) is entered and left for a reason.
  const bool needs_reason = request.action() == v1::STATUS_ACTION_LIST_ABNORMAL ||
                            request.action() == v1::STATUS_ACTION_REMOVE_ABNORMAL;
  if (!v1::AbnormalReason_IsValid(request.reason()) ||
      (needs_reason && request.reason() == v1::ABNORMAL_REASON_UNSPECIFIED)) {
    v.Add("reason", "must be one of the four abnormal-list reasons");
  } else if (!needs_reason && request.reason() != v1::ABNORMAL_REASON_UNSPECIFIED) {
    v.Add("reason", "is only given for the abnormal operation list");
  }
  CheckText(v, "note", request.note(), {.max_chars = SubjectLimits::kNote});
  if (request.expected_version() < 0) v.Add("expected_version", "must not be negative");
  return v.ToStatus();
}

absl::Status CheckResolveRequest(const v1::ResolveCommitmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckUscc(v, request.uscc());
  CheckText(v, "commitment_id", request.commitment_id(), {.required = true, .max_chars = 64});
  if (request.outcome() != v1::COMMITMENT_STATE_FULFILLED &&
      request.outcome() != v1::COMMITMENT_STATE_BREACHED) {
    v.Add("outcome", "must be FULFILLED or BREACHED");
  }
  CheckText(v, "note", request.note(), {.max_chars = SubjectLimits::kNote});
  return v.ToStatus();
}

}  // namespace

// --- ChangeSubjectStatus ---------------------------------------------------------------

grpc::Status SubjectRegistryService::ChangeSubjectStatus(
    grpc::ServerContext* context, const v1::ChangeSubjectStatusRequest* request,
    v1::ChangeSubjectStatusResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return ChangeStatus(caller, *request); });
}

absl::StatusOr<v1::ChangeSubjectStatusResponse> SubjectRegistryService::ChangeStatus(
    const Caller& caller, const v1::ChangeSubjectStatusRequest& request) {
  RETURN_IF_ERROR(CheckStatusRequest(request));
  using Response = v1::ChangeSubjectStatusResponse;
  bool decided = false;  // a replayed answer is not counted again
  ASSIGN_OR_RETURN(
      Response out,
      writes_.Write<Response>(
          {.caller = caller, .method = methods_("ChangeSubjectStatus"),
           .request_id = request.request_id(), .request = request},
          [&]() -> absl::StatusOr<Decision<Response>> {
            ASSIGN_OR_RETURN(StoredSubject before, Load(request.uscc()));
            Decision<Response> d{.resource = ResourceName("subjects", request.uscc())};
            const absl::Time now = clock_.Now();
            // Removal from a listing for a missing report needs that report (补报).
            StatusChangeFacts facts;
            if (const int year = before.subject.unreported_year();
                year != 0 && request.action() == v1::STATUS_ACTION_REMOVE_ABNORMAL) {
              ASSIGN_OR_RETURN(auto report, subjects_.FindReport(request.uscc(), year));
              facts.unreported_year_published = report.has_value();
            }
            ASSIGN_OR_RETURN(auto change, subject::ChangeStatus(d.resource, before.subject,
                                                                request, caller, now, facts));
            subjects_.Save(d.work, &before, change.subject);
            Emit(d.work, change.subject, change.event, now);
            *d.response.mutable_subject() = std::move(change.subject);
            decided = true;
            return d;
          }));
  if (decided && metrics_ != nullptr) metrics_->CountStatusChange(request.action());
  *out.mutable_subject() = ForCaller(out.subject(), caller);
  return out;
}

// --- GrantLicence ----------------------------------------------------------------------

grpc::Status SubjectRegistryService::GrantLicence(grpc::ServerContext* context,
                                                  const v1::GrantLicenceRequest* request,
                                                  v1::GrantLicenceResponse* response) {
  return Serve(context, response, [&](const Caller& caller) { return Grant(caller, *request); });
}

absl::StatusOr<v1::GrantLicenceResponse> SubjectRegistryService::Grant(
    const Caller& caller, const v1::GrantLicenceRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckUscc(v, request.uscc());
  rules_.CheckLicence(v, "licence", request.licence());
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::GrantLicenceResponse;
  ASSIGN_OR_RETURN(
      Response out,
      writes_.Write<Response>(
          {.caller = caller, .method = methods_("GrantLicence"),
           .request_id = request.request_id(), .request = request},
          [&]() -> absl::StatusOr<Decision<Response>> {
            ASSIGN_OR_RETURN(StoredSubject before, Load(request.uscc()));
            Decision<Response> d{.resource = ResourceName("subjects", request.uscc())};
            const absl::Time now = clock_.Now();
            ASSIGN_OR_RETURN(auto change, subject::GrantLicence(d.resource, before.subject,
                                                                request.licence(), now));
            subjects_.Save(d.work, &before, change.subject);
            Emit(d.work, change.subject, change.event, now);
            RETURN_IF_ERROR(CloseNotification(d.work, change.subject, request.licence(), now));
            *d.response.mutable_subject() = std::move(change.subject);
            return d;
          }));
  *out.mutable_subject() = ForCaller(out.subject(), caller);
  return out;
}

// --- RecordCommitment / ResolveCommitment ----------------------------------------------

grpc::Status SubjectRegistryService::RecordCommitment(grpc::ServerContext* context,
                                                      const v1::RecordCommitmentRequest* request,
                                                      v1::RecordCommitmentResponse* response) {
  return Serve(context, response, [&](const Caller& caller) { return Record(caller, *request); });
}

absl::StatusOr<v1::RecordCommitmentResponse> SubjectRegistryService::Record(
    const Caller& caller, const v1::RecordCommitmentRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckUscc(v, request.uscc());
  rules_.CheckCommitment(v, "commitment", request.commitment());
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::RecordCommitmentResponse;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("RecordCommitment"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        ASSIGN_OR_RETURN(StoredSubject before, Load(request.uscc()));
        Decision<Response> d{.resource = ResourceName("subjects", request.uscc())};
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(auto change, subject::RecordCommitment(d.resource, before.subject,
                                                                request.commitment(),
                                                                ids_.Next(), now));
        subjects_.Save(d.work, &before, change.subject);
        Emit(d.work, change.subject, change.event, now);
        *d.response.mutable_commitment() = change.event.commitment();
        d.response.set_version(change.subject.version());
        return d;
      });
}

grpc::Status SubjectRegistryService::ResolveCommitment(grpc::ServerContext* context,
                                                       const v1::ResolveCommitmentRequest* request,
                                                       v1::ResolveCommitmentResponse* response) {
  return Serve(context, response, [&](const Caller& caller) { return Resolve(caller, *request); });
}

absl::StatusOr<v1::ResolveCommitmentResponse> SubjectRegistryService::Resolve(
    const Caller& caller, const v1::ResolveCommitmentRequest& request) {
  RETURN_IF_ERROR(CheckResolveRequest(request));
  using Response = v1::ResolveCommitmentResponse;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("ResolveCommitment"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        ASSIGN_OR_RETURN(StoredSubject before, Load(request.uscc()));
        Decision<Response> d{.resource = absl::StrCat(ResourceName("subjects", request.uscc()),
                                                      "/commitments/", request.commitment_id())};
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(auto change,
                         subject::ResolveCommitment(d.resource, before.subject, request, now));
        subjects_.Save(d.work, &before, change.subject);
        Emit(d.work, change.subject, change.event, now);
        *d.response.mutable_commitment() = change.event.commitment();
        d.response.set_version(change.subject.version());
        return d;
      });
}

}  // namespace jianguan::subject
