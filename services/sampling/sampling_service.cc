#include "services/sampling/sampling_service.h"

#include <sys/random.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "libs/core/field_violations.h"
#include "libs/server/grpc_status.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/events/event.h"
#include "libs/server/serve.h"
#include "services/sampling/domain/draw.h"
#include "services/sampling/domain/verification_package.h"
#include "services/sampling/freeze.h"
#include "services/sampling/plan_rules.h"
#include "services/sampling/sampling_metrics.h"

namespace jianguan::sampling {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr char kFailureReportTypeUrl[] =
    "type.googleapis.com/jianguan.sampling.v1.DrawFailureReport";

google::protobuf::Timestamp Stamp(absl::Time time) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

std::string Method(std::string_view name) {
  return absl::StrCat("/jianguan.sampling.v1.Sampling/", AbslView(name));
}

// The plan_id of "plans/{plan_id}", or a violation on `field`.
std::string PlanIdOf(FieldViolations& v, std::string_view field, std::string_view name) {
  constexpr std::string_view kPrefix = "plans/";
  if (name.size() > kPrefix.size() && name.substr(0, kPrefix.size()) == kPrefix &&
      IsPlanId(name.substr(kPrefix.size()))) {
    return std::string(name.substr(kPrefix.size()));
  }
  v.Add(field, "must be plans/{plan_id}");
  return "";
}

absl::StatusOr<int> PageSize(const common::v1::PageRequest& page) {
  if (page.page_size() < 0) return InvalidField("page.page_size", "must not be negative");
  if (page.page_size() == 0) return kDefaultPageSize;
  return std::min(page.page_size(), kMaxPageSize);
}

absl::Status RequireInitiator(const Caller& caller, const v1::Plan& plan,
                              std::string_view action) {
  if (caller.department == plan.initiating_department().code()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "only the initiating department ", plan.initiating_department().code(), " may ",
      AbslView(action), " ", PlanResource(plan.plan_id()), "; the caller is ", caller.department));
}

absl::StatusOr<StoredPlan> RequirePlan(const StoredPlan* stored, std::string_view plan_id) {
  if (stored == nullptr) return ResourceNotFound(PlanResource(plan_id));
  return *stored;
}

absl::StatusOr<Digest> NewSecret() {
  Digest secret{};
  size_t filled = 0;
  while (filled < secret.size()) {
    const ssize_t got = getrandom(secret.data() + filled, secret.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError("getrandom failed: the secret seed cannot be chosen");
    }
    filled += static_cast<size_t>(got);
  }
  return secret;
}

// Serve (libs/server/serve.h) for the public API, which asks nobody who calls.
template <typename Response, typename Do>
grpc::Status ServePublic(Response* response, Do&& run) {
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(*response, run());
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

// Writes a document to a server stream in chunks of kExportChunkBytes as it is produced;
// the last chunk carries the document's size and SHA-256.
class ChunkStream {
 public:
  explicit ChunkStream(grpc::ServerWriter<v1::ExportChunk>* writer) : writer_(writer) {}

  void Write(std::string_view bytes) {
    digest_.Update(bytes);
    buffer_.append(bytes);
    // Keep at least one byte back, so that Finish always has a last chunk to mark.
    while (buffer_.size() > kExportChunkBytes && !broken_) {
      Send(std::string_view(buffer_).substr(0, kExportChunkBytes), false);
      buffer_.erase(0, kExportChunkBytes);
    }
  }

  grpc::Status Finish() {
    if (!broken_) Send(buffer_, true);
    if (broken_) return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    return grpc::Status::OK;
  }

 private:
  void Send(std::string_view data, bool last) {
    v1::ExportChunk chunk;
    chunk.set_data(std::string(data));
    chunk.set_offset(sent_);
    sent_ += static_cast<int64_t>(data.size());
    if (last) {
      chunk.set_total_size(sent_);
      chunk.set_sha256(HexOf(digest_.Finish()));
    }
    if (!writer_->Write(chunk)) broken_ = true;
  }

  grpc::ServerWriter<v1::ExportChunk>* writer_;
  Sha256Stream digest_;
  std::string buffer_;
  int64_t sent_ = 0;
  bool broken_ = false;
};

v1::DrawFailureReport ReportOf(const DrawFailure& failure) {
  v1::DrawFailureReport report;
  report.set_reason(failure.reason);
  report.set_task_number(failure.task);
  report.set_uscc(failure.uscc);
  report.set_slot(failure.slot);
  for (int e = 0; e < kExclusions; ++e) {
    if (failure.excluded[e] > 0) {
      (*report.mutable_excluded())[ExclusionName(static_cast<Exclusion>(e))] = failure.excluded[e];
    }
  }
  report.set_message(failure.message);
  return report;
}

// The frozen inputs of a plan, loaded for a draw or its recomputation.
struct FrozenInputsLoaded {
  SamplingPlan plan;
  CandidateProjection candidates;
  InspectorPool pool;
  Digest secret{};
};

absl::StatusOr<FrozenInputsLoaded> LoadFrozen(const PlanStore& plans, const v1::Plan& plan) {
  ASSIGN_OR_RETURN(CandidateProjection candidates, plans.LoadCandidates(plan.plan_id()));
  ASSIGN_OR_RETURN(v1::FrozenPool frozen, plans.LoadPool(plan.plan_id()));
  ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen));
  ASSIGN_OR_RETURN(Digest secret, plans.LoadSecret(plan.plan_id()));
  return FrozenInputsLoaded{.plan = AsDrawPlan(plan, plan.frozen().commitment()),
                            .candidates = std::move(candidates),
                            .pool = std::move(pool),
                            .secret = secret};
}

}  // namespace

