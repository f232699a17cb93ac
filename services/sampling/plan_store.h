// What the sampling service keeps about its plans (DESIGN §3 "store"): the plans, what
// approval froze (candidate list, inspector pool, secret), the tasks of each draw, and each
// subject's draw history. Key layout, all in family-local key order:
//
//   plans     <plan_id>                         v1::Plan
//   frozen    <plan_id>/c/<chunk, 8 digits>     up to 65,536 packed CandidateRecords (14 B each)
//             <plan_id>/l/<index, 10 digits>    last inspectors of a candidate, ';'-joined
//             <plan_id>/p                       v1::FrozenPool
//   secrets   <plan_id>                         the 32-byte secret (revealed with the draw),
//                                               then the 32-byte proof key (never revealed)
//   tasks     <plan_id>/k/<chunk, 8 digits>     up to 4,096 packed tasks (domain/drawn_tasks.h):
//                                               USCC and pool positions of the inspectors
//             <plan_id>/<task, 10 digits>       v1::Task, one a task (plans drawn before #19;
//                                               read, never written)
//   recording <plan_id>                         the next task number whose history and
//                                               TaskDrawn are still to be written
//                                               (draw_recorder.h); absent once all are
//   history   <uscc>                            v1::SubjectHistory of its draws (Draw writes it)
//             <uscc>i                           v1::SubjectHistory of its published inspection
//                                               results (the inspection consumer writes it)
//
// Writes only add to a UnitOfWork; the service commits. Reads are lock-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "libs/store/store.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/draw_hash.h"
#include "services/sampling/domain/drawn_tasks.h"
#include "services/sampling/domain/inspector_pool.h"

namespace jianguan::sampling {

class ProjectionReader;

inline constexpr char kPlanFamily[] = "plans";
inline constexpr char kFrozenFamily[] = "frozen";
inline constexpr char kSecretFamily[] = "secrets";
inline constexpr char kTaskFamily[] = "tasks";
inline constexpr char kHistoryFamily[] = "history";
inline constexpr char kRecordingFamily[] = "recording";

/// A plan as read, with its stored bytes for the compare-and-set of the next write.
struct StoredPlan {
  v1::Plan plan;
  std::string bytes;
};

class PlanStore {
 public:
  explicit PlanStore(const store::Store& store) : store_(store) {}

  /// The service's families (projections included), for Store::Open.
  static std::vector<std::string> Families();

  absl::StatusOr<std::optional<StoredPlan>> FindPlan(std::string_view plan_id) const;
  /// Writes `plan`, requiring the stored bytes to still be `previous` (nullptr: absent).
  static void PutPlan(store::UnitOfWork& work, const v1::Plan& plan, const StoredPlan* previous);
  /// Plans by plan_id from `page_token`, at most `page_size`, that `keep` accepts.
  absl::StatusOr<std::pair<std::vector<v1::Plan>, std::string>> ListPlans(
      int page_size, std::string_view page_token,
      const std::function<bool(const v1::Plan&)>& keep) const;

  /// The candidate list approval freezes, in place of any list an earlier, unfinished
  /// approval of the plan left (its keys are read and deleted). Written in a commit of its
  /// own, before the approval's: only a plan's approval makes anyone read its list.
  absl::Status PutFrozenList(store::UnitOfWork& work, std::string_view plan_id,
                             const CandidateProjection& candidates) const;
  /// The pool, secret and proof key approval froze.
  static void PutFrozen(store::UnitOfWork& work, std::string_view plan_id,
                        const v1::FrozenPool& pool, const Digest& secret,
                        const Digest& proof_key);
  /// `expected` (the plan's frozen candidate_count) sizes the list once; DATA_LOSS when the
  /// stored list does not hold that many (0: not checked).
  absl::StatusOr<CandidateProjection> LoadCandidates(std::string_view plan_id,
                                                     size_t expected = 0) const;
  absl::StatusOr<v1::FrozenPool> LoadPool(std::string_view plan_id) const;
  absl::StatusOr<Digest> LoadSecret(std::string_view plan_id) const;
  /// The key that salts the proof trees' leaves (docs/draw-algorithm.md §10); nullopt for a
  /// plan approved before proofs existed.
  absl::StatusOr<std::optional<Digest>> LoadProofKey(std::string_view plan_id) const;

  /// A draw's tasks, packed in chunks (PackTasks), and the mark that their histories and
  /// events are to be recorded from task 1 on.
  static void PutDrawnTasks(store::UnitOfWork& work, std::string_view plan_id,
                            const std::vector<std::string>& chunks);
  /// The tasks of chunk `chunk` of a drawn plan whose frozen pool has `pool_size`
  /// inspectors; DATA_LOSS when the chunk is missing or damaged.
  absl::StatusOr<std::vector<DrawnTask>> LoadTaskChunk(std::string_view plan_id, size_t chunk,
                                                       size_t pool_size) const;
  /// Tasks in task order from `page_token`, each with its subject's name as `projection`
  /// has it now. INVALID_ARGUMENT for a token this call did not make.
  absl::StatusOr<std::pair<std::vector<v1::Task>, std::string>> ListTasks(
      std::string_view plan_id, int page_size, std::string_view page_token,
      const ProjectionReader& projection) const;

  /// Drawn plans whose tasks are not all recorded yet, by plan_id, with the next task number
  /// to record and the stored mark (for the compare-and-set of the next batch).
  struct Recording {
    std::string plan_id;
    int64_t next_task = 1;
    std::string bytes;
  };
  absl::StatusOr<std::vector<Recording>> PendingRecordings() const;
  /// Moves `recording` on to task `next_task`, or removes the mark when `done`, requiring
  /// the mark to be as read.
  static void AdvanceRecording(store::UnitOfWork& work, const Recording& recording,
                               int64_t next_task, bool done);

  /// The record of a subject's draws, nullopt when never drawn.
  absl::StatusOr<std::optional<v1::SubjectHistory>> FindHistory(std::string_view uscc) const;
  static void PutHistory(store::UnitOfWork& work, std::string_view uscc,
                         const v1::SubjectHistory& history);
  /// The record of a subject's published inspection results: what `pending` writes (an
  /// earlier event of the consumer's batch) if anything, else the stored one; nullopt when
  /// none.
  absl::StatusOr<std::optional<v1::SubjectHistory>> FindInspected(
      std::string_view uscc, const store::UnitOfWork& pending) const;
  static void PutInspected(store::UnitOfWork& work, std::string_view uscc,
                           const v1::SubjectHistory& inspected);
  /// Every subject's history, its draws and inspections merged (MergedHistory), in USCC
  /// order.
  absl::Status ForEachHistory(
      const std::function<bool(std::string_view uscc, const v1::SubjectHistory&)>& visit) const;

 private:
  const store::Store& store_;
};

/// The inspector pool of the domain from a frozen one.
absl::StatusOr<InspectorPool> PoolOf(const v1::FrozenPool& frozen);

}  // namespace jianguan::sampling
