// The result handlers of the Inspection API: evidence upload into the content-addressed
// store, the filled form (SubmitResult), review (with its transfers to case handling and the
// commitment verdict) and publication (一公开), and the KPI report.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/department_scope.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/server/serve.h"
#include "libs/store/store.h"
#include "libs/write/resource_name.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/inspection_report.h"
#include "services/inspection/domain/result_rules.h"
#include "services/inspection/domain/task_access.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/inspection_metrics.h"
#include "services/inspection/inspection_service.h"

namespace jianguan::inspection {
namespace {

// A result's events hold its digest, the task's summary and at most 500 evidence references.
static_assert(kMaxDigestBytes + 260'000 <= store::kMaxEventBytes);

using google::protobuf::util::TimeUtil;

std::string IdOf(const v1::Task& task) { return task.name().substr(std::string("tasks/").size()); }

}  // namespace

absl::StatusOr<v1::Task> InspectionService::DoSubmitResult(const Caller& caller,
                                                           const v1::SubmitResultRequest& r) {
  return Transition(
      caller, "SubmitResult", r.request_id(), r, r.name(), Action::kSubmitResult, "",
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        if (r.expected_version() != 0 && r.expected_version() != before.version()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "expected_version ", r.expected_version(), " is stale: the task is at ",
              before.version()));
        }
        ResultContext context{.task = &before, .categories = rules_.categories,
                              .today = DateOf(Today())};
        ASSIGN_OR_RETURN(context.forms, tasks_.TaskForms(before));
        ASSIGN_OR_RETURN(context.evidence, tasks_.TaskEvidence(IdOf(before)));
        ASSIGN_OR_RETURN(v1::Result result, CheckResult(r.result(), context));
        *result.mutable_submitted_by() = ActorOf(caller);
        *result.mutable_submit_time() = after.update_time();
        *after.mutable_result_digest() = DigestOf(result, context);
        RETURN_IF_ERROR(CheckDigestSize(after.result_digest()));
        ASSIGN_OR_RETURN(*after.mutable_publish_due_date(),
                         PublishDueDate(*rules_.calendar, result.inspection_date()));
        *after.mutable_result() = std::move(result);
        v1::ResultSubmitted submitted;
        *submitted.mutable_task() = SummaryOf(after);
        *submitted.mutable_result() = after.result_digest();
        *submitted.mutable_actor() = ActorOf(caller);
        *submitted.mutable_time() = after.update_time();
        emitter_.Emit(work, after.uscc(), submitted);
        return absl::OkStatus();
      });
}

void InspectionService::EmitApproval(store::UnitOfWork& work, v1::Task& task) const {
  const v1::TaskTransition& step = *task.history().rbegin();
  for (v1::LeadTransferred& lead : LeadTransfersOf(task)) {
    *lead.mutable_actor() = step.actor();
    *lead.mutable_time() = step.time();
    emitter_.Emit(work, task.uscc(), lead);
  }
  if (task.origin().source() != v1::TASK_SOURCE_COMMITMENT_VERIFICATION) return;
  v1::CommitmentVerified verified;
  *verified.mutable_task() = SummaryOf(task);
  verified.set_commitment_id(task.origin().commitment_id());
  verified.set_outcome(task.result().commitment_outcome());
  verified.set_note(task.result().commitment_note());
  *verified.mutable_findings() = task.result_digest().findings();
  *verified.mutable_department() = task.lead_department();
  *verified.mutable_verified_on() = task.result().inspection_date();
  *verified.mutable_actor() = step.actor();
  *verified.mutable_time() = step.time();
  emitter_.Emit(work, task.uscc(), verified);
  // The registry call owed, in the same write: the dispatcher makes it (exactly once in
  // effect: its request_id is fixed, the registry replays a repeat).
  subject::v1::ResolveCommitmentRequest call;
  call.set_request_id("verify-" + IdOf(task));
  call.set_uscc(task.uscc());
  call.set_commitment_id(task.origin().commitment_id());
  call.set_outcome(task.result().commitment_outcome());
  call.set_note(task.result().commitment_note());
  work.Put(kRegistryCalls, IdOf(task), call.SerializeAsString());
}

