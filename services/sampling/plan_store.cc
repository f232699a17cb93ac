#include "services/sampling/plan_store.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/store/read_through.h"
#include "services/sampling/domain/draw_history.h"
#include "services/sampling/domain/draw_outcome.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {
namespace {

constexpr size_t kChunkRecords = 65536;
// A filtered list looks at no more than this many records for one page.
constexpr int kExamineLimit = 10000;

std::string ChunkKey(std::string_view plan_id, size_t chunk) {
  return absl::StrFormat("%s/c/%08d", AbslView(plan_id), chunk);
}
std::string LastKey(std::string_view plan_id, size_t index) {
  return absl::StrFormat("%s/l/%010d", AbslView(plan_id), index);
}
std::string PoolKey(std::string_view plan_id) { return absl::StrCat(AbslView(plan_id), "/p"); }
std::string TaskPrefix(std::string_view plan_id) {
  return absl::StrCat(AbslView(plan_id), "/");
}
std::string TaskChunkKey(std::string_view plan_id, size_t chunk) {
  return absl::StrFormat("%s/k/%08d", AbslView(plan_id), chunk);
}
// A page token of packed tasks: the number of the next task.
constexpr char kPackedTokenPrefix[] = "task:";

// The tasks of a packed chunk, nullopt when the plan has no such chunk.
absl::StatusOr<std::optional<std::vector<DrawnTask>>> FindTaskChunk(const store::Store& store,
                                                                    std::string_view plan_id,
                                                                    size_t chunk,
                                                                    size_t pool_size) {
  const std::string key = TaskChunkKey(plan_id, chunk);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.Get(kTaskFamily, key));
  if (!bytes) return std::optional<std::vector<DrawnTask>>();
  absl::StatusOr<std::vector<DrawnTask>> tasks = UnpackTasks(*bytes, pool_size);
  if (!tasks.ok()) {
    return absl::DataLossError(absl::StrCat(key, ": ", tasks.status().message()));
  }
  return std::optional<std::vector<DrawnTask>>(std::move(*tasks));
}

template <typename M>
absl::StatusOr<M> Parse(std::string_view what, std::string_view bytes) {
  M message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("stored record does not parse: ", AbslView(what)));
  }
  return message;
}

// Pages through `prefix`, keeping the parsed records `keep` accepts.
template <typename M>
absl::StatusOr<std::pair<std::vector<M>, std::string>> ScanKept(
    const store::Store& store, std::string_view family, std::string_view prefix, int page_size,
    std::string_view page_token, const std::function<bool(const M&)>& keep) {
  std::vector<M> kept;
  std::string token(page_token);
  int examined = 0;
  do {
    const int wanted = page_size - static_cast<int>(kept.size());
    ASSIGN_OR_RETURN(store::Page raw, store.Scan(family, prefix, wanted, token));
    for (const store::Entry& entry : raw.entries) {
      ASSIGN_OR_RETURN(M message, Parse<M>(entry.key, entry.value));
      if (keep(message)) kept.push_back(std::move(message));
    }
    examined += static_cast<int>(raw.entries.size());
    token = std::move(raw.next_page_token);
  } while (!token.empty() && static_cast<int>(kept.size()) < page_size &&
           examined < kExamineLimit);
  return std::make_pair(std::move(kept), std::move(token));
}

}  // namespace

std::vector<std::string> PlanStore::Families() {
  return {kPlanFamily,       kFrozenFamily,     kSecretFamily,    kTaskFamily,
          kHistoryFamily,    kRecordingFamily,  kProjectionFamily, kInspectorFamily,
          kItemFamily,       kDepartmentFamily};
}

absl::StatusOr<std::optional<StoredPlan>> PlanStore::FindPlan(std::string_view plan_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kPlanFamily, plan_id));
  if (!bytes) return std::optional<StoredPlan>();
  ASSIGN_OR_RETURN(v1::Plan plan, Parse<v1::Plan>(plan_id, *bytes));
  return std::optional<StoredPlan>(StoredPlan{std::move(plan), std::move(*bytes)});
}

void PlanStore::PutPlan(store::UnitOfWork& work, const v1::Plan& plan,
                        const StoredPlan* previous) {
  work.Require(kPlanFamily, plan.plan_id(),
               previous ? std::optional<std::string>(previous->bytes) : std::nullopt);
  work.Put(kPlanFamily, plan.plan_id(), plan.SerializeAsString());
}

absl::StatusOr<std::pair<std::vector<v1::Plan>, std::string>> PlanStore::ListPlans(
    int page_size, std::string_view page_token,
    const std::function<bool(const v1::Plan&)>& keep) const {
  return ScanKept<v1::Plan>(store_, kPlanFamily, "", page_size, page_token, keep);
}

