#include "services/subject-registry/domain/annual_reports.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {
namespace {

std::string Path(std::string_view prefix, std::string_view field) {
  return prefix.empty() ? std::string(field)
                        : absl::StrCat(AbslView(prefix), ".", AbslView(field));
}

void CheckMoney(FieldViolations& v, std::string_view prefix, std::string_view field,
                const common::v1::Money& money) {
  if (money.fen() < 0) v.Add(Path(Path(prefix, field), "fen"), "must not be negative");
}

}  // namespace

absl::CivilDay ReportDeadline(int year) { return absl::CivilDay(year + 1, 6, 30); }

bool PublishesAnnualReports(v1::SubjectType type) {
  return type == v1::SUBJECT_TYPE_ENTERPRISE || type == v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS ||
         type == v1::SUBJECT_TYPE_FARMERS_COOPERATIVE;
}

void CheckAnnualReport(FieldViolations& v, std::string_view prefix, const v1::AnnualReport& r,
                       absl::CivilDay today) {
  const int last_year = static_cast<int>(today.year()) - 1;
  if (r.year() < 1900 || r.year() > last_year) {
    v.Add(Path(prefix, "year"),
          absl::StrCat("must be a year that has ended, 1900 to ", last_year, "; found ", r.year()));
  }
  if (!v1::OperatingState_IsValid(r.operating_state()) ||
      r.operating_state() == v1::OPERATING_STATE_UNSPECIFIED) {
    v.Add(Path(prefix, "operating_state"),
          absl::StrCat("must be OPERATING, SUSPENDED or LIQUIDATING; found ", r.operating_state()));
  }
  const std::string& postal = r.postal_code();
  if (postal.size() != AnnualReportLimits::kPostalCodeDigits ||
      !std::all_of(postal.begin(), postal.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    v.Add(Path(prefix, "postal_code"),
          absl::StrCat("must be 6 digits; found ", QuotedInput(postal, 12)));
  }
  if (r.employees() < 0) v.Add(Path(prefix, "employees"), "must not be negative");
  CheckMoney(v, prefix, "total_assets", r.total_assets());
  CheckMoney(v, prefix, "total_liabilities", r.total_liabilities());
  CheckMoney(v, prefix, "revenue", r.revenue());
  CheckMoney(v, prefix, "tax_paid", r.tax_paid());
  const std::string websites = Path(prefix, "websites");
  if (r.websites_size() > AnnualReportLimits::kWebsites) {
    v.Add(websites, absl::StrCat("has ", r.websites_size(), " entries, at most ",
                                 AnnualReportLimits::kWebsites));
    return;
  }
  std::set<std::string_view> seen;
  for (int i = 0; i < r.websites_size(); ++i) {
    const std::string item = absl::StrCat(websites, "[", i, "]");
    if (!CheckText(v, item, r.websites(i),
                   {.required = true, .max_chars = AnnualReportLimits::kWebsiteChars})) {
      continue;
    }
    if (!seen.insert(r.websites(i)).second) v.Add(item, "is a duplicate");
  }
}

v1::AnnualReport PublicReport(const v1::AnnualReport& report) {
  v1::AnnualReport shown = report;
  if (!shown.figures_public()) {
    shown.clear_employees();
    shown.clear_total_assets();
    shown.clear_total_liabilities();
    shown.clear_revenue();
    shown.clear_tax_paid();
  }
  return shown;
}

absl::StatusOr<ReportChange> PublishAnnualReport(std::string_view resource,
                                                 const v1::Subject& stored,
                                                 const v1::AnnualReport& report,
                                                 bool already_published, absl::Time now) {
  if (already_published) {
    return absl::AlreadyExistsError(
        absl::StrCat(AbslView(resource),
                     " is published already (a year is reported once; 更正 is not offered yet)"));
  }
  if (!PublishesAnnualReports(stored.type())) {
    return FailedPrecondition(resource, absl::StrCat("a subject of type ",
                                                     v1::SubjectType_Name(stored.type()),
                                                     " publishes no annual report here"));
  }
  if (stored.status() == v1::SUBJECT_STATUS_DEREGISTERED ||
      stored.status() == v1::SUBJECT_STATUS_MOVED_OUT) {
    return FailedPrecondition(resource, "the subject is deregistered or moved out");
  }
  // A subject registered without its day of establishment is not held to it.
  if (const int established = stored.established_on().year();
      established != 0 && report.year() < established) {
    return InvalidField("report.year",
                        absl::StrCat("is before the year of establishment, ", established));
  }
  const absl::CivilDay today = absl::ToCivilDay(now, BeijingTime());
  ReportChange change{.subject = stored, .report = report};
  // Output-only fields are the registry's, whatever the client sent.
  *change.report.mutable_published_on() = DateOf(today);
  change.report.set_late(today > ReportDeadline(report.year()));
  change.subject.set_last_report_year(std::max(stored.last_report_year(), report.year()));
  Touch(change.subject, now);
  *change.event.mutable_facts() = FactsOf(change.subject);
  *change.event.mutable_report() = PublicReport(change.report);
  return change;
}

}  // namespace jianguan::subject
