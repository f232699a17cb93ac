// SubjectRegistry: dual notifications (双告知, domain/notification_rules.h). Raised in the unit
// of work of the registration, update or import row that makes a subject need a licence;
// claimed (认领) or passed on (转办) by the department holding one; closed (办结) by the
// GrantLicence of its kind. Every change publishes its event, keyed by the subject's USCC as
// every registry event is, and enters the subject's timeline with the change.
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/caller.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/server/serve.h"
#include "libs/write/paging.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"

namespace jianguan::subject {
namespace {

// What one unit of work did to notifications, counted once it commits.
struct Tally {
  int64_t raised = 0, unroutable = 0, dropped = 0, claimed = 0, passed = 0, closed = 0;
};

// Counts `tally` on `metrics` when `work` becomes visible (never for a write that fails or a
// retry answered from the first commit), after whatever else waited for that moment.
void CountOnCommit(store::UnitOfWork& work, RegistryMetrics* metrics, const Tally& tally) {
  if (metrics == nullptr || (tally.raised | tally.dropped | tally.claimed | tally.passed |
                             tally.closed) == 0) {
    return;
  }
  work.OnVisible([then = work.on_visible(), metrics, tally] {
    if (then) then();
    metrics->CountNotifications("raised", tally.raised);
    metrics->CountNotifications("unroutable", tally.unroutable);
    metrics->CountNotifications("dropped", tally.dropped);
    metrics->CountNotifications("claimed", tally.claimed);
    metrics->CountNotifications("passed", tally.passed);
    metrics->CountNotifications("closed", tally.closed);
  });
}

// Queues the event announcing `n`'s change and its entry on the subject's timeline (the
// timeline consumer skips the registry's own events when they come back from Kafka).
template <typename Event>
void Announce(const EventEmitter& emitter, store::UnitOfWork& work, const v1::Subject& subject,
              const v1::LicenceNotification& n, absl::Time now) {
  const Event event = NotificationEvent<Event>(subject, n);
  emitter.Emit(work, subject.uscc(), event, now);
  const common::v1::OutboxEvent& queued = work.events().back();
  v1::TimelineEntry entry;
  entry.set_event_id(queued.id());
  entry.set_type(queued.type());
  *entry.mutable_time() = queued.time();
  entry.set_source(kServiceName);
  entry.set_topic(queued.topic());
  entry.set_summary(Summary(event));
  SubjectStore::AddTimelineEntry(work, subject.uscc(), entry, now);
}

absl::Status Off() {
  return absl::UnimplementedError(
      "dual notifications are off: the registry was started without its licence table");
}

}  // namespace

// --- Raising and closing, inside other writes ---------------------------------------------

absl::Status SubjectRegistryService::RaiseNotifications(store::UnitOfWork& work,
                                                        const v1::Subject* before,
                                                        const v1::Subject& after,
                                                        absl::Time now) const {
  if (notification_rules_ == nullptr) return absl::OkStatus();
  const absl::CivilDay today = absl::ToCivilDay(now, BeijingTime());
  const std::vector<LicenceNeed> needs = notification_rules_->NewNeeds(before, after, today);
  if (needs.empty()) return absl::OkStatus();
  // A new subject has no notification yet: they are only ever written with their subject.
  std::vector<bool> exist(needs.size(), false);
  if (before != nullptr) {
    std::vector<std::string> ids;
    for (const LicenceNeed& need : needs) {
      ids.push_back(NotificationId(after.uscc(), need.kind->code));
    }
    ASSIGN_OR_RETURN(exist, notices_.Exist(ids));
  }
  Tally tally;
  for (size_t i = 0; i < needs.size(); ++i) {
    if (exist[i]) continue;  // raised before, in whatever state: never twice
    ASSIGN_OR_RETURN(std::optional<RaisedNotification> raised,
                     notification_rules_->Raise(after, needs[i], today));
    if (!raised) {
      ++tally.dropped;
      continue;
    }
    if (before == nullptr) {
      notices_.SaveWithNewSubject(work, raised->notification);
    } else {
      notices_.Save(work, nullptr, raised->notification);
    }
    Announce<v1::NotificationRaised>(emitter_, work, after, raised->notification, now);
    ++tally.raised;
    if (raised->unroutable) ++tally.unroutable;
  }
  CountOnCommit(work, metrics_, tally);
  return absl::OkStatus();
}

absl::Status SubjectRegistryService::RaiseImportNotifications(
    store::UnitOfWork& work, const std::vector<ImportedSubject>& writes,
    const std::vector<std::optional<StoredSubject>>& found, absl::Time now) const {
  if (notification_rules_ == nullptr) return absl::OkStatus();
  const absl::CivilDay today = absl::ToCivilDay(now, BeijingTime());
  struct Candidate {
    const v1::Subject* subject;
    LicenceNeed need;
    int checked = -1;  // index into `ids` when the store must say whether it exists
  };
  std::vector<Candidate> candidates;
  std::vector<std::string> ids;
  for (const ImportedSubject& row : writes) {
    const v1::Subject* before = row.stored < 0 ? nullptr : &found[row.stored]->subject;
    for (LicenceNeed& need : notification_rules_->NewNeeds(before, row.subject, today)) {
      Candidate& c =
          candidates.emplace_back(Candidate{.subject = &row.subject, .need = std::move(need)});
      // Only a changed subject can have one already (see RaiseNotifications).
      if (before != nullptr) {
        c.checked = static_cast<int>(ids.size());
        ids.push_back(NotificationId(row.subject.uscc(), c.need.kind->code));
      }
    }
  }
  if (candidates.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const std::vector<bool> exist, notices_.Exist(ids));  // one batched read
  Tally tally;
  for (const Candidate& c : candidates) {
    if (c.checked >= 0 && exist[c.checked]) continue;
    ASSIGN_OR_RETURN(std::optional<RaisedNotification> raised,
                     notification_rules_->Raise(*c.subject, c.need, today));
    if (!raised) {
      ++tally.dropped;
      continue;
    }
    if (c.checked < 0) {
      notices_.SaveWithNewSubject(work, raised->notification);
    } else {
      notices_.Save(work, nullptr, raised->notification);
    }
    Announce<v1::NotificationRaised>(emitter_, work, *c.subject, raised->notification, now);
    ++tally.raised;
    if (raised->unroutable) ++tally.unroutable;
  }
  CountOnCommit(work, metrics_, tally);
  return absl::OkStatus();
}

absl::Status SubjectRegistryService::CloseNotification(store::UnitOfWork& work,
                                                       const v1::Subject& subject,
                                                       const v1::Licence& licence,
                                                       absl::Time now) const {
  if (notification_rules_ == nullptr) return absl::OkStatus();
  const LicenceKind* kind = notification_rules_->requirements().FindByLicence(licence.kind());
  if (kind == nullptr) return absl::OkStatus();  // a licence no registration is told about
  ASSIGN_OR_RETURN(std::optional<StoredNotification> stored,
                   notices_.Find(NotificationId(subject.uscc(), kind->code)));
  if (!stored) return absl::OkStatus();
  std::optional<v1::LicenceNotification> closed = NotificationRules::Close(
      stored->notification, licence, absl::ToCivilDay(now, BeijingTime()));
  if (!closed) return absl::OkStatus();
  notices_.Save(work, &*stored, *closed);
  Announce<v1::NotificationClosed>(emitter_, work, subject, *closed, now);
  CountOnCommit(work, metrics_, {.closed = 1});
  return absl::OkStatus();
}

// --- ListNotifications --------------------------------------------------------------------

grpc::Status SubjectRegistryService::ListNotifications(
    grpc::ServerContext* context, const v1::ListNotificationsRequest* request,
    v1::ListNotificationsResponse* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return ListNotices(caller, *request); });
}

