#include "services/inspection/inspection_store.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "libs/core/field_violations.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/store/read_through.h"
#include "libs/write/versioned.h"
#include "services/inspection/domain/deadlines.h"

namespace jianguan::inspection {
namespace {

std::string FormKey(std::string_view code, int32_t version) {
  return absl::StrFormat("%s/%010d", AbslView(code), version);
}

template <typename M>
absl::Status ParseInto(std::string_view family, std::string_view key, std::string_view value,
                       M& message) {
  if (message.ParseFromArray(value.data(), static_cast<int>(value.size()))) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(AbslView(family), "/", AbslView(key), " does not parse"));
}

constexpr char kGenerationKey[] = "forms_generation";
constexpr char kDeadlinesIndexedKey[] = "deadlines_indexed";

std::string TaskIdOf(const v1::Task& task) {
  return task.name().substr(std::string_view("tasks/").size());
}

// The task's key in `deadlines`, empty when no deadline runs.
std::string DeadlineKey(const v1::Task& task) {
  const std::optional<absl::CivilDay> until = OnTimeUntil(task);
  if (!until) return "";
  return absl::StrFormat("%04d-%02d-%02d/%s", until->year(), until->month(), until->day(),
                         TaskIdOf(task));
}

}  // namespace

struct InspectionStore::FormsCache {
  absl::Mutex mu;
  std::optional<std::string> generation ABSL_GUARDED_BY(mu);  // of `forms`
  std::shared_ptr<const PublishedForms> forms ABSL_GUARDED_BY(mu);
};

InspectionStore::InspectionStore(store::Store& store)
    : store_(store), forms_cache_(std::make_shared<FormsCache>()) {}

std::vector<std::string> InspectionStore::Families() {
  return {kTasks,        kForms,     kLatestForms,  kEvidence,      kTaskEvidence,
          kPublished,    kPublishedBy, kRegistryCalls, kInspectors, kItems, kDeadlines, kMarkers};
}

absl::StatusOr<std::optional<v1::Task>> InspectionStore::FindTask(
    std::string_view task_id, const store::UnitOfWork* pending) const {
  if (pending != nullptr) {
    return store::ReadMessageThrough<v1::Task>(store_, *pending, kTasks, task_id);
  }
  return store_.GetMessage<v1::Task>(kTasks, task_id);
}

absl::StatusOr<v1::Task> InspectionStore::LoadTask(std::string_view task_id) const {
  ASSIGN_OR_RETURN(std::optional<v1::Task> task, FindTask(task_id));
  if (!task) return ResourceNotFound(TaskName(task_id));
  return *std::move(task);
}

void InspectionStore::SaveTask(store::UnitOfWork& work, const v1::Task& task,
                               const v1::Task* before) const {
  const std::string id = TaskIdOf(task);
  work.Require(kTasks, id,
               before == nullptr ? std::nullopt : std::optional(before->SerializeAsString()));
  work.Put(kTasks, id, task.SerializeAsString());
  const std::string was = before == nullptr ? "" : DeadlineKey(*before);
  const std::string is = DeadlineKey(task);
  if (was == is) return;
  if (!was.empty()) work.Delete(kDeadlines, was);
  if (!is.empty()) work.Put(kDeadlines, is, "");
}

absl::StatusOr<int64_t> InspectionStore::CountOverdue(absl::CivilDay today) const {
  // Overdue: on time until a day before today, so every key sorting before "{today}".
  const std::string first_on_time =
      absl::StrFormat("%04d-%02d-%02d", today.year(), today.month(), today.day());
  int64_t overdue = 0;
  RETURN_IF_ERROR(store_.ForEach(kDeadlines, "", [&](std::string_view key, std::string_view) {
    if (key >= first_on_time) return false;
    ++overdue;
    return true;
  }));
  return overdue;
}

