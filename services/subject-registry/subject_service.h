// The SubjectRegistry gRPC handler (DESIGN §3 "handler"): protobuf in, validation, the
// domain's decision, one unit of work per write through WritePath, protobuf out.
//
// Who sees the legal representative's ID number unmasked: a caller with the registry-admin
// role (resolved by the authenticator; domain/subject_rules.h, MayReadIdNumbers). Everyone
// else gets it masked. The profile always masks it; events never carry it.
//
// ImportSubjects reads its batches as raw bytes so that a row whose text is not UTF-8 is
// refused by itself, naming the field, and the rest of the batch is kept (proto3 parsing
// would refuse the whole batch before the handler). RegisterSubject and UpdateSubject read
// raw bytes too, from before the host refused every request that does not parse in the
// same words (libs/server/internal/unparsable_requests.h). GetSubject, a point read
// with a latency budget (DESIGN §6), is answered on the callback API too, inline on gRPC's
// callback thread; the other methods use the synchronous API.
//
// The methods are defined by resource: subject_service.cc (register, update, reads),
// subject_service_transitions.cc (status, licences, commitments),
// subject_service_import.cc (ImportSubjects), subject_service_reports.cc (annual reports) and
// subject_service_notifications.cc (dual notifications, 双告知: raised with the registrations
// that need a licence, claimed, passed, closed with GrantLicence; off until
// EnableNotifications).
//
// Thread-safe: gRPC calls the methods concurrently; all state is in the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/core/code_table.h"
#include "libs/core/ids.h"
#include "libs/server/identity.h"
#include "libs/server/wire_text.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/method_names.h"
#include "libs/write/write_path.h"
#include "services/subject-registry/domain/import_decision.h"
#include "services/subject-registry/domain/notification_rules.h"
#include "services/subject-registry/domain/subject_rules.h"
#include "services/subject-registry/notification_store.h"
#include "services/subject-registry/registry_name.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject {

using SubjectRegistryBase = v1::SubjectRegistry::WithRawCallbackMethod_RegisterSubject<
    v1::SubjectRegistry::WithRawCallbackMethod_UpdateSubject<
        v1::SubjectRegistry::WithRawCallbackMethod_ImportSubjects<
            v1::SubjectRegistry::WithCallbackMethod_GetSubject<v1::SubjectRegistry::Service>>>>;

class RegistryMetrics;

class SubjectRegistryService final : public SubjectRegistryBase {
 public:
  /// Everything given must outlive the service; `metrics` may be null.
  SubjectRegistryService(store::Store& store, const Clock& clock, const CodeTable& regions,
                         const CodeTable& industries, RegistryMetrics* metrics = nullptr);