absl::StatusOr<v1::ListNotificationsResponse> SubjectRegistryService::ListNotices(
    const Caller& caller, const v1::ListNotificationsRequest& request) const {
  if (notification_rules_ == nullptr) return Off();
  FieldViolations v;
  CheckText(v, "department.code", request.department().code(),
            {.max_chars = SubjectLimits::kDepartmentCode});
  if (!v1::NotificationState_IsValid(request.state())) v.Add("state", "is not a known state");
  if (!request.uscc().empty()) {
    if (auto status = ValidateUscc(request.uscc()); !status.ok()) {
      v.Add("uscc", StdView(status.message()));
    }
  }
  absl::StatusOr<int> page_size = PageSize(request.page());
  if (!page_size.ok()) v.Add("page.page_size", "must not be negative");
  RETURN_IF_ERROR(v.ToStatus());
  // Department isolation (docs/security.md): one's own notifications; another department's
  // only with the role oversight (监督).
  const std::string& asked = request.department().code();
  const std::string department = asked.empty() ? caller.department : asked;
  if (department != caller.department && !caller.HasRole(roles::kOversight)) {
    return absl::PermissionDeniedError(
        absl::StrCat("department.code: ", caller.department, " reads its own notifications; ",
                     QuotedInput(department, 64), "'s need the role ",
                     AbslView(roles::kOversight)));
  }
  const absl::CivilDay today = Today();
  ASSIGN_OR_RETURN(NotificationPage page,
                   notices_.List({.department = department,
                                  .state = request.state(),
                                  .overdue_only = request.overdue_only(),
                                  .uscc = request.uscc()},
                                 today, *page_size, request.page().page_token()));
  ASSIGN_OR_RETURN(const UnclaimedCounts counts, notices_.Unclaimed(department, today));
  v1::ListNotificationsResponse out;
  for (v1::LicenceNotification& n : page.notifications) *out.add_notifications() = std::move(n);
  out.mutable_page()->set_next_page_token(std::move(page.next_page_token));
  out.set_unclaimed(counts.unclaimed);
  out.set_overdue(counts.overdue);
  return out;
}

