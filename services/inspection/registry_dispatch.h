// The ResolveCommitment calls the inspection service owes the subject registry (告知承诺核查,
// issue #11 §4), made exactly once in effect, even across a crash:
//
// 1. ReviewResult approving a commitment verification writes CommitmentVerified and a
//    pending call (family registry_calls, request_id "verify-{task_id}") in one commit;
// 2. this dispatcher's thread reads the pending calls, calls the registry with that fixed
//    request_id, and deletes a call only after the registry answered OK (or ALREADY_EXISTS /
//    FAILED_PRECONDITION meaning the commitment is already resolved: retrying cannot help);
// 3. a crash between the registry's answer and the delete leaves the call pending: it is
//    made again after the restart, and the registry's idempotency replays its first answer.
//
// Each round also counts the overdue tasks for jianguan_inspection_overdue_tasks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/clock.h"
#include "services/inspection/inspection_store.h"

namespace jianguan::inspection {

class InspectionMetrics;

class RegistryDispatcher {
 public:
  /// `store`, `clock` and `metrics` (may be null) must outlive the dispatcher; `registry` is
  /// the subject registry's stub. One round every `interval`.
  RegistryDispatcher(store::Store& store, const Clock& clock,
                     std::unique_ptr<subject::v1::SubjectRegistry::StubInterface> registry,
                     InspectionMetrics* metrics, absl::Duration interval = absl::Seconds(5));
  ~RegistryDispatcher();

  void Start();
  /// Stops after the call in hand; what is pending stays for the next start.
  void Stop();
  /// One round: every pending call made once; returns how many were resolved.
  int DispatchOnce();

 private:
  void Run();
  void CountOverdue();

  store::Store& store_;
  InspectionStore tasks_;
  const Clock& clock_;
  std::unique_ptr<subject::v1::SubjectRegistry::StubInterface> registry_;
  InspectionMetrics* metrics_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace jianguan::inspection
