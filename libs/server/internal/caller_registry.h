// The callers of the calls in flight, keyed by their ServerContext; private to
// libs/server. The host's call interceptor records a caller when a call arrives and forgets
// it when the call's context is destroyed; CallerOf() reads it.
#pragma once

#include "absl/status/statusor.h"
#include "libs/server/identity.h"

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace jianguan::server_internal {

/// Remembers `caller` (or its refusal) for the call of `context`. Thread-safe.
void RecordCaller(const grpc::ServerContextBase* context, absl::StatusOr<Caller> caller);

/// Drops what was recorded for `context`. Thread-safe; a no-op when nothing was.
void ForgetCaller(const grpc::ServerContextBase* context);

}  // namespace jianguan::server_internal