// --- ClaimNotification / PassNotification -------------------------------------------------

namespace {

// A notification id as the registry makes them: "<valid USCC>.<a kind of the table>".
void CheckNotificationId(FieldViolations& v, const LicenceRequirements& table,
                         std::string_view id) {
  if (!CheckText(v, "notification_id", id, {.required = true, .max_chars = 64})) return;
  const std::string_view uscc = UsccOfNotification(id);
  if (uscc.empty() || !ValidateUscc(uscc).ok() ||
      table.FindByCode(id.substr(uscc.size() + 1)) == nullptr) {
    v.Add("notification_id",
          absl::StrCat(QuotedInput(id, 64), " is not <USCC>.<licence kind code>"));
  }
}

}  // namespace

grpc::Status SubjectRegistryService::ClaimNotification(grpc::ServerContext* context,
                                                       const v1::ClaimNotificationRequest* request,
                                                       v1::LicenceNotification* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return ClaimNotice(caller, *request); });
}

absl::StatusOr<v1::LicenceNotification> SubjectRegistryService::ClaimNotice(
    const Caller& caller, const v1::ClaimNotificationRequest& request) {
  if (notification_rules_ == nullptr) return Off();
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckNotificationId(v, notification_rules_->requirements(), request.notification_id());
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::LicenceNotification;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("ClaimNotification"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        const std::string& id = request.notification_id();
        Decision<Response> d{.resource = NotificationName(id)};
        ASSIGN_OR_RETURN(std::optional<StoredNotification> stored, notices_.Find(id));
        if (!stored) return ResourceNotFound(d.resource);
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(d.response, notification_rules_->Claim(
                                         stored->notification, caller,
                                         absl::ToCivilDay(now, BeijingTime())));
        ASSIGN_OR_RETURN(StoredSubject subject, Load(stored->notification.uscc()));
        notices_.Save(d.work, &*stored, d.response);
        Announce<v1::NotificationClaimed>(emitter_, d.work, subject.subject, d.response, now);
        CountOnCommit(d.work, metrics_, {.claimed = 1});
        return d;
      });
}

grpc::Status SubjectRegistryService::PassNotification(grpc::ServerContext* context,
                                                      const v1::PassNotificationRequest* request,
                                                      v1::LicenceNotification* response) {
  return Serve(context, response,
               [&](const Caller& caller) { return PassNotice(caller, *request); });
}

absl::StatusOr<v1::LicenceNotification> SubjectRegistryService::PassNotice(
    const Caller& caller, const v1::PassNotificationRequest& request) {
  if (notification_rules_ == nullptr) return Off();
  FieldViolations v;
  CheckRequestId(v, request.request_id());
  CheckNotificationId(v, notification_rules_->requirements(), request.notification_id());
  notification_rules_->CheckPass(v, caller.department, request.to().code(), request.reason());
  RETURN_IF_ERROR(v.ToStatus());
  using Response = v1::LicenceNotification;
  return writes_.Write<Response>(
      {.caller = caller, .method = methods_("PassNotification"),
       .request_id = request.request_id(), .request = request},
      [&]() -> absl::StatusOr<Decision<Response>> {
        const std::string& id = request.notification_id();
        Decision<Response> d{.resource = NotificationName(id)};
        ASSIGN_OR_RETURN(std::optional<StoredNotification> stored, notices_.Find(id));
        if (!stored) return ResourceNotFound(d.resource);
        const absl::Time now = clock_.Now();
        ASSIGN_OR_RETURN(d.response,
                         notification_rules_->Pass(stored->notification, caller,
                                                   request.to().code(), request.reason(),
                                                   absl::ToCivilDay(now, BeijingTime())));
        ASSIGN_OR_RETURN(StoredSubject subject, Load(stored->notification.uscc()));
        notices_.Save(d.work, &*stored, d.response);
        Announce<v1::NotificationPassed>(emitter_, d.work, subject.subject, d.response, now);
        CountOnCommit(d.work, metrics_, {.passed = 1});
        return d;
      });
}

}  // namespace jianguan::subject