v1::PublicPlan PublicView(const v1::Plan& plan) {
  v1::PublicPlan view;
  view.set_name(PlanResource(plan.plan_id()));
  view.set_plan_id(plan.plan_id());
  view.set_title(plan.title());
  view.set_year(plan.year());
  *view.mutable_initiating_department() = plan.initiating_department();
  *view.mutable_departments() = plan.departments();
  *view.mutable_target() = plan.target();
  *view.mutable_period_start() = plan.period_start();
  *view.mutable_period_end() = plan.period_end();
  view.set_state(plan.state());
  const v1::FrozenInputs& frozen = plan.frozen();
  view.set_plan_json(PlanJson(AsDrawPlan(plan, frozen.commitment())).Canonical());
  view.set_plan_hash(frozen.plan_hash());
  view.set_commitment(frozen.commitment());
  view.set_candidates_digest(frozen.candidates_digest());
  view.set_candidate_count(frozen.candidate_count());
  view.set_inspectors_digest(frozen.inspectors_digest());
  *view.mutable_approve_time() = frozen.approve_time();
  if (plan.state() >= v1::PLAN_STATE_PUBLISHED) {
    const v1::DrawSummary& draw = plan.draw();
    view.set_entropy(draw.entropy());
    view.set_entropy_source(draw.entropy_source());
    view.set_secret(draw.secret());
    view.set_result_digest(draw.result_digest());
    view.set_task_count(draw.task_count());
    view.set_visits_saved(draw.visits_saved());
    *view.mutable_publish_time() = draw.publish_time();
  }
  return view;
}

