// The credit service's gRPC handlers (DESIGN.md §1.6): scores and their explanation, credit
// repair, the joint punishment checks other systems call before granting something, and the
// monthly reclassification. Every RPC needs an authenticated caller; reads run on gRPC's
// callback threads (point reads and one prefix scan), writes on the synchronous pool.
//
// Thread-safe: all state is in the store; the models are immutable after start.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "jianguan/credit/v1/credit.grpc.pb.h"
#include "libs/core/caller.h"
#include "libs/core/clock.h"
#include "libs/core/ids.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/credit/credit_store.h"
#include "services/credit/domain/credit_model.h"
#include "services/credit/model_files.h"

namespace jianguan::credit {

/// The source of the service's events (they go to topics::kCredit).
inline constexpr char kServiceName[] = "credit";

class CreditMetrics;
class Reclassifier;

using CreditBase = v1::Credit::WithCallbackMethod_GetCredit<
    v1::Credit::WithCallbackMethod_ExplainScore<v1::Credit::WithCallbackMethod_CheckRestrictions<
        v1::Credit::WithCallbackMethod_CheckCommitmentEligibility<v1::Credit::Service>>>>;

class CreditService final : public CreditBase {
 public:
  /// Everything must outlive the service; `reclassifier` (woken when a reclassification
  /// starts) and `metrics` may be null.
  CreditService(store::Store& store, const LoadedModels& models, const Clock& clock,
                Reclassifier* reclassifier, CreditMetrics* metrics);

  grpc::ServerUnaryReactor* GetCredit(grpc::CallbackServerContext* context,
                                      const v1::GetCreditRequest* request,
                                      v1::SubjectCredit* response) override;
  grpc::ServerUnaryReactor* ExplainScore(grpc::CallbackServerContext* context,
                                         const v1::ExplainScoreRequest* request,
                                         v1::ScoreExplanation* response) override;
  grpc::ServerUnaryReactor* CheckRestrictions(grpc::CallbackServerContext* context,
                                              const v1::CheckRestrictionsRequest* request,
                                              v1::RestrictionCheck* response) override;
  grpc::ServerUnaryReactor* CheckCommitmentEligibility(
      grpc::CallbackServerContext* context, const v1::CheckCommitmentEligibilityRequest* request,
      v1::CommitmentEligibility* response) override;
  grpc::Status RequestRepair(grpc::ServerContext* context, const v1::RequestRepairRequest* request,
                             v1::Repair* response) override;
  grpc::Status StartReclassification(grpc::ServerContext* context,
                                     const v1::StartReclassificationRequest* request,
                                     v1::Reclassification* response) override;
  grpc::Status GetReclassification(grpc::ServerContext* context,
                                   const v1::GetReclassificationRequest* request,
                                   v1::Reclassification* response) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;

  // The calls without gRPC around them, for tests and tools.
  absl::StatusOr<v1::SubjectCredit> DoGetCredit(const v1::GetCreditRequest& request) const;
  // The ledger of the caller's reading (domain/ledger_access.h): what ExplainScore answers.
  absl::StatusOr<v1::ScoreExplanation> DoExplainScore(const Caller& caller,
                                                      const v1::ExplainScoreRequest& request) const;
  // The ledger whoever asks: for in-process tests, which read every subject's.
  absl::StatusOr<v1::ScoreExplanation> DoExplainScore(const v1::ExplainScoreRequest& request) const;
  absl::StatusOr<v1::RestrictionCheck> DoCheckRestrictions(
      const v1::CheckRestrictionsRequest& request) const;
  absl::StatusOr<v1::CommitmentEligibility> DoCheckCommitmentEligibility(
      const v1::CheckCommitmentEligibilityRequest& request) const;
  absl::StatusOr<v1::Repair> DoRequestRepair(const Caller& caller,
                                             const v1::RequestRepairRequest& request);
  absl::StatusOr<v1::Reclassification> DoStartReclassification(
      const Caller& caller, const v1::StartReclassificationRequest& request);
  absl::StatusOr<v1::Reclassification> DoGetReclassification(
      const v1::GetReclassificationRequest& request) const;
  v1::ListModelsResponse DoListModels() const;

 private:
  // The explanation of the subject `request` names; refused first as the ledger is to
  // `caller` unless it is null.
  absl::StatusOr<v1::ScoreExplanation> Explain(const v1::ExplainScoreRequest& request,
                                               const Caller* caller) const;
  absl::StatusOr<Decision<v1::Repair>> DecideRepair(const Caller& caller, std::string_view uscc,
                                                    const v1::RequestRepairRequest& request);
  absl::CivilDay Today() const;

  CreditStore records_;
  const LoadedModels& models_;
  const Clock& clock_;
  Reclassifier* reclassifier_;
  CreditMetrics* metrics_;
  WritePath writes_;
  EventEmitter emitter_;
  IdGenerator ids_;
  const MethodNames methods_{"jianguan.credit.v1.Credit"};
};

}  // namespace jianguan::credit
