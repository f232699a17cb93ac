// The inspection service's gRPC handlers (DESIGN.md §1.4): the departments' Inspection API —
// tasks from creation to publication, evidence upload, KPIs — and the public
// InspectionPublic API (一公开), which needs no credentials and shows no evidence, findings,
// inspectors or personal data.
//
// Every write: the request's shape (INVALID_ARGUMENT naming each bad field), one question to
// the domain (state machine, result checks), one WritePath::Write — the task with a
// compare-and-set on its stored bytes, its events, audit and idempotency in one commit.
// A refused request changes nothing.
//
// Thread-safe: all state is in the store.
#pragma once

#include <string>
#include <string_view>

#include "grpcpp/support/sync_stream.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/clock.h"
#include "libs/core/ids.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/inspection/domain/assignment.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/result_rules.h"
#include "services/inspection/domain/result_categories.h"
#include "services/inspection/domain/task_lifecycle.h"
#include "services/inspection/inspection_store.h"

namespace jianguan::inspection {

inline constexpr char kServiceName[] = "inspection";
/// Largest evidence file (EvidenceRef.size_bytes): 20 MiB.
inline constexpr int64_t kMaxEvidenceBytes = 20 << 20;

class InspectionMetrics;

/// What the service reads at start: the working-day calendar, the category mapping and the
/// follow-up deadline (--follow_up_working_days).
struct InspectionRules {
  const WorkingDayCalendar* calendar = nullptr;
  const ResultCategories* categories = nullptr;
  int follow_up_working_days = kDefaultFollowUpWorkingDays;
};

class InspectionService final : public v1::Inspection::Service {
 public:
  /// Everything must outlive the service; `metrics` may be null.
  InspectionService(store::Store& store, const Clock& clock, InspectionRules rules,
                    InspectionMetrics* metrics = nullptr);

  grpc::Status CreateTask(grpc::ServerContext* c, const v1::CreateTaskRequest* r,
                          v1::Task* out) override;
  grpc::Status GetTask(grpc::ServerContext* c, const v1::GetTaskRequest* r, v1::Task* out) override;
  grpc::Status ListTasks(grpc::ServerContext* c, const v1::ListTasksRequest* r,
                         v1::ListTasksResponse* out) override;
  grpc::Status AssignTask(grpc::ServerContext* c, const v1::AssignTaskRequest* r,
                          v1::Task* out) override;
  grpc::Status ReassignTask(grpc::ServerContext* c, const v1::AssignTaskRequest* r,
                            v1::Task* out) override;
  grpc::Status AcceptTask(grpc::ServerContext* c, const v1::TaskTransitionRequest* r,
                          v1::Task* out) override;
  grpc::Status ArriveOnSite(grpc::ServerContext* c, const v1::ArriveOnSiteRequest* r,
                            v1::Task* out) override;
  grpc::Status SubmitResult(grpc::ServerContext* c, const v1::SubmitResultRequest* r,
                            v1::Task* out) override;
  grpc::Status ReviewResult(grpc::ServerContext* c, const v1::ReviewResultRequest* r,
                            v1::Task* out) override;
  grpc::Status PublishResult(grpc::ServerContext* c, const v1::TaskTransitionRequest* r,
                             v1::Task* out) override;
  grpc::Status CorrectPublication(grpc::ServerContext* c, const v1::CorrectPublicationRequest* r,
                                  v1::Task* out) override;
  grpc::Status OrderRectification(grpc::ServerContext* c, const v1::OrderRectificationRequest* r,
                                  v1::OrderRectificationResponse* out) override;
  grpc::Status CompleteFollowUp(grpc::ServerContext* c, const v1::CompleteFollowUpRequest* r,
                                v1::Task* out) override;
  grpc::Status SuspendTask(grpc::ServerContext* c, const v1::ReasonedTransitionRequest* r,
                           v1::Task* out) override;
  grpc::Status ResumeTask(grpc::ServerContext* c, const v1::TaskTransitionRequest* r,
                          v1::Task* out) override;
  grpc::Status CancelTask(grpc::ServerContext* c, const v1::ReasonedTransitionRequest* r,
                          v1::Task* out) override;
  grpc::Status UploadEvidence(grpc::ServerContext* c,
                              grpc::ServerReader<v1::UploadEvidenceRequest>* reader,
                              v1::UploadEvidenceResponse* out) override;
  grpc::Status GetInspectionReport(grpc::ServerContext* c,
                                   const v1::GetInspectionReportRequest* r,
                                   v1::InspectionReport* out) override;

  // The calls without gRPC around them.
  absl::StatusOr<v1::Task> DoCreateTask(const Caller& caller, const v1::CreateTaskRequest& r);
  absl::StatusOr<v1::Task> DoGetTask(const Caller& caller, const v1::GetTaskRequest& r) const;
  absl::StatusOr<v1::ListTasksResponse> DoListTasks(const Caller& caller,
                                                    const v1::ListTasksRequest& r) const;
  /// AssignTask, or ReassignTask when `reassign` (a reason required).
  absl::StatusOr<v1::Task> DoAssignTask(const Caller& caller, const v1::AssignTaskRequest& r,
                                        bool reassign);
  absl::StatusOr<v1::Task> DoSubmitResult(const Caller& caller, const v1::SubmitResultRequest& r);
  absl::StatusOr<v1::Task> DoReviewResult(const Caller& caller, const v1::ReviewResultRequest& r);
  absl::StatusOr<v1::Task> DoPublishResult(const Caller& caller,
                                           const v1::TaskTransitionRequest& r);
  absl::StatusOr<v1::Task> DoCorrectPublication(const Caller& caller,
                                                const v1::CorrectPublicationRequest& r);
  absl::StatusOr<v1::OrderRectificationResponse> DoOrderRectification(
      const Caller& caller, const v1::OrderRectificationRequest& r);
  absl::StatusOr<v1::Task> DoCompleteFollowUp(const Caller& caller,
                                              const v1::CompleteFollowUpRequest& r);
  absl::StatusOr<v1::Task> DoResumeTask(const Caller& caller, const v1::TaskTransitionRequest& r);
  /// UploadEvidence after the stream is read: header and content.
  absl::StatusOr<v1::UploadEvidenceResponse> DoUploadEvidence(const Caller& caller,
                                                              const v1::EvidenceHeader& header,
                                                              const std::string& content);
  absl::StatusOr<v1::InspectionReport> DoGetInspectionReport(
      const Caller& caller, const v1::GetInspectionReportRequest& r) const;