absl::Status WriteRecomputedDocument(const PlanStore& plans, const v1::Plan& plan,
                                     bool public_result,
                                     const std::function<void(std::string_view)>& write) {
  ASSIGN_OR_RETURN(FrozenInputsLoaded frozen, LoadFrozen(plans, plan));
  const DrawInput input{.plan = &frozen.plan,
                        .candidates = &frozen.candidates,
                        .inspectors = &frozen.pool,
                        .secret = frozen.secret,
                        .entropy = plan.draw().entropy()};
  ASSIGN_OR_RETURN(DrawResult result, Draw(input));
  JsonValue result_json = PublicResult(input, result);
  const std::string published = result_json.Canonical();
  const Digest digest = Sha256(published);
  if (HexOf(digest) != plan.draw().result_digest()) {
    return absl::DataLossError(absl::StrCat("the recomputed draw of ", PlanResource(plan.plan_id()),
                                            " does not match its recorded result digest"));
  }
  if (public_result) {
    write(published);
  } else {
    WriteVerificationPackage(input, result, std::move(result_json), digest, write);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RecomputeDocument(const PlanStore& plans, const v1::Plan& plan,
                                              bool public_result) {
  std::string document;
  RETURN_IF_ERROR(WriteRecomputedDocument(plans, plan, public_result,
                                          [&](std::string_view piece) { document += piece; }));
  return document;
}

// ---- Sampling -------------------------------------------------------------------------------

SamplingService::SamplingService(store::Store& store, const Clock& clock,
                                 SamplingMetrics* metrics)
    : store_(store),
      clock_(clock),
      plans_(store),
      projection_(store),
      writes_(store, clock),
      metrics_(metrics) {}

absl::StatusOr<v1::Plan> SamplingService::Write(const Caller& caller, std::string_view method,
                                                std::string_view request_id,
                                                const google::protobuf::Message& request,
                                                std::string_view plan_id, const Decide& decide) {
  const std::string full_method = Method(method);
  ASSIGN_OR_RETURN(std::optional<v1::Plan> replay,
                   writes_.Replay<v1::Plan>(full_method, request_id, request));
  if (replay) return std::move(*replay);
  ASSIGN_OR_RETURN(std::optional<StoredPlan> stored, plans_.FindPlan(plan_id));
  store::UnitOfWork work;
  ASSIGN_OR_RETURN(auto decided, decide(stored ? &*stored : nullptr, work));
  v1::Plan& plan = decided.first;
  plan.set_version(stored ? stored->plan.version() + 1 : 1);
  *plan.mutable_update_time() = Stamp(clock_.Now());
  PlanStore::PutPlan(work, plan, stored ? &*stored : nullptr);
  return writes_.Commit(work,
                        {.caller = caller,
                         .method = full_method,
                         .resource = decided.second,
                         .request_id = std::string(request_id)},
                        request, plan);
}

void SamplingService::Emit(store::UnitOfWork& work, const std::string& key,
                           const google::protobuf::Message& event) const {
  work.AddEvent(events::MakeEvent(
      {.topic = kSamplingTopic, .key = key, .source = kServiceName, .subject = key,
       .time = clock_.Now()},
      event));
}

void SamplingService::CheckReferences(FieldViolations& v, const v1::Plan& plan) const {
  for (int d = 0; d < plan.departments_size(); ++d) {
    const v1::PlanDepartment& department = plan.departments(d);
    for (int i = 0; i < department.items_size(); ++i) {
      const v1::PlanItem& item = department.items(i);
      const std::string field = absl::StrCat("plan.departments[", d, "].items[", i, "]");
      auto known = projection_.FindItem(item.code());
      if (!known.ok() || !*known) {
        v.Add(field + ".code", absl::StrCat("no item ", item.code(), " in the catalogue"));
      } else if (!(*known)->in_force()) {
        v.Add(field + ".code", absl::StrCat("item ", item.code(), " is abolished"));
      } else if (item.version() > (*known)->version()) {
        v.Add(field + ".version", absl::StrCat("item ", item.code(), " has no version ",
                                               item.version(), " (latest ", (*known)->version(),
                                               ")"));
      }
    }
  }
}

absl::StatusOr<v1::Plan> SamplingService::DoCreatePlan(const Caller& caller,
                                                       const v1::CreatePlanRequest& request) {
  v1::Plan plan = request.plan();
  ApplyPlanDefaults(plan);
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckPlan(v, "plan.", plan);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(RequireInitiator(caller, plan, "create"));
  CheckReferences(v, plan);
  RETURN_IF_ERROR(v.ToStatus());
  return Write(caller, "CreatePlan", request.request_id(), request, plan.plan_id(),
               [&](const StoredPlan* stored, store::UnitOfWork&)
                   -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
                 const std::string resource = PlanResource(plan.plan_id());
                 if (stored != nullptr) {
                   return absl::AlreadyExistsError(absl::StrCat(resource, " already exists"));
                 }
                 v1::Plan created = plan;
                 created.set_name(resource);
                 created.set_state(v1::PLAN_STATE_DRAFT);
                 created.clear_frozen();
                 created.clear_draw();
                 *created.mutable_create_time() = Stamp(clock_.Now());
                 return std::make_pair(std::move(created), resource);
               });
}

absl::StatusOr<v1::Plan> SamplingService::DoUpdateDraftPlan(
    const Caller& caller, const v1::UpdateDraftPlanRequest& request) {
  v1::Plan plan = request.plan();
  ApplyPlanDefaults(plan);
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckPlan(v, "plan.", plan);
  if (request.expected_version() < 1) v.Add("expected_version", "must be at least 1");
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(RequireInitiator(caller, plan, "update"));
  CheckReferences(v, plan);
  RETURN_IF_ERROR(v.ToStatus());
  return Write(caller, "UpdateDraftPlan", request.request_id(), request, plan.plan_id(),
               [&](const StoredPlan* stored, store::UnitOfWork&)
                   -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
                 ASSIGN_OR_RETURN(StoredPlan current, RequirePlan(stored, plan.plan_id()));
                 RETURN_IF_ERROR(RequireInitiator(caller, current.plan, "update"));
                 RETURN_IF_ERROR(RequireState(current.plan, v1::PLAN_STATE_DRAFT, "update"));
                 const std::string resource = PlanResource(plan.plan_id());
                 if (current.plan.version() != request.expected_version()) {
                   return FailedPrecondition(
                       resource, absl::StrCat("stale version: the plan is at version ",
                                              current.plan.version(), ", the request expected ",
                                              request.expected_version()));
                 }
                 v1::Plan updated = plan;
                 updated.set_name(resource);
                 updated.set_state(v1::PLAN_STATE_DRAFT);
                 updated.clear_frozen();
                 updated.clear_draw();
                 *updated.mutable_create_time() = current.plan.create_time();
                 return std::make_pair(std::move(updated), resource);
               });
}

