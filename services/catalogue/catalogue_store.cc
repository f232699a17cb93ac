#include "services/catalogue/catalogue_store.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::catalogue {
namespace {

// Stop a filtered listing after this many entries looked at; the page is then short and
// the token continues where it stopped.
constexpr int kExamineLimit = 20000;

template <typename M>
absl::StatusOr<std::optional<Stored<M>>> FindRecord(const store::Store& store,
                                                    std::string_view family,
                                                    std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, store.Get(family, key));
  if (!raw) return std::optional<Stored<M>>();
  Stored<M> stored;
  if (!stored.value.ParseFromString(*raw)) {
    return absl::DataLossError(absl::StrCat("stored record does not parse: ", AbslView(family),
                                            "/", AbslView(key)));
  }
  stored.bytes = std::move(*raw);
  return std::optional<Stored<M>>(std::move(stored));
}

template <typename M>
absl::StatusOr<M> Parse(std::string_view family, const store::Entry& entry) {
  M message;
  if (!message.ParseFromString(entry.value)) {
    return absl::DataLossError(absl::StrCat("stored record does not parse: ", AbslView(family),
                                            "/", entry.key));
  }
  return message;
}

// Pages through `prefix` of `family`, keeping what `resolve` returns. Scans only as many
// entries as the page still needs, so a page always ends on a scan page boundary and the
// store's token continues exactly after the last entry looked at.
template <typename M>
absl::StatusOr<ListPage<M>> ScanFiltered(
    const store::Store& store, std::string_view family, std::string_view prefix, int page_size,
    std::string_view page_token,
    const std::function<absl::StatusOr<std::optional<M>>(const store::Entry&)>& resolve) {
  ListPage<M> page;
  std::string token(page_token);
  int examined = 0;
  do {
    const int wanted = page_size - static_cast<int>(page.entries.size());
    ASSIGN_OR_RETURN(store::Page raw, store.Scan(family, prefix, wanted, token));
    for (const store::Entry& entry : raw.entries) {
      ASSIGN_OR_RETURN(std::optional<M> kept, resolve(entry));
      if (kept) page.entries.push_back(std::move(*kept));
    }
    examined += static_cast<int>(raw.entries.size());
    token = std::move(raw.next_page_token);
  } while (!token.empty() && static_cast<int>(page.entries.size()) < page_size &&
           examined < kExamineLimit);
  page.next_page_token = std::move(token);
  return page;
}

template <typename M>
std::function<absl::StatusOr<std::optional<M>>(const store::Entry&)> Keeping(
    std::string_view family, const std::function<bool(const M&)>& keep) {
  return [family, &keep](const store::Entry& entry) -> absl::StatusOr<std::optional<M>> {
    ASSIGN_OR_RETURN(M message, Parse<M>(family, entry));
    if (!keep(message)) return std::optional<M>();
    return std::optional<M>(std::move(message));
  };
}

std::string DepartmentIndexKey(std::string_view department, std::string_view id) {
  return absl::StrCat("d/", AbslView(department), "/", AbslView(id));
}

std::string CertificateKey(std::string_view number) {
  return absl::StrCat("c/", AbslView(number));
}

}  // namespace

std::string VersionKey(std::string_view code, int32_t version) {
  char padded[16];
  std::snprintf(padded, sizeof padded, "%010d", version);
  return absl::StrCat(AbslView(code), "/", padded);
}

template <typename M>
absl::StatusOr<std::optional<Stored<v1::Lifecycle>>> VersionedTable<M>::FindHead(
    std::string_view code) const {
  return FindRecord<v1::Lifecycle>(store_, heads_, code);
}

template <typename M>
absl::StatusOr<std::optional<M>> VersionedTable<M>::FindVersion(std::string_view code,
                                                                int32_t version) const {
  return store_.GetMessage<M>(versions_, VersionKey(code, version));
}

