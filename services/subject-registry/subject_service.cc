#include "services/subject-registry/subject_service.h"

#include <set>

#include "absl/container/flat_hash_map.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/server/grpc_status.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/events/event.h"
#include "libs/server/serve.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/wire_text.h"

namespace jianguan::subject {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kMethodPrefix[] = "/jianguan.subject.v1.SubjectRegistry/";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr int kMaxImportRows = 5000;
constexpr int kExportBatch = 500;

std::string Method(std::string_view name) { return absl::StrCat(kMethodPrefix, AbslView(name)); }
std::string Resource(std::string_view uscc) { return absl::StrCat("subjects/", AbslView(uscc)); }

int PageSize(int32_t requested) {
  if (requested <= 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

// The caller may read ID numbers unmasked (see the class comment).
bool MaySeeIdNumbers(const grpc::ServerContextBase* context) {
  const auto& metadata = context->client_metadata();
  for (auto [it, end] = metadata.equal_range(kRoleKey); it != end; ++it) {
    if (std::string_view(it->second.data(), it->second.size()) == kAdminRole) return true;
  }
  return false;
}

v1::Subject ForCaller(v1::Subject subject, bool may_see) {
  if (!may_see) MaskPersonalData(subject);
  return subject;
}

absl::Status CheckUsccField(std::string_view field, std::string_view uscc) {
  if (auto status = ValidateUscc(uscc); !status.ok()) return InvalidField(field, StdView(status.message()));
  return absl::OkStatus();
}

std::string Serialize(const google::protobuf::Message& m) { return m.SerializeAsString(); }

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

// Parses `bytes` as M, or INVALID_ARGUMENT naming each text field that is not UTF-8.
template <typename M>
absl::StatusOr<M> ParseRequest(std::string_view bytes, std::string_view prefix = "") {
  M message;
  if (message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return message;
  FieldViolations violations;
  ExplainUnparsable(*M::descriptor(), bytes, prefix, violations);
  if (violations.empty()) violations.Add(prefix.empty() ? "request" : prefix, "does not parse");
  return violations.ToStatus();
}

// A unary call read and answered as raw bytes (see the class comment), on the callback API.
template <typename Request, typename Handle>
grpc::ServerUnaryReactor* ServeRaw(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* in, grpc::ByteBuffer* out,
                                   Handle handle) {
  return ServeUnary(context, out, [&](const Caller& caller) -> absl::StatusOr<grpc::ByteBuffer> {
    ASSIGN_OR_RETURN(Request request, ParseRequest<Request>(FromBuffer(*in)));
    ASSIGN_OR_RETURN(auto response, handle(caller, request, MaySeeIdNumbers(context)));
    return ToBuffer(Serialize(response));
  });
}

// A bidirectional import: each batch read is committed, then answered, then the next read.
class ImportReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  ImportReactor(SubjectRegistryService& service, grpc::CallbackServerContext* context)
      : service_(service) {
    auto caller = CallerOf(context);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *caller;
    StartRead(&in_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);  // the client closed its side: every batch was answered
      return;
    }
    auto answer = service_.ImportBatch(caller_, FromBuffer(in_));
    if (!answer.ok()) {
      Finish(ToGrpcStatus(answer.status()));
      return;
    }
    out_ = ToBuffer(Serialize(*answer));
    StartWrite(&out_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    StartRead(&in_);
  }
  void OnDone() override { delete this; }

 private:
  SubjectRegistryService& service_;
  Caller caller_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
};

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
    : store_(store),
      clock_(clock),
      rules_(regions, industries),
      subjects_(store, rules_),
      writes_(store, clock),
      ids_(clock),
      metrics_(metrics) {}

absl::CivilDay SubjectRegistryService::Today() const {
  return absl::ToCivilDay(clock_.Now(), BeijingTime());
}

void SubjectRegistryService::Touch(v1::Subject& subject, absl::Time now) const {
  subject.set_version(subject.version() + 1);
  *subject.mutable_update_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
}

void SubjectRegistryService::Publish(store::UnitOfWork& work, const v1::Subject& subject,
                                     const google::protobuf::Message& message,
                                     absl::Time now) const {
  common::v1::OutboxEvent event = events::MakeEvent({.topic = kSubjectTopic,
                                                     .key = subject.uscc(),
                                                     .source = kServiceName,
                                                     .subject = subject.uscc(),
                                                     .time = now},
                                                    message);
  // The registry's own events enter the timeline with the change itself; the timeline
  // consumer skips them when they come back from Kafka.
  v1::TimelineEntry entry;
  entry.set_event_id(event.id());
  entry.set_type(event.type());
  *entry.mutable_time() = event.time();
  entry.set_source(kServiceName);
  entry.set_topic(kSubjectTopic);
  entry.set_summary(SummarizeEvent(message, kServiceName));
  SubjectStore::AddTimelineEntry(work, subject.uscc(), entry, now);
  work.AddEvent(std::move(event));
}

absl::StatusOr<StoredSubject> SubjectRegistryService::Load(std::string_view uscc) const {
  RETURN_IF_ERROR(CheckUsccField("uscc", uscc));
  ASSIGN_OR_RETURN(auto stored, subjects_.Find(uscc));
  if (!stored) return ResourceNotFound(Resource(uscc));
  return std::move(*stored);
}

// --- RegisterSubject -------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::RegisterSubject(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeRaw<v1::RegisterSubjectRequest>(
      context, request, response,
      [this](const Caller& caller, const v1::RegisterSubjectRequest& r,
             bool may_see) -> absl::StatusOr<v1::RegisterSubjectResponse> {
        ASSIGN_OR_RETURN(auto answer, Register(caller, r));
        *answer.mutable_subject() = ForCaller(answer.subject(), may_see);
        return answer;
      });
}

absl::StatusOr<v1::RegisterSubjectResponse> SubjectRegistryService::Register(
    const Caller& caller, const v1::RegisterSubjectRequest& request) {
  const std::string method = Method("RegisterSubject");
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  rules_.CheckSubject(v, "subject", request.subject(), Today());
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::RegisterSubjectResponse>(method, request.request_id(), request));
  if (replay) return *replay;

