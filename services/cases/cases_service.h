// The case handling service's gRPC handlers (统一处罚办案, issue 14): leads, the general
// procedure step by step, on-site decisions, documents, the trail rebuilt from the audit
// chain, and the public list of decisions. A caller acts for its department and sees and moves
// only that department's leads and cases (a lead offered to it by a hand-over included).
//
// Writes run on the synchronous pool through the write path (idempotent by request_id, one
// RocksDB write with the audit record and the events). A write that numbers a document holds
// the lock of that number's sequence from reading the last number to the commit, so numbers
// never skip or repeat and concurrent writes to other sequences still group-commit. Reads run
// on gRPC's callback threads.
//
// Thread-safe: the state is in the store; departments and calendar are immutable.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/caller.h"
#include "libs/core/clock.h"
#include "libs/core/ids.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/cases/case_store.h"
#include "services/cases/departments.h"
#include "services/cases/domain/deadlines.h"
#include "services/cases/domain/limitation.h"

namespace jianguan::cases {

/// The source of the service's events (they go to topics::kCases).
inline constexpr char kServiceName[] = "cases";

class CasesMetrics;

struct CasesOptions {
  /// The period to decide whether to file a lead.
  FilingPeriod filing_period;
  /// When a case counts as at risk of missing its decision limit.
  DeadlineOptions deadlines;
};

using CasesBase = v1::Cases::WithCallbackMethod_GetCase<v1::Cases::WithCallbackMethod_GetLead<
    v1::Cases::WithCallbackMethod_ListCases<
        v1::Cases::WithCallbackMethod_ListLeads<v1::Cases::Service>>>>;

class CasesService final : public CasesBase {
 public:
  /// Everything must outlive the service; `metrics` may be null.
  CasesService(store::Store& store, const Departments& departments,
               const WorkingDayCalendar& calendar, const Clock& clock, CasesOptions options,
               CasesMetrics* metrics);