absl::StatusOr<v1::Plan> SamplingService::DoApprovePlan(const Caller& caller,
                                                        const v1::PlanTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string plan_id = PlanIdOf(v, "name", request.name());
  RETURN_IF_ERROR(v.ToStatus());
  return Write(
      caller, "ApprovePlan", request.request_id(), request, plan_id,
      [&](const StoredPlan* stored,
          store::UnitOfWork& work) -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
        ASSIGN_OR_RETURN(StoredPlan current, RequirePlan(stored, plan_id));
        v1::Plan plan = std::move(current.plan);
        RETURN_IF_ERROR(RequireInitiator(caller, plan, "approve"));
        RETURN_IF_ERROR(RequireState(plan, v1::PLAN_STATE_DRAFT, "approve"));
        FieldViolations refs;  // items may have been abolished since the draft
        CheckReferences(refs, plan);
        RETURN_IF_ERROR(refs.ToStatus());

        const absl::Time freeze_start = absl::Now();
        ASSIGN_OR_RETURN(CandidateProjection candidates,
                         BuildCandidates(projection_, plans_, plan));
        ASSIGN_OR_RETURN(v1::FrozenPool frozen_pool, BuildPool(projection_, plan));
        ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen_pool));
        ASSIGN_OR_RETURN(Digest secret, NewSecret());
        const std::string commitment = HexOf(CommitmentOf(secret));
        const SamplingPlan domain = AsDrawPlan(plan, commitment);
        RETURN_IF_ERROR(ValidatePlan(domain));

        v1::FrozenInputs& frozen = *plan.mutable_frozen();
        frozen.set_plan_hash(HexOf(PlanHash(domain)));
        frozen.set_commitment(commitment);
        frozen.set_candidates_digest(HexOf(candidates.CandidatesDigest()));
        frozen.set_candidate_count(static_cast<int64_t>(candidates.size()));
        frozen.set_inspectors_digest(HexOf(pool.PoolDigest()));
        frozen.set_inspector_count(static_cast<int64_t>(pool.size()));
        *frozen.mutable_approve_time() = Stamp(clock_.Now());
        frozen.set_approved_by(caller.user_id);
        plan.set_state(v1::PLAN_STATE_APPROVED);
        PlanStore::PutFrozen(work, plan_id, candidates, frozen_pool, secret);
        if (metrics_ != nullptr) {
          metrics_->freeze_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - freeze_start));
          metrics_->frozen_candidates.Set(static_cast<double>(candidates.size()));
        }

        v1::PlanApproved approved;
        *approved.mutable_plan() = PublicView(plan);
        Emit(work, PlanResource(plan_id), approved);
        return std::make_pair(std::move(plan), PlanResource(plan_id));
      });
}

