#include "services/subject-registry/domain/notification_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::subject {
namespace {

bool InBusiness(const v1::Subject& s) {
  return s.status() == v1::SUBJECT_STATUS_NORMAL ||
         s.status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION ||
         s.status() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
}

std::string StateName(v1::NotificationState state) {
  return v1::NotificationState_Name(state);
}

absl::Status NotItsDepartment(const v1::LicenceNotification& n, const Caller& caller,
                              std::string_view what) {
  return absl::PermissionDeniedError(
      absl::StrCat(NotificationName(n.id()), " is with ", n.department().code(), ", not ",
                   caller.department, ": only that department may ", AbslView(what), " it"));
}

absl::Status NotRaised(const v1::LicenceNotification& n, std::string_view what) {
  return FailedPrecondition(
      NotificationName(n.id()),
      absl::StrCat("state is ", StateName(n.state()), ": only a NOTIFICATION_STATE_RAISED "
                   "notification can be ", AbslView(what)));
}

}  // namespace

std::string NotificationId(std::string_view uscc, std::string_view kind_code) {
  return absl::StrCat(AbslView(uscc), ".", AbslView(kind_code));
}

std::string NotificationName(std::string_view id) {
  return absl::StrCat("notifications/", AbslView(id));
}

std::string_view UsccOfNotification(std::string_view id) {
  const size_t dot = id.find('.');
  return dot == std::string_view::npos ? std::string_view() : id.substr(0, dot);
}

std::optional<std::string> ResponsibleDepartment(std::string_view region, std::string_view kind,
                                                 const DepartmentCodes& departments) {
  if (region.size() != 6) return std::nullopt;
  // County, city, province: GB/T 2260 codes carry their parents in their digits.
  for (const std::string& level : {std::string(region),
                                   absl::StrCat(AbslView(region.substr(0, 4)), "00"),
                                   absl::StrCat(AbslView(region.substr(0, 2)), "0000")}) {
    std::string code = absl::StrCat(level, "-", AbslView(kind));
    if (departments.contains(code)) return code;
  }
  return std::nullopt;
}

bool IsOverdue(const v1::LicenceNotification& n, absl::CivilDay today) {
  if (!n.has_due_on()) return false;
  const absl::CivilDay due = DayOf(n.due_on());
  switch (n.state()) {
    case v1::NOTIFICATION_STATE_RAISED:
      return today > due;
    case v1::NOTIFICATION_STATE_CLAIMED:
      return DayOf(n.claimed_on()) > due;
    case v1::NOTIFICATION_STATE_CLOSED:
      return n.has_claimed_on() ? DayOf(n.claimed_on()) > due : DayOf(n.closed_on()) > due;
    default:
      return false;
  }
}

v1::LicenceNotification AsOf(v1::LicenceNotification n, absl::CivilDay today) {
  n.set_overdue(IsOverdue(n, today));
  return n;
}

std::vector<LicenceNeed> NotificationRules::NewNeeds(const v1::Subject* before,
                                                     const v1::Subject& after,
                                                     absl::CivilDay today) const {
  if (!InBusiness(after)) return {};
  std::vector<LicenceNeed> needs = requirements_.Needs(after);
  std::vector<LicenceNeed> had;
  if (before != nullptr) had = requirements_.Needs(*before);
  std::erase_if(needs, [&](const LicenceNeed& need) {
    const bool needed_before = std::any_of(had.begin(), had.end(), [&](const LicenceNeed& h) {
      return h.kind == need.kind;
    });
    return needed_before || HoldsValidLicence(after, need.kind->licence_kind, today);
  });
  return needs;
}

absl::StatusOr<common::v1::Date> NotificationRules::DueDay(absl::CivilDay raised_on) const {
  absl::StatusOr<absl::CivilDay> due = calendar_.AddWorkingDays(raised_on, kClaimWorkingDays);
  if (due.ok()) return DateOf(*due);
  if (!absl::IsOutOfRange(due.status())) return due.status();
  // A day the calendar does not cover yet (the State Council publishes each year's holidays
  // in its last weeks): Monday to Friday count, Saturday and Sunday being the weekly rest
  // (国务院关于职工工作时间的规定 第七条), since a registration must not fail for want of
  // next year's holidays.
  // The day is fixed when raised; a calendar extended later does not move it.
  absl::CivilDay day = raised_on;
  for (int counted = 0; counted < kClaimWorkingDays;) {
    ++day;
    const absl::Weekday weekday = absl::GetWeekday(day);
    if (weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday) ++counted;
  }
  return DateOf(day);
}

absl::StatusOr<std::optional<RaisedNotification>> NotificationRules::Raise(
    const v1::Subject& subject, const LicenceNeed& need, absl::CivilDay today) const {
  const std::string_view region = subject.registration_region().code();
  RaisedNotification raised;
  std::string trigger = need.trigger;
  std::optional<std::string> department =
      ResponsibleDepartment(region, need.kind->department_kind, departments_);
  if (!department) {
    // Nobody to approve it here: market regulation, who registered the subject, takes it and
    // passes it on (转办) once it knows where it belongs.
    department = ResponsibleDepartment(region, kMarketRegulationKind, departments_);
    if (!department) return std::optional<RaisedNotification>();
    raised.unroutable = true;
    absl::StrAppend(&trigger, " (no approving department ", need.kind->department_kind,
                    " for region ", AbslView(region), " in the catalogue: raised to ",
                    AbslView(kMarketRegulationKind), ")");
  }
  v1::LicenceNotification& n = raised.notification;
  n.set_id(NotificationId(subject.uscc(), need.kind->code));
  n.set_uscc(subject.uscc());
  n.set_subject_name(subject.name());
  n.set_licence_kind_code(need.kind->code);
  n.set_licence_kind(need.kind->licence_kind);
  n.mutable_department()->set_code(*department);
  n.set_state(v1::NOTIFICATION_STATE_RAISED);
  n.set_trigger(std::move(trigger));
  *n.mutable_raised_on() = DateOf(today);
  absl::StatusOr<common::v1::Date> due = DueDay(today);
  if (!due.ok()) return due.status();
  *n.mutable_due_on() = *due;
  n.set_version(1);
  return std::optional<RaisedNotification>(std::move(raised));
}

