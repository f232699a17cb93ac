// Dual notification (双告知, 国发〔2015〕62号): a registration whose business needs a licence
// after registration (先照后证) is pushed to the department that approves that licence, which
// claims it (认领) within 5 working days (义乌's rule: data/SOURCES.md), passes it on (转办) when
// it is not its own, and sees it closed (办结) when the licence is granted.
//
//   NotificationRules rules(requirements, departments, calendar);
//   for (const LicenceNeed& need : rules.NewNeeds(&before, after, today)) {
//     ASSIGN_OR_RETURN(std::optional<RaisedNotification> raised, rules.Raise(after, need, today));
//     ...
//   }
//
// The state machine (every other step is FAILED_PRECONDITION naming the field `state`):
//   RAISED ──claim (its department)──▶ CLAIMED
//   RAISED ──pass to another department──▶ RAISED there (raised_on today, a new due day)
//   RAISED | CLAIMED ──licence of the kind granted (VALID)──▶ CLOSED (final)
//
// Plain values in and out: no gRPC, Kafka or RocksDB. Thread-safe: immutable once built.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/calendar.h"
#include "libs/core/caller.h"
#include "libs/core/field_violations.h"
#include "services/subject-registry/domain/licence_requirements.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {

/// Working days an approving department has to claim a notification (认领期限): 义乌市事中事后
/// 监管中心暨"一网通管"行政执法监管平台建设方案 (2019), 三(三)2: "在5个工作日内100%认领接收".
inline constexpr int kClaimWorkingDays = 5;
/// The most passes one notification keeps; a longer chain is refused (FAILED_PRECONDITION).
inline constexpr int kMaxPasses = 20;
/// A pass's reason, in characters.
inline constexpr size_t kPassReasonChars = 500;
/// The market-regulation department's kind: it takes what no approving department can.
inline constexpr std::string_view kMarketRegulationKind = "SCJG";

/// Department codes of the catalogue ("330782-SCJG"), as the wiring read them.
using DepartmentCodes = std::set<std::string, std::less<>>;

/// "<uscc>.<kind code>": one notification per subject and licence kind.
std::string NotificationId(std::string_view uscc, std::string_view kind_code);
/// "notifications/<id>", the resource name.
std::string NotificationName(std::string_view id);
/// The USCC an id starts with ("" when `id` has no '.').
std::string_view UsccOfNotification(std::string_view id);

/// The department of `kind` responsible for `region` (GB/T 2260, 6 digits): "<region>-<kind>"
/// when the catalogue has it, else the city's ("<first 4 digits>00-<kind>"), else the
/// province's ("<first 2 digits>0000-<kind>"); nullopt when none of them is in `departments`.
std::optional<std::string> ResponsibleDepartment(std::string_view region, std::string_view kind,
                                                 const DepartmentCodes& departments);

/// A notification as raised, and whether it went to market regulation because no approving
/// department of its kind is in the catalogue for the subject's region.
struct RaisedNotification {
  v1::LicenceNotification notification;
  bool unroutable = false;
};

/// Whether `n` missed its claim day as of `today`: unclaimed after due_on, or claimed (or,
/// never claimed, closed) after it.
bool IsOverdue(const v1::LicenceNotification& n, absl::CivilDay today);
/// `n` with `overdue` set as of `today` (LicenceNotification.overdue is computed per call).
v1::LicenceNotification AsOf(v1::LicenceNotification n, absl::CivilDay today);

class NotificationRules {
 public:
  /// `requirements` and `calendar` must outlive the rules.
  NotificationRules(const LicenceRequirements& requirements, DepartmentCodes departments,
                    const WorkingDayCalendar& calendar)
      : requirements_(requirements), departments_(std::move(departments)), calendar_(calendar) {}

  const LicenceRequirements& requirements() const { return requirements_; }
  bool IsDepartment(std::string_view code) const { return departments_.contains(code); }

  /// What `after` needs that calls for a notification: a kind its business needs now and
  /// did not need `before` (null: a new subject, which needed nothing), unless it holds a
  /// valid licence of that kind; nothing for a subject out of business (revoked,
  /// deregistered, moved out). Whether one was raised already is the store's to say.
  std::vector<LicenceNeed> NewNeeds(const v1::Subject* before, const v1::Subject& after,
                                    absl::CivilDay today) const;

  /// The notification `need` raises for `subject` today (version 1, RAISED): to the
  /// approving department (ResponsibleDepartment of the subject's registration region), else
  /// to market regulation with the trigger saying why (unroutable); nullopt when the
  /// catalogue has neither. Outside the calendar's years the due day counts Monday to
  /// Friday (DueDay).
  absl::StatusOr<std::optional<RaisedNotification>> Raise(const v1::Subject& subject,
                                                          const LicenceNeed& need,
                                                          absl::CivilDay today) const;

  /// Adds a violation for a pass's `to` (field "to.code") unless it is a department of the
  /// catalogue other than `from` (the caller's), and for a `reason` (field "reason") that is
  /// not 1–500 characters of UTF-8.
  void CheckPass(FieldViolations& v, std::string_view from, std::string_view to,
                 std::string_view reason) const;

  /// The claim (认领) by `caller` today. PERMISSION_DENIED unless the caller is the
  /// notification's department; FAILED_PRECONDITION unless it is RAISED.
  absl::StatusOr<v1::LicenceNotification> Claim(const v1::LicenceNotification& n,
                                                const Caller& caller, absl::CivilDay today) const;

  /// The pass (转办) by `caller` to `to` today: RAISED at `to`, raised_on today, due in
  /// kClaimWorkingDays, the pass appended. PERMISSION_DENIED unless the caller is the
  /// notification's department; FAILED_PRECONDITION unless RAISED, or when it holds
  /// kMaxPasses passes.
  absl::StatusOr<v1::LicenceNotification> Pass(const v1::LicenceNotification& n,
                                               const Caller& caller, std::string_view to,
                                               std::string_view reason,
                                               absl::CivilDay today) const;

  /// The notification closed (办结) by `licence` today, or nullopt when there is nothing to
  /// close: it is closed already, or the licence is not VALID (a suspended or expired licence
  /// recorded after the fact does not end the follow-up).
  static std::optional<v1::LicenceNotification> Close(const v1::LicenceNotification& n,
                                                      const v1::Licence& licence,
                                                      absl::CivilDay today);

 private:
  absl::StatusOr<common::v1::Date> DueDay(absl::CivilDay raised_on) const;

  const LicenceRequirements& requirements_;
  const DepartmentCodes departments_;
  const WorkingDayCalendar& calendar_;
};

/// The event announcing a change of `n` (NotificationRaised, …Claimed, …Passed, …Closed),
/// with the facts of `subject`.
template <typename Event>
Event NotificationEvent(const v1::Subject& subject, const v1::LicenceNotification& n) {
  Event event;
  *event.mutable_facts() = FactsOf(subject);
  *event.mutable_notification() = n;
  return event;
}

/// One-line summaries (摘要) for the subject's timeline.
std::string Summary(const v1::NotificationRaised& event);
std::string Summary(const v1::NotificationClaimed& event);
std::string Summary(const v1::NotificationPassed& event);
std::string Summary(const v1::NotificationClosed& event);

}  // namespace jianguan::subject
