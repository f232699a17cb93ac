// What each write of the registry decides, as plain values: from the stored subject and the
// request, the subject after the change and the event that announces it (or why not). The
// handlers turn a SubjectChange into one unit of work (record, indexes, event, timeline);
// nothing here reads or writes the store.
//
//   ASSIGN_OR_RETURN(auto change, ChangeStatus(resource, before.subject, request, caller, now));
//   subjects_.Save(work, &before, change.subject);
//   Publish(work, change.subject, change.event);
//
// Every function is pure: same inputs, same answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/caller.h"

namespace jianguan::subject {

/// A subject after a change and the event announcing it (facts of the new version; an event
/// carries no ID number).
template <typename Event>
struct SubjectChange {
  v1::Subject subject;
  Event event;
};

/// The fields a re-imported row replaces: every updatable field and the licences.
const std::vector<std::string>& ImportedFields();

/// Version +1 and update_time `now`: every change of a stored subject.
void Touch(v1::Subject& subject, absl::Time now);

/// A new subject from what the client registered (NewSubject) and its SubjectRegistered.
SubjectChange<v1::SubjectRegistered> Register(const v1::Subject& input, absl::Time now);

/// The fields of `paths` copied from `input` into `stored`. When none of them differs the
/// subject is `stored` unchanged and the event names no changed field (nothing to write);
/// otherwise touched, with the changed fields named in the SubjectUpdated.
SubjectChange<v1::SubjectUpdated> Update(const v1::Subject& stored, const v1::Subject& input,
                                         const std::vector<std::string>& paths, absl::Time now);

/// UpdateSubject: Update after checking the version the client read; FAILED_PRECONDITION
/// on `resource` when `expected_version` is stale.
absl::StatusOr<SubjectChange<v1::SubjectUpdated>> UpdateAtVersion(
    std::string_view resource, const v1::Subject& stored, const v1::Subject& input,
    const std::vector<std::string>& paths, int64_t expected_version, absl::Time now);

/// What a status change depends on besides the subject, looked up by the handler.
struct StatusChangeFacts {
  /// For a subject listed for its unreported_year: whether that year's report is published.
  bool unreported_year_published = false;
};

/// A status transition (NextStatus) recorded in the status history by `caller`'s
/// department. FAILED_PRECONDITION on `resource` when expected_version (if not 0) is stale,
/// the history is full, the state machine refuses the action, or REMOVE_ABNORMAL is asked
/// for a listing of ANNUAL_REPORT_NOT_PUBLISHED whose unreported_year is still unpublished
/// (企业经营异常名录管理暂行办法 第十一条: removal on request once the missing report is
/// published; the clock's listings carry the year, a department's do not).
absl::StatusOr<SubjectChange<v1::SubjectStatusChanged>> ChangeStatus(
    std::string_view resource, const v1::Subject& stored,
    const v1::ChangeSubjectStatusRequest& request, const Caller& caller, absl::Time now,
    const StatusChangeFacts& facts = {});

/// `record` (a transition from the subject's status, already allowed) applied to `stored`:
/// status, reason, history, version, and the abnormal-list bookkeeping — entering the list
/// sets abnormal_listed_on to the Beijing day of `now` and clears the warning; every way out
/// (removal, serious violation list, revocation, deregistration, moving out) clears
/// abnormal_listed_on, serious_violation_warned_on and unreported_year.
SubjectChange<v1::SubjectStatusChanged> ApplyStatusChange(const v1::Subject& stored,
                                                          const v1::StatusChange& record,
                                                          absl::Time now);

/// A licence added. ALREADY_EXISTS when the subject holds one of the same kind and number;
/// FAILED_PRECONDITION when it holds the most licences allowed.
absl::StatusOr<SubjectChange<v1::LicenceGranted>> GrantLicence(std::string_view resource,
                                                               const v1::Subject& stored,
                                                               const v1::Licence& licence,
                                                               absl::Time now);

/// A commitment (信用承诺) recorded PENDING under the new `id`; whatever the client sent as
/// state, resolution note or resolve time is not taken. FAILED_PRECONDITION when the subject
/// holds the most commitments allowed.
absl::StatusOr<SubjectChange<v1::CommitmentRecorded>> RecordCommitment(
    std::string_view resource, const v1::Subject& stored, const v1::Commitment& commitment,
    std::string id, absl::Time now);

/// A pending commitment resolved FULFILLED or BREACHED. `resource` names the commitment:
/// NOT_FOUND when the subject has no such commitment, FAILED_PRECONDITION when it is
/// resolved already.
absl::StatusOr<SubjectChange<v1::CommitmentResolved>> ResolveCommitment(
    std::string_view resource, const v1::Subject& stored,
    const v1::ResolveCommitmentRequest& request, absl::Time now);

}  // namespace jianguan::subject
