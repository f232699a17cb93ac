#include "services/credit/reclassifier.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/timestamps.h"
#include "services/credit/credit_intake.h"
#include "services/credit/credit_metrics.h"

namespace jianguan::credit {

Reclassifier::Reclassifier(const CreditStore& records, const ModelSet& models,
                           const EventEmitter& emitter, const Clock& clock, CreditMetrics* metrics,
                           int chunk)
    : records_(records),
      models_(models),
      emitter_(emitter),
      clock_(clock),
      metrics_(metrics),
      chunk_(chunk) {}

Reclassifier::~Reclassifier() { Stop(); }

void Reclassifier::Start() { thread_ = std::thread([this] { Loop(); }); }

void Reclassifier::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  wake_.notify_all();
}

void Reclassifier::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Reclassifier::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
    if (absl::Status run = RunPending(); !run.ok()) {
      LogWarning("reclassification interrupted, retrying", {{"reason", run.message()}});
      std::unique_lock lock(mu_);
      woken_ = true;
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

absl::Status Reclassifier::RunPending(int64_t max_chunks) {
  ASSIGN_OR_RETURN(std::vector<v1::Reclassification> running, records_.RunningReclassifications());
  for (const v1::Reclassification& r : running) {
    const std::string month = r.name().substr(r.name().rfind('/') + 1);
    LogInfo("reclassification running", {{"month", month}, {"from", r.cursor()}});
    for (bool done = false; !done; --max_chunks) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return absl::OkStatus();
      }
      if (max_chunks == 0) return absl::OkStatus();
      absl::Status step = Step(month, done);
      // A subject changed under the chunk: read it again.
      if (absl::IsFailedPrecondition(step)) continue;
      RETURN_IF_ERROR(step);
    }
    LogInfo("reclassification done", {{"month", month}});
  }
  return absl::OkStatus();
}

absl::Status Reclassifier::Step(const std::string& month, bool& done) {
  ASSIGN_OR_RETURN(auto found, records_.FindReclassification(month));
  if (!found || found->first.state() != v1::RECLASSIFICATION_STATE_RUNNING) {
    done = true;
    return absl::OkStatus();
  }
  v1::Reclassification r = found->first;
  absl::CivilMonth civil_month;
  if (!absl::ParseCivilTime(month, &civil_month)) {
    return absl::DataLossError(absl::StrCat("reclassification key is no month: ", month));
  }
  const absl::CivilDay month_start(civil_month);
  const CompiledModel* model = models_.InForce(month_start);
  if (model == nullptr) {
    return absl::UnavailableError(absl::StrCat("no model version in force on ", month, "-01"));
  }
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<StoredRecord> chunk, records_.RecordsAfter(r.cursor(), chunk_));
  store::UnitOfWork work;
  std::vector<CreditChange> changes;
  for (const StoredRecord& stored : chunk) {
    ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> ledger, records_.Ledger(stored.record.uscc()));
    CreditChange change = Reclassify(stored.record, ledger, *model, month_start, now);
    if (change.reported()) {
      records_.SaveChange(work, stored, change);
      EmitChange(emitter_, work, change);
      r.set_grades_changed(r.grades_changed() + (change.grade_change ? 1 : 0));
      r.set_entries_expired(r.entries_expired() + static_cast<int64_t>(change.entries.size()));
      r.set_restrictions_lifted(r.restrictions_lifted() +
                                static_cast<int64_t>(change.lifted.size()));
      changes.push_back(std::move(change));
    }
    r.set_cursor(stored.record.uscc());
  }
  r.set_subjects_done(r.subjects_done() + static_cast<int64_t>(chunk.size()));
  done = static_cast<int>(chunk.size()) < chunk_;
  if (done) {
    r.set_state(v1::RECLASSIFICATION_STATE_DONE);
    *r.mutable_end_time() = ToTimestamp(now);
  }
  records_.SaveReclassification(work, month, found->second, r);
  RETURN_IF_ERROR(records_.store().Commit(work));
  if (metrics_) {
    metrics_->CountReclassified(static_cast<int>(chunk.size()));
    for (const CreditChange& change : changes) metrics_->CountScored(change);
  }
  return absl::OkStatus();
}

}  // namespace jianguan::credit
