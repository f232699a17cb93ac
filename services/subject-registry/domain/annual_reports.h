// Annual reports (年度报告): who publishes one, when it is due, what a valid one is, and
// what publishing it changes. Plain C++ over the contract's messages; the handler
// (subject_service_reports.cc) stores the report and the subject in one unit of work.
//
// Sources: 企业信息公示暂行条例 第八条 (an enterprise publishes the previous year's report from
// 1 January to 30 June) and 第九条 (its content; the figures of item 7 — employees, assets,
// liabilities, revenue, tax — are published only if the enterprise chooses);
// 个体工商户年度报告暂行办法 (工商总局令第69号) and 农民专业合作社年度报告公示暂行办法
// (工商总局令第70号) give individual businesses and farmers' cooperatives the same period.
//
//   FieldViolations v;
//   CheckAnnualReport(v, "report", request.report(), today);
//   ...
//   ASSIGN_OR_RETURN(auto change, PublishAnnualReport(resource, stored, report, on_file, now));
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/field_violations.h"

namespace jianguan::subject {

/// Bounds of AnnualReport (subject.proto), checked on input.
struct AnnualReportLimits {
  static constexpr int kWebsites = 20;
  static constexpr size_t kWebsiteChars = 200;
  /// 邮政编码: six digits (GB/T 18833 is not checked: the code of any post office is six
  /// digits, and the registry keeps no table of them).
  static constexpr size_t kPostalCodeDigits = 6;
};

/// The last day of the reporting period for `year`'s report: 30 June of the year after
/// (企业信息公示暂行条例 第八条). A report published after it is late (逾期报送).
absl::CivilDay ReportDeadline(int year);

/// Whether `type` publishes annual reports with the registry: enterprises, individual
/// businesses and farmers' cooperatives do (the three regulations above). A specific natural
/// person holds a licence, not a business registration, and has nothing to report here; a
/// public institution (事业单位) reports to its institution registration authority under
/// 事业单位登记管理暂行条例, not to market regulation. Neither is ever listed for a missing
/// report.
bool PublishesAnnualReports(v1::SubjectType type);

/// Adds a violation (under `prefix`, e.g. "report") for every bad field of a report as a
/// client sends it: year from 1900 to `today`'s year − 1 (the year reported has ended), a
/// known operating state, a six-digit postal code, no negative figure, at most 20 websites
/// of 1–200 characters each without duplicates. Output-only fields are not looked at.
void CheckAnnualReport(FieldViolations& v, std::string_view prefix, const v1::AnnualReport& r,
                       absl::CivilDay today);

/// The report as the public sees it (events, the profile): the figures of 第九条第七项
/// (employees, assets, liabilities, revenue, tax) cleared unless figures_public.
v1::AnnualReport PublicReport(const v1::AnnualReport& report);

/// What publishing a report changes.
struct ReportChange {
  /// The subject: last_report_year the larger of its own and the report's, version + 1.
  v1::Subject subject;
  /// The report as stored: published_on today (Beijing), late when after ReportDeadline.
  v1::AnnualReport report;
  /// Its announcement, with PublicReport.
  v1::AnnualReportPublished event;
};

/// PublishAnnualReport decided for `stored`, with `report` already checked by
/// CheckAnnualReport. `resource` names the report ("subjects/<uscc>/annualReports/2025").
/// ALREADY_EXISTS when `already_published` (a year is reported once; a correction is not part
/// of the contract yet); INVALID_ARGUMENT on report.year when it is before the year of
/// establishment; FAILED_PRECONDITION when the subject's type publishes no reports or the
/// subject is deregistered or moved out (it is no longer this registry's to report to).
absl::StatusOr<ReportChange> PublishAnnualReport(std::string_view resource,
                                                 const v1::Subject& stored,
                                                 const v1::AnnualReport& report,
                                                 bool already_published, absl::Time now);

}  // namespace jianguan::subject
