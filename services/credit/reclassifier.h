// The monthly reclassification's worker (按月动态分类, 国市监信发〔2022〕6号): walks every
// subject with a credit record in USCC order, `chunk` subjects per write. Each write holds
// the chunk's ledger entries, records and events together with the reclassification's
// cursor and counters, so a crash loses no subject and publishes nothing twice: after a
// restart the worker resumes every RUNNING reclassification from its cursor (Start).
//
// A chunk whose commit fails because the consumer or a repair changed one of its subjects
// meanwhile (the records are saved with a precondition) is read and decided again.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "libs/core/clock.h"
#include "libs/write/event_emitter.h"
#include "services/credit/credit_store.h"
#include "services/credit/domain/credit_model.h"

namespace jianguan::credit {

class CreditMetrics;

class Reclassifier {
 public:
  /// Everything must outlive the worker; `metrics` may be null.
  Reclassifier(const CreditStore& records, const ModelSet& models, const EventEmitter& emitter,
               const Clock& clock, CreditMetrics* metrics, int chunk = 200);
  ~Reclassifier();
  Reclassifier(const Reclassifier&) = delete;
  Reclassifier& operator=(const Reclassifier&) = delete;

  /// Starts the thread, which first resumes what is RUNNING.
  void Start();
  /// Asks the thread to look for RUNNING reclassifications again (one was started).
  void Wake();
  /// Stops after the chunk in hand.
  void Stop();

  /// Runs every RUNNING reclassification to its end on the calling thread (tests, tools);
  /// with `max_chunks` ≥ 0, returns after committing that many chunks, as a process killed
  /// right after a commit would leave it.
  absl::Status RunPending(int64_t max_chunks = -1);

 private:
  /// Does one chunk of `month`'s reclassification; sets `done` when nothing is left.
  absl::Status Step(const std::string& month, bool& done);
  void Loop();

  const CreditStore& records_;
  const ModelSet& models_;
  const EventEmitter& emitter_;
  const Clock& clock_;
  CreditMetrics* metrics_;
  const int chunk_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = true;       // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace jianguan::credit
