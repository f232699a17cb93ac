// subject-registry: the registry of supervised subjects (统一监管对象库). Wiring only.
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/calendar.h"
#include "libs/core/code_table.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/server/flags.h"
#include "libs/runtime/service_runtime.h"
#include "services/subject-registry/clock_batches.h"
#include "services/subject-registry/public_registry_service.h"
#include "services/subject-registry/catalogue_departments.h"
#include "services/subject-registry/domain/notification_rules.h"
#include "services/subject-registry/notification_watch.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/registry_name.h"
#include "services/subject-registry/subject_service.h"
#include "services/subject-registry/subject_store.h"
#include "services/subject-registry/timeline_projection.h"

ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of regions.csv and industries.csv (GB/T 2260, GB/T 4754), "
          "calendar/cn_workdays.csv and catalogue/catalogue.json (the departments dual "
          "notifications go to). Env "
          "JG_REFERENCE_DATA_DIR; default: the source tree's data/ this binary was built from.");
ABSL_FLAG(absl::Duration, clock_rules_every, absl::Minutes(1),
          "Time between the clock batches' ticks (annual-report listing from 1 July, the "
          "abnormal list's 3-year expiry daily; docs/registry-clock.md); 0 runs none.");
ABSL_FLAG(int, clock_batch_size, 500,
          "Subjects per chunk of a clock batch (one unit of work each), 1-10000.");

ABSL_FLAG(int32_t, public_port, 0,
          "Port of the public listener serving jianguan.subject.v1.PublicRegistry (the abnormal "
          "operation and serious violation lists, 企业信用信息公示) without credentials: TLS "
          "with the service's certificate when --tls_cert is set, plaintext otherwise; 0 "
          "serves none. Env JG_PUBLIC_PORT.");

ABSL_FLAG(std::string, licence_kinds, "",
          "The licence table of the dual notifications (双告知): which business needs which "
          "licence, approved by which kind of department. Env JG_LICENCE_KINDS; default: "
          "catalogue/licence-kinds-2026.1.csv under the reference data directory.");

namespace {

std::string ReferenceDataDir() {
  std::string dir = absl::GetFlag(FLAGS_reference_data_dir);
  if (dir.empty()) {
    const char* env = std::getenv("JG_REFERENCE_DATA_DIR");
    dir = env != nullptr && *env != '\0' ? env : JG_DEFAULT_REFERENCE_DATA_DIR;
  }
  return dir;
}

absl::StatusOr<int32_t> PublicPort() {
  int32_t port = absl::GetFlag(FLAGS_public_port);
  const char* env = std::getenv("JG_PUBLIC_PORT");
  if (port == 0 && env != nullptr && *env != '\0' && !absl::SimpleAtoi(env, &port)) {
    return absl::InvalidArgumentError(absl::StrCat("JG_PUBLIC_PORT is not a port: ", env));
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--public_port ", port, " is not a port"));
  }
  return port;
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
  // Dual notifications (双告知): the licence table, the catalogue's departments, and the
  // working days of the claim deadline.
  std::string licence_kinds = absl::GetFlag(FLAGS_licence_kinds);
  if (licence_kinds.empty()) {
    const char* env = std::getenv("JG_LICENCE_KINDS");
    licence_kinds =
        env != nullptr && *env != '\0' ? env : data + "/catalogue/licence-kinds-2026.1.csv";
  }
  auto requirements = subject::LicenceRequirements::Load(licence_kinds, *industries);
  if (!requirements.ok()) return DieAtStart(requirements.status());
  auto departments = subject::LoadCatalogueDepartments(data + "/catalogue/catalogue.json");
  if (!departments.ok()) return DieAtStart(departments.status());
  auto calendar = WorkingDayCalendar::Load(data + "/calendar/cn_workdays.csv");
  if (!calendar.ok()) return DieAtStart(calendar.status());
  const subject::NotificationRules notification_rules(*requirements, *departments, *calendar);

  const absl::Duration clock_every = absl::GetFlag(FLAGS_clock_rules_every);
  const int clock_batch = absl::GetFlag(FLAGS_clock_batch_size);
  if (clock_every < absl::ZeroDuration()) {
    return DieAtStart(absl::InvalidArgumentError("--clock_rules_every: must not be negative"));
  }
  if (clock_batch < 1 || clock_batch > 10000) {
    return DieAtStart(absl::InvalidArgumentError("--clock_batch_size: must be 1-10000"));
  }

  RuntimeOptions options =
      RuntimeOptionsFromFlags(subject::kServiceName, subject::SubjectStore::Families());
  const absl::StatusOr<int32_t> public_port = PublicPort();
  if (!public_port.ok()) return DieAtStart(public_port.status());
  if (*public_port != 0) {
    options.host.public_port = *public_port;
    options.host.public_credentials = PublicServerCredentialsFromFlags();
  }
  auto runtime = ServiceRuntime::Open(std::move(options));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  subject::RegistryMetrics metrics((*runtime)->registry());
  const subject::SubjectRules rules(*regions, *industries);
  subject::SubjectRegistryService service((*runtime)->store(), (*runtime)->clock(), *regions,
                                          *industries, &metrics);
  service.EnableNotifications(notification_rules);
  (*runtime)->host().AddService(&service);
  subject::PublicRegistryService public_lists(service.subjects());
  (*runtime)->host().AddPublicService(&public_lists);
  (*runtime)->AddConsumer({.group = "subject-registry-timeline",
                           // Not its own topic (topics::kSubject): timeline_projection.h.
                           .topics = {topics::AllSuitePatternExcept("subject")},
                           // Append-only: a batch of entries per commit keeps up with imports.
                           .max_batch = 500},
                          subject::RecordOnTimeline);
  // Destroyed (stopped) before the runtime, whose store it writes. The index it may
  // backfill is written before anything else writes subjects.
  subject::ClockBatches clock_batches((*runtime)->store(), rules, (*runtime)->clock(), &metrics,
                                      {.every = clock_every, .batch_size = clock_batch});
  if (auto status = clock_batches.BackfillListingIndex(); !status.ok()) return DieAtStart(status);
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  // Destroyed (stopped) before the runtime, whose store it reads.
  const subject::NotificationStore notices((*runtime)->store());
  subject::NotificationWatch watch(notices, *departments, (*runtime)->clock(), metrics);
  watch.Start();
  if (clock_every > absl::ZeroDuration()) {
    clock_batches.Start();
  } else {
    LogWarning("--clock_rules_every=0: no clock batch runs (annual-report listing, abnormal "
               "list expiry)", {});
  }
  LogInfo("subject-registry serving", {{"port", (*runtime)->host().bound_port()},
                                      {"public_port", (*runtime)->host().public_port()},
                                      {"reference_data_dir", data},
                                      {"licence_kinds", licence_kinds}});
  (*runtime)->WaitForTermination();
  return 0;
}