  const std::string& uscc = request.subject().uscc();
  ASSIGN_OR_RETURN(auto existing, subjects_.Find(uscc));
  if (existing) return absl::AlreadyExistsError(absl::StrCat(Resource(uscc), " is registered already"));
  const absl::Time now = clock_.Now();
  v1::Subject subject = NewSubject(request.subject(), now);
  store::UnitOfWork work;
  subjects_.Save(work, nullptr, subject);
  v1::SubjectRegistered event;
  *event.mutable_facts() = FactsOf(subject);
  *event.mutable_subject() = PublicView(subject);
  Publish(work, subject, event, now);
  v1::RegisterSubjectResponse response;
  *response.mutable_subject() = subject;
  return writes_.Commit(work, {.caller = caller, .method = method, .resource = Resource(uscc),
                               .request_id = request.request_id()},
                        request, response);
}

// --- UpdateSubject ---------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::UpdateSubject(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeRaw<v1::UpdateSubjectRequest>(
      context, request, response,
      [this](const Caller& caller, const v1::UpdateSubjectRequest& r,
             bool may_see) -> absl::StatusOr<v1::Subject> {
        ASSIGN_OR_RETURN(v1::Subject subject, Update(caller, r));
        return ForCaller(std::move(subject), may_see);
      });
}

