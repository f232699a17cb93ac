// credit: explainable credit scores, grades, repair and joint punishment (信用监管). Wiring only.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/runtime/service_runtime.h"
#include "libs/server/flags.h"
#include "services/credit/credit_intake.h"
#include "services/credit/credit_metrics.h"
#include "services/credit/credit_service.h"
#include "services/credit/credit_store.h"
#include "services/credit/model_files.h"
#include "services/credit/reclassifier.h"

ABSL_FLAG(std::string, model_dir, "",
          "Directory of the credit model versions (*.textproto, jianguan.credit.v1.CreditModel). "
          "Env JG_CREDIT_MODEL_DIR; default: the source tree's data/credit this binary was built "
          "from.");
ABSL_FLAG(int, intake_batch, 500, "Suite events applied per commit, 1-10000.");
ABSL_FLAG(int, intake_consumers, 2,
          "Consumer threads of the group 'credit', 1-6; Kafka splits the partitions among them "
          "(a subject's events stay on one partition, so on one thread).");

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7106);
  absl::SetFlag(&FLAGS_metrics_port, 9106);
  ParseCommandLine(argc, argv, "credit: explainable credit scores, repair and joint punishment");
  std::string model_dir = absl::GetFlag(FLAGS_model_dir);
  if (model_dir.empty()) {
    const char* env = std::getenv("JG_CREDIT_MODEL_DIR");
    model_dir = env != nullptr && *env != '\0' ? env : JG_DEFAULT_MODEL_DIR;
  }
  auto models = credit::LoadModels(model_dir);
  if (!models.ok()) return DieAtStart(models.status());
  const int intake_batch = absl::GetFlag(FLAGS_intake_batch);
  if (intake_batch < 1 || intake_batch > 10000) {
    return DieAtStart(absl::InvalidArgumentError("--intake_batch: must be 1-10000"));
  }
  const int intake_consumers = absl::GetFlag(FLAGS_intake_consumers);
  if (intake_consumers < 1 || intake_consumers > 6) {
    return DieAtStart(absl::InvalidArgumentError("--intake_consumers: must be 1-6"));
  }

  auto runtime = ServiceRuntime::Open(
      RuntimeOptionsFromFlags(credit::kServiceName, credit::CreditStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  const credit::CreditStore records((*runtime)->store());
  if (auto pinned = credit::PinModelDigests(records, *models); !pinned.ok()) {
    return DieAtStart(pinned);
  }
  const Clock& clock = (*runtime)->clock();
  credit::CreditMetrics metrics((*runtime)->registry());
  const EventEmitter emitter(topics::kCredit, credit::kServiceName, clock);
  credit::Reclassifier reclassifier(records, models->set, emitter, clock, &metrics);
  credit::CreditService service((*runtime)->store(), *models, clock, &reclassifier, &metrics);
  (*runtime)->host().AddService(&service);

  // By pattern, so that the cases topic is picked up when its service creates it. Several
  // members of one group split the partitions as replicas would; the intake is stateless.
  const credit::CreditIntake intake(records, models->set, emitter, clock, &metrics);
  for (int i = 0; i < intake_consumers; ++i) {
    (*runtime)->AddConsumer({.group = "credit",
                             .topics = {"^jianguan\\.(subject|inspection|cases)\\.v1$"},
                             .max_batch = static_cast<size_t>(intake_batch)},
                            [&intake](const events::ConsumedEvent& e, store::UnitOfWork& w) {
                              return intake.Apply(e, w);
                            });
  }
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  reclassifier.Start();
  LogInfo("credit serving", {{"port", (*runtime)->host().bound_port()},
                             {"models", static_cast<int64_t>(models->infos.size())}});
  (*runtime)->WaitForTermination();
  reclassifier.Stop();
  return 0;
}