absl::Status PlanStore::PutFrozenList(store::UnitOfWork& work, std::string_view plan_id,
                                      const CandidateProjection& candidates) const {
  for (const char* part : {"/c/", "/l/"}) {
    RETURN_IF_ERROR(store_.ForEach(kFrozenFamily, absl::StrCat(AbslView(plan_id), part),
                                   [&](std::string_view key, std::string_view) {
                                     work.Delete(kFrozenFamily, std::string(key));
                                     return true;
                                   }));
  }
  // The writes below come after the deletes in the unit: where a key is in both, the write
  // wins (the store keeps the order of writes to one key).
  const std::span<const CandidateRecord> records = candidates.records();
  for (size_t start = 0, chunk = 0; start < records.size(); start += kChunkRecords, ++chunk) {
    const size_t count = std::min(kChunkRecords, records.size() - start);
    std::string bytes(count * sizeof(CandidateRecord), '\0');
    std::memcpy(bytes.data(), records.data() + start, bytes.size());
    work.Put(kFrozenFamily, ChunkKey(plan_id, chunk), std::move(bytes));
  }
  for (size_t i = 0; i < records.size(); ++i) {
    std::span<const std::string> last = candidates.LastInspectors(static_cast<uint32_t>(i));
    if (!last.empty()) work.Put(kFrozenFamily, LastKey(plan_id, i), absl::StrJoin(last, ";"));
  }
  return absl::OkStatus();
}

void PlanStore::PutFrozen(store::UnitOfWork& work, std::string_view plan_id,
                          const v1::FrozenPool& pool, const Digest& secret,
                          const Digest& proof_key) {
  work.Put(kFrozenFamily, PoolKey(plan_id), pool.SerializeAsString());
  std::string secrets(reinterpret_cast<const char*>(secret.data()), secret.size());
  secrets.append(reinterpret_cast<const char*>(proof_key.data()), proof_key.size());
  work.Put(kSecretFamily, std::string(plan_id), std::move(secrets));
}

absl::StatusOr<CandidateProjection> PlanStore::LoadCandidates(std::string_view plan_id,
                                                             size_t expected) const {
  // The last inspectors first (few), then the records chunk by chunk in order.
  std::vector<std::pair<size_t, std::vector<std::string>>> last;
  const std::string last_prefix = absl::StrCat(AbslView(plan_id), "/l/");
  absl::Status bad;
  RETURN_IF_ERROR(store_.ForEach(
      kFrozenFamily, last_prefix, [&](std::string_view key, std::string_view value) {
        size_t index = 0;
        if (!absl::SimpleAtoi(AbslView(key.substr(last_prefix.size())), &index)) {
          bad = absl::DataLossError(absl::StrCat("frozen key ", AbslView(key)));
          return false;
        }
        last.emplace_back(index, absl::StrSplit(AbslView(value), ';'));
        return true;
      }));
  RETURN_IF_ERROR(bad);

  CandidateProjection candidates;
  // Once: growing by each chunk's size instead copied the list so far at every chunk, 10 GB
  // of copying for a province's 153 chunks.
  candidates.Reserve(expected);
  size_t next_last = 0;
  const std::string chunk_prefix = absl::StrCat(AbslView(plan_id), "/c/");
  RETURN_IF_ERROR(store_.ForEach(
      kFrozenFamily, chunk_prefix, [&](std::string_view key, std::string_view value) {
        if (value.size() % sizeof(CandidateRecord) != 0) {
          bad = absl::DataLossError(absl::StrCat("frozen chunk ", AbslView(key)));
          return false;
        }
        const size_t count = value.size() / sizeof(CandidateRecord);
        for (size_t i = 0; i < count; ++i) {
          CandidateRecord record;
          std::memcpy(&record, value.data() + i * sizeof(CandidateRecord), sizeof(record));
          CandidateMarks marks;
          marks.filtered_out = (record.flags & CandidateRecord::kFilteredOut) != 0;
          marks.recent = (record.flags & CandidateRecord::kRecent) != 0;
          if (next_last < last.size() && last[next_last].first == candidates.size()) {
            marks.last_inspectors = std::move(last[next_last++].second);
          }
          bad = candidates.AppendPacked(record.uscc, static_cast<CreditGrade>(record.stratum / 4),
                                        static_cast<RiskLevel>(record.stratum % 4), marks);
          if (!bad.ok()) return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(bad);
  if (expected != 0 && candidates.size() != expected) {
    return absl::DataLossError(absl::StrCat("the frozen list of ", AbslView(plan_id), " holds ",
                                            candidates.size(), " candidates, not ", expected));
  }
  return candidates;
}

absl::StatusOr<v1::FrozenPool> PlanStore::LoadPool(std::string_view plan_id) const {
  ASSIGN_OR_RETURN(auto pool, store_.GetMessage<v1::FrozenPool>(kFrozenFamily, PoolKey(plan_id)));
  if (!pool) return absl::DataLossError(absl::StrCat("no frozen pool for ", AbslView(plan_id)));
  return std::move(*pool);
}

absl::StatusOr<Digest> PlanStore::LoadSecret(std::string_view plan_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kSecretFamily, plan_id));
  Digest secret{};
  // 32 bytes for plans approved before proofs existed, 64 with the proof key.
  if (!bytes || (bytes->size() != secret.size() && bytes->size() != 2 * secret.size())) {
    return absl::DataLossError(absl::StrCat("no secret for ", AbslView(plan_id)));
  }
  std::memcpy(secret.data(), bytes->data(), secret.size());
  return secret;
}

absl::StatusOr<std::optional<Digest>> PlanStore::LoadProofKey(std::string_view plan_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kSecretFamily, plan_id));
  Digest key{};
  if (!bytes || bytes->size() != 2 * key.size()) return std::optional<Digest>();
  std::memcpy(key.data(), bytes->data() + key.size(), key.size());
  return std::optional<Digest>(key);
}