absl::Status InspectionStore::IndexDeadlines() const {
  ASSIGN_OR_RETURN(std::optional<std::string> done, store_.Get(kMarkers, kDeadlinesIndexedKey));
  if (done) return absl::OkStatus();
  store::UnitOfWork work;
  absl::Status parsed;
  RETURN_IF_ERROR(store_.ForEach(kTasks, "", [&](std::string_view key, std::string_view value) {
    v1::Task task;
    parsed = ParseInto(kTasks, key, value, task);
    if (!parsed.ok()) return false;
    if (const std::string entry = DeadlineKey(task); !entry.empty()) {
      work.Put(kDeadlines, entry, "");
    }
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  work.Put(kMarkers, kDeadlinesIndexedKey, "1");
  return store_.Commit(work);
}

absl::StatusOr<std::vector<v1::Task>> InspectionStore::AllTasks() const {
  std::vector<v1::Task> tasks;
  absl::Status parsed;
  RETURN_IF_ERROR(store_.ForEach(kTasks, "", [&](std::string_view key, std::string_view value) {
    parsed = ParseInto(kTasks, key, value, tasks.emplace_back());
    return parsed.ok();
  }));
  RETURN_IF_ERROR(parsed);
  return tasks;
}

absl::StatusOr<std::optional<catalogue::v1::FormTemplate>> InspectionStore::FindForm(
    std::string_view code, int32_t version) const {
  return store_.GetMessage<catalogue::v1::FormTemplate>(kForms, FormKey(code, version));
}

absl::StatusOr<std::shared_ptr<const PublishedForms>> InspectionStore::LatestForms() const {
  // The generation is read before the forms: a form committed in between is then read with
  // an older generation, and the next call reads the forms again.
  ASSIGN_OR_RETURN(std::optional<std::string> generation,
                   store_.Get(kMarkers, kGenerationKey));
  {
    absl::MutexLock lock(&forms_cache_->mu);
    if (forms_cache_->forms != nullptr && forms_cache_->generation == generation) {
      return forms_cache_->forms;
    }
  }
  auto forms = std::make_shared<PublishedForms>();
  absl::Status parsed;
  RETURN_IF_ERROR(
      store_.ForEach(kLatestForms, "", [&](std::string_view key, std::string_view value) {
        parsed = ParseInto(kLatestForms, key, value, forms->emplace_back());
        return parsed.ok();
      }));
  RETURN_IF_ERROR(parsed);
  absl::MutexLock lock(&forms_cache_->mu);
  forms_cache_->generation = std::move(generation);
  forms_cache_->forms = forms;
  return std::shared_ptr<const PublishedForms>(std::move(forms));
}

absl::StatusOr<std::map<std::string, catalogue::v1::FormTemplate>> InspectionStore::TaskForms(
    const v1::Task& task) const {
  std::map<std::string, catalogue::v1::FormTemplate> forms;
  for (const v1::TaskDepartment& department : task.departments()) {
    for (const v1::FormRef& ref : department.forms()) {
      if (forms.count(ref.code()) > 0) continue;
      ASSIGN_OR_RETURN(auto form, FindForm(ref.code(), ref.version()));
      if (form) forms.emplace(ref.code(), *std::move(form));
    }
  }
  return forms;
}

absl::Status InspectionStore::PutForm(store::UnitOfWork& work,
                                      const catalogue::v1::FormTemplate& form) const {
  work.Put(kForms, FormKey(form.code(), form.version()), form.SerializeAsString());
  ASSIGN_OR_RETURN(bool newer, PutIfNewer(store_, work, kLatestForms, form.code(), form));
  if (!newer) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> generation,
                   store_.Get(kMarkers, kGenerationKey));
  uint64_t count = 0;
  if (generation && !absl::SimpleAtoi(*generation, &count)) {
    return absl::DataLossError("forms_generation/latest is not a count");
  }
  work.Require(kMarkers, kGenerationKey, generation);
  work.Put(kMarkers, kGenerationKey, absl::StrCat(count + 1));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<catalogue::v1::Inspector>> InspectionStore::FindInspector(
    std::string_view id) const {
  return store_.GetMessage<catalogue::v1::Inspector>(kInspectors, id);
}

absl::StatusOr<std::optional<catalogue::v1::RegulatoryItem>> InspectionStore::FindItem(
    std::string_view code) const {
  return store_.GetMessage<catalogue::v1::RegulatoryItem>(kItems, code);
}

absl::StatusOr<ItemNames> InspectionStore::ItemNamesOf(const v1::Task& task) const {
  ItemNames names;
  for (const v1::TaskDepartment& department : task.departments()) {
    for (const v1::ItemRef& ref : department.items()) {
      if (names.count(ref.code()) > 0) continue;
      ASSIGN_OR_RETURN(std::optional<catalogue::v1::RegulatoryItem> item, FindItem(ref.code()));
      if (item && !item->name().empty()) names.emplace(ref.code(), item->name());
    }
  }
  return names;
}

absl::Status InspectionStore::PutInspector(store::UnitOfWork& work,
                                           const catalogue::v1::Inspector& inspector) const {
  return PutIfNewer(store_, work, kInspectors, inspector.id(), inspector).status();
}

absl::Status InspectionStore::PutItem(store::UnitOfWork& work,
                                      const catalogue::v1::RegulatoryItem& item) const {
  // What authorisation reads (the code's place in the item tree, its field) and the name
  // published results show.
  catalogue::v1::RegulatoryItem row;
  row.set_code(item.code());
  row.set_name(item.name());
  row.set_parent_code(item.parent_code());
  row.set_version(item.version());
  row.set_field(item.field());
  return PutIfNewer(store_, work, kItems, item.code(), row).status();
}

absl::StatusOr<std::map<std::string, v1::EvidenceRef>> InspectionStore::TaskEvidence(
    std::string_view task_id) const {
  std::map<std::string, v1::EvidenceRef> evidence;
  absl::Status parsed;
  const std::string prefix = absl::StrCat(AbslView(task_id), "/");
  RETURN_IF_ERROR(
      store_.ForEach(kTaskEvidence, prefix, [&](std::string_view key, std::string_view value) {
        v1::EvidenceRef ref;
        parsed = ParseInto(kTaskEvidence, key, value, ref);
        if (parsed.ok()) evidence.emplace(ref.sha256(), std::move(ref));
        return parsed.ok();
      }));
  RETURN_IF_ERROR(parsed);
  return evidence;
}

absl::StatusOr<bool> InspectionStore::HasEvidence(std::string_view sha256) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kEvidence, sha256));
  return bytes.has_value();
}