absl::StatusOr<v1::Subject> SubjectRegistryService::Update(const Caller& caller,
                                                           const v1::UpdateSubjectRequest& request) {
  const std::string method = Method("UpdateSubject");
  const std::vector<std::string> paths(request.update_mask().paths().begin(),
                                       request.update_mask().paths().end());
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  // A caller without the right reads the ID number masked and may send the subject back as
  // read: the masked number then means "unchanged". Any other number with '*' is refused.
  v1::Subject input = request.subject();
  const std::string& sent_id = input.legal_representative().id_number();
  if (sent_id.find('*') != std::string::npos && ValidateUscc(input.uscc()).ok()) {
    ASSIGN_OR_RETURN(auto stored, subjects_.Find(input.uscc()));
    const std::string stored_id =
        stored ? stored->subject.legal_representative().id_number() : std::string();
    if (stored && MaskIdNumber(stored_id) == sent_id) {
      input.mutable_legal_representative()->set_id_number(stored_id);
    } else {
      v.Add("subject.legal_representative.id_number",
            "a masked number (with '*') is accepted only exactly as it was read");
    }
  }
  rules_.CheckUpdate(v, input, paths, Today());
  if (request.expected_version() <= 0) v.Add("expected_version", "must be the version read (≥ 1)");
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::Subject>(method, request.request_id(), request));
  if (replay) return *replay;

  ASSIGN_OR_RETURN(StoredSubject before, Load(request.subject().uscc()));
  const std::string resource = Resource(before.subject.uscc());
  if (before.subject.version() != request.expected_version()) {
    return FailedPrecondition(resource, absl::StrCat("expected_version ", request.expected_version(),
                                                     " is stale: the subject is at version ",
                                                     before.subject.version()));
  }
  v1::Subject after = before.subject;
  const std::vector<std::string> changed = ApplyUpdate(input, paths, after);
  if (changed.empty()) return after;  // nothing to change, nothing written
  const absl::Time now = clock_.Now();
  Touch(after, now);
  store::UnitOfWork work;
  subjects_.Save(work, &before, after);
  v1::SubjectUpdated event;
  *event.mutable_facts() = FactsOf(after);
  *event.mutable_subject() = PublicView(after);
  for (const auto& path : changed) event.add_changed_fields(path);
  Publish(work, after, event, now);
  return writes_.Commit(work, {.caller = caller, .method = method, .resource = resource,
                               .request_id = request.request_id()},
                        request, after);
}

// --- ImportSubjects --------------------------------------------------------------------

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SubjectRegistryService::ImportSubjects(
    grpc::CallbackServerContext* context) {
  return new ImportReactor(*this, context);
}