void PlanStore::PutDrawnTasks(store::UnitOfWork& work, std::string_view plan_id,
                              const std::vector<std::string>& chunks) {
  for (size_t c = 0; c < chunks.size(); ++c) {
    work.Put(kTaskFamily, TaskChunkKey(plan_id, c), chunks[c]);
  }
  work.Require(kRecordingFamily, std::string(plan_id), std::nullopt);
  work.Put(kRecordingFamily, std::string(plan_id), "1");
}

absl::StatusOr<std::vector<DrawnTask>> PlanStore::LoadTaskChunk(std::string_view plan_id,
                                                                size_t chunk,
                                                                size_t pool_size) const {
  ASSIGN_OR_RETURN(std::optional<std::vector<DrawnTask>> tasks,
                   FindTaskChunk(store_, plan_id, chunk, pool_size));
  if (!tasks) return absl::DataLossError(absl::StrCat("no task chunk ", chunk, " of ",
                                                      AbslView(plan_id)));
  return std::move(*tasks);
}

absl::StatusOr<std::pair<std::vector<v1::Task>, std::string>> PlanStore::ListTasks(
    std::string_view plan_id, int page_size, std::string_view page_token,
    const ProjectionReader& projection) const {
  absl::string_view token = AbslView(page_token);
  const bool packed_token = absl::ConsumePrefix(&token, kPackedTokenPrefix);
  ASSIGN_OR_RETURN(std::optional<std::string> first, store_.Get(kTaskFamily,
                                                                TaskChunkKey(plan_id, 0)));
  if (!first && !packed_token) {
    // A plan drawn before tasks were packed (or drawn with no task): one record a task.
    return ScanKept<v1::Task>(store_, kTaskFamily, TaskPrefix(plan_id), page_size, page_token,
                              [](const v1::Task&) { return true; });
  }
  int64_t next = 1;
  if (packed_token && (!absl::SimpleAtoi(token, &next) || next < 1)) {
    return absl::InvalidArgumentError("page.page_token: was not made by ListTasks");
  }
  if (!first) return std::make_pair(std::vector<v1::Task>(), std::string());
  ASSIGN_OR_RETURN(v1::FrozenPool frozen, LoadPool(plan_id));
  ASSIGN_OR_RETURN(InspectorPool pool, PoolOf(frozen));
  std::vector<v1::Task> tasks;
  std::string next_token;
  while (static_cast<int>(tasks.size()) < page_size) {
    ASSIGN_OR_RETURN(std::optional<std::vector<DrawnTask>> chunk,
                     FindTaskChunk(store_, plan_id, ChunkOfTask(next), pool.size()));
    size_t place = PlaceInChunk(next);
    if (!chunk || place >= chunk->size()) {  // past the last task
      next_token.clear();
      break;
    }
    for (; place < chunk->size() && static_cast<int>(tasks.size()) < page_size; ++place) {
      v1::Task& task = tasks.emplace_back(TaskOf(next++, (*chunk)[place], pool));
      ASSIGN_OR_RETURN(auto subject, projection.FindSubject(task.uscc()));
      if (subject) task.set_subject_name(subject->name());
    }
    // Only a full chunk may have one after it. A page that ends on the very last task of a
    // full chunk thus gets a token whose page is empty, as a scan's last page may be.
    const bool more = place < chunk->size() || chunk->size() == kTasksPerChunk;
    next_token = more ? absl::StrCat(kPackedTokenPrefix, next) : "";
    if (!more) break;
  }
  return std::make_pair(std::move(tasks), std::move(next_token));
}