void NotificationRules::CheckPass(FieldViolations& v, std::string_view from, std::string_view to,
                                  std::string_view reason) const {
  if (CheckText(v, "to.code", to,
                {.required = true, .max_chars = SubjectLimits::kDepartmentCode})) {
    if (!IsDepartment(to)) {
      v.Add("to.code", absl::StrCat(QuotedInput(to, 64), " is not a department of the catalogue"));
    } else if (to == from) {
      v.Add("to.code", "is the department passing it; pass it to another one");
    }
  }
  CheckText(v, "reason", reason, {.required = true, .max_chars = kPassReasonChars});
}

absl::StatusOr<v1::LicenceNotification> NotificationRules::Claim(const v1::LicenceNotification& n,
                                                                 const Caller& caller,
                                                                 absl::CivilDay today) const {
  if (caller.department != n.department().code()) return NotItsDepartment(n, caller, "claim");
  if (n.state() != v1::NOTIFICATION_STATE_RAISED) return NotRaised(n, "claimed");
  v1::LicenceNotification claimed = n;
  claimed.set_state(v1::NOTIFICATION_STATE_CLAIMED);
  *claimed.mutable_claimed_on() = DateOf(today);
  claimed.set_claimed_by(caller.user_id);
  claimed.set_version(n.version() + 1);
  return AsOf(std::move(claimed), today);
}

absl::StatusOr<v1::LicenceNotification> NotificationRules::Pass(const v1::LicenceNotification& n,
                                                                const Caller& caller,
                                                                std::string_view to,
                                                                std::string_view reason,
                                                                absl::CivilDay today) const {
  if (caller.department != n.department().code()) return NotItsDepartment(n, caller, "pass");
  if (n.state() != v1::NOTIFICATION_STATE_RAISED) return NotRaised(n, "passed");
  if (n.passes_size() >= kMaxPasses) {
    return FailedPrecondition(NotificationName(n.id()),
                              absl::StrCat("passes: it was passed ", n.passes_size(),
                                           " times, the most allowed; claim it"));
  }
  absl::StatusOr<common::v1::Date> due = DueDay(today);
  if (!due.ok()) return due.status();
  v1::LicenceNotification passed = n;
  v1::NotificationPass& pass = *passed.add_passes();
  *pass.mutable_from() = n.department();
  pass.mutable_to()->set_code(std::string(to));
  pass.set_reason(std::string(reason));
  *pass.mutable_passed_on() = DateOf(today);
  pass.set_user_id(caller.user_id);
  passed.mutable_department()->set_code(std::string(to));
  *passed.mutable_raised_on() = DateOf(today);
  *passed.mutable_due_on() = *due;
  passed.set_version(n.version() + 1);
  return AsOf(std::move(passed), today);
}

std::optional<v1::LicenceNotification> NotificationRules::Close(const v1::LicenceNotification& n,
                                                                const v1::Licence& licence,
                                                                absl::CivilDay today) {
  if (n.state() != v1::NOTIFICATION_STATE_RAISED && n.state() != v1::NOTIFICATION_STATE_CLAIMED) {
    return std::nullopt;
  }
  if (licence.status() != v1::LICENCE_STATUS_VALID) return std::nullopt;
  v1::LicenceNotification closed = n;
  closed.set_state(v1::NOTIFICATION_STATE_CLOSED);
  closed.set_licence_number(licence.number());
  *closed.mutable_closed_on() = DateOf(today);
  closed.set_version(n.version() + 1);
  return AsOf(std::move(closed), today);
}

std::string Summary(const v1::NotificationRaised& e) {
  return absl::StrCat("双告知推送 notification raised: ", e.notification().licence_kind(), " → ",
                      e.notification().department().code(), " (", e.notification().trigger(), ")");
}

std::string Summary(const v1::NotificationClaimed& e) {
  return absl::StrCat("双告知认领 notification claimed: ", e.notification().licence_kind(), " by ",
                      e.notification().department().code(),
                      e.notification().overdue() ? " (overdue)" : "");
}

std::string Summary(const v1::NotificationPassed& e) {
  const v1::LicenceNotification& n = e.notification();
  const std::string from = n.passes_size() > 0 ? n.passes(n.passes_size() - 1).from().code() : "";
  return absl::StrCat("双告知转办 notification passed: ", n.licence_kind(), " ", from, " → ",
                      n.department().code());
}

std::string Summary(const v1::NotificationClosed& e) {
  return absl::StrCat("双告知办结 notification closed: ", e.notification().licence_kind(), " ",
                      e.notification().licence_number());
}

}  // namespace jianguan::subject
