// The registry's clock batches (定时批处理, docs/registry-clock.md): a thread that, every
// --clock_rules_every, takes the Beijing day from the clock and runs each rule that is due
// (domain/clock_rules.h decides who and what):
//   annual_report_listing   from 1 July, once per report year: every subject, in USCC order;
//   abnormal_list_expiry    daily: the abnormal subjects listed on or before the latest
//                           listing day that can be due, from the index l/<yyyymmdd>/<uscc>.
//
// Resumable and exactly once. A run is a v1::ClockRun record (proto/.../records.proto) in
// family clock_runs. It goes in chunks of --clock_batch_size subjects, and each chunk is ONE
// unit of work: the subjects' new records and index entries (each on condition that it is
// still the version read), their events with their timeline entries, an audit record, and
// the run record with the cursor moved past the chunk and the counts added (on condition
// that it is the one read). A kill -9 anywhere leaves either the whole chunk or none of it,
// so a restarted registry resumes after the cursor and no subject is changed twice. The last
// chunk also marks the run completed and queues ClockBatchCompleted; a completed run is not
// run again. A chunk whose subject changed meanwhile (a concurrent ChangeSubjectStatus) is
// read and decided again.
//
// Thread-safe to Start and Stop from one thread; RunDue is for tests and the thread itself.
#pragma once

#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/records.pb.h"
#include "libs/core/clock.h"
#include "libs/store/store.h"
#include "libs/write/event_emitter.h"
#include "libs/write/write_path.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject {

class RegistryMetrics;

struct ClockBatchOptions {
  /// Time between ticks (--clock_rules_every).
  absl::Duration every = absl::Minutes(1);
  /// Subjects per chunk, 1–10000 (--clock_batch_size).
  int batch_size = 500;
};

/// The rule's label in keys, metrics and logs: "annual_report_listing",
/// "abnormal_list_expiry".
std::string ClockRuleLabel(v1::ClockRule rule);

class ClockBatches {
 public:
  /// Everything must outlive this; `metrics` may be null.
  ClockBatches(store::Store& store, const SubjectRules& rules, const Clock& clock,
               RegistryMetrics* metrics, ClockBatchOptions options = {});
  ~ClockBatches();
  ClockBatches(const ClockBatches&) = delete;
  ClockBatches& operator=(const ClockBatches&) = delete;

  /// Writes the listing-day index entries (l/…) of the abnormal subjects of a store written
  /// before the index existed, once per store: the marker in clock_runs says it is done.
  /// Call before serving, when nothing else writes subjects.
  absl::Status BackfillListingIndex();

  /// A tick now, then one every options.every, until Stop (or destruction).
  void Start();
  void Stop();

  /// One tick at the clock's time: for each rule, a run left incomplete is finished, then
  /// the run due today (if it is newer than the rule's last) is started and finished.
  /// `max_chunks` ≥ 0 stops after that many chunks, as a crash between two commits would
  /// (tests); negative: no limit.
  absl::Status RunDue(int max_chunks = -1);

 private:
  struct Head;
  struct Chunk;
  absl::Status RunRule(v1::ClockRule rule, absl::CivilDay today, int& budget);
  /// Runs chunks of `head` until it completes, the budget is spent or Stop is asked;
  /// true when completed.
  absl::StatusOr<bool> Continue(Head& head, int& budget);
  /// Reads, decides and commits the chunk after the head's cursor; retried when a subject
  /// or the run changed between the read and the commit.
  absl::Status CommitChunk(Head& head);
  absl::StatusOr<Chunk> ListingChunk(const v1::ClockRun& run, absl::Time now) const;
  absl::StatusOr<Chunk> ExpiryChunk(const v1::ClockRun& run, absl::Time now) const;
  /// Adds `event` about `subject` to `work` with its timeline entry.
  void Emit(store::UnitOfWork& work, const std::string& key,
            const google::protobuf::Message& event, absl::Time now, bool on_timeline) const;

  store::Store& store_;
  const SubjectStore subjects_;
  const Clock& clock_;
  RegistryMetrics* metrics_;
  const ClockBatchOptions options_;
  const EventEmitter emitter_;
  WritePath writes_;
  // Runs this instance started or took up ("<label>/<run id>"): any other incomplete run it
  // finds was left by an earlier process (or a stop) and counts as resumed.
  absl::flat_hash_set<std::string> taken_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace jianguan::subject