absl::StatusOr<v1::ImportSubjectsResponse> SubjectRegistryService::ImportBatch(
    const Caller& caller, std::string_view batch) {
  v1::ImportSubjectsResponse response;
  // Rows are parsed one by one so that a row with invalid UTF-8 refuses only that row.
  std::vector<v1::ImportRow> rows;
  int row_index = 0;
  const bool well_formed = ForEachField(
      batch,
      [&](int number, std::string_view bytes) {
        if (number != 1) return;
        const int index = row_index++;
        auto row = ParseRequest<v1::ImportRow>(bytes);
        if (row.ok()) {
          rows.push_back(std::move(*row));
          return;
        }
        v1::RowError* error = response.add_errors();
        ForEachField(bytes, [](int, std::string_view) {},
                     [&](int n, uint64_t value) {
                       if (n == 1) error->set_row_number(static_cast<int64_t>(value));
                     });
        if (error->row_number() == 0) error->set_row_number(-(index + 1));
        for (const auto& violation : FieldViolationsOf(row.status())) {
          auto* out = error->add_violations();
          out->set_field(violation.field);
          out->set_description(violation.description);
        }
      },
      [](int, uint64_t) {});
  if (!well_formed) return InvalidField("rows", "the batch is not a valid message");
  if (row_index > kMaxImportRows) {
    return InvalidField("rows", absl::StrCat("a batch holds at most ", kMaxImportRows, " rows"));
  }

  const absl::CivilDay today = Today();
  for (int attempt = 0;; ++attempt) {
    const absl::Time now = clock_.Now();
    store::UnitOfWork work;
    v1::ImportSubjectsResponse answer = response;
    // First every row's own checks, then one batched read of the subjects they name, then
    // each row in order again: the answer lists errors in row order as before.
    std::vector<FieldViolations> violations(rows.size());
    absl::flat_hash_map<std::string_view, int64_t> in_batch;  // USCC → row number
    in_batch.reserve(rows.size());
    std::vector<std::string_view> lookups;
    lookups.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const v1::ImportRow& row = rows[i];
      FieldViolations& v = violations[i];
      if (row.row_number() < 1) v.Add("row_number", "must be 1 or more");
      rules_.CheckSubject(v, "subject", row.subject(), today);
      if (v.empty()) {
        if (auto [it, fresh] = in_batch.emplace(row.subject().uscc(), row.row_number()); !fresh) {
          v.Add("subject.uscc", absl::StrCat("appears twice in this batch (row ", it->second, ")"));
        }
      }
      if (v.empty()) lookups.push_back(row.subject().uscc());
    }
    ASSIGN_OR_RETURN(std::vector<std::optional<StoredSubject>> found, subjects_.FindMany(lookups));
    size_t next_found = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const v1::ImportRow& row = rows[i];
      answer.set_last_row_number(std::max(answer.last_row_number(), row.row_number()));
      FieldViolations& v = violations[i];
      std::optional<StoredSubject> stored;
      if (v.empty()) {
        stored = std::move(found[next_found++]);
        if (stored && stored->subject.type() != row.subject().type()) {
          v.Add("subject.type", "differs from the registered type, which cannot change");
        }
      }
      if (!v.empty()) {
        v1::RowError* error = answer.add_errors();
        error->set_row_number(row.row_number());
        for (const auto& violation : v.violations()) {
          auto* out = error->add_violations();
          out->set_field(violation.field);
          out->set_description(violation.description);
        }
        continue;
      }
      if (stored && SameRegisteredData(row.subject(), stored->subject)) {
        answer.set_unchanged(answer.unchanged() + 1);
        continue;
      }
      answer.set_accepted(answer.accepted() + 1);
      if (!stored) {
        v1::Subject subject = NewSubject(row.subject(), now);
        subjects_.Save(work, nullptr, subject);
        v1::SubjectRegistered event;
        *event.mutable_facts() = FactsOf(subject);
        *event.mutable_subject() = PublicView(subject);
        Publish(work, subject, event, now);
        continue;
      }
      std::vector<std::string> paths = UpdatableFields();
      paths.push_back("licences");
      v1::Subject after = stored->subject;
      const std::vector<std::string> changed = ApplyUpdate(row.subject(), paths, after);
      Touch(after, now);
      subjects_.Save(work, &*stored, after);
      v1::SubjectUpdated event;
      *event.mutable_facts() = FactsOf(after);
      *event.mutable_subject() = PublicView(after);
      for (const auto& path : changed) event.add_changed_fields(path);
      Publish(work, after, event, now);
    }
    if (work.empty() && work.events().empty()) {
      if (metrics_ != nullptr) metrics_->CountImport(answer);
      return answer;
    }
    common::v1::AuditRecord audit;
    *audit.mutable_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    audit.set_department(caller.department);
    audit.set_user_id(caller.user_id);
    audit.set_system(caller.system);
    audit.set_method(Method("ImportSubjects"));
    audit.set_resource(absl::StrCat("subjects (", answer.accepted(), " rows up to row ",
                                    answer.last_row_number(), ")"));
    audit.set_request_digest(store::Sha256Hex(batch));
    work.SetAudit(std::move(audit));
    absl::Status committed = store_.Commit(work);
    // Another writer changed one of the rows between read and commit: read again.
    if (committed.code() == absl::StatusCode::kFailedPrecondition && attempt < 3) continue;
    RETURN_IF_ERROR(committed);
    if (metrics_ != nullptr) metrics_->CountImport(answer);
    return answer;
  }
}

// --- Reads -----------------------------------------------------------------------------

grpc::ServerUnaryReactor* SubjectRegistryService::GetSubject(grpc::CallbackServerContext* context,
                                                            const v1::GetSubjectRequest* request,
                                                            v1::Subject* response) {
  // A point read: answered on the callback thread, without a hop to a thread pool.
  return ServeUnary(context, response, [&](const Caller&) -> absl::StatusOr<v1::Subject> {
    ASSIGN_OR_RETURN(StoredSubject stored, Load(request->uscc()));
    return ForCaller(std::move(stored.subject), MaySeeIdNumbers(context));
  });
}

