// catalogue: the catalogue of regulatory items, check forms, departments and inspectors
// (统一事项目录 + 统一执法主体库). Wiring only.
#include <cstdlib>

#include "absl/flags/flag.h"
#include "libs/core/code_table.h"
#include "libs/core/log.h"
#include "libs/server/flags.h"
#include "libs/runtime/service_runtime.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/catalogue_store.h"

ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of regions.csv and industries.csv (GB/T 2260, GB/T 4754). Env "
          "JG_REFERENCE_DATA_DIR; default: the source tree's data/ this binary was built from.");

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7101);
  absl::SetFlag(&FLAGS_metrics_port, 9101);
  ParseCommandLine(argc, argv, "catalogue: regulatory items, check forms, departments, inspectors");

  std::string data = absl::GetFlag(FLAGS_reference_data_dir);
  if (data.empty()) {
    const char* env = std::getenv("JG_REFERENCE_DATA_DIR");
    data = env != nullptr && *env != '\0' ? env : JG_DEFAULT_REFERENCE_DATA_DIR;
  }
  auto regions = CodeTable::Load(data + "/regions.csv");
  if (!regions.ok()) return DieAtStart(regions.status());
  auto industries = CodeTable::Load(data + "/industries.csv");
  if (!industries.ok()) return DieAtStart(industries.status());

  auto runtime = ServiceRuntime::Open(
      RuntimeOptionsFromFlags(catalogue::kServiceName, catalogue::CatalogueStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  catalogue::CatalogueService service((*runtime)->store(), (*runtime)->clock(), *regions,
                                      *industries);
  (*runtime)->host().AddService(&service);
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  LogInfo("catalogue serving", {{"port", (*runtime)->host().bound_port()},
                               {"reference_data_dir", data}});
  (*runtime)->WaitForTermination();
  return 0;
}
