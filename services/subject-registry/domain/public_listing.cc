#include "services/subject-registry/domain/public_listing.h"

#include "absl/time/time.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/timestamps.h"
#include "services/subject-registry/domain/clock_rules.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {

v1::SubjectStatus StatusOfList(v1::PublicList list) {
  switch (list) {
    case v1::PUBLIC_LIST_ABNORMAL_OPERATION: return v1::SUBJECT_STATUS_ABNORMAL_OPERATION;
    case v1::PUBLIC_LIST_SERIOUS_VIOLATION: return v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
    default: return v1::SUBJECT_STATUS_UNSPECIFIED;
  }
}

namespace {

v1::PublicList ListOfStatus(v1::SubjectStatus status) {
  switch (status) {
    case v1::SUBJECT_STATUS_ABNORMAL_OPERATION: return v1::PUBLIC_LIST_ABNORMAL_OPERATION;
    case v1::SUBJECT_STATUS_SERIOUS_VIOLATION: return v1::PUBLIC_LIST_SERIOUS_VIOLATION;
    default: return v1::PUBLIC_LIST_UNSPECIFIED;
  }
}

// The last change into the subject's current status, if the history has one.
const v1::StatusChange* EntryIntoStatus(const v1::Subject& subject) {
  for (int i = subject.status_history_size() - 1; i >= 0; --i) {
    const v1::StatusChange& change = subject.status_history(i);
    if (change.to() == subject.status()) return &change;
  }
  return nullptr;
}

}  // namespace

std::optional<absl::CivilDay> ListedOn(const v1::Subject& subject) {
  if (subject.status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION) {
    return AbnormalListingDay(subject);
  }
  const v1::StatusChange* entry = EntryIntoStatus(subject);
  if (entry == nullptr || !entry->has_time()) return std::nullopt;
  return absl::ToCivilDay(FromTimestamp(entry->time()), BeijingTime());
}

std::optional<v1::PublicListing> PublicListingOf(const v1::Subject& subject) {
  const v1::PublicList list = ListOfStatus(subject.status());
  if (list == v1::PUBLIC_LIST_UNSPECIFIED) return std::nullopt;
  v1::PublicListing out;
  out.set_uscc(subject.uscc());
  if (subject.type() == v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON) {
    out.set_name(MaskPersonName(subject.name()));
    out.set_name_masked(true);
  } else {
    out.set_name(subject.name());
  }
  *out.mutable_registration_region() = subject.registration_region();
  out.set_list(list);
  if (list == v1::PUBLIC_LIST_ABNORMAL_OPERATION) out.set_reason(subject.abnormal_reason());
  const std::optional<absl::CivilDay> listed_on = ListedOn(subject);
  if (listed_on.has_value()) {
    *out.mutable_listed_on() = DateOf(*listed_on);
    if (list == v1::PUBLIC_LIST_ABNORMAL_OPERATION) *out.mutable_moves_on() = DateOf(SeriousViolationDay(*listed_on));
  }
  if (const v1::StatusChange* entry = EntryIntoStatus(subject); entry != nullptr) {
    *out.mutable_department() = entry->department();
  }
  return out;
}

}  // namespace jianguan::subject