grpc::Status SubjectRegistryService::ListSubjects(grpc::ServerContext* context,
                                                  const v1::ListSubjectsRequest* request,
                                                  v1::ListSubjectsResponse* response) {
  return ServeRead(context, response, [&]() -> absl::StatusOr<v1::ListSubjectsResponse> {
    RETURN_IF_ERROR(CheckFilter(request->filter()));
    ASSIGN_OR_RETURN(SubjectPage page,
                     subjects_.List(FilterOf(request->filter()),
                                    PageSize(request->page().page_size()),
                                    request->page().page_token()));
    const bool may_see = MaySeeIdNumbers(context);
    v1::ListSubjectsResponse out;
    for (auto& s : page.subjects) *out.add_subjects() = ForCaller(std::move(s), may_see);
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
  const bool may_see = MaySeeIdNumbers(context);
  const ListFilter filter = FilterOf(request->filter());
  std::string token;
  do {
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    auto page = subjects_.List(filter, kExportBatch, token);
    if (!page.ok()) return ToGrpcStatus(page.status());
    if (!page->subjects.empty()) {
      v1::ExportSubjectsResponse batch;
      for (auto& s : page->subjects) *batch.add_subjects() = ForCaller(std::move(s), may_see);
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
    v1::GetSubjectProfileResponse out;
    // The profile is shown widely: the ID number is masked whatever the caller's role.
    *out.mutable_subject() = ForCaller(std::move(stored.subject), false);
    ASSIGN_OR_RETURN(auto timeline, subjects_.Timeline(request->uscc(),
                                                       PageSize(request->page().page_size()),
                                                       request->page().page_token()));
    for (auto& entry : timeline.first) *out.add_timeline() = std::move(entry);
    out.mutable_page()->set_next_page_token(timeline.second);
    return out;
  });
}

// --- Transitions -----------------------------------------------------------------------

grpc::Status SubjectRegistryService::ChangeSubjectStatus(
    grpc::ServerContext* context, const v1::ChangeSubjectStatusRequest* request,
    v1::ChangeSubjectStatusResponse* response) {
  const std::string method = Method("ChangeSubjectStatus");
  using Response = v1::ChangeSubjectStatusResponse;
  const grpc::Status status =
      Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<Response> {
    FieldViolations v;
    CheckRequestId(v, request->request_id());
    if (auto s = ValidateUscc(request->uscc()); !s.ok()) v.Add("uscc", StdView(s.message()));
    if (!v1::StatusAction_IsValid(request->action()) ||
        request->action() == v1::STATUS_ACTION_UNSPECIFIED) {
      v.Add("action", "must be a known status action");
    }
    const bool needs_reason = request->action() == v1::STATUS_ACTION_LIST_ABNORMAL ||
                              request->action() == v1::STATUS_ACTION_REMOVE_ABNORMAL;
    if (!v1::AbnormalReason_IsValid(request->reason()) ||
        (needs_reason && request->reason() == v1::ABNORMAL_REASON_UNSPECIFIED)) {
      v.Add("reason", "must be one of the four abnormal-list reasons");
    } else if (!needs_reason && request->reason() != v1::ABNORMAL_REASON_UNSPECIFIED) {
      v.Add("reason", "is only given for the abnormal operation list");
    }
    CheckText(v, "note", request->note(), {.max_chars = SubjectLimits::kNote});
    if (request->expected_version() < 0) v.Add("expected_version", "must not be negative");
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::ChangeSubjectStatusResponse>(
                                      method, request->request_id(), *request));
    if (replay) return *replay;
    ASSIGN_OR_RETURN(StoredSubject before, Load(request->uscc()));
    const std::string resource = Resource(request->uscc());
    if (request->expected_version() != 0 && request->expected_version() != before.subject.version()) {
      return FailedPrecondition(resource, "expected_version is stale");
    }
    if (before.subject.status_history_size() >= SubjectLimits::kStatusHistory) {
      return FailedPrecondition(resource, "the status history is full");
    }
    ASSIGN_OR_RETURN(v1::SubjectStatus next,
                     NextStatus(resource, before.subject, request->action(), request->reason()));
    const absl::Time now = clock_.Now();
    v1::Subject after = before.subject;
    v1::StatusChange change;
    change.set_from(after.status());
    change.set_to(next);
    change.set_action(request->action());
    change.set_reason(request->reason());
    change.set_note(request->note());
    change.mutable_department()->set_code(caller.department);
    *change.mutable_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    after.set_status(next);
    after.set_abnormal_reason(next == v1::SUBJECT_STATUS_ABNORMAL_OPERATION ? request->reason()
                                                                           : v1::ABNORMAL_REASON_UNSPECIFIED);
    *after.add_status_history() = change;
    Touch(after, now);
    store::UnitOfWork work;
    subjects_.Save(work, &before, after);
    v1::SubjectStatusChanged event;
    *event.mutable_facts() = FactsOf(after);
    *event.mutable_change() = change;
    Publish(work, after, event, now);
    v1::ChangeSubjectStatusResponse out;
    *out.mutable_subject() = after;
    auto committed = writes_.Commit(work, {.caller = caller, .method = method,
                                           .resource = resource,
                                           .request_id = request->request_id()},
                                    *request, out);
    if (committed.ok() && metrics_ != nullptr) metrics_->CountStatusChange(request->action());
    return committed;
  });
  if (!status.ok()) return status;
  *response->mutable_subject() = ForCaller(response->subject(), MaySeeIdNumbers(context));
  return grpc::Status::OK;
}

