// The SubjectRegistry gRPC handler (DESIGN §3 "handler"): protobuf in, validation, the
// domain's decision, one unit of work per write through WritePath, protobuf out.
//
// Who sees the legal representative's ID number unmasked: a caller whose call carries the
// metadata `x-jg-role: registry-admin` (on top of its authenticated department). Everyone
// else gets it masked (MaskIdNumber). The profile always masks it; events never carry it.
//
// RegisterSubject, UpdateSubject and ImportSubjects read their requests as raw bytes so
// that a text field holding invalid UTF-8 is answered INVALID_ARGUMENT naming the field
// (proto3 parsing would refuse it before the handler, as INTERNAL). GetSubject, a point read
// with a latency budget (DESIGN §6), is answered on the callback API too, inline on gRPC's
// callback thread; the other methods use the synchronous API.
//
// Thread-safe: gRPC calls the methods concurrently; all state is in the store.
#pragma once

#include <memory>

#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/core/code_table.h"
#include "libs/core/ids.h"
#include "libs/server/identity.h"
#include "libs/write/write_path.h"
#include "libs/store/store.h"
#include "services/subject-registry/subject_rules.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject {

/// The topic and source of the registry's events.
inline constexpr char kSubjectTopic[] = "jianguan.subject.v1";
inline constexpr char kServiceName[] = "subject-registry";
/// Metadata naming the caller's role; "registry-admin" may read ID numbers unmasked.
inline constexpr char kRoleKey[] = "x-jg-role";
inline constexpr char kAdminRole[] = "registry-admin";

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

  /// One import batch (the serialized ImportSubjectsRequest), committed as one unit of work.
  absl::StatusOr<v1::ImportSubjectsResponse> ImportBatch(const Caller& caller,
                                                         std::string_view batch);

 private:
  absl::StatusOr<v1::RegisterSubjectResponse> Register(const Caller& caller,
                                                       const v1::RegisterSubjectRequest& request);
  absl::StatusOr<v1::Subject> Update(const Caller& caller, const v1::UpdateSubjectRequest& request);
  /// Loads a subject for a write: NOT_FOUND when unknown, INVALID_ARGUMENT on a bad USCC.
  absl::StatusOr<StoredSubject> Load(std::string_view uscc) const;
  /// Adds the event and its timeline entry to `work`.
  void Publish(store::UnitOfWork& work, const v1::Subject& subject,
               const google::protobuf::Message& event, absl::Time now) const;
  /// Version +1, update_time now.
  void Touch(v1::Subject& subject, absl::Time now) const;
  absl::CivilDay Today() const;

  store::Store& store_;
  const Clock& clock_;
  SubjectRules rules_;
  SubjectStore subjects_;
  WritePath writes_;
  mutable IdGenerator ids_;
  RegistryMetrics* metrics_;
};

}  // namespace jianguan::subject
