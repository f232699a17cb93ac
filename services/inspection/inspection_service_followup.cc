// The handlers of what follows a reviewed result (后续处置): OrderRectification (责令限期整改)
// with its follow-up task (回头看) in the same write, CompleteFollowUp (rectified or not; a
// transfer to case handling when its measures say so), and CorrectPublication (更正: a new
// publication linked to the one it corrects, which stays readable). The rules are the
// domain's (domain/rectification.h, domain/result_rules.h, domain/assignment.h).
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/text_checks.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/inspection/domain/rectification.h"
#include "services/inspection/domain/task_access.h"
#include "services/inspection/domain/task_assembly.h"
#include "services/inspection/inspection_service.h"

namespace jianguan::inspection {
namespace {

using google::protobuf::util::TimeUtil;

std::string IdOf(std::string_view name) {
  return std::string(name.substr(std::string_view("tasks/").size()));
}

}  // namespace

absl::StatusOr<ResultContext> InspectionService::ResultContextOf(const v1::Task& task) const {
  ResultContext context{.task = &task, .categories = rules_.categories, .today = DateOf(Today())};
  ASSIGN_OR_RETURN(context.forms, tasks_.TaskForms(task));
  ASSIGN_OR_RETURN(context.evidence, tasks_.TaskEvidence(IdOf(task.name())));
  return context;
}

void InspectionService::EmitCreated(store::UnitOfWork& work, const v1::Task& task) const {
  // TaskCreated shows the task as created; TaskAssigned (inspectors named) as assigned.
  emitter_.Emit(work, task.uscc(), CreatedEvent(task));
  if (task.state() == v1::TASK_STATE_ASSIGNED) EmitAssigned(work, v1::Task(), task, "");
}

absl::StatusOr<Decision<v1::OrderRectificationResponse>> InspectionService::DecideRectification(
    const Caller& caller, const v1::OrderRectificationRequest& r, std::string_view task_id) {
  ASSIGN_OR_RETURN(v1::Task before, tasks_.LoadTask(task_id));
  RETURN_IF_ERROR(CheckTakesPart(caller, before));
  ASSIGN_OR_RETURN(v1::TaskState state, NextState(before, Action::kOrderRectification, caller));
  ASSIGN_OR_RETURN(std::vector<v1::Finding> findings, FindingsToRectify(before, r.check_points()));
  ASSIGN_OR_RETURN(absl::CivilDay due, rules_.calendar->AddWorkingDays(
                                           DayOf(r.rectify_by()), rules_.follow_up_working_days));
  const common::v1::Actor actor = ActorOf(caller);
  const std::string_view trigger = TriggerOf(Action::kOrderRectification);
  v1::Task follow_up = FollowUpTaskOf(before, findings, DateOf(due), actor, clock_.Now());
  if (!r.inspector_ids().empty()) {
    ASSIGN_OR_RETURN(*follow_up.mutable_inspectors(),
                     AssignmentFor(follow_up, r.inspector_ids()));
    RecordTransition(follow_up, v1::TASK_STATE_ASSIGNED, trigger, actor, clock_.Now(), "");
  }
  v1::Task after = before;
  RecordTransition(after, state, trigger, actor, clock_.Now(), "");
  v1::Rectification& order = *after.mutable_rectification();
  *order.mutable_rectify_by() = r.rectify_by();
  order.set_notice_number(r.notice_number());
  for (const v1::Finding& f : findings) *order.add_check_points() = f.check_point();
  order.set_follow_up_task(follow_up.name());
  *order.mutable_ordered_by() = actor;
  *order.mutable_order_time() = after.update_time();
  Decision<v1::OrderRectificationResponse> d{.resource = after.name()};
  tasks_.SaveTask(d.work, after, &before);
  tasks_.SaveTask(d.work, follow_up, nullptr);
  v1::RectificationOrdered ordered;
  *ordered.mutable_task() = SummaryOf(after);
  ordered.set_follow_up_task(follow_up.name());
  *ordered.mutable_rectify_by() = r.rectify_by();
  ordered.set_notice_number(r.notice_number());
  for (const v1::Finding& f : findings) *ordered.add_findings() = f;
  ordered.mutable_department()->set_code(caller.department);
  *ordered.mutable_actor() = actor;
  *ordered.mutable_time() = after.update_time();
  emitter_.Emit(d.work, after.uscc(), ordered);
  EmitCreated(d.work, follow_up);
  *d.response.mutable_task() = Shown(std::move(after));
  *d.response.mutable_follow_up() = Shown(std::move(follow_up));
  return d;
}

absl::StatusOr<v1::OrderRectificationResponse> InspectionService::DoOrderRectification(
    const Caller& caller, const v1::OrderRectificationRequest& r) {
  FieldViolations v;
  CheckRequestId(v, r.request_id());
  const std::string id = ParseResourceName(v, "name", r.name(), "tasks", IsTaskId, "task_id");
  if (!IsRealDate(r.rectify_by()) || DayOf(r.rectify_by()) <= Today()) {
    v.Add("rectify_by", "must be a real date after today");
  }
  CheckText(v, "notice_number", r.notice_number(), {.max_chars = 64});
  if (r.check_points_size() > 200) v.Add("check_points", "at most 200 check points");
  RETURN_IF_ERROR(v.ToStatus());
  return writes_.Write<v1::OrderRectificationResponse>(
      {.caller = caller, .method = methods_("OrderRectification"), .request_id = r.request_id(),
       .request = r},
      [&] { return DecideRectification(caller, r, id); });
}

absl::Status InspectionService::RecordFollowUpOutcome(store::UnitOfWork& work,
                                                      const v1::Task& follow_up,
                                                      v1::RectificationOutcome outcome) const {
  ASSIGN_OR_RETURN(v1::Task original, tasks_.LoadTask(IdOf(follow_up.origin().follow_up_of())));
  v1::Task recorded = original;
  RecordTransition(recorded, original.state(), TriggerOf(Action::kCompleteFollowUp),
                   follow_up.history().rbegin()->actor(), clock_.Now(), "");
  recorded.mutable_rectification()->set_outcome(outcome);
  tasks_.SaveTask(work, recorded, &original);
  return absl::OkStatus();
}

absl::StatusOr<v1::Task> InspectionService::DoCompleteFollowUp(
    const Caller& caller, const v1::CompleteFollowUpRequest& r) {
  RETURN_IF_ERROR(CheckFollowUpOutcome(r.outcome(), {}));
  return Transition(
      caller, "CompleteFollowUp", r.request_id(), r, r.name(), Action::kCompleteFollowUp, "",
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(ResultContext context, ResultContextOf(before));
        ASSIGN_OR_RETURN(v1::Result result, CheckResult(r.result(), context));
        *result.mutable_submitted_by() = ActorOf(caller);
        *result.mutable_submit_time() = after.update_time();
        *after.mutable_result_digest() = DigestOf(result, context);
        RETURN_IF_ERROR(CheckDigestSize(after.result_digest()));
        RETURN_IF_ERROR(CheckFollowUpOutcome(r.outcome(), after.result_digest()));
        *after.mutable_result() = std::move(result);
        RETURN_IF_ERROR(RecordFollowUpOutcome(work, after, r.outcome()));
        v1::FollowUpCompleted completed;
        *completed.mutable_task() = SummaryOf(after);
        completed.set_outcome(r.outcome());
        *completed.mutable_findings() = after.result_digest().findings();
        for (const v1::DepartmentResult& department : after.result_digest().departments()) {
          for (const v1::FollowUpAction& action : department.actions()) {
            *completed.add_actions() = action;
          }
        }
        *completed.mutable_inspection_date() = after.result().inspection_date();
        *completed.mutable_actor() = ActorOf(caller);
        *completed.mutable_time() = after.update_time();
        emitter_.Emit(work, after.uscc(), completed);
        for (v1::LeadTransferred& lead : LeadTransfersOf(after)) {
          *lead.mutable_actor() = ActorOf(caller);
          *lead.mutable_time() = after.update_time();
          emitter_.Emit(work, after.uscc(), lead);
        }
        CountFinalResultOnCommit(work, after);
        return absl::OkStatus();
      });
}