 private:
  /// What a transition adds to its write besides the task: events, pending calls.
  using Effects = std::function<absl::Status(const v1::Task& before, v1::Task& after,
                                             store::UnitOfWork& work)>;
  /// The write of every transition: replay, load the task, ask the state machine, record
  /// the transition, apply `effects`, commit with the task's compare-and-set.
  absl::StatusOr<v1::Task> Transition(const Caller& caller, std::string_view method,
                                      std::string_view request_id,
                                      const google::protobuf::Message& request,
                                      std::string_view name, Action action, std::string_view reason,
                                      const Effects& effects);
  /// A transition whose only event is TaskStateChanged.
  absl::StatusOr<v1::Task> SimpleTransition(const Caller& caller, std::string_view method,
                                            std::string_view request_id,
                                            const google::protobuf::Message& request,
                                            std::string_view name, Action action,
                                            std::string_view reason);
  /// A transition that also gives departments without a form the forms published since the
  /// task was made (AcceptTask, ArriveOnSite).
  absl::StatusOr<v1::Task> TransitionTakingForms(const Caller& caller, std::string_view method,
                                                 std::string_view request_id,
                                                 const google::protobuf::Message& request,
                                                 std::string_view name, Action action);
  void EmitStateChanged(store::UnitOfWork& work, const v1::Task& before, const v1::Task& after,
                        std::string_view reason) const;
  /// The approval's events: LeadTransferred per transfer, CommitmentVerified with its
  /// pending registry call.
  void EmitApproval(store::UnitOfWork& work, v1::Task& task) const;
  /// Counts `task`'s final result (visits saved, each department's outcome) once `work`
  /// commits: not at all when it does not, and not again for a retry (answered from the
  /// first commit without a new one).
  void CountFinalResultOnCommit(store::UnitOfWork& work, const v1::Task& task) const;
  /// TaskAssigned for `after`, naming `before`'s inspectors as the previous ones.
  void EmitAssigned(store::UnitOfWork& work, const v1::Task& before, const v1::Task& after,
                    std::string_view reason) const;
  /// The inspectors `ids` for `task` by the assignment rule (domain/assignment.h) over the
  /// inspector and item projections; a store error is returned as it is.
  absl::StatusOr<google::protobuf::RepeatedPtrField<v1::TaskInspector>> AssignmentFor(
      const v1::Task& task, const google::protobuf::RepeatedPtrField<std::string>& ids) const;
  /// What checking a result of `task` needs: its forms, its evidence, the categories, today.
  absl::StatusOr<ResultContext> ResultContextOf(const v1::Task& task) const;
  /// The order's decision: the original with its rectification, the follow-up (assigned when
  /// inspectors are named), their events.
  absl::StatusOr<Decision<v1::OrderRectificationResponse>> DecideRectification(
      const Caller& caller, const v1::OrderRectificationRequest& r, std::string_view task_id);
  /// TaskCreated for a new task (as created), and TaskAssigned when it has inspectors.
  void EmitCreated(store::UnitOfWork& work, const v1::Task& task) const;
  /// Records a completed follow-up's outcome on its original task (its rectification).
  absl::Status RecordFollowUpOutcome(store::UnitOfWork& work, const v1::Task& follow_up,
                                     v1::RectificationOutcome outcome) const;
  /// A correction's publications: the new one and the corrected one marked corrected_by.
  absl::Status PutCorrection(store::UnitOfWork& work, const v1::Task& task, int corrected) const;
  /// The task as a reader sees it (overdue as of today).
  v1::Task Shown(v1::Task task) const;
  absl::CivilDay Today() const;

  InspectionStore tasks_;
  const Clock& clock_;
  InspectionRules rules_;
  InspectionMetrics* metrics_;
  WritePath writes_;
  const EventEmitter emitter_;
  const MethodNames methods_{"jianguan.inspection.v1.Inspection"};
  IdGenerator ids_;
};

class InspectionPublicService final : public v1::InspectionPublic::Service {
 public:
  explicit InspectionPublicService(store::Store& store) : tasks_(store) {}

  grpc::Status ListPublishedResults(grpc::ServerContext* c,
                                    const v1::ListPublishedResultsRequest* r,
                                    v1::ListPublishedResultsResponse* out) override;
  grpc::Status GetPublishedResult(grpc::ServerContext* c, const v1::GetPublishedResultRequest* r,
                                  v1::PublicResult* out) override;

  absl::StatusOr<v1::ListPublishedResultsResponse> DoList(
      const v1::ListPublishedResultsRequest& r) const;
  absl::StatusOr<v1::PublicResult> DoGet(const v1::GetPublishedResultRequest& r) const;

 private:
  InspectionStore tasks_;
};

/// The public view of a task's publication: subject, plan, departments with items (named
/// from `item_names`) and categories, dates — nothing else.
v1::PublicResult PublicResultOf(const v1::Task& task, const v1::Publication& publication,
                                const ItemNames& item_names);

}  // namespace jianguan::inspection