  grpc::ServerUnaryReactor* RegisterSubject(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* UpdateSubject(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ImportSubjects(
      grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* GetSubject(grpc::CallbackServerContext* context,
                                       const v1::GetSubjectRequest* request,
                                       v1::Subject* response) override;
  grpc::Status ListSubjects(grpc::ServerContext* context, const v1::ListSubjectsRequest* request,
                            v1::ListSubjectsResponse* response) override;
  grpc::Status ExportSubjects(grpc::ServerContext* context,
                              const v1::ExportSubjectsRequest* request,
                              grpc::ServerWriter<v1::ExportSubjectsResponse>* writer) override;
  grpc::Status ChangeSubjectStatus(grpc::ServerContext* context,
                                   const v1::ChangeSubjectStatusRequest* request,
                                   v1::ChangeSubjectStatusResponse* response) override;
  grpc::Status GrantLicence(grpc::ServerContext* context, const v1::GrantLicenceRequest* request,
                            v1::GrantLicenceResponse* response) override;
  grpc::Status RecordCommitment(grpc::ServerContext* context,
                                const v1::RecordCommitmentRequest* request,
                                v1::RecordCommitmentResponse* response) override;
  grpc::Status ResolveCommitment(grpc::ServerContext* context,
                                 const v1::ResolveCommitmentRequest* request,
                                 v1::ResolveCommitmentResponse* response) override;
  grpc::Status GetSubjectProfile(grpc::ServerContext* context,
                                 const v1::GetSubjectProfileRequest* request,
                                 v1::GetSubjectProfileResponse* response) override;
  grpc::Status PublishAnnualReport(grpc::ServerContext* context,
                                   const v1::PublishAnnualReportRequest* request,
                                   v1::PublishAnnualReportResponse* response) override;

  /// The registry's tables, for the read-only public service (public_registry_service.h).
  const SubjectStore& subjects() const { return subjects_; }

  /// Turns dual notifications (双告知) on: from now on a write that makes a subject need a
  /// licence raises its notification in the same unit of work. `rules` must outlive the
  /// service; call before serving. Without it the notification methods are UNIMPLEMENTED.
  void EnableNotifications(const NotificationRules& rules) { notification_rules_ = &rules; }
  grpc::Status ListNotifications(grpc::ServerContext* context,
                                 const v1::ListNotificationsRequest* request,
                                 v1::ListNotificationsResponse* response) override;
  grpc::Status ClaimNotification(grpc::ServerContext* context,
                                 const v1::ClaimNotificationRequest* request,
                                 v1::LicenceNotification* response) override;
  grpc::Status PassNotification(grpc::ServerContext* context,
                                const v1::PassNotificationRequest* request,
                                v1::LicenceNotification* response) override;

  /// One import batch (the serialized ImportSubjectsRequest) parsed, checked and decided;
  /// the commit returned commits it as one unit of work and gives the serialized answer.
  absl::StatusOr<RawBatchReactor::Commit> PrepareImport(const Caller& caller,
                                                        std::string_view batch);

 private:
  absl::StatusOr<v1::RegisterSubjectResponse> Register(const Caller& caller,
                                                       const v1::RegisterSubjectRequest& request);
  absl::StatusOr<v1::Subject> Update(const Caller& caller, const v1::UpdateSubjectRequest& request);
  /// UpdateSubject's input checked (violations named by field), with a masked ID number sent
  /// back as read replaced by the stored one.
  absl::StatusOr<v1::Subject> CheckedUpdateInput(const v1::UpdateSubjectRequest& request,
                                                 const std::vector<std::string>& paths) const;
  absl::StatusOr<v1::ChangeSubjectStatusResponse> ChangeStatus(
      const Caller& caller, const v1::ChangeSubjectStatusRequest& request);
  absl::StatusOr<v1::GrantLicenceResponse> Grant(const Caller& caller,
                                                 const v1::GrantLicenceRequest& request);
  absl::StatusOr<v1::RecordCommitmentResponse> Record(const Caller& caller,
                                                      const v1::RecordCommitmentRequest& request);
  absl::StatusOr<v1::ResolveCommitmentResponse> Resolve(
      const Caller& caller, const v1::ResolveCommitmentRequest& request);
  absl::StatusOr<v1::PublishAnnualReportResponse> PublishReport(
      const Caller& caller, const v1::PublishAnnualReportRequest& request);
  /// The rows of a batch; a row that does not parse is answered in `answer` as refused.
  absl::StatusOr<std::vector<v1::ImportRow>> ParseRows(std::string_view batch,
                                                       v1::ImportSubjectsResponse& answer) const;
  struct CheckedBatch;
  /// An import batch decided: its unit of work and its answer.
  struct DecidedBatch {
    v1::ImportSubjectsResponse answer;
    store::UnitOfWork work;
  };
  /// The checked rows read with one batched read and decided by the domain; the answer
  /// also lists the rows that did not parse.
  absl::StatusOr<DecidedBatch> DecideRows(const CheckedBatch& batch) const;
  /// Commits a decided batch with its audit record (nothing when it changes nothing).
  absl::Status CommitDecided(const CheckedBatch& batch, DecidedBatch& decided);
  /// Loads a subject for a write: NOT_FOUND when unknown, INVALID_ARGUMENT on a bad USCC.
  absl::StatusOr<StoredSubject> Load(std::string_view uscc) const;
  /// Queues `event` about `subject`, which changed at `now`, with its timeline entry.
  void Emit(store::UnitOfWork& work, const v1::Subject& subject,
            const google::protobuf::Message& event, absl::Time now) const;
  absl::CivilDay Today() const;

  // Dual notifications (subject_service_notifications.cc). Each adds its writes, events and
  // timeline entries to `work` and counts them on the metrics once `work` commits; each does
  // nothing while notifications are off.
  /// Raises what `after` newly needs (NotificationRules::NewNeeds) and was never raised for
  /// it; `before` is null for a new subject.
  absl::Status RaiseNotifications(store::UnitOfWork& work, const v1::Subject* before,
                                  const v1::Subject& after, absl::Time now) const;
  /// RaiseNotifications for the rows of an import batch, with one batched read.
  absl::Status RaiseImportNotifications(
      store::UnitOfWork& work, const std::vector<ImportedSubject>& writes,
      const std::vector<std::optional<StoredSubject>>& found, absl::Time now) const;
  /// Closes the subject's open notification of `licence`'s kind, if any.
  absl::Status CloseNotification(store::UnitOfWork& work, const v1::Subject& subject,
                                 const v1::Licence& licence, absl::Time now) const;
  absl::StatusOr<v1::ListNotificationsResponse> ListNotices(
      const Caller& caller, const v1::ListNotificationsRequest& request) const;
  absl::StatusOr<v1::LicenceNotification> ClaimNotice(
      const Caller& caller, const v1::ClaimNotificationRequest& request);
  absl::StatusOr<v1::LicenceNotification> PassNotice(const Caller& caller,
                                                     const v1::PassNotificationRequest& request);

  const Clock& clock_;
  SubjectRules rules_;
  SubjectStore subjects_;
  WritePath writes_;
  const EventEmitter emitter_;
  const MethodNames methods_{"jianguan.subject.v1.SubjectRegistry"};
  mutable IdGenerator ids_;
  RegistryMetrics* metrics_;
  const NotificationRules* notification_rules_ = nullptr;
  NotificationStore notices_;
};

}  // namespace jianguan::subject