absl::Status InspectionService::PutCorrection(store::UnitOfWork& work, const v1::Task& task,
                                              int corrected) const {
  ASSIGN_OR_RETURN(ItemNames item_names, tasks_.ItemNamesOf(task));
  for (const v1::Publication* p : {&*task.publications().rbegin(), &task.publications(corrected)}) {
    tasks_.PutPublication(work, PublicResultOf(task, *p, item_names),
                          TimeUtil::TimestampToMilliseconds(p->publish_time()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Task> InspectionService::DoCorrectPublication(
    const Caller& caller, const v1::CorrectPublicationRequest& r) {
  FieldViolations v;
  CheckText(v, "reason", r.reason(), {.required = true, .max_chars = 500});
  const size_t at = r.publication().find("/publications/");
  int number = 0;
  const std::string task = at == std::string::npos ? "" : r.publication().substr(0, at);
  if (at == std::string::npos ||
      !absl::SimpleAtoi(r.publication().substr(at + std::string_view("/publications/").size()),
                        &number) ||
      number < 1 || !ParseResourceName("publication", task, "tasks", IsTaskId, "task_id").ok()) {
    v.Add("publication", "must be tasks/{task_id}/publications/{number}");
  }
  RETURN_IF_ERROR(v.ToStatus());
  return Transition(
      caller, "CorrectPublication", r.request_id(), r, task, Action::kCorrectPublication,
      r.reason(),
      [&](const v1::Task& before, v1::Task& after, store::UnitOfWork& work) -> absl::Status {
        if (number > before.publications_size()) return ResourceNotFound(r.publication());
        if (!before.publications(number - 1).corrected_by().empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              r.publication(), " was corrected by ", before.publications(number - 1).corrected_by(),
              "; correct the standing publication"));
        }
        const ResultContext context{.task = &before, .categories = rules_.categories};
        ASSIGN_OR_RETURN(DepartmentResults departments,
                         CheckCorrectedDepartments(r.departments(), context));
        v1::Publication& fresh = *after.add_publications();
        fresh.set_name(absl::StrCat(after.name(), "/publications/", after.publications_size()));
        fresh.set_corrects(r.publication());
        fresh.set_correction_reason(r.reason());
        *fresh.mutable_departments() = departments;
        *fresh.mutable_publish_date() = DateOf(Today());
        fresh.set_on_time(Today() <= DayOf(after.publish_due_date()));
        *fresh.mutable_actor() = ActorOf(caller);
        *fresh.mutable_publish_time() = after.update_time();
        after.mutable_publications(number - 1)->set_corrected_by(fresh.name());
        RETURN_IF_ERROR(PutCorrection(work, after, number - 1));
        v1::ResultPublished published;
        *published.mutable_task() = SummaryOf(after);
        published.set_publication(fresh.name());
        published.set_corrects(fresh.corrects());
        published.set_correction_reason(fresh.correction_reason());
        *published.mutable_result() = after.result_digest();
        *published.mutable_result()->mutable_departments() = departments;
        *published.mutable_publish_date() = fresh.publish_date();
        published.set_on_time(fresh.on_time());
        if (auto proposal = AbnormalListingOf(published.result())) {
          *published.mutable_abnormal_listing() = *std::move(proposal);
        }
        *published.mutable_actor() = fresh.actor();
        *published.mutable_time() = fresh.publish_time();
        emitter_.Emit(work, after.uscc(), published);
        return absl::OkStatus();
      });
}

grpc::Status InspectionService::OrderRectification(grpc::ServerContext* c,
                                                   const v1::OrderRectificationRequest* r,
                                                   v1::OrderRectificationResponse* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoOrderRectification(caller, *r); });
}

grpc::Status InspectionService::CompleteFollowUp(grpc::ServerContext* c,
                                                 const v1::CompleteFollowUpRequest* r,
                                                 v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoCompleteFollowUp(caller, *r); });
}

grpc::Status InspectionService::CorrectPublication(grpc::ServerContext* c,
                                                   const v1::CorrectPublicationRequest* r,
                                                   v1::Task* out) {
  return Serve(c, out, [&](const Caller& caller) { return DoCorrectPublication(caller, *r); });
}

}  // namespace jianguan::inspection