void InspectionService::CountFinalResultOnCommit(store::UnitOfWork& work,
                                                 const v1::Task& task) const {
  if (metrics_ == nullptr) return;
  work.OnVisible([metrics = metrics_, visits = VisitsSaved(task),
                  outcomes = DepartmentOutcomes(task)] {
    metrics->CountFinalResult(visits, outcomes);
  });
}

absl::StatusOr<v1::Task> InspectionService::DoReviewResult(const Caller& caller,
                                                           const v1::ReviewResultRequest& r) {
  FieldViolations v;
  if (r.decision() != v1::REVIEW_DECISION_APPROVE && r.decision() != v1::REVIEW_DECISION_RETURN) {
    v.Add("decision", "must be APPROVE or RETURN");
  }
  CheckText(v, "comment", r.comment(),
            {.required = r.decision() == v1::REVIEW_DECISION_RETURN, .max_chars = 500});
  RETURN_IF_ERROR(v.ToStatus());
  const bool approve = r.decision() == v1::REVIEW_DECISION_APPROVE;
  return Transition(
      caller, "ReviewResult", r.request_id(), r, r.name(),
      approve ? Action::kApprove : Action::kReturn, approve ? "" : r.comment(),
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) {
        v1::Review& review = *after.mutable_review();
        review.set_decision(r.decision());
        review.set_comment(r.comment());
        *review.mutable_reviewer() = ActorOf(caller);
        *review.mutable_review_time() = after.update_time();
        EmitStateChanged(work, before, after, approve ? "" : r.comment());
        if (approve) {
          EmitApproval(work, after);
          CountFinalResultOnCommit(work, after);
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Task> InspectionService::DoPublishResult(const Caller& caller,
                                                            const v1::TaskTransitionRequest& r) {
  return Transition(
      caller, "PublishResult", r.request_id(), r, r.name(), Action::kPublish, "",
      [&](const v1::Task&, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(ItemNames item_names, tasks_.ItemNamesOf(after));
        v1::Publication& publication = *after.add_publications();
        publication.set_name(absl::StrCat(after.name(), "/publications/", after.publications_size()));
        *publication.mutable_departments() = after.result_digest().departments();
        *publication.mutable_publish_date() = DateOf(Today());
        publication.set_on_time(Today() <= DayOf(after.publish_due_date()));
        *publication.mutable_actor() = ActorOf(caller);
        *publication.mutable_publish_time() = after.update_time();
        tasks_.PutPublication(work, PublicResultOf(after, publication, item_names),
                              TimeUtil::TimestampToMilliseconds(after.update_time()));
        v1::ResultPublished published;
        *published.mutable_task() = SummaryOf(after);
        published.set_publication(publication.name());
        *published.mutable_result() = after.result_digest();
        *published.mutable_publish_date() = publication.publish_date();
        published.set_on_time(publication.on_time());
        if (auto proposal = AbnormalListingOf(after.result_digest())) {
          *published.mutable_abnormal_listing() = *std::move(proposal);
        }
        *published.mutable_actor() = publication.actor();
        *published.mutable_time() = publication.publish_time();
        emitter_.Emit(work, after.uscc(), published);
        if (metrics_ != nullptr) metrics_->CountPublished(publication.on_time());
        return absl::OkStatus();
      });
}

namespace {

void CheckHeader(const v1::EvidenceHeader& header, const std::string& content,
                 FieldViolations& v) {
  CheckRequestId(v, header.request_id());
  const v1::EvidenceRef& e = header.evidence();
  if (e.size_bytes() < 1 || e.size_bytes() > kMaxEvidenceBytes) {
    v.Add("header.evidence.size_bytes", "must be 1 byte to 20 MiB");
  } else if (static_cast<int64_t>(content.size()) != e.size_bytes()) {
    v.Add("header.evidence.size_bytes",
          absl::StrCat("declares ", e.size_bytes(), " bytes; ", content.size(), " were sent"));
  }
  if (store::Sha256Hex(content) != e.sha256()) {
    v.Add("header.evidence.sha256", "does not match the SHA-256 of the content sent");
  }
  CheckText(v, "header.evidence.media_type", e.media_type(), {.required = true, .max_chars = 100});
  CheckText(v, "header.evidence.description", e.description(), {.max_chars = 200});
}

}  // namespace

absl::StatusOr<v1::UploadEvidenceResponse> InspectionService::DoUploadEvidence(
    const Caller& caller, const v1::EvidenceHeader& header, const std::string& content) {
  FieldViolations v;
  const std::string id = ParseResourceName(v, "header.task", header.task(), "tasks", IsTaskId,
                                           "task_id");
  CheckHeader(header, content, v);
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::UploadEvidenceResponse>(
      {.caller = caller, .method = methods_("UploadEvidence"), .request_id = header.request_id(),
       .request = header},
      [&]() -> absl::StatusOr<Decision<v1::UploadEvidenceResponse>> {
        ASSIGN_OR_RETURN(v1::Task task, tasks_.LoadTask(id));
        RETURN_IF_ERROR(CheckTakesPart(caller, task));
        if (IsFinal(task.state())) {
          return absl::FailedPreconditionError(absl::StrCat(task.name(), " is final"));
        }
        ASSIGN_OR_RETURN(bool stored, tasks_.HasEvidence(header.evidence().sha256()));
        Decision<v1::UploadEvidenceResponse> d{.resource = "evidence/" + header.evidence().sha256()};
        *d.response.mutable_evidence() = header.evidence();
        d.response.set_already_stored(stored);
        if (!stored) d.work.Put(kEvidence, header.evidence().sha256(), content);
        d.work.Put(kTaskEvidence, absl::StrCat(id, "/", header.evidence().sha256()),
                   header.evidence().SerializeAsString());
        return d;
      });
}

absl::StatusOr<v1::InspectionReport> InspectionService::DoGetInspectionReport(
    const Caller& caller, const v1::GetInspectionReportRequest& r) const {
  FieldViolations v;
  const std::string department = DepartmentToRead(v, caller, r.department().code(),
                                                  "department.code");
  if (!IsRealDate(r.period_start())) v.Add("period_start", "must be a real date");
  if (!IsRealDate(r.period_end())) v.Add("period_end", "must be a real date");
  if (v.empty() && (DayOf(r.period_end()) < DayOf(r.period_start()) ||
                    DayOf(r.period_end()) - DayOf(r.period_start()) > 366)) {
    v.Add("period_end", "must be 0–366 days after period_start");
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::vector<v1::Task> tasks, tasks_.AllTasks());
  v1::InspectionReport report =
      ReportOf(tasks, department, DayOf(r.period_start()), DayOf(r.period_end()));
  *report.mutable_generate_time() = ToTimestamp(clock_.Now());
  return report;
}

grpc::Status InspectionService::SubmitResult(grpc::ServerContext* c,
                                             const v1::SubmitResultRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoSubmitResult(caller, *r); });
}

grpc::Status InspectionService::ReviewResult(grpc::ServerContext* c,
                                             const v1::ReviewResultRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoReviewResult(caller, *r); });
}

