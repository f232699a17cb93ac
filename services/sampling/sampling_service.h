// The sampling service's gRPC handlers (DESIGN §1.3, §3): the departments' Sampling API —
// plans from draft to completed, the draw, the internal task list, the auditors' export —
// and the public SamplingPublic API (一公开), which needs no credentials and shows nothing
// internal (no classes, no inspector ids).
//
// Every write checks the request's shape (INVALID_ARGUMENT naming each bad field), replays a
// retried request_id, checks the caller (only the initiating department moves its plan) and
// the plan's state (FAILED_PRECONDITION), then commits one unit of work: the plan with a
// compare-and-set on its stored bytes, what the transition adds, its events, the audit record
// and the idempotency key. A failed draw commits nothing and answers FAILED_PRECONDITION with
// a DrawFailureReport in the details. A draw's commit is the plan drawn with its tasks packed;
// each task's history and TaskDrawn follow in batches (draw_recorder.h), finished before the
// next approval, publication or completion.
//
// Thread-safe: all state is in the store.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "grpcpp/support/sync_stream.h"
#include "jianguan/sampling/v1/sampling.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/server/identity.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/sampling/domain/plan_lifecycle.h"
#include "services/sampling/candidate_index.h"
#include "services/sampling/draw_recorder.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {

/// The source of the service's events (they go to topics::kSampling).
inline constexpr char kServiceName[] = "sampling";

class SamplingMetrics;

class SamplingService final : public v1::Sampling::Service {
 public:
  /// `store`, `clock` and `metrics` (may be null) must outlive the service.
  SamplingService(store::Store& store, const Clock& clock, SamplingMetrics* metrics = nullptr,
                  DrawRecorderOptions recording = {});

  grpc::Status CreatePlan(grpc::ServerContext* context, const v1::CreatePlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status UpdateDraftPlan(grpc::ServerContext* context,
                               const v1::UpdateDraftPlanRequest* request,
                               v1::Plan* response) override;
  grpc::Status ApprovePlan(grpc::ServerContext* context,
                           const v1::PlanTransitionRequest* request, v1::Plan* response) override;
  grpc::Status DrawPlan(grpc::ServerContext* context, const v1::DrawPlanRequest* request,
                        v1::Plan* response) override;
  grpc::Status PublishPlan(grpc::ServerContext* context,
                           const v1::PlanTransitionRequest* request, v1::Plan* response) override;
  grpc::Status CompletePlan(grpc::ServerContext* context,
                            const v1::PlanTransitionRequest* request, v1::Plan* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context, const v1::GetPlanRequest* request,
                       v1::Plan* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                         v1::ListPlansResponse* response) override;
  grpc::Status ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                         v1::ListTasksResponse* response) override;
  grpc::Status ExportVerificationPackage(grpc::ServerContext* context,
                                         const v1::ExportRequest* request,
                                         grpc::ServerWriter<v1::ExportChunk>* writer) override;

  // The calls without gRPC around them, for tests and tools.
  absl::StatusOr<v1::Plan> DoCreatePlan(const Caller& caller, const v1::CreatePlanRequest& request);
  absl::StatusOr<v1::Plan> DoUpdateDraftPlan(const Caller& caller,
                                             const v1::UpdateDraftPlanRequest& request);
  absl::StatusOr<v1::Plan> DoApprovePlan(const Caller& caller,
                                         const v1::PlanTransitionRequest& request);
  absl::StatusOr<v1::Plan> DoDrawPlan(const Caller& caller, const v1::DrawPlanRequest& request);
  absl::StatusOr<v1::Plan> DoPublishPlan(const Caller& caller,
                                         const v1::PlanTransitionRequest& request);
  absl::StatusOr<v1::Plan> DoCompletePlan(const Caller& caller,
                                          const v1::PlanTransitionRequest& request);

  /// Draws are recorded (histories, TaskDrawn) by a thread of the service from now on, the
  /// committed draw answered at once; before this, DrawPlan records before it answers.
  void StartRecordingDraws() { recorder_.Start(); }
  /// Finishes recording every committed draw (the bench and tests wait with it).
  absl::Status RecordDraws() { return recorder_.RecordPending(); }

 private:
  /// Checks the plan's departments and items against the catalogue projection: each must be
  /// known, a department in office, an item in force at a version it has.
  void CheckReferences(FieldViolations& v, const v1::Plan& plan) const;
  /// The decision that writes `plan` over `stored` (nullptr: a new plan) with a
  /// compare-and-set on its stored bytes, one version on and updated now.
  Decision<v1::Plan> PlanDecision(v1::Plan plan, const StoredPlan* stored) const;
  /// The stored plan named `plan_id` when it exists (NOT_FOUND), the caller initiated it
  /// (PERMISSION_DENIED) and it is in state `from` (FAILED_PRECONDITION) for `action`.
  absl::StatusOr<StoredPlan> PlanToMove(const Caller& caller, std::string_view plan_id,
                                        v1::PlanState from, std::string_view action) const;
  /// What approval decides once the plan is checked: the freeze.
  absl::StatusOr<Decision<v1::Plan>> DecideApproval(const Caller& caller, const StoredPlan& stored);
  /// What a draw decides once the plan is checked: the plan drawn and its tasks, packed.
  absl::StatusOr<Decision<v1::Plan>> DecideDraw(const Caller& caller, const StoredPlan& stored,
                                                const v1::DrawPlanRequest& request);
  /// A failed draw's attempt added to the plan and published (DrawFailed), once per entropy.
  absl::Status RecordFailedDraw(const Caller& caller, const std::string& plan_id,
                                const v1::DrawPlanRequest& request,
                                const std::string& report_bytes);
  google::protobuf::Timestamp Now() const;

  store::Store& store_;
  const Clock& clock_;
  PlanStore plans_;
  ProjectionReader projection_;
  CandidateIndex candidates_;  // what the freeze reads of the projection
  WritePath writes_;
  EventEmitter emitter_;
  DrawRecorder recorder_;
  absl::Mutex approve_mu_;  // held by the one DoApprovePlan running
  const MethodNames methods_{"jianguan.sampling.v1.Sampling"};
  SamplingMetrics* metrics_;
};

class SamplingPublicService final : public v1::SamplingPublic::Service {
 public:
  explicit SamplingPublicService(const store::Store& store);

  grpc::Status ListPublicPlans(grpc::ServerContext* context,
                               const v1::ListPublicPlansRequest* request,
                               v1::ListPublicPlansResponse* response) override;
  grpc::Status GetPublicPlan(grpc::ServerContext* context, const v1::GetPlanRequest* request,
                             v1::PublicPlan* response) override;
  grpc::Status ListPublicTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                               v1::ListPublicTasksResponse* response) override;
  grpc::Status ExportPublicResult(grpc::ServerContext* context, const v1::ExportRequest* request,
                                  grpc::ServerWriter<v1::ExportChunk>* writer) override;

 private:
  PlanStore plans_;
  ProjectionReader projection_;
};

/// Recomputes a drawn plan's draw from its frozen inputs and hands `write` the canonical
/// public result (`public_result` true) or verification package, in pieces. DATA_LOSS, with
/// nothing written, when the recomputed result does not match the recorded result digest.
absl::Status WriteRecomputedDocument(const PlanStore& plans, const v1::Plan& plan,
                                     bool public_result,
                                     const std::function<void(std::string_view)>& write);
/// The same document as one string (tests, small plans).
absl::StatusOr<std::string> RecomputeDocument(const PlanStore& plans, const v1::Plan& plan,
                                              bool public_result);

}  // namespace jianguan::sampling