  grpc::Status RegisterLead(grpc::ServerContext* context, const v1::RegisterLeadRequest* request,
                            v1::Lead* response) override;
  grpc::Status TransferLead(grpc::ServerContext* context, const v1::TransferLeadRequest* request,
                            v1::Lead* response) override;
  grpc::Status AnswerTransfer(grpc::ServerContext* context,
                              const v1::AnswerTransferRequest* request,
                              v1::Lead* response) override;
  grpc::Status ExtendLeadReview(grpc::ServerContext* context,
                                const v1::ExtendLeadReviewRequest* request,
                                v1::Lead* response) override;
  grpc::Status DeclineLead(grpc::ServerContext* context, const v1::DeclineLeadRequest* request,
                           v1::Lead* response) override;
  grpc::Status FileCase(grpc::ServerContext* context, const v1::FileCaseRequest* request,
                        v1::CaseView* response) override;
  grpc::Status Act(grpc::ServerContext* context, const v1::ActRequest* request,
                   v1::CaseView* response) override;
  grpc::Status DecideOnSpot(grpc::ServerContext* context, const v1::DecideOnSpotRequest* request,
                            v1::OnSpotDecision* response) override;
  grpc::Status GetCaseTrail(grpc::ServerContext* context, const v1::GetCaseTrailRequest* request,
                            v1::CaseTrail* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const v1::GetCaseRequest* request,
                                    v1::CaseView* response) override;
  grpc::ServerUnaryReactor* GetLead(grpc::CallbackServerContext* context,
                                    const v1::GetLeadRequest* request,
                                    v1::Lead* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* context,
                                      const v1::ListCasesRequest* request,
                                      v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* ListLeads(grpc::CallbackServerContext* context,
                                      const v1::ListLeadsRequest* request,
                                      v1::ListLeadsResponse* response) override;
  // Synchronous: rendering a PDF takes milliseconds, too long for a callback thread.
  grpc::Status GetDocument(grpc::ServerContext* context, const v1::GetDocumentRequest* request,
                           v1::Document* response) override;
  // Synchronous: it reads every case of the department.
  grpc::Status GetCaseReport(grpc::ServerContext* context,
                             const v1::GetCaseReportRequest* request,
                             v1::CaseReport* response) override;

  // The calls without gRPC around them, for tests and tools.
  absl::StatusOr<v1::Lead> DoRegisterLead(const Caller& caller,
                                          const v1::RegisterLeadRequest& request);
  absl::StatusOr<v1::Lead> DoTransferLead(const Caller& caller,
                                          const v1::TransferLeadRequest& request);
  absl::StatusOr<v1::Lead> DoAnswerTransfer(const Caller& caller,
                                            const v1::AnswerTransferRequest& request);
  absl::StatusOr<v1::Lead> DoExtendLeadReview(const Caller& caller,
                                              const v1::ExtendLeadReviewRequest& request);
  absl::StatusOr<v1::Lead> DoDeclineLead(const Caller& caller,
                                         const v1::DeclineLeadRequest& request);
  absl::StatusOr<v1::CaseView> DoFileCase(const Caller& caller,
                                          const v1::FileCaseRequest& request);
  absl::StatusOr<v1::CaseView> DoAct(const Caller& caller, const v1::ActRequest& request);
  absl::StatusOr<v1::OnSpotDecision> DoDecideOnSpot(const Caller& caller,
                                                    const v1::DecideOnSpotRequest& request);
  absl::StatusOr<v1::CaseTrail> DoGetCaseTrail(const Caller& caller,
                                               const v1::GetCaseTrailRequest& request) const;
  absl::StatusOr<v1::CaseView> DoGetCase(const Caller& caller,
                                         const v1::GetCaseRequest& request) const;
  absl::StatusOr<v1::Lead> DoGetLead(const Caller& caller, const v1::GetLeadRequest& request) const;
  absl::StatusOr<v1::ListCasesResponse> DoListCases(const Caller& caller,
                                                    const v1::ListCasesRequest& request) const;
  absl::StatusOr<v1::ListLeadsResponse> DoListLeads(const Caller& caller,
                                                    const v1::ListLeadsRequest& request) const;
  absl::StatusOr<v1::Document> DoGetDocument(const Caller& caller,
                                             const v1::GetDocumentRequest& request) const;
  absl::StatusOr<v1::CaseReport> DoGetCaseReport(const Caller& caller,
                                                 const v1::GetCaseReportRequest& request) const;

 private:
  // A lead write: `change` turns the stored lead into the new one (or refuses).
  template <typename Request, typename Change>
  absl::StatusOr<v1::Lead> WriteLead(const Caller& caller, std::string_view method,
                                     const Request& request, std::string_view lead_name,
                                     Change&& change);
  absl::StatusOr<Decision<v1::CaseView>> DecideFiling(const Caller& caller,
                                                      const v1::FileCaseRequest& request,
                                                      absl::CivilDay day);
  absl::StatusOr<Decision<v1::CaseView>> DecideAct(const Caller& caller,
                                                   const v1::ActRequest& request,
                                                   absl::CivilDay day);
  // The case if `caller` may read it (domain/case_access.h); NOT_FOUND otherwise, as for a
  // case that does not exist.
  absl::StatusOr<Stored<v1::Case>> ReadableCase(const Caller& caller, std::string_view name) const;
  // The case if `caller`'s department handles it: ReadableCase, then PERMISSION_DENIED for a
  // reader by the role oversight only.
  absl::StatusOr<Stored<v1::Case>> OwnCase(const Caller& caller, std::string_view name) const;
  // The lead if `caller` may read it; NOT_FOUND otherwise.
  absl::StatusOr<Stored<v1::Lead>> VisibleLead(const Caller& caller, std::string_view name) const;
  // The lead if `caller`'s department is a party to it: VisibleLead, then PERMISSION_DENIED
  // for a reader by the role oversight only. What a party may change is the lead rules' to
  // judge (domain/lead.h).
  absl::StatusOr<Stored<v1::Lead>> LeadToChange(const Caller& caller, std::string_view name) const;
  // The department's issuer and prefix; FAILED_PRECONDITION when not configured.
  absl::StatusOr<const DepartmentInfo*> IssuerOf(std::string_view department,
                                                 std::string_view resource) const;
  // Numbers the document of `after`'s last step, composes it and stores case, step and
  // document in `work`.
  absl::Status RecordStep(store::UnitOfWork& work, const Stored<v1::Case>* before,
                          v1::Case& after, const google::protobuf::Message& request,
                          absl::CivilDay day);
  v1::CaseView ViewOf(const v1::Case& c, absl::CivilDay as_of) const;
  // The lock held while a document number of `sequence` is taken and committed.
  std::mutex& SequenceLock(const std::string& sequence);
  // `decide`, whose decision's commit releases `numbering` as soon as it is written and
  // visible, before its fsync (store::UnitOfWork::OnVisible): the next number of the sequence
  // is taken while this commit waits for durability, and the numbers stay gap-free, since a
  // power cut loses a written commit only with every commit after it. A callback the decision
  // set itself (the metrics of what it committed) runs after the release.
  template <typename Decide>
  static auto ReleasingWhenVisible(std::unique_lock<std::mutex>& numbering, Decide&& decide) {
    return [&numbering, decide = std::forward<Decide>(decide)]() {
      auto decided = decide();
      if (decided.ok()) {
        decided->work.OnVisible([&numbering, then = decided->work.on_visible()] {
          numbering.unlock();
          if (then) then();
        });
      }
      return decided;
    };
  }
  absl::CivilDay Today() const;

  CaseStore records_;
  const Departments& departments_;
  const WorkingDayCalendar& calendar_;
  const Clock& clock_;
  const CasesOptions options_;
  CasesMetrics* metrics_;
  WritePath writes_;
  EventEmitter emitter_;
  IdGenerator ids_;
  const MethodNames methods_{"jianguan.cases.v1.Cases"};
  std::mutex locks_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<std::mutex>> sequence_locks_;
};

/// The public read API of decisions (行政处罚决定公示).
class PublicDecisionsService final
    : public v1::PublicDecisions::WithCallbackMethod_ListPublicDecisions<v1::PublicDecisions::Service> {
 public:
  explicit PublicDecisionsService(store::Store& store) : records_(store) {}

  grpc::ServerUnaryReactor* ListPublicDecisions(grpc::CallbackServerContext* context,
                                                const v1::ListPublicDecisionsRequest* request,
                                                v1::ListPublicDecisionsResponse* response) override;
  absl::StatusOr<v1::ListPublicDecisionsResponse> DoList(
      const v1::ListPublicDecisionsRequest& request) const;

 private:
  CaseStore records_;
};

/// The number of the `kind` document of `department` ("金市监" + "罚") in `year`: its
/// sequence key ("金市监罚/2026").
std::string SequenceKey(std::string_view prefix_with_kind, int year);

}  // namespace jianguan::cases
