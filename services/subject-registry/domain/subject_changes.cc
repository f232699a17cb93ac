#include "services/subject-registry/domain/subject_changes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/field_violations.h"
#include "libs/core/timestamps.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {

const std::vector<std::string>& ImportedFields() {
  static const auto* fields = [] {
    auto* paths = new std::vector<std::string>(UpdatableFields());
    paths->push_back("licences");
    return paths;
  }();
  return *fields;
}

void Touch(v1::Subject& subject, absl::Time now) {
  subject.set_version(subject.version() + 1);
  *subject.mutable_update_time() = ToTimestamp(now);
}

SubjectChange<v1::SubjectRegistered> Register(const v1::Subject& input, absl::Time now) {
  SubjectChange<v1::SubjectRegistered> change{.subject = NewSubject(input, now)};
  *change.event.mutable_facts() = FactsOf(change.subject);
  *change.event.mutable_subject() = PublicView(change.subject);
  return change;
}

SubjectChange<v1::SubjectUpdated> Update(const v1::Subject& stored, const v1::Subject& input,
                                         const std::vector<std::string>& paths, absl::Time now) {
  SubjectChange<v1::SubjectUpdated> change{.subject = stored};
  const std::vector<std::string> changed = ApplyUpdate(input, paths, change.subject);
  if (changed.empty()) return change;
  Touch(change.subject, now);
  *change.event.mutable_facts() = FactsOf(change.subject);
  *change.event.mutable_subject() = PublicView(change.subject);
  for (const std::string& path : changed) change.event.add_changed_fields(path);
  return change;
}

absl::StatusOr<SubjectChange<v1::SubjectUpdated>> UpdateAtVersion(
    std::string_view resource, const v1::Subject& stored, const v1::Subject& input,
    const std::vector<std::string>& paths, int64_t expected_version, absl::Time now) {
  if (stored.version() != expected_version) {
    return FailedPrecondition(resource, absl::StrCat("expected_version ", expected_version,
                                                     " is stale: the subject is at version ",
                                                     stored.version()));
  }
  return Update(stored, input, paths, now);
}

absl::StatusOr<SubjectChange<v1::SubjectStatusChanged>> ChangeStatus(
    std::string_view resource, const v1::Subject& stored,
    const v1::ChangeSubjectStatusRequest& request, const Caller& caller, absl::Time now,
    const StatusChangeFacts& facts) {
  if (request.expected_version() != 0 && request.expected_version() != stored.version()) {
    return FailedPrecondition(resource, "expected_version is stale");
  }
  if (stored.status_history_size() >= SubjectLimits::kStatusHistory) {
    return FailedPrecondition(resource, "the status history is full");
  }
  absl::StatusOr<v1::SubjectStatus> next =
      NextStatus(resource, stored, request.action(), request.reason());
  if (!next.ok()) return next.status();
  if (request.action() == v1::STATUS_ACTION_REMOVE_ABNORMAL &&
      stored.abnormal_reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED &&
      stored.unreported_year() != 0 && !facts.unreported_year_published) {
    return FailedPrecondition(
        resource, absl::StrCat("unreported_year: the annual report for ", stored.unreported_year(),
                               " is not published; publishing it later (补报) allows removal on "
                               "request"));
  }
  v1::StatusChange record;
  record.set_from(stored.status());
  record.set_to(*next);
  record.set_action(request.action());
  record.set_reason(request.reason());
  record.set_note(request.note());
  record.mutable_department()->set_code(caller.department);
  *record.mutable_time() = ToTimestamp(now);
  return ApplyStatusChange(stored, record, now);
}

SubjectChange<v1::SubjectStatusChanged> ApplyStatusChange(const v1::Subject& stored,
                                                          const v1::StatusChange& record,
                                                          absl::Time now) {
  SubjectChange<v1::SubjectStatusChanged> change{.subject = stored};
  *change.event.mutable_change() = record;
  v1::Subject& after = change.subject;
  after.set_status(record.to());
  const bool abnormal = record.to() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION;
  // The reason stays with the subject only while it is on the abnormal operation list.
  after.set_abnormal_reason(abnormal ? record.reason() : v1::ABNORMAL_REASON_UNSPECIFIED);
  // The 3-year clock (企业信息公示暂行条例 第十七条) runs from the listing day; a new listing
  // starts it afresh, and leaving the list in any way ends it.
  after.clear_serious_violation_warned_on();
  after.clear_unreported_year();
  if (abnormal) {
    *after.mutable_abnormal_listed_on() = DateOf(absl::ToCivilDay(now, BeijingTime()));
  } else {
    after.clear_abnormal_listed_on();
  }
  *after.add_status_history() = record;
  Touch(after, now);
  *change.event.mutable_facts() = FactsOf(after);
  return change;
}

absl::StatusOr<SubjectChange<v1::LicenceGranted>> GrantLicence(std::string_view resource,
                                                               const v1::Subject& stored,
                                                               const v1::Licence& licence,
                                                               absl::Time now) {
  for (const v1::Licence& held : stored.licences()) {
    if (held.kind() == licence.kind() && held.number() == licence.number()) {
      return absl::AlreadyExistsError(
          absl::StrCat(std::string(resource), " holds this licence already"));
    }
  }
  if (stored.licences_size() >= SubjectLimits::kLicences) {
    return FailedPrecondition(resource, "the subject holds the most licences allowed");
  }
  SubjectChange<v1::LicenceGranted> change{.subject = stored};
  *change.subject.add_licences() = licence;
  Touch(change.subject, now);
  *change.event.mutable_facts() = FactsOf(change.subject);
  *change.event.mutable_licence() = licence;
  return change;
}

absl::StatusOr<SubjectChange<v1::CommitmentRecorded>> RecordCommitment(
    std::string_view resource, const v1::Subject& stored, const v1::Commitment& commitment,
    std::string id, absl::Time now) {
  if (stored.commitments_size() >= SubjectLimits::kCommitments) {
    return FailedPrecondition(resource, "the subject holds the most commitments allowed");
  }
  SubjectChange<v1::CommitmentRecorded> change{.subject = stored};
  v1::Commitment& recorded = *change.event.mutable_commitment();
  recorded = commitment;
  recorded.set_id(std::move(id));
  recorded.set_state(v1::COMMITMENT_STATE_PENDING);
  recorded.clear_resolution_note();
  recorded.clear_resolve_time();
  *change.subject.add_commitments() = recorded;
  Touch(change.subject, now);
  *change.event.mutable_facts() = FactsOf(change.subject);
  return change;
}

absl::StatusOr<SubjectChange<v1::CommitmentResolved>> ResolveCommitment(
    std::string_view resource, const v1::Subject& stored,
    const v1::ResolveCommitmentRequest& request, absl::Time now) {
  SubjectChange<v1::CommitmentResolved> change{.subject = stored};
  v1::Commitment* commitment = nullptr;
  for (v1::Commitment& c : *change.subject.mutable_commitments()) {
    if (c.id() == request.commitment_id()) commitment = &c;
  }
  if (commitment == nullptr) return ResourceNotFound(resource);
  if (commitment->state() != v1::COMMITMENT_STATE_PENDING) {
    return FailedPrecondition(resource, "the commitment is resolved already");
  }
  commitment->set_state(request.outcome());
  commitment->set_resolution_note(request.note());
  *commitment->mutable_resolve_time() = ToTimestamp(now);
  *change.event.mutable_commitment() = *commitment;
  Touch(change.subject, now);
  *change.event.mutable_facts() = FactsOf(change.subject);
  return change;
}

}  // namespace jianguan::subject