grpc::Status SubjectRegistryService::GrantLicence(grpc::ServerContext* context,
                                                  const v1::GrantLicenceRequest* request,
                                                  v1::GrantLicenceResponse* response) {
  const std::string method = Method("GrantLicence");
  using Response = v1::GrantLicenceResponse;
  const grpc::Status status =
      Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<Response> {
    FieldViolations v;
    CheckRequestId(v, request->request_id());
    if (auto s = ValidateUscc(request->uscc()); !s.ok()) v.Add("uscc", StdView(s.message()));
    rules_.CheckLicence(v, "licence", request->licence());
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::GrantLicenceResponse>(method, request->request_id(), *request));
    if (replay) return *replay;
    ASSIGN_OR_RETURN(StoredSubject before, Load(request->uscc()));
    const std::string resource = Resource(request->uscc());
    for (const auto& held : before.subject.licences()) {
      if (held.kind() == request->licence().kind() && held.number() == request->licence().number()) {
        return absl::AlreadyExistsError(absl::StrCat(resource, " holds this licence already"));
      }
    }
    if (before.subject.licences_size() >= SubjectLimits::kLicences) {
      return FailedPrecondition(resource, "the subject holds the most licences allowed");
    }
    const absl::Time now = clock_.Now();
    v1::Subject after = before.subject;
    *after.add_licences() = request->licence();
    Touch(after, now);
    store::UnitOfWork work;
    subjects_.Save(work, &before, after);
    v1::LicenceGranted event;
    *event.mutable_facts() = FactsOf(after);
    *event.mutable_licence() = request->licence();
    Publish(work, after, event, now);
    v1::GrantLicenceResponse out;
    *out.mutable_subject() = after;
    return writes_.Commit(work, {.caller = caller, .method = method, .resource = resource,
                                 .request_id = request->request_id()},
                          *request, out);
  });
  if (!status.ok()) return status;
  *response->mutable_subject() = ForCaller(response->subject(), MaySeeIdNumbers(context));
  return grpc::Status::OK;
}

