// subject-registry: the registry of supervised subjects (统一监管对象库). Wiring only.
#include <cstdlib>

#include "absl/flags/flag.h"
#include "libs/core/code_table.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/server/flags.h"
#include "libs/runtime/service_runtime.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/registry_name.h"
#include "services/subject-registry/subject_service.h"
#include "services/subject-registry/subject_store.h"
#include "services/subject-registry/timeline_projection.h"

ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of regions.csv and industries.csv (GB/T 2260, GB/T 4754). Env "
          "JG_REFERENCE_DATA_DIR; default: the source tree's data/ this binary was built from.");

namespace {

std::string ReferenceDataDir() {
  std::string dir = absl::GetFlag(FLAGS_reference_data_dir);
  if (dir.empty()) {
    const char* env = std::getenv("JG_REFERENCE_DATA_DIR");
    dir = env != nullptr && *env != '\0' ? env : JG_DEFAULT_REFERENCE_DATA_DIR;
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7102);
  absl::SetFlag(&FLAGS_metrics_port, 9102);
  ParseCommandLine(argc, argv, "subject-registry: the registry of supervised subjects");

  const std::string data = ReferenceDataDir();
  auto regions = CodeTable::Load(data + "/regions.csv");
  if (!regions.ok()) return DieAtStart(regions.status());
  auto industries = CodeTable::Load(data + "/industries.csv");
  if (!industries.ok()) return DieAtStart(industries.status());

  auto runtime = ServiceRuntime::Open(
      RuntimeOptionsFromFlags(subject::kServiceName, subject::SubjectStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  subject::RegistryMetrics metrics((*runtime)->registry());
  subject::SubjectRegistryService service((*runtime)->store(), (*runtime)->clock(), *regions,
                                          *industries, &metrics);
  (*runtime)->host().AddService(&service);
  (*runtime)->AddConsumer({.group = "subject-registry-timeline",
                           .topics = {topics::kAllSuitePattern},
                           // Append-only: a batch of entries per commit keeps up with imports.
                           .max_batch = 500},
                          subject::RecordOnTimeline);
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  LogInfo("subject-registry serving", {{"port", (*runtime)->host().bound_port()},
                                      {"reference_data_dir", data}});
  (*runtime)->WaitForTermination();
  return 0;
}
