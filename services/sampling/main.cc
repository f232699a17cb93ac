// sampling: random inspection plans and their verifiable draw (双随机、一公开). Wiring only.
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/server/flags.h"
#include "libs/runtime/service_runtime.h"
#include "services/sampling/inspection_history.h"
#include "services/sampling/plan_store.h"
#include "services/sampling/projection.h"
#include "services/sampling/sampling_metrics.h"
#include "services/sampling/sampling_service.h"

ABSL_FLAG(int32_t, draw_record_batch, 2048,
          "Tasks of a committed draw whose histories and TaskDrawn events one commit records "
          "(1-100000)");

namespace {

// The subscription pattern matching exactly `topic`: a pattern, not the name, so that a topic
// created after start (credit and risk arrive with their services) is picked up.
std::string Exactly(const char* topic) {
  return absl::StrCat("^", absl::StrReplaceAll(topic, {{".", "\\."}}), "$");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7103);
  absl::SetFlag(&FLAGS_metrics_port, 9103);
  ParseCommandLine(argc, argv, "sampling: random inspection plans and their verifiable draw");

  auto runtime = ServiceRuntime::Open(
      RuntimeOptionsFromFlags(sampling::kServiceName, sampling::PlanStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  store::Store& store = (*runtime)->store();
  sampling::SamplingMetrics metrics((*runtime)->registry());
  const int32_t record_batch = absl::GetFlag(FLAGS_draw_record_batch);
  if (record_batch < 1 || record_batch > 100'000) {
    return DieAtStart(absl::InvalidArgumentError("--draw_record_batch must be 1-100000"));
  }
  sampling::SamplingService service(
      store, (*runtime)->clock(), &metrics,
      {.batch_tasks = static_cast<size_t>(record_batch)});
  sampling::SamplingPublicService public_service(store);
  (*runtime)->host().AddService(&service);
  (*runtime)->host().AddService(&public_service);

  // Projections. Each event carries the whole state it describes with its version, so the
  // subject and class projections commit many per batch.
  (*runtime)->AddConsumer({.group = "sampling-subjects",
                           .topics = {Exactly(topics::kSubject)},
                           .max_batch = 500},
                          [&store](const events::ConsumedEvent& event, store::UnitOfWork& work) {
                            return sampling::ApplySubjectEvent(store, event, work);
                          });
  (*runtime)->AddConsumer({.group = "sampling-classes",
                           .topics = {Exactly(topics::kCredit), Exactly(topics::kRisk)},
                           .max_batch = 500},
                          [&store](const events::ConsumedEvent& event, store::UnitOfWork& work) {
                            return sampling::ApplyClassEvent(store, event, work);
                          });
  if (auto status = sampling::UpgradeProjections(store); !status.ok()) {
    return DieAtStart(status);
  }
  (*runtime)->AddConsumer({.group = sampling::kCatalogueGroup,
                           .topics = {Exactly(topics::kCatalogue)}},
                          [&store](const events::ConsumedEvent& event, store::UnitOfWork& work) {
                            return sampling::ApplyCatalogueEvent(store, event, work);
                          });
  // Published results are visits (frequency rule, last inspectors), whatever made the task.
  const sampling::PlanStore plans(store);
  (*runtime)->AddConsumer({.group = "sampling-inspections",
                           .topics = {Exactly(topics::kInspection)},
                           .max_batch = 500},
                          [&plans](const events::ConsumedEvent& event, store::UnitOfWork& work) {
                            return sampling::ApplyInspectionEvent(plans, event, work);
                          });
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  // Draws committed and not recorded (a kill -9 mid-recording) are recorded from here on.
  service.StartRecordingDraws();
  LogInfo("sampling serving", {{"port", (*runtime)->host().bound_port()}});
  (*runtime)->WaitForTermination();
  return 0;
}