std::string PlanScope(std::string_view plan) {
  return absl::StrCat("p/", AbslView(plan.substr(std::min(plan.size(), size_t{6}))), "/");
}

std::string SubjectScope(std::string_view uscc) { return absl::StrCat("u/", AbslView(uscc), "/"); }

void InspectionStore::PutPublication(store::UnitOfWork& work, const v1::PublicResult& result,
                                     int64_t publish_millis) const {
  work.Put(kPublished, result.name(), result.SerializeAsString());
  const std::string order =
      absl::StrFormat("%020d/%s", std::numeric_limits<int64_t>::max() - publish_millis,
                      result.name());
  if (!result.plan().empty()) work.Put(kPublishedBy, PlanScope(result.plan()) + order, "");
  work.Put(kPublishedBy, SubjectScope(result.uscc()) + order, "");
}

absl::StatusOr<std::optional<v1::PublicResult>> InspectionStore::FindPublication(
    std::string_view name) const {
  return store_.GetMessage<v1::PublicResult>(kPublished, name);
}

absl::StatusOr<std::pair<std::vector<v1::PublicResult>, std::string>>
InspectionStore::ListPublications(std::string_view scope, int page_size,
                                  std::string_view page_token) const {
  ASSIGN_OR_RETURN(store::Page page, store_.Scan(kPublishedBy, scope, page_size, page_token));
  std::vector<v1::PublicResult> results;
  for (const store::Entry& entry : page.entries) {
    const size_t slash = entry.key.find('/', scope.size());
    ASSIGN_OR_RETURN(auto result, FindPublication(std::string_view(entry.key).substr(slash + 1)));
    if (result) results.push_back(*std::move(result));
  }
  return std::make_pair(std::move(results), std::move(page.next_page_token));
}

absl::StatusOr<std::vector<subject::v1::ResolveCommitmentRequest>>
InspectionStore::PendingRegistryCalls() const {
  std::vector<subject::v1::ResolveCommitmentRequest> calls;
  absl::Status parsed;
  RETURN_IF_ERROR(
      store_.ForEach(kRegistryCalls, "", [&](std::string_view key, std::string_view value) {
        parsed = ParseInto(kRegistryCalls, key, value, calls.emplace_back());
        return parsed.ok();
      }));
  RETURN_IF_ERROR(parsed);
  return calls;
}

}  // namespace jianguan::inspection