absl::StatusOr<v1::Plan> SamplingService::DoDrawPlan(const Caller& caller,
                                                     const v1::DrawPlanRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string plan_id = PlanIdOf(v, "name", request.name());
  if (CheckText(v, "entropy", request.entropy(),
                {.required = true, .max_chars = PlanLimits::kMaxEntropyBytes}) &&
      request.entropy().size() > PlanLimits::kMaxEntropyBytes) {
    v.Add("entropy", absl::StrCat("must be at most ", PlanLimits::kMaxEntropyBytes, " bytes"));
  }
  CheckText(v, "entropy_source", request.entropy_source(),
            {.max_chars = PlanLimits::kMaxEntropySourceChars});
  RETURN_IF_ERROR(v.ToStatus());
  return Write(
      caller, "DrawPlan", request.request_id(), request, plan_id,
      [&](const StoredPlan* stored,
          store::UnitOfWork& work) -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
        ASSIGN_OR_RETURN(StoredPlan current, RequirePlan(stored, plan_id));
        v1::Plan plan = std::move(current.plan);
        const std::string resource = PlanResource(plan_id);
        RETURN_IF_ERROR(RequireInitiator(caller, plan, "draw"));
        RETURN_IF_ERROR(RequireState(plan, v1::PLAN_STATE_APPROVED, "draw"));

        const absl::Time draw_start = absl::Now();
        ASSIGN_OR_RETURN(FrozenInputsLoaded frozen, LoadFrozen(plans_, plan));
        const DrawInput input{.plan = &frozen.plan,
                              .candidates = &frozen.candidates,
                              .inspectors = &frozen.pool,
                              .secret = frozen.secret,
                              .entropy = request.entropy()};
        DrawFailure failure;
        absl::StatusOr<DrawResult> result = Draw(input, &failure);
        if (!result.ok()) {
          if (!absl::IsFailedPrecondition(result.status())) return result.status();
          if (metrics_ != nullptr) metrics_->draws_infeasible.Increment();
          LogWarning("draw failed", {{"plan", resource},
                                     {"department", caller.department},
                                     {"user", caller.user_id},
                                     {"entropy", request.entropy()},
                                     {"reason", failure.message}});
          absl::Status refused = FailedPrecondition(resource, failure.message);
          refused.SetPayload(kFailureReportTypeUrl,
                             absl::Cord(ReportOf(failure).SerializeAsString()));
          return refused;
        }

        // The tasks, each subject's history, and one TaskDrawn per task.
        std::vector<std::string> item_codes;
        for (const v1::PlanDepartment& department : plan.departments()) {
          for (const v1::PlanItem& item : department.items()) item_codes.push_back(item.code());
        }
        const std::string inspection_date = IsoDate(plan.inspection_date());
        for (size_t t = 0; t < result->tasks.size(); ++t) {
          const DrawTask& drawn = result->tasks[t];
          v1::Task task;
          task.set_task_number(static_cast<int64_t>(t + 1));
          task.set_uscc(UnpackUscc(frozen.candidates[drawn.candidate].uscc));
          ASSIGN_OR_RETURN(auto subject, projection_.FindSubject(task.uscc()));
          if (subject) task.set_subject_name(subject->name());
          std::vector<std::string> ids;
          for (uint32_t index : drawn.inspectors) {
            const Inspector& inspector = frozen.pool[index];
            v1::AssignedInspector& assigned = *task.add_inspectors();
            assigned.set_inspector_id(inspector.id);
            assigned.set_name(inspector.name);
            assigned.set_certificate_no(inspector.certificate_no);
            assigned.mutable_department()->set_code(inspector.department_id);
            ids.push_back(inspector.id);
          }
          PlanStore::PutTask(work, plan_id, task);

          ASSIGN_OR_RETURN(auto history, plans_.FindHistory(task.uscc()));
          v1::SubjectHistory updated = history.value_or(v1::SubjectHistory());
          for (const std::string& code : item_codes) {
            (*updated.mutable_last_drawn())[code] = inspection_date;
          }
          std::sort(ids.begin(), ids.end());
          updated.clear_last_inspectors();
          for (const std::string& id : ids) updated.add_last_inspectors(id);
          updated.set_last_plan(plan_id);
          PlanStore::PutHistory(work, task.uscc(), updated);

          v1::TaskDrawn event;
          event.set_plan(resource);
          event.set_task_number(task.task_number());
          event.set_uscc(task.uscc());
          event.set_subject_name(task.subject_name());
          *event.mutable_departments() = plan.departments();
          *event.mutable_inspectors() = task.inspectors();
          *event.mutable_period_start() = plan.period_start();
          *event.mutable_period_end() = plan.period_end();
          *event.mutable_inspection_date() = plan.inspection_date();
          Emit(work, task.uscc(), event);
        }

        v1::DrawSummary& draw = *plan.mutable_draw();
        draw.set_entropy(request.entropy());
        draw.set_entropy_source(request.entropy_source());
        draw.set_secret(HexOf(frozen.secret));
        draw.set_seed(HexOf(result->seed));
        draw.set_task_count(static_cast<int64_t>(result->tasks.size()));
        draw.set_visits_saved(result->visits_saved);
        draw.set_result_digest(HexOf(ResultDigest(input, *result)));
        for (int s = 0; s < kStrata; ++s) {
          v1::ClassCount& count = *draw.add_classes();
          count.set_class_name(StratumName(s));
          count.set_candidates(result->strata[s].candidates);
          count.set_eligible(result->strata[s].eligible);
          count.set_quota(result->strata[s].quota);
        }
        int64_t min_load = 0, max_load = 0;
        for (int64_t load : result->loads) {
          if (load == 0) continue;
          min_load = min_load == 0 ? load : std::min(min_load, load);
          max_load = std::max(max_load, load);
        }
        draw.set_min_load(min_load);
        draw.set_max_load(max_load);
        *draw.mutable_draw_time() = Stamp(clock_.Now());
        plan.set_state(v1::PLAN_STATE_DRAWN);

        if (metrics_ != nullptr) {
          metrics_->draws_drawn.Increment();
          metrics_->tasks_drawn.Increment(static_cast<double>(result->tasks.size()));
          metrics_->draw_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - draw_start));
        }
        v1::DrawCompleted completed;
        completed.set_plan(resource);
        *completed.mutable_draw() = draw;
        completed.set_department_count(plan.departments_size());
        Emit(work, resource, completed);
        return std::make_pair(std::move(plan), resource);
      });
}

