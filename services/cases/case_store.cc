#include "services/cases/case_store.h"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/ids.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::cases {
namespace {

// The departments whose index lists the lead: its holder, and the receiver of a pending
// hand-over.
std::set<std::string> IndexedDepartments(const v1::Lead& lead) {
  std::set<std::string> departments{lead.department().code()};
  if (lead.state() == v1::LEAD_STATE_TRANSFER_PENDING && lead.transfers_size() > 0) {
    departments.insert(lead.transfers(lead.transfers_size() - 1).to_department().code());
  }
  return departments;
}

template <typename M>
absl::StatusOr<std::optional<Stored<M>>> FindStored(const store::Store& store,
                                                    std::string_view family,
                                                    std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, store.Get(family, key));
  if (!raw) return std::optional<Stored<M>>();
  Stored<M> stored;
  if (!stored.record.ParseFromString(*raw)) {
    return absl::DataLossError(absl::StrCat(AbslView(family), " record does not parse: ",
                                            AbslView(key)));
  }
  stored.bytes = std::move(*raw);
  return std::optional<Stored<M>>(std::move(stored));
}

// The records an index page names, read with one batched read.
template <typename M>
absl::StatusOr<std::pair<std::vector<M>, std::string>> IndexPage(
    const store::Store& store, std::string_view index, std::string_view prefix,
    std::string_view family, int page_size, std::string_view page_token) {
  ASSIGN_OR_RETURN(store::Page page, store.Scan(index, prefix, page_size, page_token));
  std::vector<std::string> ids;
  for (const store::Entry& entry : page.entries) ids.push_back(entry.key.substr(prefix.size()));
  std::vector<std::string_view> keys(ids.begin(), ids.end());
  ASSIGN_OR_RETURN(auto raws, store.MultiGet(family, keys));
  std::vector<M> records;
  for (size_t i = 0; i < raws.size(); ++i) {
    if (!raws[i]) continue;  // an index entry never outlives its record; skipped if it did
    M& record = records.emplace_back();
    if (!record.ParseFromString(*raws[i])) {
      return absl::DataLossError(absl::StrCat(AbslView(family), " record does not parse: ",
                                              AbslView(ids[i])));
    }
  }
  return std::make_pair(std::move(records), std::move(page.next_page_token));
}

std::string DocumentKey(std::string_view owner_id, int number) {
  return absl::StrFormat("%s/%04d", AbslView(owner_id), number);
}

}  // namespace

std::string StepKey(std::string_view case_id, int64_t version) {
  return absl::StrFormat("%s/%06d", AbslView(case_id), version);
}

bool IsServiceId(std::string_view id) {
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  return id.size() == kIdLength &&
         id.find_first_not_of(kAlphabet) == std::string_view::npos;
}

