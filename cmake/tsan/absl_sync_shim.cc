// Linked into every executable of the tsan preset (JG_SANITIZE=thread) and nowhere else.
//
// Debian's libabsl_synchronization is not built with -fsanitize=thread, so absl::Mutex,
// absl::CondVar and absl::Notification do their locking with atomics and futexes TSan never
// sees (Abseil's own TSan annotations are compiled out of the library). Every access guarded
// by an absl::Mutex, ours in libs/server and gRPC's inside libgrpc alike, then looks
// unsynchronized. The definitions below interpose the out-of-line members (the executable
// comes first in symbol lookup), call the library's own code through dlsym(RTLD_NEXT) and
// tell TSan about the ordering: a release on the mutex's address before every unlock and an
// acquire after every lock. Lock-order (deadlock) checking is not modelled for these
// mutexes; data races are. See docs/race-detector.md.

#include <sanitizer/tsan_interface.h>


#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "real_symbol.h"

namespace {

// The library's definition of `mangled`, found once by the caller (a static).
template <typename Fn>
Fn Real(const char* mangled) {
  return jianguan_tsan::RealSymbol<Fn>(mangled, "libabsl_synchronization");
}

void Acquire(const void* mu) { __tsan_acquire(const_cast<void*>(mu)); }
void Release(const void* mu) { __tsan_release(const_cast<void*>(mu)); }

// The library evaluates a wait's Condition itself, holding the mutex: on the waiting thread
// inside LockSlowLoop, before the wrapped call below returns and acquires, or on the thread
// that unlocks, inside UnlockSlow, after Unlock() above has released. Each evaluation is a
// read of what the mutex guards, so the condition the library is given acquires the mutex's
// address, evaluates the caller's and releases it again: ordered after the last holder's
// writes, and before the next holder's (sampling's DrawRecorder waits for a flag its Wake()
// sets and its own thread then clears: draw_e2e_test, jgctl_test).
class Watched {
 public:
  Watched(const absl::Condition& cond, const absl::Mutex* mu)
      : cond_(cond), mu_(mu), watched_(&Watched::Eval, this) {}
  const absl::Condition& condition() const { return watched_; }

 private:
  static bool Eval(Watched* self) {
    Acquire(self->mu_);
    const bool holds = self->cond_.Eval();
    Release(self->mu_);
    return holds;
  }
  const absl::Condition& cond_;
  const absl::Mutex* mu_;
  absl::Condition watched_;
};

}  // namespace

// Member functions take `this` as their first argument in the Itanium C++ ABI, so each real
// definition is called as a plain function of (object, arguments...).
#define JG_REAL(type, mangled)                          \
  static const auto real = Real<type>(mangled)

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  JG_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  JG_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  JG_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  JG_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  JG_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  Release(this);
  real(this);
}

// Readers release too, so that a writer after them is ordered after their reads.
void Mutex::ReaderUnlock() {
  JG_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  Release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  JG_REAL(void (*)(Mutex*, const Condition&), "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  real(this, Watched(cond, this).condition());
  Acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  JG_REAL(void (*)(Mutex*, const Condition&),
          "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  real(this, Watched(cond, this).condition());
  Acquire(this);
}

// The *WithTimeout/*WithDeadline variants hold the mutex on return whatever they return.
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const bool met = real(this, Watched(cond, this).condition(), timeout);
  Acquire(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const bool met = real(this, Watched(cond, this).condition(), deadline);
  Acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const bool met = real(this, Watched(cond, this).condition(), timeout);
  Acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const bool met = real(this, Watched(cond, this).condition(), deadline);
  Acquire(this);
  return met;
}

// Await releases the mutex while it waits and holds it again on return.
void Mutex::Await(const Condition& cond) {
  JG_REAL(void (*)(Mutex*, const Condition&), "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  Release(this);
  real(this, Watched(cond, this).condition());
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Release(this);
  const bool met = real(this, Watched(cond, this).condition(), timeout);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  JG_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Release(this);
  const bool met = real(this, Watched(cond, this).condition(), deadline);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  JG_REAL(void (*)(CondVar*, Mutex*), "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  real(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  JG_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
          "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool timed_out = real(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  JG_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
          "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool timed_out = real(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

// A waiter whose fast path sees the flag already set takes no lock, so Notify and the waits
// are ordered through the Notification's own address.
void Notification::Notify() {
  JG_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  Release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  JG_REAL(void (*)(const Notification*),
          "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  JG_REAL(bool (*)(const Notification*, absl::Duration),
          "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) Acquire(this);
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  JG_REAL(bool (*)(const Notification*, absl::Time),
          "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