absl::StatusOr<v1::Plan> SamplingService::DoPublishPlan(const Caller& caller,
                                                        const v1::PlanTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string plan_id = PlanIdOf(v, "name", request.name());
  RETURN_IF_ERROR(v.ToStatus());
  return Write(caller, "PublishPlan", request.request_id(), request, plan_id,
               [&](const StoredPlan* stored, store::UnitOfWork& work)
                   -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
                 ASSIGN_OR_RETURN(StoredPlan current, RequirePlan(stored, plan_id));
                 v1::Plan plan = std::move(current.plan);
                 RETURN_IF_ERROR(RequireInitiator(caller, plan, "publish"));
                 RETURN_IF_ERROR(RequireState(plan, v1::PLAN_STATE_DRAWN, "publish"));
                 plan.set_state(v1::PLAN_STATE_PUBLISHED);
                 *plan.mutable_draw()->mutable_publish_time() = Stamp(clock_.Now());
                 v1::PlanPublished published;
                 *published.mutable_plan() = PublicView(plan);
                 Emit(work, PlanResource(plan_id), published);
                 return std::make_pair(std::move(plan), PlanResource(plan_id));
               });
}

absl::StatusOr<v1::Plan> SamplingService::DoCompletePlan(
    const Caller& caller, const v1::PlanTransitionRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  const std::string plan_id = PlanIdOf(v, "name", request.name());
  RETURN_IF_ERROR(v.ToStatus());
  return Write(caller, "CompletePlan", request.request_id(), request, plan_id,
               [&](const StoredPlan* stored, store::UnitOfWork&)
                   -> absl::StatusOr<std::pair<v1::Plan, std::string>> {
                 ASSIGN_OR_RETURN(StoredPlan current, RequirePlan(stored, plan_id));
                 v1::Plan plan = std::move(current.plan);
                 RETURN_IF_ERROR(RequireInitiator(caller, plan, "complete"));
                 RETURN_IF_ERROR(RequireState(plan, v1::PLAN_STATE_PUBLISHED, "complete"));
                 plan.set_state(v1::PLAN_STATE_COMPLETED);
                 return std::make_pair(std::move(plan), PlanResource(plan_id));
               });
}

