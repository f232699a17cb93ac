// SubjectRegistry: construction, RegisterSubject, UpdateSubject and the reads (GetSubject,
// ListSubjects, ExportSubjects, GetSubjectProfile). Transitions are in
// subject_service_transitions.cc, the import in subject_service_import.cc.
#include "services/subject-registry/subject_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "libs/server/grpc_status.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "libs/write/resource_name.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/registry_metrics.h"
#include "libs/server/wire_text.h"

namespace jianguan::subject {
namespace {

constexpr int kExportBatch = 500;

// A unary call read and answered as raw bytes (see the class comment), on the callback API.
template <typename Request, typename Handle>
grpc::ServerUnaryReactor* ServeRaw(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* in, grpc::ByteBuffer* out,
                                   Handle handle) {
  return ServeUnary(context, out, [&](const Caller& caller) -> absl::StatusOr<grpc::ByteBuffer> {
    ASSIGN_OR_RETURN(Request request, ParseRequest<Request>(BytesOf(*in)));
    ASSIGN_OR_RETURN(auto response, handle(caller, request));
    return BufferOf(response.SerializeAsString());
  });
}

ListFilter FilterOf(const v1::SubjectFilter& f) {
  return {.name_prefix = f.name_prefix(),
          .region_prefix = f.region_prefix(),
          .industry_prefix = f.industry_prefix(),
          .type = f.type(),
          .status = f.status(),
          .tag = f.tag()};
}

absl::Status CheckFilter(const v1::SubjectFilter& f) {
  FieldViolations v;
  CheckText(v, "filter.name_prefix", f.name_prefix(), {.max_chars = SubjectLimits::kName});
  CheckText(v, "filter.region_prefix", f.region_prefix(), {.max_chars = 6});
  CheckText(v, "filter.industry_prefix", f.industry_prefix(), {.max_chars = 5});
  CheckText(v, "filter.tag", f.tag(), {.max_chars = 40});
  if (!v1::SubjectType_IsValid(f.type())) v.Add("filter.type", "is not a known subject type");
  if (!v1::SubjectStatus_IsValid(f.status())) v.Add("filter.status", "is not a known status");
  return v.ToStatus();
}

}  // namespace

SubjectRegistryService::SubjectRegistryService(store::Store& store, const Clock& clock,
                                               const CodeTable& regions,
                                               const CodeTable& industries,
                                               RegistryMetrics* metrics)
    : clock_(clock),
      rules_(regions, industries),
      subjects_(store, rules_),
      writes_(store, clock),
      emitter_(topics::kSubject, kServiceName, clock),
      ids_(clock),
      metrics_(metrics),
      notices_(store) {}

absl::CivilDay SubjectRegistryService::Today() const {
  return absl::ToCivilDay(clock_.Now(), BeijingTime());
}

void SubjectRegistryService::Emit(store::UnitOfWork& work, const v1::Subject& subject,
                                  const google::protobuf::Message& event, absl::Time now) const {
  emitter_.Emit(work, subject.uscc(), event, now);
  SubjectStore::AddOwnEvent(work, subject.uscc(), work.events().back(), event, now);
}

absl::StatusOr<StoredSubject> SubjectRegistryService::Load(std::string_view uscc) const {
  if (auto status = ValidateUscc(uscc); !status.ok()) {
    return InvalidField("uscc", StdView(status.message()));
  }
  ASSIGN_OR_RETURN(auto stored, subjects_.Find(uscc));
  if (!stored) return ResourceNotFound(ResourceName("subjects", uscc));
  return std::move(*stored);
}

// --- RegisterSubject -------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::RegisterSubject(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeRaw<v1::RegisterSubjectRequest>(
      context, request, response,
      [this](const Caller& caller, const v1::RegisterSubjectRequest& r)
          -> absl::StatusOr<v1::RegisterSubjectResponse> {
        ASSIGN_OR_RETURN(auto answer, Register(caller, r));
        *answer.mutable_subject() = ForCaller(answer.subject(), caller);
        return answer;
      });
}

absl::StatusOr<v1::RegisterSubjectResponse> SubjectRegistryService::Register(
    const Caller& caller, const v1::RegisterSubjectRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  rules_.CheckSubject(v, "subject", request.subject(), Today());
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::RegisterSubjectResponse;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("RegisterSubject"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        const std::string& uscc = request.subject().uscc();
        Decision<Response> d{.resource = ResourceName("subjects", uscc)};
        ASSIGN_OR_RETURN(auto existing, subjects_.Find(uscc));
        if (existing) return absl::AlreadyExistsError(d.resource + " is registered already");
        const absl::Time now = clock_.Now();
        auto change = subject::Register(request.subject(), now);
        subjects_.Save(d.work, nullptr, change.subject);
        Emit(d.work, change.subject, change.event, now);
        RETURN_IF_ERROR(RaiseNotifications(d.work, nullptr, change.subject, now));
        *d.response.mutable_subject() = std::move(change.subject);
        return d;
      });
}

// --- UpdateSubject ---------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::UpdateSubject(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeRaw<v1::UpdateSubjectRequest>(
      context, request, response,
      [this](const Caller& caller,
             const v1::UpdateSubjectRequest& r) -> absl::StatusOr<v1::Subject> {
        ASSIGN_OR_RETURN(v1::Subject subject, Update(caller, r));
        return ForCaller(std::move(subject), caller);
      });
}

