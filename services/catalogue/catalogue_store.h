// The catalogue's tables (DESIGN §3 "store"). Index entries are written in the same unit of
// work as their record, and every save is a compare-and-set against the bytes read, so two
// concurrent writers of one resource cannot both win.
//
// Families and keys:
//   departments      <code>                        → v1::Department
//   inspectors       <id>                          → v1::Inspector
//   inspector_index  d/<department>/<id>           → ""  (by department)
//                    c/<certificate number>        → id  (a certificate belongs to one person)
//   items            <code>/<version, 10 digits>   → v1::RegulatoryItem (one per version)
//   item_heads       <code>                        → v1::Lifecycle
//   item_claims      <code>/<department>           → v1::ItemClaim
//   forms            <code>/<version, 10 digits>   → v1::FormTemplate (one per version)
//   form_heads       <code>                        → v1::Lifecycle
// A published version is written once and never again: a lookup by (code, version) returns
// the bytes that were published.
//
// Listings scan their family (or the department index) in key order and filter in memory;
// the catalogue is small (thousands of items, tens of thousands of inspectors) and the
// services that draw from it keep their own projections.
//
// Thread-safe as store::Store is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/store/store.h"
#include "services/catalogue/domain/lifecycle.h"

namespace jianguan::catalogue {

inline constexpr char kDepartments[] = "departments";
inline constexpr char kInspectors[] = "inspectors";
inline constexpr char kInspectorIndex[] = "inspector_index";
inline constexpr char kItems[] = "items";
inline constexpr char kItemHeads[] = "item_heads";
inline constexpr char kItemClaims[] = "item_claims";
inline constexpr char kForms[] = "forms";
inline constexpr char kFormHeads[] = "form_heads";

/// A record and the exact bytes it was read from (for compare-and-set).
template <typename M>
struct Stored {
  M value;
  std::string bytes;
};

/// One page of a listing.
template <typename M>
struct ListPage {
  std::vector<M> entries;
  std::string next_page_token;
};

/// The key of one version: "<code>/<version, zero-padded to 10 digits>".
std::string VersionKey(std::string_view code, int32_t version);

/// A versioned table (items or forms): versions plus one lifecycle head per code.
template <typename M>
class VersionedTable {
 public:
  VersionedTable(store::Store& store, std::string versions, std::string heads)
      : store_(store), versions_(std::move(versions)), heads_(std::move(heads)) {}

  absl::StatusOr<std::optional<Stored<v1::Lifecycle>>> FindHead(std::string_view code) const;
  /// The head of `code`, or NOT_FOUND naming `resource`.
  absl::StatusOr<Stored<v1::Lifecycle>> RequireHead(std::string_view code,
                                                    std::string_view resource) const;
  /// The version asked for (0: the one in force, or else the draft) with its head; NOT_FOUND
  /// naming `resource` (or "<resource>/versions/<n>").
  absl::StatusOr<std::pair<M, v1::Lifecycle>> ReadVersion(std::string_view code,
                                                          int32_t version,
                                                          std::string_view resource) const;
  /// The latest version `head` names (the draft, when one is published); DATA_LOSS naming
  /// `resource` when it is missing.
  absl::StatusOr<M> LatestVersion(const v1::Lifecycle& head, std::string_view resource) const;
  /// The version, or nullopt.
  absl::StatusOr<std::optional<M>> FindVersion(std::string_view code, int32_t version) const;
  /// Writes a version. With `draft_bytes` it replaces the draft of that number (which must
  /// still be those bytes at commit); without, the version must be new.
  void SaveVersion(store::UnitOfWork& work, std::string_view code, int32_t version,
                   const M& record, const std::string* draft_bytes) const;
  /// Writes the head, requiring the stored head to be `before` (absent when null).
  void SaveHead(store::UnitOfWork& work, const Stored<v1::Lifecycle>* before,
                const v1::Lifecycle& after) const;
  /// Writes what a lifecycle step decided (lifecycle.h): its version — replacing `draft`,
  /// which must still be stored as read, when the step publishes a draft — and its head,
  /// requiring the stored head to be `before` (absent when null).
  void SaveStep(store::UnitOfWork& work, const Stored<v1::Lifecycle>* before,
                const VersionStep<M>& step, const M* draft) const;
  /// Heads in code order that `keep` accepts.
  absl::StatusOr<ListPage<v1::Lifecycle>> ListHeads(
      const std::function<bool(const v1::Lifecycle&)>& keep, int page_size,
      std::string_view page_token) const;

 private:
  store::Store& store_;
  std::string versions_;
  std::string heads_;
};

class CatalogueStore {
 public:
  /// The families the store must be opened with.
  static std::vector<std::string> Families();

  /// `store` must outlive this.
  explicit CatalogueStore(store::Store& store);

  absl::StatusOr<std::optional<Stored<v1::Department>>> FindDepartment(
      std::string_view code) const;
  /// Writes `after`, requiring the record to be `before` (absent when null).
  void SaveDepartment(store::UnitOfWork& work, const Stored<v1::Department>* before,
                      const v1::Department& after) const;
  absl::StatusOr<ListPage<v1::Department>> ListDepartments(
      const std::function<bool(const v1::Department&)>& keep, int page_size,
      std::string_view page_token) const;

  absl::StatusOr<std::optional<Stored<v1::Inspector>>> FindInspector(std::string_view id) const;
  /// The id of the inspector holding certificate `number`, or nullopt.
  absl::StatusOr<std::optional<std::string>> InspectorWithCertificate(
      std::string_view number) const;
  /// Writes `after` with its index entries (those of `before` removed); the certificate
  /// number must not be taken by someone else at commit.
  void SaveInspector(store::UnitOfWork& work, const Stored<v1::Inspector>* before,
                     const v1::Inspector& after) const;
  /// Inspectors in id order, of `department` when given, that `keep` accepts.
  absl::StatusOr<ListPage<v1::Inspector>> ListInspectors(
      std::string_view department, const std::function<bool(const v1::Inspector&)>& keep,
      int page_size, std::string_view page_token) const;

  const VersionedTable<v1::RegulatoryItem>& items() const { return items_; }
  const VersionedTable<v1::FormTemplate>& forms() const { return forms_; }

  /// Claims of one item; with an empty code, every claim.
  absl::StatusOr<std::vector<v1::ItemClaim>> ClaimsOf(std::string_view code) const;
  /// Every claim (for ListApplicableItems).
  absl::StatusOr<std::vector<v1::ItemClaim>> AllClaims() const;
  /// Writes a new claim; the commit fails if the department claimed the item already.
  void SaveClaim(store::UnitOfWork& work, const v1::ItemClaim& claim) const;

  /// True when no department, item and inspector is stored.
  absl::StatusOr<bool> Empty() const;

 private:
  store::Store& store_;
  VersionedTable<v1::RegulatoryItem> items_;
  VersionedTable<v1::FormTemplate> forms_;
};

}  // namespace jianguan::catalogue