grpc::Status InspectionService::PublishResult(grpc::ServerContext* c,
                                              const v1::TaskTransitionRequest* r, v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoPublishResult(caller, *r); });
}

grpc::Status InspectionService::GetInspectionReport(grpc::ServerContext* c,
                                                    const v1::GetInspectionReportRequest* r,
                                                    v1::InspectionReport* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoGetInspectionReport(caller, *r); });
}

grpc::Status InspectionService::UploadEvidence(
    grpc::ServerContext* c, grpc::ServerReader<v1::UploadEvidenceRequest>* reader,
    v1::UploadEvidenceResponse* out) {
  return Serve(c, out, [&](const Caller& caller) -> absl::StatusOr<v1::UploadEvidenceResponse> {
    v1::UploadEvidenceRequest part;
    if (!reader->Read(&part) || !part.has_header()) {
      return InvalidField("header", "the first message must be the header");
    }
    const v1::EvidenceHeader header = part.header();
    std::string content;
    while (reader->Read(&part)) {
      if (!part.has_chunk() || part.chunk().empty() || part.chunk().size() > (1 << 20)) {
        return InvalidField("chunk", "each later message is one chunk of 1 byte to 1 MiB");
      }
      if (static_cast<int64_t>(content.size() + part.chunk().size()) > kMaxEvidenceBytes) {
        return InvalidField("header.evidence.size_bytes", "the content exceeds 20 MiB");
      }
      content += part.chunk();
    }
    return DoUploadEvidence(caller, header, content);
  });
}

}  // namespace jianguan::inspection