absl::StatusOr<std::vector<PlanStore::Recording>> PlanStore::PendingRecordings() const {
  std::vector<Recording> pending;
  absl::Status bad;
  RETURN_IF_ERROR(store_.ForEach(kRecordingFamily, "", [&](std::string_view key,
                                                           std::string_view value) {
    Recording recording{.plan_id = std::string(key), .bytes = std::string(value)};
    if (!absl::SimpleAtoi(AbslView(value), &recording.next_task) || recording.next_task < 1) {
      bad = absl::DataLossError(absl::StrCat("a damaged recording mark for ", AbslView(key)));
      return false;
    }
    pending.push_back(std::move(recording));
    return true;
  }));
  RETURN_IF_ERROR(bad);
  return pending;
}

void PlanStore::AdvanceRecording(store::UnitOfWork& work, const Recording& recording,
                                 int64_t next_task, bool done) {
  work.Require(kRecordingFamily, recording.plan_id, recording.bytes);
  if (done) {
    work.Delete(kRecordingFamily, recording.plan_id);
  } else {
    work.Put(kRecordingFamily, recording.plan_id, absl::StrCat(next_task));
  }
}

absl::StatusOr<std::optional<v1::SubjectHistory>> PlanStore::FindHistory(
    std::string_view uscc) const {
  return store_.GetMessage<v1::SubjectHistory>(kHistoryFamily, uscc);
}

void PlanStore::PutHistory(store::UnitOfWork& work, std::string_view uscc,
                           const v1::SubjectHistory& history) {
  work.Put(kHistoryFamily, std::string(uscc), history.SerializeAsString());
}

namespace {

// Suffix of a subject's inspection record; USCCs have no lower-case letter, all the same
// length, so "<uscc>i" sorts right after "<uscc>".
constexpr char kInspectedSuffix = 'i';

std::string InspectedKey(std::string_view uscc) {
  std::string key(uscc);
  key.push_back(kInspectedSuffix);
  return key;
}

}  // namespace

absl::StatusOr<std::optional<v1::SubjectHistory>> PlanStore::FindInspected(
    std::string_view uscc, const store::UnitOfWork& pending) const {
  return store::ReadMessageThrough<v1::SubjectHistory>(store_, pending, kHistoryFamily,
                                                      InspectedKey(uscc));
}

void PlanStore::PutInspected(store::UnitOfWork& work, std::string_view uscc,
                             const v1::SubjectHistory& inspected) {
  work.Put(kHistoryFamily, InspectedKey(uscc), inspected.SerializeAsString());
}

absl::Status PlanStore::ForEachHistory(
    const std::function<bool(std::string_view, const v1::SubjectHistory&)>& visit) const {
  // A subject's two records are adjacent in key order; each subject is visited once, when
  // the scan has moved past both.
  std::string uscc;
  v1::SubjectHistory drawn, inspected;
  bool stopped = false;
  const auto flush = [&] {
    if (uscc.empty()) return true;
    const bool go_on = visit(uscc, MergedHistory(drawn, inspected));
    uscc.clear();
    drawn.Clear();
    inspected.Clear();
    return go_on;
  };
  absl::Status bad;
  RETURN_IF_ERROR(
      store_.ForEach(kHistoryFamily, "", [&](std::string_view key, std::string_view value) {
        const bool is_inspected = !key.empty() && key.back() == kInspectedSuffix;
        const std::string_view subject = is_inspected ? key.substr(0, key.size() - 1) : key;
        if (subject != uscc) {
          if (!flush()) return !(stopped = true);
          uscc = std::string(subject);
        }
        auto record = Parse<v1::SubjectHistory>(key, value);
        if (!record.ok()) {
          bad = record.status();
          return false;
        }
        (is_inspected ? inspected : drawn) = *std::move(record);
        return true;
      }));
  RETURN_IF_ERROR(bad);
  if (!stopped) flush();
  return absl::OkStatus();
}

absl::StatusOr<InspectorPool> PoolOf(const v1::FrozenPool& frozen) {
  std::vector<Inspector> inspectors;
  inspectors.reserve(frozen.inspectors_size());
  for (const v1::PoolInspector& entry : frozen.inspectors()) {
    inspectors.push_back({.id = entry.id(),
                          .name = entry.name(),
                          .certificate_no = entry.certificate_no(),
                          .department_id = entry.department(),
                          .items = {entry.items().begin(), entry.items().end()},
                          .valid_from = entry.valid_from(),
                          .valid_until = entry.valid_until(),
                          .conflicts = {entry.conflicts().begin(), entry.conflicts().end()}});
  }
  return InspectorPool::Create(std::move(inspectors));
}

}  // namespace jianguan::sampling