absl::StatusOr<v1::Subject> SubjectRegistryService::CheckedUpdateInput(
    const v1::UpdateSubjectRequest& request, const std::vector<std::string>& paths) const {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  // A caller without the right reads the ID number masked and may send the subject back as
  // read: the masked number then means "unchanged". Any other number with '*' is refused.
  v1::Subject input = request.subject();
  if (HasMaskedIdNumber(input) && ValidateUscc(input.uscc()).ok()) {
    ASSIGN_OR_RETURN(auto stored, subjects_.Find(input.uscc()));
    if (!RestoreMaskedIdNumber(input, stored ? &stored->subject : nullptr)) {
      v.Add("subject.legal_representative.id_number",
            "a masked number (with '*') is accepted only exactly as it was read");
    }
  }
  rules_.CheckUpdate(v, input, paths, Today());
  if (request.expected_version() <= 0) v.Add("expected_version", "must be the version read (≥ 1)");
  RETURN_IF_ERROR(v.ToStatus());
  return input;
}

absl::StatusOr<v1::Subject> SubjectRegistryService::Update(
    const Caller& caller, const v1::UpdateSubjectRequest& request) {
  const std::vector<std::string> paths(request.update_mask().paths().begin(),
                                       request.update_mask().paths().end());
  ASSIGN_OR_RETURN(const v1::Subject input, CheckedUpdateInput(request, paths));
  return writes_.Write<v1::Subject>(
      {.caller = caller, .method = methods_("UpdateSubject"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<v1::Subject>> {
        ASSIGN_OR_RETURN(StoredSubject before, Load(request.subject().uscc()));
        Decision<v1::Subject> d{.resource = ResourceName("subjects", before.subject.uscc())};
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(auto change, UpdateAtVersion(d.resource, before.subject, input, paths,
                                                      request.expected_version(), now));
        // Nothing changed: answered without a write (the work stays empty).
        if (change.event.changed_fields_size() > 0) {
          subjects_.Save(d.work, &before, change.subject);
          Emit(d.work, change.subject, change.event, now);
          RETURN_IF_ERROR(RaiseNotifications(d.work, &before.subject, change.subject, now));
        }
        d.response = std::move(change.subject);
        return d;
      });
}

// --- Reads -----------------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::GetSubject(grpc::CallbackServerContext* context,
                                                            const v1::GetSubjectRequest* request,
                                                            v1::Subject* response) {
  // A point read: answered on the callback thread, without a hop to a thread pool.
  return ServeUnary(context, response, [&](const Caller& caller) -> absl::StatusOr<v1::Subject> {
    ASSIGN_OR_RETURN(StoredSubject stored, Load(request->uscc()));
    return ForCaller(std::move(stored.subject), caller);
  });
}

grpc::Status SubjectRegistryService::ListSubjects(grpc::ServerContext* context,
                                                  const v1::ListSubjectsRequest* request,
                                                  v1::ListSubjectsResponse* response) {
  using Response = v1::ListSubjectsResponse;
  return Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<Response> {
    RETURN_IF_ERROR(CheckFilter(request->filter()));
    ASSIGN_OR_RETURN(const int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(SubjectPage page, subjects_.List(FilterOf(request->filter()), page_size,
                                                      request->page().page_token()));
    Response out;
    for (auto& s : page.subjects) *out.add_subjects() = ForCaller(std::move(s), caller);
    out.mutable_page()->set_next_page_token(page.next_page_token);
    return out;
  });
}

grpc::Status SubjectRegistryService::ExportSubjects(
    grpc::ServerContext* context, const v1::ExportSubjectsRequest* request,
    grpc::ServerWriter<v1::ExportSubjectsResponse>* writer) {
  auto caller = CallerOf(context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = CheckFilter(request->filter()); !s.ok()) return ToGrpcStatus(s);
  const ListFilter filter = FilterOf(request->filter());
  std::string token;
  do {
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    auto page = subjects_.List(filter, kExportBatch, token);
    if (!page.ok()) return ToGrpcStatus(page.status());
    if (!page->subjects.empty()) {
      v1::ExportSubjectsResponse batch;
      for (auto& s : page->subjects) *batch.add_subjects() = ForCaller(std::move(s), *caller);
      if (!writer->Write(batch)) return grpc::Status::CANCELLED;
    }
    token = page->next_page_token;
  } while (!token.empty());
  return grpc::Status::OK;
}

grpc::Status SubjectRegistryService::GetSubjectProfile(grpc::ServerContext* context,
                                                       const v1::GetSubjectProfileRequest* request,
                                                       v1::GetSubjectProfileResponse* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::GetSubjectProfileResponse> {
    ASSIGN_OR_RETURN(StoredSubject stored, Load(request->uscc()));
    ASSIGN_OR_RETURN(const int page_size, PageSize(request->page()));
    v1::GetSubjectProfileResponse out;
    // The profile is shown widely: the ID number is masked whatever the caller's role.
    MaskPersonalData(stored.subject);
    *out.mutable_subject() = std::move(stored.subject);
    ASSIGN_OR_RETURN(auto timeline,
                     subjects_.Timeline(request->uscc(), page_size, request->page().page_token()));
    for (auto& entry : timeline.first) *out.add_timeline() = std::move(entry);
    out.mutable_page()->set_next_page_token(timeline.second);
    return out;
  });
}

}  // namespace jianguan::subject
