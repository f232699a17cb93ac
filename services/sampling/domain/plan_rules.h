// The rules of a sampling plan (抽查计划) as the API carries it: defaults, the shape every
// field must have, who may move it, the state machine, and the translation into the draw's
// plan (services/sampling/domain/sampling_plan.h) whose canonical JSON is hashed at approval.
// Plain rules over generated messages and a Caller: no store, no transport.
//
//   v1::Plan plan = request.plan();
//   ApplyPlanDefaults(plan);
//   FieldViolations v;
//   CheckPlan(v, "plan.", plan);
//   RETURN_IF_ERROR(v.ToStatus());
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "jianguan/common/v1/types.pb.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "libs/core/caller.h"
#include "libs/core/field_violations.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

/// Limits of a plan's fields.
struct PlanLimits {
  static constexpr int kMaxDepartments = 10;
  static constexpr int kMaxItemsPerDepartment = 50;
  static constexpr int kMaxFilterEntries = 200;
  static constexpr int kMaxFrequencyMonths = 120;
  static constexpr int kMaxInspectorsPerTask = 10;
  static constexpr int kMaxTasksPerInspector = 100000;
  static constexpr size_t kMaxTitleChars = 200;
  static constexpr size_t kMaxEntropyBytes = 256;
  static constexpr size_t kMaxEntropySourceChars = 500;
};

/// Fills what the caller left to the defaults: all 16 class rules (the given ones over the
/// Xi'an defaults, in stratum order), frequency 12 months, 2 inspectors a task, 50 tasks an
/// inspector, the inspection date = the period's first day, statuses = normal, abnormal
/// operation, serious violation. Rules with an unknown class name are kept for CheckPlan to
/// report.
void ApplyPlanDefaults(v1::Plan& plan);

/// Adds a violation (field = prefix + path) for every field of a defaulted plan that is
/// malformed. References (departments, items) are checked by the service against its
/// projections.
void CheckPlan(FieldViolations& v, std::string_view prefix, const v1::Plan& plan);

/// True when `plan_id` is 1–64 characters of 0-9 A-Z a-z . _ -.
bool IsPlanId(std::string_view plan_id);

/// The transitions. FAILED_PRECONDITION naming "plans/{id}" when `plan` is not in `from`.
absl::Status RequireState(const v1::Plan& plan, v1::PlanState from, std::string_view action);

/// Only the initiating department creates and moves its plan (the other participating
/// departments see it, but the plan is the initiator's act). PERMISSION_DENIED naming the
/// plan, the action and both departments otherwise.
absl::Status RequireInitiator(const Caller& caller, const v1::Plan& plan, std::string_view action);

/// The draw's plan for a defaulted, checked plan and its commitment (hex).
SamplingPlan AsDrawPlan(const v1::Plan& plan, const std::string& commitment);

/// What the filter of §2.3 reads of a subject, as views: the freeze of a province reads
/// millions from the candidate index without building a message for each.
struct SubjectFacets {
  int type = 0;    ///< jianguan.subject.v1.SubjectType
  int status = 0;  ///< jianguan.subject.v1.SubjectStatus
  std::string_view industry;
  std::string_view business_region;
  std::span<const std::string> tags;  ///< sorted
};

/// Whether a projected subject is in the plan's target (the filter of §2.3).
bool MatchesTarget(const v1::TargetFilter& target, const SubjectFacets& subject);
bool MatchesTarget(const v1::TargetFilter& target, const v1::ProjectedSubject& subject);
/// Whether the subject's business region is in the target's regions (all when it names none).
bool InTargetRegion(const v1::TargetFilter& target, std::string_view business_region);
/// Whether a subject with this status is a candidate at all: statuses the target names,
/// and never one whose status it does not name among revoked, deregistered or moved out.
bool IsCandidateStatus(const v1::TargetFilter& target, int status);

/// "YYYY-MM-DD"; true when the date exists in the Gregorian calendar.
std::string IsoDate(const common::v1::Date& date);
bool IsValidDate(const common::v1::Date& date);

/// The date `months` calendar months before `iso_date`: same day of the month, clamped to
/// the last day of the target month ("2026-05-31" − 3 = "2026-02-28").
std::string MonthsBefore(std::string_view iso_date, int months);
/// The date `months` calendar months after `iso_date`, clamped the same way
/// ("2026-01-31" + 1 = "2026-02-28").
std::string MonthsAfter(std::string_view iso_date, int months);

/// "plans/{plan_id}".
std::string PlanResource(std::string_view plan_id);

/// "enterprise", "individual_business", … : a subject type as plans and candidate filters
/// spell it (the enum name without its prefix, lower case).
std::string TypeName(int type);
/// "normal", "abnormal_operation", …
std::string StatusName(int status);

}  // namespace jianguan::sampling
