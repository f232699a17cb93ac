// Linked into every executable of the tsan preset (JG_SANITIZE=thread) and nowhere else.
//
// gRPC's completion queue contract: everything a thread did before it began an operation
// (grpc_call_start_batch, a server request for a new call, an alarm) happens before the
// thread that gets the operation's tag back from grpc_completion_queue_next handles it.
// C++ gRPC builds on that contract: the callback API fills a call's CallOpSet, its
// CallbackWithSuccessTag, the ServerUnaryReactor and the interceptor state on one thread and
// finishes the call on whichever 'nexting_thread' (libgrpc++'s threads behind
// CompletionQueue::CallbackAlternativeCQ) pops the tag; a server request for a callback
// method is built on the thread that accepted the call ('default-executor') and run on a
// 'nexting_thread'. Debian's libgrpc keeps the promise with a lock-free queue of completions
// (atomics, uninstrumented), so TSan saw no ordering between the threads and reported gRPC's
// header code, compiled into our binaries, racing with itself: subject_registry_crash_test
// (the registry's callback GetSubject under load), server_host_test, subject_registry_test.
// See docs/race-detector.md.
//
// The two definitions below interpose libgrpc's functions at the two ends of that hand-off
// (libgrpc and libgrpc++ call both through the PLT; the executable comes first in symbol
// lookup), call the library's own code through dlsym(RTLD_NEXT) and state the contract to
// TSan: a release on the tag's address when the operation begins, an acquire on it when
// grpc_completion_queue_next returns it completed. No memory access is hidden; only the
// ordering gRPC guarantees is added. grpc_completion_queue_pluck (the synchronous API) needs
// nothing: its hand-off takes the queue's mutex, which TSan sees.

#include <grpc/grpc.h>
#include <sanitizer/tsan_interface.h>

#include <cstdint>

#include "real_symbol.h"

namespace {

// The library's definition of `name`, found once by the caller (a static). Only reached in
// an executable that uses gRPC, so libgrpc is loaded.
template <typename Fn>
Fn Real(const char* name) {
  return jianguan_tsan::RealSymbol<Fn>(name, "libgrpc");
}

// A tag is opaque to gRPC and may be a small integer rather than an address (the async API
// allows it); TSan can attach an ordering only to an address of the application's memory.
// Every tag gRPC C++ passes is the address of an object (a CallOpSet's tag, a request).
bool IsAddress(const void* tag) { return reinterpret_cast<std::uintptr_t>(tag) >= 4096; }

}  // namespace

// libgrpc's (C++) entry point for "an operation with this tag has begun", reached from every
// path that later completes the tag on a queue: grpc_call_start_batch (after the caller
// filled the batch), grpc_server_request_call and grpc_server_request_registered_call, the
// allocation of a server request for a callback method (libgrpc++ builds the request object,
// then libgrpc begins the operation on the same thread) and grpc::Alarm. Declared here: its
// header (src/core/lib/surface/completion_queue.h) is not installed.
bool grpc_cq_begin_op(grpc_completion_queue* cq, void* tag) {
  static const auto real = Real<bool (*)(grpc_completion_queue*, void*)>(
      "_Z16grpc_cq_begin_opP21grpc_completion_queuePv");
  // Before: once begun, the operation may complete on another thread at any time.
  if (IsAddress(tag)) __tsan_release(tag);
  return real(cq, tag);
}

extern "C" grpc_event grpc_completion_queue_next(grpc_completion_queue* cq,
                                                 gpr_timespec deadline, void* reserved) {
  static const auto real =
      Real<decltype(&grpc_completion_queue_next)>("grpc_completion_queue_next");
  const grpc_event event = real(cq, deadline, reserved);
  if (event.type == GRPC_OP_COMPLETE && IsAddress(event.tag)) __tsan_acquire(event.tag);
  return event;
}
