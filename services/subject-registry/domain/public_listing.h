// What the public may see of a subject on the abnormal operation list or the serious
// violation list (企业信用信息公示, 企业信息公示暂行条例 第十七条): the list, reason, dates and
// deciding department, and the name, masked for a natural person (个人信息保护法 第四条:
// a person's name beside a list is personal information). Nothing else of the record.
#pragma once

#include <optional>

#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/public.pb.h"
#include "jianguan/subject/v1/subject.pb.h"

namespace jianguan::subject {

/// The subject status a public list shows; SUBJECT_STATUS_UNSPECIFIED for an unknown list.
v1::SubjectStatus StatusOfList(v1::PublicList list);

/// The Beijing day `subject` was put on the list it is on now: for the abnormal operation
/// list AbnormalListingDay (domain/clock_rules.h), else the day of the last status change into
/// its status; nullopt when the history has none.
std::optional<absl::CivilDay> ListedOn(const v1::Subject& subject);

/// The public listing of `subject`, or nullopt when it is on neither list.
std::optional<v1::PublicListing> PublicListingOf(const v1::Subject& subject);

}  // namespace jianguan::subject
