// The inspection service's tables (DESIGN.md §1.4, §4). One RocksDB, these families:
//
// | family         | key                                   | value                               |
// | -------------- | ------------------------------------- | ----------------------------------- |
// | tasks          | {task_id}                             | v1::Task (state, result, history)   |
// | forms          | {code}/{version, 10 digits}           | catalogue FormTemplate, published   |
// | forms_latest   | {code}                                | the newest published FormTemplate   |
// | evidence       | {sha256}                              | the file's bytes (content-addressed)|
// | task_evidence  | {task_id}/{sha256}                    | v1::EvidenceRef uploaded for a task |
// | published      | {task_id}/publications/{n}            | v1::PublicResult (一公开)           |
// | published_by   | p/{plan_id}/{inverted ms}/{pub}, u/{uscc}/{inverted ms}/{pub} | ""   |
// | registry_calls | {task_id}                             | subject ResolveCommitmentRequest    |
// | inspectors     | {inspector_id}                        | catalogue Inspector, newest version |
// | items          | {item_code}                           | catalogue RegulatoryItem: code,     |
// |                |                                       | name, parent_code, field, version   |
// | deadlines      | {YYYY-MM-DD}/{task_id}                | "" : an open task on time until that|
// |                |                                       | day (domain/deadlines.h OnTimeUntil)|
// | markers        | forms_generation                      | a count, raised by every change of  |
// |                |                                       | forms_latest                        |
// |                | deadlines_indexed                     | "1" once tasks before the index are |
// |                |                                       | in it (IndexDeadlines)              |
//
// Task ids are derived from their source (domain/task_assembly.h), so a replayed source event
// finds its task. A task is saved with a compare-and-set on its stored bytes, so two
// concurrent transitions of one task cannot both commit; the same write keeps the task's
// entry in `deadlines`, so counting overdue tasks reads only the overdue ones. `registry_calls` holds the
// ResolveCommitment calls still owed to the registry (written with CommitmentVerified,
// deleted by the dispatcher after the registry answered). `inspectors` and `items` are
// projections of the catalogue's events (PutIfNewer: newest version wins) that AssignTask
// reads (domain/assignment.h). `published_by` orders a scope's
// publications newest first (inverted publication time).
//
// Every drawn task is assembled from the latest forms, so they are kept parsed in memory and
// read again only when `markers/forms_generation` has moved (one point read per task instead of a
// scan and a parse of every form).
//
// Thread-safe: all state is in the store, but for that cache of the store's forms.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/store/store.h"
#include "services/inspection/domain/task_assembly.h"

namespace jianguan::inspection {

inline constexpr char kTasks[] = "tasks";
inline constexpr char kForms[] = "forms";
inline constexpr char kLatestForms[] = "forms_latest";
inline constexpr char kEvidence[] = "evidence";
inline constexpr char kTaskEvidence[] = "task_evidence";
inline constexpr char kPublished[] = "published";
inline constexpr char kPublishedBy[] = "published_by";
inline constexpr char kRegistryCalls[] = "registry_calls";
inline constexpr char kInspectors[] = "inspectors";
inline constexpr char kItems[] = "items";
inline constexpr char kDeadlines[] = "deadlines";
inline constexpr char kMarkers[] = "markers";

/// Item names (事项名称) by code.
using ItemNames = std::map<std::string, std::string>;

class InspectionStore {
 public:
  explicit InspectionStore(store::Store& store);

  static std::vector<std::string> Families();

  /// The task, nullopt when absent. With `pending`, what that unit writes (an earlier event
  /// of the consumer batch) comes before the store.
  absl::StatusOr<std::optional<v1::Task>> FindTask(
      std::string_view task_id, const store::UnitOfWork* pending = nullptr) const;
  /// The task or NOT_FOUND naming "tasks/{task_id}".
  absl::StatusOr<v1::Task> LoadTask(std::string_view task_id) const;
  /// Writes `task` into `work`, requiring the stored bytes to be `before`'s (absent when
  /// `before` is null).
  void SaveTask(store::UnitOfWork& work, const v1::Task& task, const v1::Task* before) const;
  /// How many open tasks are overdue on `today` (IsOverdue): reads the deadlines before it.
  absl::StatusOr<int64_t> CountOverdue(absl::CivilDay today) const;
  /// Puts the tasks stored before the deadline index existed into it, once per store (a
  /// scan of every task the first time, a point read after).
  absl::Status IndexDeadlines() const;
  /// Every task (reports, lists; the task count of a department is thousands, not millions).
  absl::StatusOr<std::vector<v1::Task>> AllTasks() const;

  /// One published form version, nullopt when unknown.
  absl::StatusOr<std::optional<catalogue::v1::FormTemplate>> FindForm(std::string_view code,
                                                                       int32_t version) const;
  /// The newest published version of every form (shared, read-only: kept until a form
  /// changes).
  absl::StatusOr<std::shared_ptr<const PublishedForms>> LatestForms() const;
  /// The task's forms at its versions, by code (forms unknown here are left out).
  absl::StatusOr<std::map<std::string, catalogue::v1::FormTemplate>> TaskForms(
      const v1::Task& task) const;
  /// Records a published form version (FormPublished): the version itself and, when newer,
  /// the latest (raising forms_generation). One form per unit of work.
  absl::Status PutForm(store::UnitOfWork& work, const catalogue::v1::FormTemplate& form) const;

  /// The catalogue's inspector / item as projected, nullopt when unknown.
  absl::StatusOr<std::optional<catalogue::v1::Inspector>> FindInspector(std::string_view id) const;
  absl::StatusOr<std::optional<catalogue::v1::RegulatoryItem>> FindItem(
      std::string_view code) const;
  /// The projected names of the task's items, by code (items never projected are left out).
  absl::StatusOr<ItemNames> ItemNamesOf(const v1::Task& task) const;
  /// Projects an inspector (InspectorRegistered, InspectorChanged) or an item version
  /// (ItemPublished, ItemRevised) unless a newer copy is stored.
  absl::Status PutInspector(store::UnitOfWork& work,
                            const catalogue::v1::Inspector& inspector) const;
  absl::Status PutItem(store::UnitOfWork& work, const catalogue::v1::RegulatoryItem& item) const;

  /// The evidence uploaded for a task, by SHA-256.
  absl::StatusOr<std::map<std::string, v1::EvidenceRef>> TaskEvidence(
      std::string_view task_id) const;
  /// Whether the content with this SHA-256 is stored.
  absl::StatusOr<bool> HasEvidence(std::string_view sha256) const;

  /// Writes a publication and its index entries.
  void PutPublication(store::UnitOfWork& work, const v1::PublicResult& result,
                      int64_t publish_millis) const;
  absl::StatusOr<std::optional<v1::PublicResult>> FindPublication(std::string_view name) const;
  /// A page of publications of a scope ("p/{plan_id}/" or "u/{uscc}/"), newest first.
  absl::StatusOr<std::pair<std::vector<v1::PublicResult>, std::string>> ListPublications(
      std::string_view scope, int page_size, std::string_view page_token) const;

  /// The ResolveCommitment calls still owed to the registry.
  absl::StatusOr<std::vector<subject::v1::ResolveCommitmentRequest>> PendingRegistryCalls() const;

  store::Store& store() const { return store_; }

 private:
  struct FormsCache;
  store::Store& store_;
  std::shared_ptr<FormsCache> forms_cache_;
};

/// "p/{plan_id}/" and "u/{uscc}/": the scopes of published_by.
std::string PlanScope(std::string_view plan);
std::string SubjectScope(std::string_view uscc);

}  // namespace jianguan::inspection
