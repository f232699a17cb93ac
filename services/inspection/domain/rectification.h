// What follows a result with problems (后续处置): the order to rectify within a deadline
// (责令限期整改, 行政处罚法 第二十八条: 应当责令当事人改正或者限期改正违法行为) and its follow-up
// visit (回头看), which checks again only the check points that failed.
//
// - An order is issued once per task, only when its reviewed result lists
//   FOLLOW_UP_MEASURE_ORDER_RECTIFICATION; it names findings of that result (by default every
//   finding the ordering measures concern).
// - The follow-up task ("f-{task_id}", derived, so one per order) carries the original's
//   subject and lead department, only the departments, items and forms of those findings,
//   and the findings' check points as its scope (Task.check_points).
// - A follow-up is RECTIFIED only when none of its answers is a finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/inspection/v1/inspection.pb.h"

namespace jianguan::inspection {

/// "f-{task_id}": the follow-up task of an order on task `task_id`.
std::string FollowUpTaskId(std::string_view task_id);

/// The findings an order to rectify on `task` covers: `requested` (each must be a finding of
/// the result, else INVALID_ARGUMENT naming "check_points[i]"), or when empty every finding
/// of the ORDER_RECTIFICATION measures. FAILED_PRECONDITION when an order exists or the
/// result orders no rectification.
absl::StatusOr<std::vector<v1::Finding>> FindingsToRectify(
    const v1::Task& task, const google::protobuf::RepeatedPtrField<v1::CheckPointRef>& requested);

/// The follow-up task (state CREATED, source FOLLOW_UP, origin.follow_up_of the original)
/// checking `findings` of `original`, due on `due_date`, created by `actor` at `now`.
v1::Task FollowUpTaskOf(const v1::Task& original, const std::vector<v1::Finding>& findings,
                        const common::v1::Date& due_date, const common::v1::Actor& actor,
                        absl::Time now);

/// INVALID_ARGUMENT naming "outcome" unless it is RECTIFIED or NOT_RECTIFIED, and RECTIFIED
/// only when `digest` holds no finding.
absl::Status CheckFollowUpOutcome(v1::RectificationOutcome outcome, const v1::ResultDigest& digest);

}  // namespace jianguan::inspection
