// The adapter every unary handler repeats: resolve the caller, run the handler's logic
// (absl::StatusOr in, plain C++ inside), convert the outcome to grpc::Status once.
//
//   grpc::Status CatalogueService::CreateItem(grpc::ServerContext* ctx,
//                                             const v1::CreateItemRequest* request,
//                                             v1::Item* response) {
//     return Serve(ctx, response, [&](const Caller& c) { return DoCreateItem(c, *request); });
//   }
//
//   // The callback API (no hop to the synchronous thread pool; for cheap, non-blocking
//   // handlers such as point reads):
//   grpc::ServerUnaryReactor* SubjectRegistryService::GetSubject(
//       grpc::CallbackServerContext* ctx, const v1::GetSubjectRequest* request,
//       v1::Subject* response) {
//     return ServeUnary(ctx, response, [&](const Caller&) { return Find(*request); });
//   }
//
// `run` is called on the calling thread, at most once, and only when the caller is known;
// an unauthenticated call is answered UNAUTHENTICATED without running it.
#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"
#include "libs/server/grpc_status.h"
#include "libs/server/identity.h"

namespace jianguan {

/// Resolves the caller, sets `*response` to what `run(caller)` returns (an
/// absl::StatusOr<Response>), and returns its status as a grpc::Status.
template <typename Response, typename Run>
grpc::Status Serve(const grpc::ServerContextBase* context, Response* response, Run&& run) {
  absl::StatusOr<Caller> caller = CallerOf(context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto answer = std::forward<Run>(run)(*caller);
  if (!answer.ok()) return ToGrpcStatus(answer.status());
  *response = std::move(*answer);
  return grpc::Status::OK;
}

/// Serve for reads that do not depend on who calls (the call must still be authenticated).
template <typename Response, typename Run>
grpc::Status ServeRead(const grpc::ServerContextBase* context, Response* response, Run&& run) {
  return Serve(context, response, [&](const Caller&) { return std::forward<Run>(run)(); });
}

/// Serve on the callback API: runs inline on gRPC's callback thread and finishes the call
/// with the outcome. `run` must not block for long (a point read is fine; fsync is not).
template <typename Response, typename Run>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context, Response* response,
                                     Run&& run) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Serve(context, response, std::forward<Run>(run)));
  return reactor;
}

}  // namespace jianguan
