// The dual notifications' tables (双告知, domain/notification_rules.h): each notification, and
// the index entries a department's list and counts read, kept in the same unit of work as the
// record (and as the subject change that raised it).
//
// Families and keys:
//   notifications       <uscc>.<kind code>                         → v1::LicenceNotification
//                       (the key starts with the USCC, so a subject's notifications are one
//                        prefix scan, and the one of a kind one point read: de-duplication
//                        and closing on GrantLicence need no index of their own)
//   notification_index  a/<department>/<due yyyymmdd>/<id>          a department's, any state
//                       s/<department>/<state number>/<due>/<id>    a department's, by state
// Index values are empty; the id is the key's last segment. Both orders are by due day
// (认领期限), then id, as ListNotifications answers.
//
// Thread-safe as store::Store is; writes happen only through the caller's UnitOfWork.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/store/store.h"

namespace jianguan::subject {

inline constexpr char kNotificationsFamily[] = "notifications";
inline constexpr char kNotificationIndexFamily[] = "notification_index";

/// A stored notification and the exact bytes it was read from (for compare-and-set).
struct StoredNotification {
  v1::LicenceNotification notification;
  std::string bytes;
};

/// What ListNotifications asks for, as plain values (the department already resolved).
struct NotificationFilter {
  std::string department;
  v1::NotificationState state = v1::NOTIFICATION_STATE_UNSPECIFIED;
  bool overdue_only = false;
  std::string uscc;
};

struct NotificationPage {
  /// With `overdue` as of the day the list was asked for.
  std::vector<v1::LicenceNotification> notifications;
  std::string next_page_token;
};

/// A department's notifications waiting to be claimed (待认领), and of those the ones past
/// their due day (超期).
struct UnclaimedCounts {
  int64_t unclaimed = 0;
  int64_t overdue = 0;
};

class NotificationStore {
 public:
  /// The families the store must be opened with.
  static std::vector<std::string> Families();

  /// `store` must outlive this.
  explicit NotificationStore(store::Store& store) : store_(store) {}

  /// The notification, or nullopt. DATA_LOSS when the record does not parse.
  absl::StatusOr<std::optional<StoredNotification>> Find(std::string_view id) const;

  /// For each of `ids`, whether a notification is stored under it: one batched read.
  absl::StatusOr<std::vector<bool>> Exist(const std::vector<std::string>& ids) const;

  /// Adds to `work` the write of `after` with its index entries (those of `before` removed)
  /// and a precondition that the record is still `before` (absent when null).
  void Save(store::UnitOfWork& work, const StoredNotification* before,
            const v1::LicenceNotification& after) const;
  /// Save of a notification raised with a subject registered in the same `work`: no
  /// precondition of its own, none being needed. Notifications are only ever created in the
  /// unit of work of a write of their subject, so the new subject's own (absent) precondition
  /// already says there is none; an import saves one read per raised row at commit.
  void SaveWithNewSubject(store::UnitOfWork& work, const v1::LicenceNotification& after) const;

  /// One page of the notifications matching `filter`, by due day then id, `overdue` set as of
  /// `today`. At most `page_size`; fewer when `examine_limit` entries were looked at first
  /// (keep following the token). INVALID_ARGUMENT for a token not made by the same filter.
  absl::StatusOr<NotificationPage> List(const NotificationFilter& filter, absl::CivilDay today,
                                        int page_size, std::string_view page_token,
                                        int examine_limit = 20000) const;

  /// The department's unclaimed notifications and the overdue ones among them as of `today`,
  /// from the index alone.
  absl::StatusOr<UnclaimedCounts> Unclaimed(std::string_view department,
                                            absl::CivilDay today) const;

 private:
  static std::vector<std::string> IndexKeys(const v1::LicenceNotification& n);
  static void Write(store::UnitOfWork& work, const StoredNotification* before,
                    const v1::LicenceNotification& after);
  absl::StatusOr<NotificationPage> ListOfSubject(const NotificationFilter& filter,
                                                 absl::CivilDay today, int page_size,
                                                 std::string_view page_token) const;

  store::Store& store_;
};

}  // namespace jianguan::subject
