// cases: leads, the penalty procedure, documents and public decisions (统一处罚办案). Wiring
// only.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "libs/core/calendar.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/runtime/service_runtime.h"
#include "libs/server/flags.h"
#include "services/cases/case_store.h"
#include "services/cases/case_watch.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/cases_service.h"
#include "services/cases/departments.h"
#include "services/cases/lead_intake.h"

ABSL_FLAG(std::string, reference_data_dir, "",
          "Directory of calendar/cn_workdays.csv and cases/departments.csv. Env "
          "JG_REFERENCE_DATA_DIR; default: the source tree's data/ this binary was built from.");
ABSL_FLAG(int, filing_working_days, 15,
          "Working days to decide whether to file a lead (立案期限), 1-60.");
ABSL_FLAG(int, filing_extension_working_days, 15,
          "Working days the filing period may be extended by, once, 0-60.");
ABSL_FLAG(int, at_risk_days, 10,
          "A case not yet decided is at risk when fewer days than this are left to its "
          "decision limit, 1-60.");

int main(int argc, char** argv) {
  using namespace jianguan;
  absl::SetFlag(&FLAGS_grpc_port, 7105);
  absl::SetFlag(&FLAGS_metrics_port, 9105);
  ParseCommandLine(argc, argv, "cases: leads, the penalty procedure, documents, public decisions");
  std::string data = absl::GetFlag(FLAGS_reference_data_dir);
  if (data.empty()) {
    const char* env = std::getenv("JG_REFERENCE_DATA_DIR");
    data = env != nullptr && *env != '\0' ? env : JG_DEFAULT_DATA_DIR;
  }
  auto calendar = WorkingDayCalendar::Load(data + "/calendar/cn_workdays.csv");
  if (!calendar.ok()) return DieAtStart(calendar.status());
  auto departments = cases::Departments::Load(data + "/cases/departments.csv");
  if (!departments.ok()) return DieAtStart(departments.status());
  cases::CasesOptions options;
  options.filing_period = {.working_days = absl::GetFlag(FLAGS_filing_working_days),
                           .extension_working_days =
                               absl::GetFlag(FLAGS_filing_extension_working_days)};
  options.deadlines.at_risk_days = absl::GetFlag(FLAGS_at_risk_days);
  if (options.filing_period.working_days < 1 || options.filing_period.working_days > 60 ||
      options.filing_period.extension_working_days < 0 ||
      options.filing_period.extension_working_days > 60 || options.deadlines.at_risk_days < 1 ||
      options.deadlines.at_risk_days > 60) {
    return DieAtStart(absl::InvalidArgumentError(
        "--filing_working_days must be 1-60, --filing_extension_working_days 0-60, "
        "--at_risk_days 1-60"));
  }

  auto runtime = ServiceRuntime::Open(
      RuntimeOptionsFromFlags(cases::kServiceName, cases::CaseStore::Families()));
  if (!runtime.ok()) return DieAtStart(runtime.status());
  store::Store& store = (*runtime)->store();
  const Clock& clock = (*runtime)->clock();
  cases::CasesMetrics metrics((*runtime)->registry());
  cases::CasesService service(store, *departments, *calendar, clock, options, &metrics);
  cases::PublicDecisionsService public_decisions(store);
  (*runtime)->host().AddService(&service);
  (*runtime)->host().AddService(&public_decisions);

  // By pattern, so that the inspection (LeadTransferred) and risk topics are picked up when
  // their services create them.
  const cases::CaseStore records(store);
  const EventEmitter emitter(topics::kCases, cases::kServiceName, clock);
  cases::LeadIntake intake(records, emitter, *calendar, clock, options.filing_period, &metrics);
  (*runtime)->AddConsumer({.group = "cases", .topics = {"^jianguan\\.(inspection|risk)\\.v1$"}},
                          [&intake](const events::ConsumedEvent& e, store::UnitOfWork& w) {
                            return intake.Apply(e, w);
                          });
  if (auto status = (*runtime)->Start(); !status.ok()) return DieAtStart(status);
  // Destroyed (stopped) before the runtime, whose store it reads.
  cases::CaseWatch watch(records, *calendar, clock, options.deadlines, metrics);
  watch.Start();
  LogInfo("cases serving", {{"port", (*runtime)->host().bound_port()},
                            {"departments", static_cast<int64_t>(departments->size())}});
  (*runtime)->WaitForTermination();
  return 0;
}