grpc::Status SubjectRegistryService::RecordCommitment(grpc::ServerContext* context,
                                                      const v1::RecordCommitmentRequest* request,
                                                      v1::RecordCommitmentResponse* response) {
  const std::string method = Method("RecordCommitment");
  using Response = v1::RecordCommitmentResponse;
  const grpc::Status status =
      Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<Response> {
    FieldViolations v;
    CheckRequestId(v, request->request_id());
    if (auto s = ValidateUscc(request->uscc()); !s.ok()) v.Add("uscc", StdView(s.message()));
    rules_.CheckCommitment(v, "commitment", request->commitment());
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::RecordCommitmentResponse>(method, request->request_id(), *request));
    if (replay) return *replay;
    ASSIGN_OR_RETURN(StoredSubject before, Load(request->uscc()));
    const std::string resource = Resource(request->uscc());
    if (before.subject.commitments_size() >= SubjectLimits::kCommitments) {
      return FailedPrecondition(resource, "the subject holds the most commitments allowed");
    }
    const absl::Time now = clock_.Now();
    v1::Subject after = before.subject;
    v1::Commitment commitment = request->commitment();
    commitment.set_id(ids_.Next());
    commitment.set_state(v1::COMMITMENT_STATE_PENDING);
    commitment.clear_resolution_note();
    commitment.clear_resolve_time();
    *after.add_commitments() = commitment;
    Touch(after, now);
    store::UnitOfWork work;
    subjects_.Save(work, &before, after);
    v1::CommitmentRecorded event;
    *event.mutable_facts() = FactsOf(after);
    *event.mutable_commitment() = commitment;
    Publish(work, after, event, now);
    v1::RecordCommitmentResponse out;
    *out.mutable_commitment() = commitment;
    out.set_version(after.version());
    return writes_.Commit(work, {.caller = caller, .method = method, .resource = resource,
                                 .request_id = request->request_id()},
                          *request, out);
  });
  if (!status.ok()) return status;
  return grpc::Status::OK;
}

grpc::Status SubjectRegistryService::ResolveCommitment(grpc::ServerContext* context,
                                                       const v1::ResolveCommitmentRequest* request,
                                                       v1::ResolveCommitmentResponse* response) {
  const std::string method = Method("ResolveCommitment");
  using Response = v1::ResolveCommitmentResponse;
  const grpc::Status status =
      Serve(context, response, [&](const Caller& caller) -> absl::StatusOr<Response> {
    FieldViolations v;
    CheckRequestId(v, request->request_id());
    if (auto s = ValidateUscc(request->uscc()); !s.ok()) v.Add("uscc", StdView(s.message()));
    CheckText(v, "commitment_id", request->commitment_id(), {.required = true, .max_chars = 64});
    if (request->outcome() != v1::COMMITMENT_STATE_FULFILLED &&
        request->outcome() != v1::COMMITMENT_STATE_BREACHED) {
      v.Add("outcome", "must be FULFILLED or BREACHED");
    }
    CheckText(v, "note", request->note(), {.max_chars = SubjectLimits::kNote});
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto replay, writes_.Replay<v1::ResolveCommitmentResponse>(method, request->request_id(), *request));
    if (replay) return *replay;
    ASSIGN_OR_RETURN(StoredSubject before, Load(request->uscc()));
    const std::string resource = absl::StrCat(Resource(request->uscc()), "/commitments/",
                                              request->commitment_id());
    v1::Subject after = before.subject;
    v1::Commitment* commitment = nullptr;
    for (auto& c : *after.mutable_commitments()) {
      if (c.id() == request->commitment_id()) commitment = &c;
    }
    if (commitment == nullptr) return ResourceNotFound(resource);
    if (commitment->state() != v1::COMMITMENT_STATE_PENDING) {
      return FailedPrecondition(resource, "the commitment is resolved already");
    }
    const absl::Time now = clock_.Now();
    commitment->set_state(request->outcome());
    commitment->set_resolution_note(request->note());
    *commitment->mutable_resolve_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    const v1::Commitment resolved = *commitment;
    Touch(after, now);
    store::UnitOfWork work;
    subjects_.Save(work, &before, after);
    v1::CommitmentResolved event;
    *event.mutable_facts() = FactsOf(after);
    *event.mutable_commitment() = resolved;
    Publish(work, after, event, now);
    v1::ResolveCommitmentResponse out;
    *out.mutable_commitment() = resolved;
    out.set_version(after.version());
    return writes_.Commit(work, {.caller = caller, .method = method, .resource = resource,
                                 .request_id = request->request_id()},
                          *request, out);
  });
  if (!status.ok()) return status;
  return grpc::Status::OK;
}

}  // namespace jianguan::subject
