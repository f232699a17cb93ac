#include "services/inspection/registry_dispatch.h"

#include <chrono>

#include "grpcpp/client_context.h"
#include "libs/core/log.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/inspection_metrics.h"

namespace jianguan::inspection {

RegistryDispatcher::RegistryDispatcher(
    store::Store& store, const Clock& clock,
    std::unique_ptr<subject::v1::SubjectRegistry::StubInterface> registry,
    InspectionMetrics* metrics, absl::Duration interval)
    : store_(store),
      tasks_(store),
      clock_(clock),
      registry_(std::move(registry)),
      metrics_(metrics),
      interval_(interval) {}

RegistryDispatcher::~RegistryDispatcher() { Stop(); }

void RegistryDispatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void RegistryDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RegistryDispatcher::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    DispatchOnce();
    CountOverdue();
    lock.lock();
    wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stopping_; });
  }
}

int RegistryDispatcher::DispatchOnce() {
  auto calls = tasks_.PendingRegistryCalls();
  if (!calls.ok()) {
    LogWarning("registry calls unreadable", {{"error", calls.status().ToString()}});
    return 0;
  }
  int resolved = 0;
  for (const subject::v1::ResolveCommitmentRequest& call : *calls) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("x-jg-system", "inspection");
    // The task's lead department verified it; the registry records it as the resolver.
    auto task = tasks_.FindTask(call.request_id().substr(std::string("verify-").size()));
    const std::string department =
        task.ok() && task->has_value() ? (*task)->lead_department().code() : "inspection";
    context.AddMetadata("x-jg-department", department);
    subject::v1::ResolveCommitmentResponse response;
    const grpc::Status status = registry_->ResolveCommitment(&context, call, &response);
    const bool done = status.ok() || status.error_code() == grpc::StatusCode::ALREADY_EXISTS ||
                      status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    if (metrics_ != nullptr) metrics_->CountRegistryCall(status.ok());
    if (!done) {
      LogWarning("ResolveCommitment failed; will retry",
                 {{"request_id", call.request_id()}, {"error", status.error_message()}});
      continue;
    }
    store::UnitOfWork work;
    work.Delete(kRegistryCalls, call.request_id().substr(std::string("verify-").size()));
    if (absl::Status s = store_.Commit(work); !s.ok()) {
      LogWarning("registry call not cleared", {{"error", s.ToString()}});
      continue;
    }
    ++resolved;
  }
  return resolved;
}

void RegistryDispatcher::CountOverdue() {
  if (metrics_ == nullptr) return;
  auto overdue = tasks_.CountOverdue(absl::ToCivilDay(clock_.Now(), BeijingTime()));
  if (overdue.ok()) metrics_->SetOverdue(*overdue);
}

}  // namespace jianguan::inspection