grpc::Status SamplingService::CreatePlan(grpc::ServerContext* context,
                                         const v1::CreatePlanRequest* request,
                                         v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCreatePlan(c, *request); });
}

grpc::Status SamplingService::UpdateDraftPlan(grpc::ServerContext* context,
                                              const v1::UpdateDraftPlanRequest* request,
                                              v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoUpdateDraftPlan(c, *request); });
}

grpc::Status SamplingService::ApprovePlan(grpc::ServerContext* context,
                                          const v1::PlanTransitionRequest* request,
                                          v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoApprovePlan(c, *request); });
}

grpc::Status SamplingService::DrawPlan(grpc::ServerContext* context,
                                       const v1::DrawPlanRequest* request, v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoDrawPlan(c, *request); });
}

grpc::Status SamplingService::PublishPlan(grpc::ServerContext* context,
                                          const v1::PlanTransitionRequest* request,
                                          v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoPublishPlan(c, *request); });
}

grpc::Status SamplingService::CompletePlan(grpc::ServerContext* context,
                                           const v1::PlanTransitionRequest* request,
                                           v1::Plan* response) {
  return Serve(context, response, [&](const Caller& c) { return DoCompletePlan(c, *request); });
}

grpc::Status SamplingService::GetPlan(grpc::ServerContext* context,
                                      const v1::GetPlanRequest* request, v1::Plan* response) {
  return Serve(context, response, [&](const Caller&) -> absl::StatusOr<v1::Plan> {
    FieldViolations v;
    const std::string plan_id = PlanIdOf(v, "name", request->name());
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    return std::move(stored->plan);
  });
}

