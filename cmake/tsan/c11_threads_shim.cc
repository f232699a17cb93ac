// Linked into every executable of the tsan preset (JG_SANITIZE=thread) and nowhere else.
//
// Debian 12's librdkafka 2.0.2 starts its threads and takes its locks through glibc's C11
// threads (thrd_create, mtx_lock, cnd_wait, call_once). glibc implements those by calling
// its internal pthread functions directly, and ThreadSanitizer (GCC 12's libtsan and
// clang-16's alike) intercepts only the public pthread_* entry points. So TSan never saw
// librdkafka's threads start: the first allocation on a broker thread found no TSan thread
// state and crashed with SIGSEGV, and none of librdkafka's locks ordered anything.
//
// The definitions below are unversioned and live in the executable, so the dynamic linker
// binds librdkafka's references (thrd_create@GLIBC_2.34, ...) to them instead of glibc's.
// Each forwards to the pthread_* function TSan intercepts, with glibc's own mapping of
// error codes, so librdkafka behaves exactly as it does against glibc. See
// docs/race-detector.md.

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

#include "absl/synchronization/mutex.h"

// glibc's own implementation casts between these pairs; the shim relies on the same.
static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(alignof(mtx_t) == alignof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(alignof(cnd_t) == alignof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(alignof(once_flag) == alignof(pthread_once_t));

namespace {

// The same table as glibc's thrd_err_map (sysdeps/pthread/thrd_priv.h).
int FromErrno(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case ETIMEDOUT:
      return thrd_timedout;
    case EBUSY:
      return thrd_busy;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* AsPthread(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* AsPthread(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

// A C11 thread returns int, a pthread returns void*; the start routine and its argument
// travel on the heap because the creating thread may return before the new one runs.
struct Start {
  thrd_start_t func;
  void* arg;
};

void* RunC11Thread(void* p) {
  Start start = *static_cast<Start*>(p);
  free(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.func(start.arg)));
}

// Abseil's deadlock detector keeps its lock graph (GraphCycles) behind a spin lock compiled
// into Debian's uninstrumented libabsl_synchronization, so TSan sees the graph's accesses
// but not the lock and reports races in GraphCycles::GetId between any two threads that take
// an absl::Mutex (gRPC's threads do constantly). The detector is switched off in this preset
// only; the asan and release builds keep Abseil's default.
[[maybe_unused]] const bool kDeadlockDetectionOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = static_cast<Start*>(malloc(sizeof(Start)));
  if (start == nullptr) return thrd_nomem;
  *start = Start{func, arg};
  const int err = pthread_create(thr, nullptr, RunC11Thread, start);
  if (err != 0) free(start);
  return FromErrno(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* ret = nullptr;
  const int err = pthread_join(thr, &ret);
  if (err == 0 && res != nullptr) *res = static_cast<int>(reinterpret_cast<intptr_t>(ret));
  return FromErrno(err);
}

int thrd_detach(thrd_t thr) { return FromErrno(pthread_detach(thr)); }

thrd_t thrd_current(void) { return pthread_self(); }

void thrd_exit(int res) { pthread_exit(reinterpret_cast<void*>(static_cast<intptr_t>(res))); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  // As glibc: mtx_timed changes nothing, mtx_recursive asks for a recursive mutex.
  pthread_mutexattr_settype(&attr, (type & mtx_recursive) != 0 ? PTHREAD_MUTEX_RECURSIVE
                                                                : PTHREAD_MUTEX_NORMAL);
  const int err = pthread_mutex_init(AsPthread(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return FromErrno(err);
}

int mtx_lock(mtx_t* m) { return FromErrno(pthread_mutex_lock(AsPthread(m))); }

int mtx_trylock(mtx_t* m) { return FromErrno(pthread_mutex_trylock(AsPthread(m))); }

int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict deadline) {
  return FromErrno(pthread_mutex_timedlock(AsPthread(m), deadline));
}

int mtx_unlock(mtx_t* m) { return FromErrno(pthread_mutex_unlock(AsPthread(m))); }

void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(AsPthread(m)); }

int cnd_init(cnd_t* c) { return FromErrno(pthread_cond_init(AsPthread(c), nullptr)); }

int cnd_signal(cnd_t* c) { return FromErrno(pthread_cond_signal(AsPthread(c))); }

int cnd_broadcast(cnd_t* c) { return FromErrno(pthread_cond_broadcast(AsPthread(c))); }

int cnd_wait(cnd_t* c, mtx_t* m) {
  return FromErrno(pthread_cond_wait(AsPthread(c), AsPthread(m)));
}

// C11 deadlines are TIME_UTC, i.e. CLOCK_REALTIME, pthread_cond_timedwait's default clock.
int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                  const struct timespec* __restrict deadline) {
  return FromErrno(pthread_cond_timedwait(AsPthread(c), AsPthread(m), deadline));
}

void cnd_destroy(cnd_t* c) { pthread_cond_destroy(AsPthread(c)); }

void call_once(once_flag* flag, void (*func)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
