// inspection: inspection tasks, the filled forms, review and publication (执法检查). Wiring only.
#include <cstdlib>

#include "absl/flags/flag.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/runtime/service_runtime.h"
#include "libs/server/flags.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/inspection_metrics.h"
#include "services/inspection/inspection_service.h"
#include "services/inspection/registry_dispatch.h"
#include "services/inspection/task_intake.h"

ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of calendar/cn_workdays.csv and inspection/result-categories-zj.csv. Env "
          "JG_REFERENCE_DATA_DIR; default: the source tree's data/ this binary was built from.");
ABSL_FLAG(std::string, registry_target, "127.0.0.1:7102",
          "The subject registry, for ResolveCommitment (告知承诺核查).");
ABSL_FLAG(int, commitment_verify_working_days, jianguan::inspection::kDefaultCommitmentWorkingDays,
          "Working days within which a recorded commitment is verified (never after verify_by).");
ABSL_FLAG(int, task_intake_batch, 500,
          "Task source events (TaskDrawn, CommitmentRecorded) applied per commit, 1-10000.");
ABSL_FLAG(int, follow_up_working_days, jianguan::inspection::kDefaultFollowUpWorkingDays,
          "Working days after an order's rectify_by within which its follow-up (回头看) is due.");

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7104);
  absl::SetFlag(&FLAGS_metrics_port, 9104);
  ParseCommandLine(argc, argv, "inspection: tasks, filled forms, review and publication");
  std::string data = absl::GetFlag(FLAGS_reference_data_dir);
  if (data.empty()) {
    const char* env = std::getenv("JG_REFERENCE_DATA_DIR");
    data = env != nullptr && *env != '\0' ? env : JG_DEFAULT_REFERENCE_DATA_DIR;
  }
  auto calendar = WorkingDayCalendar::Load(data + "/calendar/cn_workdays.csv");
  if (!calendar.ok()) return DieAtStart(calendar.status());
  auto categories = inspection::ResultCategories::Load(
      data + "/inspection/result-categories-zj.csv", "zj");
  if (!categories.ok()) return DieAtStart(categories.status());

  auto runtime = ServiceRuntime::Open(RuntimeOptionsFromFlags(
      inspection::kServiceName, inspection::InspectionStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  store::Store& store = (*runtime)->store();
  inspection::InspectionMetrics metrics((*runtime)->registry());
  inspection::InspectionService service(store, (*runtime)->clock(),
                                        {.calendar = &*calendar,
                                         .categories = &*categories,
                                         .follow_up_working_days =
                                             absl::GetFlag(FLAGS_follow_up_working_days)},
                                        &metrics);
  inspection::InspectionPublicService public_service(store);
  (*runtime)->host().AddService(&service);
  (*runtime)->host().AddService(&public_service);

  // Task sources by pattern: jianguan.risk.v1 (AlertDispatched) is picked up when it exists.
  inspection::InspectionStore tasks(store);
  const EventEmitter emitter(topics::kInspection, inspection::kServiceName, (*runtime)->clock());
  const inspection::TaskIntake intake(tasks, emitter, *calendar, (*runtime)->clock(),
                                      absl::GetFlag(FLAGS_commitment_verify_working_days));
  // In batches: a 1,000,000-subject draw becomes tasks at over ten thousand a second.
  const int intake_batch = absl::GetFlag(FLAGS_task_intake_batch);
  if (intake_batch < 1 || intake_batch > 10000) {
    return DieAtStart(absl::InvalidArgumentError("--task_intake_batch: must be 1-10000"));
  }
  (*runtime)->AddConsumer(
      {.group = "inspection-tasks",
       .topics = {"^jianguan\\.(sampling|subject|risk)\\.v1$"},
       .max_batch = static_cast<size_t>(intake_batch)},
      [&intake](const events::ConsumedEvent& e, store::UnitOfWork& w) {
        return intake.ApplyTaskSource(e, w);
      });
  // A group of its own name since it also projects inspectors and items: starting from the
  // earliest offset, it picks up the inspector events the forms-only group skipped.
  (*runtime)->AddConsumer(
      {.group = "inspection-catalogue", .topics = {"^jianguan\\.catalogue\\.v1$"}},
      [&intake](const events::ConsumedEvent& e, store::UnitOfWork& w) {
        return intake.ApplyCatalogue(e, w);
      });
  // Declared after the runtime, so it stops before the store closes.
  inspection::RegistryDispatcher dispatcher(
      store, (*runtime)->clock(),
      subject::v1::SubjectRegistry::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_registry_target), ChannelCredentialsFromFlags())),
      &metrics);
  // Tasks stored before the deadline index existed go into it, once per store.
  if (auto status = tasks.IndexDeadlines(); !status.ok()) return DieAtStart(status);
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  dispatcher.Start();
  LogInfo("inspection serving", {{"port", (*runtime)->host().bound_port()}});
  (*runtime)->WaitForTermination();
  return 0;
}