std::string_view IdOf(std::string_view name) {
  const size_t slash = name.find('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::vector<std::string> CaseStore::Families() {
  return {kLeadsFamily,        kLeadSourcesFamily, kLeadsByDepartmentFamily, kCasesFamily,
          kCasesByDepartmentFamily, kStepsFamily, kTrailFamily,          kDocumentsFamily,
          kDocumentSequencesFamily, kDecisionsFamily, kPublicDecisionsFamily};
}

// ---- leads ------------------------------------------------------------------------------

absl::StatusOr<std::optional<Stored<v1::Lead>>> CaseStore::FindLead(
    std::string_view lead_id) const {
  return FindStored<v1::Lead>(store_, kLeadsFamily, lead_id);
}

absl::StatusOr<std::optional<std::string>> CaseStore::LeadIdOfSource(
    std::string_view source_ref, const store::UnitOfWork* work) const {
  if (work != nullptr) {
    if (const std::optional<std::string>* pending = work->Pending(kLeadSourcesFamily, source_ref)) {
      return *pending;
    }
  }
  return store_.Get(kLeadSourcesFamily, source_ref);
}

void CaseStore::SaveLead(store::UnitOfWork& work, const Stored<v1::Lead>* before,
                         const v1::Lead& after) const {
  const std::string id(IdOf(after.name()));
  work.Require(kLeadsFamily, id,
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  work.Put(kLeadsFamily, id, after.SerializeAsString());
  if (before == nullptr && !after.source_ref().empty()) {
    work.Require(kLeadSourcesFamily, after.source_ref(), std::nullopt);
    work.Put(kLeadSourcesFamily, after.source_ref(), id);
  }
  const std::set<std::string> old_departments =
      before ? IndexedDepartments(before->record) : std::set<std::string>{};
  const std::set<std::string> new_departments = IndexedDepartments(after);
  for (const std::string& department : old_departments) {
    if (!new_departments.count(department)) {
      work.Delete(kLeadsByDepartmentFamily, absl::StrCat(department, "/", id));
    }
  }
  for (const std::string& department : new_departments) {
    if (!old_departments.count(department)) {
      work.Put(kLeadsByDepartmentFamily, absl::StrCat(department, "/", id), "");
    }
  }
}

absl::StatusOr<std::pair<std::vector<v1::Lead>, std::string>> CaseStore::LeadsOf(
    std::string_view department, int page_size, std::string_view page_token) const {
  return IndexPage<v1::Lead>(store_, kLeadsByDepartmentFamily, absl::StrCat(AbslView(department), "/"),
                             kLeadsFamily, page_size, page_token);
}

// ---- cases ------------------------------------------------------------------------------

absl::StatusOr<std::optional<Stored<v1::Case>>> CaseStore::FindCase(
    std::string_view case_id) const {
  return FindStored<v1::Case>(store_, kCasesFamily, case_id);
}

void CaseStore::SaveCase(store::UnitOfWork& work, const Stored<v1::Case>* before,
                         const v1::Case& after, const v1::StoredStep& step,
                         const v1::Document& document) const {
  const std::string id(IdOf(after.name()));
  work.Require(kCasesFamily, id,
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  work.Put(kCasesFamily, id, after.SerializeAsString());
  if (before == nullptr) {
    work.Put(kCasesByDepartmentFamily, absl::StrCat(after.department().code(), "/", id), "");
  }
  const std::string step_key = StepKey(id, step.version());
  work.Put(kStepsFamily, step_key, step.SerializeAsString());
  work.IndexAudit(kTrailFamily, step_key);
  v1::Document stored = document;
  stored.clear_pdf();
  work.Put(kDocumentsFamily, DocumentKey(id, after.documents_size()), stored.SerializeAsString());
}

absl::StatusOr<std::pair<std::vector<v1::Case>, std::string>> CaseStore::CasesOf(
    std::string_view department, int page_size, std::string_view page_token) const {
  return IndexPage<v1::Case>(store_, kCasesByDepartmentFamily, absl::StrCat(AbslView(department), "/"),
                             kCasesFamily, page_size, page_token);
}

absl::Status CaseStore::ForEachCase(const std::function<bool(const v1::Case&)>& visit) const {
  absl::Status parsed = absl::OkStatus();
  v1::Case c;
  RETURN_IF_ERROR(store_.ForEach(kCasesFamily, "", [&](std::string_view key, std::string_view value) {
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError(absl::StrCat("case does not parse: ", AbslView(key)));
      return false;
    }
    return visit(c);
  }));
  return parsed;
}

absl::StatusOr<std::vector<v1::StoredStep>> CaseStore::StepsOf(std::string_view case_id) const {
  std::vector<v1::StoredStep> steps;
  absl::Status parsed = absl::OkStatus();
  RETURN_IF_ERROR(store_.ForEach(kStepsFamily, absl::StrCat(AbslView(case_id), "/"),
                                 [&](std::string_view key, std::string_view value) {
                                   if (!steps.emplace_back().ParseFromString(std::string(value))) {
                                     parsed = absl::DataLossError(absl::StrCat(
                                         "step does not parse: ", AbslView(key)));
                                     return false;
                                   }
                                   return true;
                                 }));
  RETURN_IF_ERROR(parsed);
  return steps;
}

absl::StatusOr<std::optional<common::v1::AuditRecord>> CaseStore::AuditOfStep(
    std::string_view case_id, int64_t version) const {
  return store_.IndexedAudit(kTrailFamily, StepKey(case_id, version));
}

// ---- documents and their numbers ----------------------------------------------------------

absl::StatusOr<std::optional<v1::Document>> CaseStore::FindDocument(std::string_view owner_id,
                                                                    int number) const {
  return store_.GetMessage<v1::Document>(kDocumentsFamily, DocumentKey(owner_id, number));
}

absl::StatusOr<int64_t> CaseStore::TakeNumber(store::UnitOfWork& work,
                                              std::string_view sequence) const {
  std::optional<std::string> stored;
  if (const std::optional<std::string>* pending =
          work.Pending(kDocumentSequencesFamily, sequence)) {
    stored = *pending;
  } else {
    ASSIGN_OR_RETURN(stored, store_.Get(kDocumentSequencesFamily, sequence));
    work.Require(kDocumentSequencesFamily, std::string(sequence), stored);
  }
  int64_t last = 0;
  if (stored && !absl::SimpleAtoi(AbslView(*stored), &last)) {
    return absl::DataLossError(absl::StrCat("document sequence ", AbslView(sequence),
                                            " holds no number"));
  }
  work.Put(kDocumentSequencesFamily, std::string(sequence), absl::StrCat(last + 1));
  return last + 1;
}

// ---- on-site decisions and the public list ----------------------------------------------

absl::StatusOr<std::optional<v1::OnSpotDecision>> CaseStore::FindDecision(
    std::string_view decision_id) const {
  return store_.GetMessage<v1::OnSpotDecision>(kDecisionsFamily, decision_id);
}

void CaseStore::SaveDecision(store::UnitOfWork& work, std::string_view decision_id,
                             const v1::OnSpotDecision& decision,
                             const v1::Document& document) const {
  work.Require(kDecisionsFamily, std::string(decision_id), std::nullopt);
  work.Put(kDecisionsFamily, std::string(decision_id), decision.SerializeAsString());
  v1::Document stored = document;
  stored.clear_pdf();
  work.Put(kDocumentsFamily, DocumentKey(decision_id, 1), stored.SerializeAsString());
}

void CaseStore::PublishDecision(store::UnitOfWork& work, std::string_view order_id,
                                const v1::PublicDecision& decision) const {
  const std::string bytes = decision.SerializeAsString();
  work.Put(kPublicDecisionsFamily, absl::StrCat("all/", AbslView(order_id)), bytes);
  work.Put(kPublicDecisionsFamily,
           absl::StrCat("department/", decision.department().code(), "/", AbslView(order_id)), bytes);
}

absl::StatusOr<std::pair<std::vector<v1::PublicDecision>, std::string>> CaseStore::PublicDecisions(
    std::string_view department, int page_size, std::string_view page_token) const {
  const std::string prefix =
      department.empty() ? "all/" : absl::StrCat("department/", AbslView(department), "/");
  ASSIGN_OR_RETURN(store::Page page,
                   store_.Scan(kPublicDecisionsFamily, prefix, page_size, page_token));
  std::vector<v1::PublicDecision> decisions;
  for (const store::Entry& entry : page.entries) {
    if (!decisions.emplace_back().ParseFromString(entry.value)) {
      return absl::DataLossError("public decision does not parse: " + entry.key);
    }
  }
  return std::make_pair(std::move(decisions), std::move(page.next_page_token));
}

}  // namespace jianguan::cases
