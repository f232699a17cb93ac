// The filled form (检查结果) and what follows from it: the checks SubmitResult makes, the
// findings (发现问题的检查要点) taken from the answers, the digest the events carry, the
// leads transferred to case handling and the abnormal-list proposal.
//
// A result is refused (INVALID_ARGUMENT, every bad field named, e.g.
// "result.answers[3].answer_code", "result.inspector_signatures") unless:
// - each participating department gives a known category of the mapping, 1–6 distinct
//   verification methods and 1–6 measures (NONE alone);
// - every check point of the task's forms (at the task's versions) that asks about the
//   task's items is answered once, with one of its allowed answers, a note when the answer is
//   a finding, and evidence listed in the result;
// - at least two of the task's inspectors sign (行政处罚法 第四十二条: 执法人员不得少于两人),
//   at least one per department;
// - the representative signs or the refusal is recorded, unless nobody could be met;
// - every evidence file was uploaded for this task;
// - the inspection date is real and not in the future;
// - a commitment verification gives FULFILLED or BREACHED, other tasks neither.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "services/inspection/domain/result_categories.h"

namespace jianguan::inspection {

/// What a result is checked against.
/// Each participating department's result, in the task's order.
using DepartmentResults = google::protobuf::RepeatedPtrField<v1::DepartmentResult>;

struct ResultContext {
  /// The task, before the submission.
  const v1::Task* task = nullptr;
  /// The task's forms at the versions it carries, by code.
  std::map<std::string, catalogue::v1::FormTemplate> forms;
  /// The evidence uploaded for the task, by SHA-256.
  std::map<std::string, v1::EvidenceRef> evidence;
  /// The category mapping.
  const ResultCategories* categories = nullptr;
  /// Today (Beijing).
  common::v1::Date today;
};

/// The result as accepted (categories completed from the mapping, output-only fields
/// cleared), or INVALID_ARGUMENT naming every bad field.
absl::StatusOr<v1::Result> CheckResult(const v1::Result& result, const ResultContext& context);

/// The digest of an accepted result: departments, findings (in answer order), counts,
/// signatures, the commitment verdict. Personal data (representative, witness) left out.
/// The departments' results of a correction (更正) checked as SubmitResult checks them
/// (violations on "departments[i]…"), with their categories resolved.
absl::StatusOr<DepartmentResults> CheckCorrectedDepartments(
    const DepartmentResults& departments,
    const ResultContext& context);

v1::ResultDigest DigestOf(const v1::Result& result, const ResultContext& context);

/// The most bytes a digest may have, serialized. The task's events carry it whole
/// (ResultSubmitted, ResultPublished; FollowUpCompleted and LeadTransferred its findings),
/// and an event carries at most 960,000 bytes (store::kMaxEventBytes; the handler asserts
/// the room left for the task summary and the evidence list). Every answer within its own
/// bounds can add up to more: a finding repeats its question and legal basis beside a note
/// of up to 2,000 characters.
inline constexpr size_t kMaxDigestBytes = 700'000;

/// INVALID_ARGUMENT on "result.answers" when `digest` is over kMaxDigestBytes.
absl::Status CheckDigestSize(const v1::ResultDigest& digest);

/// One LeadTransferred per TRANSFER_TO_CASE measure of the task's result_digest, numbered
/// "tasks/{id}/transfers/{n}" from 1 in department and measure order: the findings of the
/// measure's check points (all of its department's when none are named) and the evidence
/// of the result. Actor and time are left to the caller.
std::vector<v1::LeadTransferred> LeadTransfersOf(const v1::Task& task);

/// The abnormal-list proposal (列入经营异常名录建议) of a digest with an UNREACHABLE
/// department outcome (Zhejiang code 6), from the first such department.
std::optional<v1::AbnormalListingProposal> AbnormalListingOf(const v1::ResultDigest& digest);

}  // namespace jianguan::inspection
