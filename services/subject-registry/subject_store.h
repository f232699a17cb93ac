// The registry's tables (DESIGN §3 "store"): subjects by USCC, the list indexes kept in the
// same unit of work as the record, and each subject's timeline (全景画像).
//
// Families and keys:
//   subjects       <uscc>                                   → v1::Subject
//   subject_index  n/<name>/<uscc>                          name prefix
//                  r/<registration region>/<uscc>           region prefix ("3307" = 金华)
//                  i/<section letter><industry code>/<uscc> industry prefix ("I", "I65")
//                  s/<status number>/<uscc>                 status, except normal (存续):
//                                                           most subjects are normal, so
//                                                           that filter scans `subjects`
//                                                           itself (StatusIndexed)
//                  g/<tag>/<uscc>                           tag
//                  l/<yyyymmdd>/<uscc>                      abnormal-list listing day
//                                                           (AbnormalListingDay), for the
//                                                           daily expiry run's scan
//                  (type has no index: it only narrows a scan of another index or of
//                   subjects, since a type matches a large share of all subjects)
//   timeline       <uscc>/<inverted ns, 16 hex>/<event id>  → v1::TimelineEntry, newest first
//   annual_reports <uscc>/<year>                            → v1::AnnualReport (年报)
//   clock_runs     <rule label>[/<run id>]                  → v1::ClockRun (clock_batches.h)
// Index values are empty; the USCC is the last 18 characters of a key.
//
// Thread-safe as store::Store is; writes happen only through the caller's UnitOfWork.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/store/store.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {

inline constexpr char kSubjectsFamily[] = "subjects";
inline constexpr char kIndexFamily[] = "subject_index";
inline constexpr char kTimelineFamily[] = "timeline";
inline constexpr char kAnnualReportsFamily[] = "annual_reports";
inline constexpr char kClockRunsFamily[] = "clock_runs";
/// Where the listing-day index of abnormal subjects starts in kIndexFamily.
inline constexpr char kListingIndexPrefix[] = "l/";

/// A stored subject and the exact bytes it was read from (for compare-and-set).
struct StoredSubject {
  v1::Subject subject;
  std::string bytes;
};

/// Whether subjects of `status` have `s/` index entries. Normal (存续) subjects, most of a
/// registry, have none: an entry for each would cost every import row a key, and a listing of
/// normal subjects reads about as many subjects through `subjects` as through such an index,
/// without a point read for each.
inline bool StatusIndexed(v1::SubjectStatus status) {
  return status != v1::SUBJECT_STATUS_NORMAL;
}

/// What a listing is filtered by (the contract's SubjectFilter, as plain values).
struct ListFilter {
  std::string name_prefix;
  std::string region_prefix;
  std::string industry_prefix;
  v1::SubjectType type = v1::SUBJECT_TYPE_UNSPECIFIED;
  v1::SubjectStatus status = v1::SUBJECT_STATUS_UNSPECIFIED;
  std::string tag;
};

struct SubjectPage {
  std::vector<v1::Subject> subjects;
  std::string next_page_token;
};

class SubjectStore {
 public:
  /// The families the store must be opened with (NotificationStore's included).
  static std::vector<std::string> Families();

  /// `store` and `rules` must outlive this.
  SubjectStore(store::Store& store, const SubjectRules& rules) : store_(store), rules_(rules) {}

  /// The subject, or nullopt. DATA_LOSS when the record does not parse.
  absl::StatusOr<std::optional<StoredSubject>> Find(std::string_view uscc) const;

  /// Find for many subjects in one batched read, in the order of `usccs`.
  absl::StatusOr<std::vector<std::optional<StoredSubject>>> FindMany(
      const std::vector<std::string_view>& usccs) const;

  /// Adds to `work` the write of `after` with its index entries (old entries of `before`
  /// removed) and a precondition that the record is still `before` (absent when null).
  void Save(store::UnitOfWork& work, const StoredSubject* before, const v1::Subject& after) const;

  /// Adds a timeline entry for `uscc` to `work`.
  static void AddTimelineEntry(store::UnitOfWork& work, std::string_view uscc,
                               const v1::TimelineEntry& entry, absl::Time time);

  /// Adds the timeline entry of one of the registry's own events, `queued` (as queued in
  /// the outbox) carrying `event`: the registry's events enter the timeline with the change
  /// itself, and the timeline consumer skips them when they come back from Kafka.
  static void AddOwnEvent(store::UnitOfWork& work, std::string_view uscc,
                          const common::v1::OutboxEvent& queued,
                          const google::protobuf::Message& event, absl::Time time);

  /// One page of subjects matching `filter` (see the class comment for the order). At most
  /// `page_size` subjects; fewer when `examine_limit` index entries were looked at first.
  /// INVALID_ARGUMENT for a page token not made by the same filter.
  absl::StatusOr<SubjectPage> List(const ListFilter& filter, int page_size,
                                   std::string_view page_token, int examine_limit = 20000) const;

  /// One page of a subject's timeline, newest first.
  absl::StatusOr<std::pair<std::vector<v1::TimelineEntry>, std::string>> Timeline(
      std::string_view uscc, int page_size, std::string_view page_token) const;

  /// True when no subject is stored.
  absl::StatusOr<bool> Empty() const;

  /// "<uscc>/<year>": the key of a report in kAnnualReportsFamily.
  static std::string ReportKey(std::string_view uscc, int year);
  /// "s/<status number>/<uscc>": the status index entry of a subject.
  static std::string StatusIndexKey(v1::SubjectStatus status, std::string_view uscc);
  /// "l/<yyyymmdd>/<uscc>": the listing-day index entry of an abnormal subject.
  static std::string ListingIndexKey(absl::CivilDay listed_on, std::string_view uscc);

  /// The subject's report for `year`, or nullopt. DATA_LOSS when it does not parse.
  absl::StatusOr<std::optional<v1::AnnualReport>> FindReport(std::string_view uscc,
                                                              int year) const;
  /// For each of `usccs` (one batched read), whether a report for `year` is stored.
  absl::StatusOr<std::vector<bool>> ReportsOnFile(const std::vector<std::string_view>& usccs,
                                                  int year) const;
  /// Adds to `work` the write of `report` of `uscc`, on condition that the year is not
  /// stored yet (two concurrent publications of one year: one commits).
  static void SaveReport(store::UnitOfWork& work, std::string_view uscc,
                         const v1::AnnualReport& report);

 private:
  std::vector<std::string> IndexKeys(const v1::Subject& s) const;
  store::Store& store_;
  const SubjectRules& rules_;
};

}  // namespace jianguan::subject