template <typename M>
void VersionedTable<M>::SaveVersion(store::UnitOfWork& work, std::string_view code,
                                    int32_t version, const M& record,
                                    const std::string* draft_bytes) const {
  const std::string key = VersionKey(code, version);
  work.Require(versions_, key,
               draft_bytes ? std::optional<std::string>(*draft_bytes) : std::nullopt);
  work.Put(versions_, key, record.SerializeAsString());
}

template <typename M>
void VersionedTable<M>::SaveHead(store::UnitOfWork& work, const Stored<v1::Lifecycle>* before,
                                 const v1::Lifecycle& after) const {
  work.Require(heads_, after.code(),
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  work.Put(heads_, after.code(), after.SerializeAsString());
}

template <typename M>
absl::StatusOr<ListPage<v1::Lifecycle>> VersionedTable<M>::ListHeads(
    const std::function<bool(const v1::Lifecycle&)>& keep, int page_size,
    std::string_view page_token) const {
  return ScanFiltered<v1::Lifecycle>(store_, heads_, "", page_size, page_token,
                                     Keeping<v1::Lifecycle>(heads_, keep));
}

template <typename M>
absl::StatusOr<Stored<v1::Lifecycle>> VersionedTable<M>::RequireHead(
    std::string_view code, std::string_view resource) const {
  ASSIGN_OR_RETURN(auto head, FindHead(code));
  if (!head) return ResourceNotFound(resource);
  return std::move(*head);
}

template <typename M>
absl::StatusOr<std::pair<M, v1::Lifecycle>> VersionedTable<M>::ReadVersion(
    std::string_view code, int32_t version, std::string_view resource) const {
  ASSIGN_OR_RETURN(Stored<v1::Lifecycle> head, RequireHead(code, resource));
  if (version == 0) {
    version = head.value.published_version() > 0 ? head.value.published_version()
                                                 : head.value.latest_version();
  }
  ASSIGN_OR_RETURN(std::optional<M> record, FindVersion(code, version));
  if (!record) return ResourceNotFound(absl::StrCat(AbslView(resource), "/versions/", version));
  return std::make_pair(std::move(*record), std::move(head.value));
}

template <typename M>
absl::StatusOr<M> VersionedTable<M>::LatestVersion(const v1::Lifecycle& head,
                                                   std::string_view resource) const {
  ASSIGN_OR_RETURN(std::optional<M> latest, FindVersion(head.code(), head.latest_version()));
  if (!latest) return absl::DataLossError(absl::StrCat("draft missing: ", AbslView(resource)));
  return std::move(*latest);
}

template <typename M>
void VersionedTable<M>::SaveStep(store::UnitOfWork& work, const Stored<v1::Lifecycle>* before,
                                 const VersionStep<M>& step, const M* draft) const {
  const std::string draft_bytes = draft ? draft->SerializeAsString() : "";
  SaveVersion(work, step.head.code(), step.version.version(), step.version,
              draft ? &draft_bytes : nullptr);
  SaveHead(work, before, step.head);
}

template class VersionedTable<v1::RegulatoryItem>;
template class VersionedTable<v1::FormTemplate>;

std::vector<std::string> CatalogueStore::Families() {
  return {kDepartments, kInspectors, kInspectorIndex, kItems,
          kItemHeads,   kItemClaims, kForms,          kFormHeads};
}

CatalogueStore::CatalogueStore(store::Store& store)
    : store_(store), items_(store, kItems, kItemHeads), forms_(store, kForms, kFormHeads) {}

absl::StatusOr<std::optional<Stored<v1::Department>>> CatalogueStore::FindDepartment(
    std::string_view code) const {
  return FindRecord<v1::Department>(store_, kDepartments, code);
}

void CatalogueStore::SaveDepartment(store::UnitOfWork& work, const Stored<v1::Department>* before,
                                    const v1::Department& after) const {
  work.Require(kDepartments, after.code(),
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  work.Put(kDepartments, after.code(), after.SerializeAsString());
}

absl::StatusOr<ListPage<v1::Department>> CatalogueStore::ListDepartments(
    const std::function<bool(const v1::Department&)>& keep, int page_size,
    std::string_view page_token) const {
  return ScanFiltered<v1::Department>(store_, kDepartments, "", page_size, page_token,
                                      Keeping<v1::Department>(kDepartments, keep));
}

absl::StatusOr<std::optional<Stored<v1::Inspector>>> CatalogueStore::FindInspector(
    std::string_view id) const {
  return FindRecord<v1::Inspector>(store_, kInspectors, id);
}

absl::StatusOr<std::optional<std::string>> CatalogueStore::InspectorWithCertificate(
    std::string_view number) const {
  return store_.Get(kInspectorIndex, CertificateKey(number));
}

void CatalogueStore::SaveInspector(store::UnitOfWork& work, const Stored<v1::Inspector>* before,
                                   const v1::Inspector& after) const {
  work.Require(kInspectors, after.id(),
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  work.Put(kInspectors, after.id(), after.SerializeAsString());
  const std::string number = after.certificate().number();
  if (before == nullptr || before->value.certificate().number() != number) {
    work.Require(kInspectorIndex, CertificateKey(number), std::nullopt);
    work.Put(kInspectorIndex, CertificateKey(number), after.id());
    if (before) work.Delete(kInspectorIndex, CertificateKey(before->value.certificate().number()));
  }
  if (before && before->value.department().code() != after.department().code()) {
    work.Delete(kInspectorIndex, DepartmentIndexKey(before->value.department().code(), after.id()));
  }
  work.Put(kInspectorIndex, DepartmentIndexKey(after.department().code(), after.id()), "");
}

absl::StatusOr<ListPage<v1::Inspector>> CatalogueStore::ListInspectors(
    std::string_view department, const std::function<bool(const v1::Inspector&)>& keep,
    int page_size, std::string_view page_token) const {
  if (department.empty()) {
    return ScanFiltered<v1::Inspector>(store_, kInspectors, "", page_size, page_token,
                                       Keeping<v1::Inspector>(kInspectors, keep));
  }
  const std::string prefix = DepartmentIndexKey(department, "");
  return ScanFiltered<v1::Inspector>(
      store_, kInspectorIndex, prefix, page_size, page_token,
      [&](const store::Entry& entry) -> absl::StatusOr<std::optional<v1::Inspector>> {
        ASSIGN_OR_RETURN(auto found, FindInspector(std::string_view(entry.key).substr(prefix.size())));
        if (!found || !keep(found->value)) return std::optional<v1::Inspector>();
        return std::optional<v1::Inspector>(std::move(found->value));
      });
}

absl::StatusOr<std::vector<v1::ItemClaim>> CatalogueStore::ClaimsOf(std::string_view code) const {
  std::vector<v1::ItemClaim> claims;
  absl::Status parsed = absl::OkStatus();
  const std::string prefix = code.empty() ? "" : absl::StrCat(AbslView(code), "/");
  RETURN_IF_ERROR(store_.ForEach(kItemClaims, prefix,
                                 [&](std::string_view key, std::string_view value) {
                                   if (!claims.emplace_back().ParseFromArray(
                                           value.data(), static_cast<int>(value.size()))) {
                                     parsed = absl::DataLossError("a stored claim does not parse");
                                     return false;
                                   }
                                   return true;
                                 }));
  RETURN_IF_ERROR(parsed);
  return claims;
}

absl::StatusOr<std::vector<v1::ItemClaim>> CatalogueStore::AllClaims() const {
  return ClaimsOf("");
}

void CatalogueStore::SaveClaim(store::UnitOfWork& work, const v1::ItemClaim& claim) const {
  const std::string key = absl::StrCat(claim.item_code(), "/", claim.department().code());
  work.Require(kItemClaims, key, std::nullopt);
  work.Put(kItemClaims, key, claim.SerializeAsString());
}

absl::StatusOr<bool> CatalogueStore::Empty() const {
  for (const char* family : {kDepartments, kItemHeads, kInspectors}) {
    ASSIGN_OR_RETURN(store::Page page, store_.Scan(family, "", 1, ""));
    if (!page.entries.empty()) return false;
  }
  return true;
}

}  // namespace jianguan::catalogue
