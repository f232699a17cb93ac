#include "services/subject-registry/notification_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "services/subject-registry/domain/notification_rules.h"

namespace jianguan::subject {
namespace {

// "20261013": sorts as the day does.
std::string DueKey(const common::v1::Date& d) {
  return absl::StrFormat("%04d%02d%02d", d.year(), d.month(), d.day());
}

// The last segment of an index key: the notification's id.
std::string_view IdOfIndexKey(std::string_view key) {
  const size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

absl::StatusOr<v1::LicenceNotification> Parse(std::string_view key, std::string_view bytes) {
  v1::LicenceNotification n;
  if (!n.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("stored notification does not parse: ", AbslView(key)));
  }
  return n;
}

bool Matches(const v1::LicenceNotification& n, const NotificationFilter& f, absl::CivilDay today) {
  return n.department().code() == f.department &&
         (f.state == v1::NOTIFICATION_STATE_UNSPECIFIED || n.state() == f.state) &&
         (f.uscc.empty() || n.uscc() == f.uscc) && (!f.overdue_only || IsOverdue(n, today));
}

}  // namespace

std::vector<std::string> NotificationStore::Families() {
  return {kNotificationsFamily, kNotificationIndexFamily};
}

absl::StatusOr<std::optional<StoredNotification>> NotificationStore::Find(
    std::string_view id) const {
  ASSIGN_OR_RETURN(auto raw, store_.Get(kNotificationsFamily, id));
  if (!raw) return std::optional<StoredNotification>();
  ASSIGN_OR_RETURN(v1::LicenceNotification n, Parse(id, *raw));
  return std::optional<StoredNotification>(
      StoredNotification{.notification = std::move(n), .bytes = std::move(*raw)});
}

absl::StatusOr<std::vector<bool>> NotificationStore::Exist(
    const std::vector<std::string>& ids) const {
  std::vector<bool> exist(ids.size(), false);
  if (ids.empty()) return exist;
  const std::vector<std::string_view> keys(ids.begin(), ids.end());
  ASSIGN_OR_RETURN(auto raw, store_.MultiGet(kNotificationsFamily, keys));
  for (size_t i = 0; i < raw.size(); ++i) exist[i] = raw[i].has_value();
  return exist;
}

std::vector<std::string> NotificationStore::IndexKeys(const v1::LicenceNotification& n) {
  const std::string& department = n.department().code();
  const std::string due = DueKey(n.due_on());
  return {absl::StrCat("a/", department, "/", due, "/", n.id()),
          absl::StrCat("s/", department, "/", static_cast<int>(n.state()), "/", due, "/", n.id())};
}

void NotificationStore::Save(store::UnitOfWork& work, const StoredNotification* before,
                             const v1::LicenceNotification& after) const {
  work.Require(kNotificationsFamily, after.id(),
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  Write(work, before, after);
}

void NotificationStore::SaveWithNewSubject(store::UnitOfWork& work,
                                           const v1::LicenceNotification& after) const {
  Write(work, nullptr, after);
}

void NotificationStore::Write(store::UnitOfWork& work, const StoredNotification* before,
                              const v1::LicenceNotification& after) {
  std::vector<std::string> new_keys = IndexKeys(after);
  if (before) {
    for (std::string& old_key : IndexKeys(before->notification)) {
      if (std::find(new_keys.begin(), new_keys.end(), old_key) == new_keys.end()) {
        work.Delete(kNotificationIndexFamily, std::move(old_key));
      }
    }
  }
  for (std::string& key : new_keys) work.Put(kNotificationIndexFamily, std::move(key), "");
  // `overdue` is computed per answer, never stored: a stored value would go stale by itself.
  v1::LicenceNotification stored = after;
  stored.clear_overdue();
  work.Put(kNotificationsFamily, after.id(), stored.SerializeAsString());
}

absl::StatusOr<NotificationPage> NotificationStore::List(const NotificationFilter& filter,
                                                         absl::CivilDay today, int page_size,
                                                         std::string_view page_token,
                                                         int examine_limit) const {
  if (!filter.uscc.empty()) return ListOfSubject(filter, today, page_size, page_token);
  const std::string prefix =
      filter.state == v1::NOTIFICATION_STATE_UNSPECIFIED
          ? absl::StrCat("a/", filter.department, "/")
          : absl::StrCat("s/", filter.department, "/", static_cast<int>(filter.state), "/");
  NotificationPage page;
  std::string token(page_token);
  int examined = 0;
  // As SubjectStore::List: each scan asks for no more entries than are still wanted, so the
  // scan's own token continues exactly after the last entry looked at.
  while (static_cast<int>(page.notifications.size()) < page_size && examined < examine_limit) {
    const int want = std::min(page_size - static_cast<int>(page.notifications.size()),
                              examine_limit - examined);
    ASSIGN_OR_RETURN(store::Page scanned,
                     store_.Scan(kNotificationIndexFamily, prefix, want, token));
    examined += static_cast<int>(scanned.entries.size());
    std::vector<std::string_view> ids;
    ids.reserve(scanned.entries.size());
    for (const store::Entry& entry : scanned.entries) ids.push_back(IdOfIndexKey(entry.key));
    ASSIGN_OR_RETURN(auto raw, store_.MultiGet(kNotificationsFamily, ids));
    for (size_t i = 0; i < raw.size(); ++i) {
      if (!raw[i]) continue;  // an index entry of a notification being written
      ASSIGN_OR_RETURN(v1::LicenceNotification n, Parse(ids[i], *raw[i]));
      // The record decides: an entry read just before a concurrent change may be stale.
      if (!Matches(n, filter, today)) continue;
      page.notifications.push_back(AsOf(std::move(n), today));
    }
    token = scanned.next_page_token;
    if (token.empty()) break;
  }
  page.next_page_token = token;
  return page;
}

absl::StatusOr<NotificationPage> NotificationStore::ListOfSubject(
    const NotificationFilter& filter, absl::CivilDay today, int page_size,
    std::string_view page_token) const {
  // A subject has at most one notification per licence kind: read them all and page here.
  // The token is "u/<due>/<id>" of the last one answered.
  std::string after;
  if (!page_token.empty()) {
    if (!page_token.starts_with("u/")) {
      return absl::InvalidArgumentError("page.page_token: not made by a list of this subject");
    }
    after = std::string(page_token.substr(2));
  }
  std::vector<std::pair<std::string, v1::LicenceNotification>> found;
  absl::Status parsed;
  RETURN_IF_ERROR(store_.ForEach(
      kNotificationsFamily, absl::StrCat(filter.uscc, "."),
      [&](std::string_view key, std::string_view value) {
        absl::StatusOr<v1::LicenceNotification> n = Parse(key, value);
        if (!n.ok()) {
          parsed = n.status();
          return false;
        }
        if (Matches(*n, filter, today)) {
          std::string order = absl::StrCat(DueKey(n->due_on()), "/", n->id());
          if (order > after) found.emplace_back(std::move(order), *std::move(n));
        }
        return true;
      }));
  RETURN_IF_ERROR(parsed);
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  NotificationPage page;
  for (size_t i = 0; i < found.size(); ++i) {
    if (static_cast<int>(i) == page_size) {  // page_size ≥ 1 (libs/write/paging.h)
      page.next_page_token = absl::StrCat("u/", found[i - 1].first);
      break;
    }
    page.notifications.push_back(AsOf(std::move(found[i].second), today));
  }
  return page;
}

absl::StatusOr<UnclaimedCounts> NotificationStore::Unclaimed(std::string_view department,
                                                             absl::CivilDay today) const {
  const std::string prefix = absl::StrCat("s/", AbslView(department), "/",
                                          static_cast<int>(v1::NOTIFICATION_STATE_RAISED), "/");
  const std::string today_key = absl::StrFormat("%04d%02d%02d", today.year(), today.month(),
                                                today.day());
  UnclaimedCounts counts;
  RETURN_IF_ERROR(store_.ForEach(kNotificationIndexFamily, prefix,
                                 [&](std::string_view key, std::string_view) {
                                   ++counts.unclaimed;
                                   // "<due>/<id>" after the prefix: overdue once due < today.
                                   if (key.substr(prefix.size(), 8) < today_key) ++counts.overdue;
                                   return true;
                                 }));
  return counts;
}

}  // namespace jianguan::subject
