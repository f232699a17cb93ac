// SubjectRegistry: PublishAnnualReport (年报公示). The report is checked, the domain
// (domain/annual_reports.h) decides, and one unit of work through WritePath holds the
// report (family annual_reports, key <uscc>/<year>), the subject with its last_report_year
// and new version, and AnnualReportPublished with its timeline entry.
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/uscc.h"
#include "libs/server/serve.h"
#include "libs/write/resource_name.h"
#include "services/subject-registry/domain/annual_reports.h"
#include "services/subject-registry/subject_service.h"

namespace jianguan::subject {

grpc::Status SubjectRegistryService::PublishAnnualReport(
    grpc::ServerContext* context, const v1::PublishAnnualReportRequest* request,
    v1::PublishAnnualReportResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return PublishReport(caller, *request); });
}

absl::StatusOr<v1::PublishAnnualReportResponse> SubjectRegistryService::PublishReport(
    const Caller& caller, const v1::PublishAnnualReportRequest& request) {
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  if (auto status = ValidateUscc(request.uscc()); !status.ok()) {
    v.Add("uscc", StdView(status.message()));
  }
  if (!request.has_report()) {
    v.Add("report", "must be given");
  } else {
    CheckAnnualReport(v, "report", request.report(), Today());
  }
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::PublishAnnualReportResponse;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("PublishAnnualReport"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        ASSIGN_OR_RETURN(StoredSubject before, Load(request.uscc()));
        const int year = request.report().year();
        Decision<Response> d{.resource = absl::StrCat(ResourceName("subjects", request.uscc()),
                                                      "/annualReports/", year)};
        ASSIGN_OR_RETURN(auto on_file, subjects_.FindReport(request.uscc(), year));
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(ReportChange change,
                         subject::PublishAnnualReport(d.resource, before.subject, request.report(),
                                                      on_file.has_value(), now));
        subjects_.Save(d.work, &before, change.subject);
        SubjectStore::SaveReport(d.work, request.uscc(), change.report);
        Emit(d.work, change.subject, change.event, now);
        *d.response.mutable_report() = std::move(change.report);
        d.response.set_version(change.subject.version());
        return d;
      });
}

}  // namespace jianguan::subject