grpc::Status SamplingService::ListPlans(grpc::ServerContext* context,
                                        const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return Serve(context, response, [&](const Caller&) -> absl::StatusOr<v1::ListPlansResponse> {
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    if (!v1::PlanState_IsValid(request->state())) {
      return InvalidField("state", "unknown plan state");
    }
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListPlans(page_size, request->page().page_token(),
                                      [&](const v1::Plan& plan) {
                                        return (request->state() == v1::PLAN_STATE_UNSPECIFIED ||
                                                plan.state() == request->state()) &&
                                               (request->year() == 0 ||
                                                plan.year() == request->year());
                                      }));
    v1::ListPlansResponse out;
    for (v1::Plan& plan : page.first) *out.add_plans() = std::move(plan);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingService::ListTasks(grpc::ServerContext* context,
                                        const v1::ListTasksRequest* request,
                                        v1::ListTasksResponse* response) {
  return Serve(context, response, [&](const Caller&) -> absl::StatusOr<v1::ListTasksResponse> {
    FieldViolations v;
    const std::string plan_id = PlanIdOf(v, "name", request->name());
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    if (stored->plan.state() < v1::PLAN_STATE_DRAWN) {
      return FailedPrecondition(request->name(), "the plan has not been drawn");
    }
    ASSIGN_OR_RETURN(auto page, plans_.ListTasks(plan_id, page_size, request->page().page_token()));
    v1::ListTasksResponse out;
    for (v1::Task& task : page.first) *out.add_tasks() = std::move(task);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingService::ExportVerificationPackage(
    grpc::ServerContext* context, const v1::ExportRequest* request,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  ChunkStream stream(writer);
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Caller caller, CallerOf(context));
    const auto& metadata = context->client_metadata();
    const auto role = metadata.find(kRoleKey);
    if (role == metadata.end() || role->second != kAuditorRole) {
      return absl::PermissionDeniedError(
          absl::StrCat("the verification package holds the classes of subjects (不公开): it "
                       "needs metadata ",
                       kRoleKey, ": ", kAuditorRole));
    }
    FieldViolations v;
    const std::string plan_id = PlanIdOf(v, "name", request->name());
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(auto stored, plans_.FindPlan(plan_id));
    if (!stored) return ResourceNotFound(request->name());
    if (stored->plan.state() < v1::PLAN_STATE_DRAWN) {
      return FailedPrecondition(request->name(), "the plan has not been drawn");
    }
    return WriteRecomputedDocument(plans_, stored->plan, false,
                                   [&](std::string_view piece) { stream.Write(piece); });
  }();
  if (!status.ok()) return ToGrpcStatus(status);
  return stream.Finish();
}

// ---- SamplingPublic -------------------------------------------------------------------------

SamplingPublicService::SamplingPublicService(const store::Store& store) : plans_(store) {}

namespace {

// A plan the public may see: approved or later.
absl::StatusOr<v1::Plan> PublicPlanNamed(const PlanStore& plans, std::string_view name) {
  FieldViolations v;
  const std::string plan_id = PlanIdOf(v, "name", name);
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto stored, plans.FindPlan(plan_id));
  if (!stored || stored->plan.state() < v1::PLAN_STATE_APPROVED) return ResourceNotFound(name);
  return std::move(stored->plan);
}

absl::Status RequirePublished(const v1::Plan& plan) {
  if (plan.state() >= v1::PLAN_STATE_PUBLISHED) return absl::OkStatus();
  return FailedPrecondition(PlanResource(plan.plan_id()), "the result is not published yet");
}

}  // namespace

grpc::Status SamplingPublicService::ListPublicPlans(grpc::ServerContext*,
                                                    const v1::ListPublicPlansRequest* request,
                                                    v1::ListPublicPlansResponse* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::ListPublicPlansResponse> {
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListPlans(page_size, request->page().page_token(),
                                      [&](const v1::Plan& plan) {
                                        return plan.state() >= v1::PLAN_STATE_APPROVED &&
                                               (request->year() == 0 ||
                                                plan.year() == request->year());
                                      }));
    v1::ListPublicPlansResponse out;
    for (const v1::Plan& plan : page.first) *out.add_plans() = PublicView(plan);
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingPublicService::GetPublicPlan(grpc::ServerContext*,
                                                  const v1::GetPlanRequest* request,
                                                  v1::PublicPlan* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::PublicPlan> {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    return PublicView(plan);
  });
}

grpc::Status SamplingPublicService::ListPublicTasks(grpc::ServerContext*,
                                                    const v1::ListTasksRequest* request,
                                                    v1::ListPublicTasksResponse* response) {
  return ServePublic(response, [&]() -> absl::StatusOr<v1::ListPublicTasksResponse> {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    RETURN_IF_ERROR(RequirePublished(plan));
    ASSIGN_OR_RETURN(int page_size, PageSize(request->page()));
    ASSIGN_OR_RETURN(auto page,
                     plans_.ListTasks(plan.plan_id(), page_size, request->page().page_token()));
    v1::ListPublicTasksResponse out;
    for (const v1::Task& task : page.first) {
      v1::PublicTask& shown = *out.add_tasks();
      shown.set_task_number(task.task_number());
      shown.set_uscc(task.uscc());
      shown.set_subject_name(task.subject_name());
      for (const v1::AssignedInspector& inspector : task.inspectors()) {
        v1::PublicInspector& person = *shown.add_inspectors();
        person.set_name(inspector.name());
        person.set_certificate_no(inspector.certificate_no());
      }
    }
    out.mutable_page()->set_next_page_token(page.second);
    return out;
  });
}

grpc::Status SamplingPublicService::ExportPublicResult(
    grpc::ServerContext*, const v1::ExportRequest* request,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  ChunkStream stream(writer);
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::Plan plan, PublicPlanNamed(plans_, request->name()));
    RETURN_IF_ERROR(RequirePublished(plan));
    return WriteRecomputedDocument(plans_, plan, true,
                                   [&](std::string_view piece) { stream.Write(piece); });
  }();
  if (!status.ok()) return ToGrpcStatus(status);
  return stream.Finish();
}

}  // namespace jianguan::sampling
