// The case handling service's tables: leads, cases and the steps that built them, the
// documents of every case file, the gap-free document number sequences, on-site decisions and
// the public list of decisions.
//
// Families and keys (ids are the service's time-ordered ids, so key order is creation order):
//   leads                  <lead_id>                         → v1::Lead
//   lead_sources           <source_ref>                      → lead_id (one lead per transfer)
//   leads_by_department    <department>/<lead_id>            → "" (the holder; moves on accept)
//   cases                  <case_id>                         → v1::Case
//   cases_by_department    <department>/<case_id>            → ""
//   steps                  <case_id>/<version, 6 digits>     → v1::StoredStep
//   trail                  <case_id>/<version, 6 digits>     → the audit sequence of the step
//   documents              <case or decision id>/<n, 4 digits> → v1::Document (without PDF)
//   document_sequences     <prefix with kind>/<year>         → the last number given, decimal
//   decisions              <decision_id>                     → v1::OnSpotDecision
//   public_decisions       all/<order id>, department/<code>/<order id> → v1::PublicDecision
//
// Each write reads what it changes and requires, at commit, the bytes it read; a concurrent
// change fails the later commit (FAILED_PRECONDITION), which the caller answers or retries.
// Thread-safe as store::Store is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "jianguan/cases/v1/records.pb.h"
#include "libs/store/store.h"
#include "libs/store/unit_of_work.h"

namespace jianguan::cases {

inline constexpr char kLeadsFamily[] = "leads";
inline constexpr char kLeadSourcesFamily[] = "lead_sources";
inline constexpr char kLeadsByDepartmentFamily[] = "leads_by_department";
inline constexpr char kCasesFamily[] = "cases";
inline constexpr char kCasesByDepartmentFamily[] = "cases_by_department";
inline constexpr char kStepsFamily[] = "steps";
inline constexpr char kTrailFamily[] = "trail";
inline constexpr char kDocumentsFamily[] = "documents";
inline constexpr char kDocumentSequencesFamily[] = "document_sequences";
inline constexpr char kDecisionsFamily[] = "decisions";
inline constexpr char kPublicDecisionsFamily[] = "public_decisions";

/// A record as read and its stored bytes, for the precondition of the write that changes it.
template <typename M>
struct Stored {
  M record;
  std::string bytes;
};

class CaseStore {
 public:
  /// The families the store must be opened with.
  static std::vector<std::string> Families();

  explicit CaseStore(store::Store& store) : store_(store) {}

  absl::StatusOr<std::optional<Stored<v1::Lead>>> FindLead(std::string_view lead_id) const;
  /// The lead registered for `source_ref`, if any (work's pending writes first).
  absl::StatusOr<std::optional<std::string>> LeadIdOfSource(
      std::string_view source_ref, const store::UnitOfWork* work = nullptr) const;
  /// Adds `after` to `work`, requiring `before` (nullptr: a new lead, its source_ref, when
  /// set, not taken yet), with its department index moved when the holder changed.
  void SaveLead(store::UnitOfWork& work, const Stored<v1::Lead>* before,
                const v1::Lead& after) const;
  /// The leads `department` holds or is offered (TRANSFER_PENDING to it), in id order.
  absl::StatusOr<std::pair<std::vector<v1::Lead>, std::string>> LeadsOf(
      std::string_view department, int page_size, std::string_view page_token) const;

  absl::StatusOr<std::optional<Stored<v1::Case>>> FindCase(std::string_view case_id) const;
  /// Adds `after` to `work` (requiring `before`, nullptr: new), its step record under its
  /// version, the audit index of the write under the same key, and its document as the
  /// case file's last (number after.documents_size()).
  void SaveCase(store::UnitOfWork& work, const Stored<v1::Case>* before, const v1::Case& after,
                const v1::StoredStep& step, const v1::Document& document) const;
  /// The department's cases in id (filing) order.
  absl::StatusOr<std::pair<std::vector<v1::Case>, std::string>> CasesOf(
      std::string_view department, int page_size, std::string_view page_token) const;
  /// Calls `visit` for every case in id order until it returns false (DATA_LOSS for a
  /// record that does not parse).
  absl::Status ForEachCase(const std::function<bool(const v1::Case&)>& visit) const;
  /// Every stored step of the case, oldest first.
  absl::StatusOr<std::vector<v1::StoredStep>> StepsOf(std::string_view case_id) const;
  /// The audit record of the case's step `version`, checked (Store::IndexedAudit).
  absl::StatusOr<std::optional<common::v1::AuditRecord>> AuditOfStep(std::string_view case_id,
                                                                     int64_t version) const;

  /// The document "<owner_id>/<n>".
  absl::StatusOr<std::optional<v1::Document>> FindDocument(std::string_view owner_id,
                                                           int number) const;

  /// The next number of `sequence` ("金市监罚/2026"): the stored last + 1, with the
  /// precondition on the stored value and the new value added to `work`. Gap-free: the
  /// number exists exactly when the write that took it committed.
  absl::StatusOr<int64_t> TakeNumber(store::UnitOfWork& work, std::string_view sequence) const;

  absl::StatusOr<std::optional<v1::OnSpotDecision>> FindDecision(
      std::string_view decision_id) const;
  void SaveDecision(store::UnitOfWork& work, std::string_view decision_id,
                    const v1::OnSpotDecision& decision, const v1::Document& document) const;

  /// Adds a public decision under `order_id` (a new time-ordered id).
  void PublishDecision(store::UnitOfWork& work, std::string_view order_id,
                       const v1::PublicDecision& decision) const;
  /// Public decisions in order (all, or of `department` when not empty), from the page token
  /// on.
  absl::StatusOr<std::pair<std::vector<v1::PublicDecision>, std::string>> PublicDecisions(
      std::string_view department, int page_size, std::string_view page_token) const;

  store::Store& store() const { return store_; }

 private:
  store::Store& store_;
};

/// "{id}/{version, 6 digits}", the key of a case's step and of its audit index.
std::string StepKey(std::string_view case_id, int64_t version);

/// Whether `id` is an id this service makes (26 characters of Crockford's base32).
bool IsServiceId(std::string_view id);

/// The id part of "leads/{id}", "cases/{id}", "decisions/{id}".
std::string_view IdOf(std::string_view name);

}  // namespace jianguan::cases
