// A request that does not parse, answered INVALID_ARGUMENT naming its fields in every
// service a ServiceHost serves; private to libs/server.
//
// proto3 refuses a string field that is not UTF-8 while gRPC deserializes the request,
// before any handler runs, and gRPC then answers INTERNAL on the synchronous API and
// UNIMPLEMENTED on the callback API, with no message either way. DESIGN §4 wants
// bad input answered INVALID_ARGUMENT naming each field, in every method, without each
// handler having to read raw bytes.
//
// How: before the host registers a service, each method's grpc::internal::MethodHandler is
// wrapped (methods reached through service_methods.h). The wrapper forwards everything; in
// Deserialize it first takes a reference copy of the request's byte buffer
// (grpc_byte_buffer_copy shares the slices: no bytes are copied), because gRPC's
// deserializer consumes the buffer, and when the inner Deserialize fails it walks the copy
// with RefuseUnparsable (wire_text.h), which names every string field that is not UTF-8 by
// its path (item.name, rows[3].subject.name) as the google.rpc.BadRequest every other
// refusal carries. The synchronous handlers answer the status Deserialize returned; the
// callback handlers ignore it and answer UNIMPLEMENTED, so for them the wrapper records the
// refusal for the call, and the host's call interceptor (call_observer.h) puts it in place
// of the status being sent (InterceptorBatchMethods::ModifySendStatus).
//
// Why not an interceptor alone: an interceptor never sees the request's bytes, only the
// message after parsing (null when parsing failed), so it cannot name the field. The
// handler is the last place that holds them.
//
// What is wrapped: unary and server-streaming methods of the synchronous and callback APIs
// whose request type, found in the generated descriptor pool by the method's name, holds a
// string field at any depth. Raw methods (their request is a ByteBuffer, which always
// parses) and async methods (no handler) are left alone, as are methods unknown to the
// descriptor pool (a hand-written service).
//
// Client- and bidirectional-streaming methods are not wrapped: their messages are read
// inside the handler (ServerReader::Read, ServerBidiReactor::OnReadDone), where gRPC 1.51
// deserializes without any hook that sees the bytes. A message that does not parse ends the
// reading as if the client had closed its side: Read returns false (OnReadDone(false)), the
// handler answers as it would at the end of the stream, and the client's later writes fail.
// Nothing crashes, but the field is not named; a stream whose messages carry text should
// read them raw and refuse them per row with ParseRequest, as the registry's import and
// risk's readings do.
#pragma once

#include <optional>

#include "grpcpp/impl/service_type.h"
#include "grpcpp/support/status.h"

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace jianguan::server_internal {

/// Wraps the methods of `service` as described above. Only before the service is
/// registered with a server. Idempotent: a method already wrapped (a service served by a
/// second host after the first) is left as it is. Aborts when grpc::Service's layout is not
/// the expected one (service_methods.h).
void RefuseUnparsableRequests(grpc::Service& service);

/// The refusal recorded for the callback call of `context`, if any, and forgotten.
/// Thread-safe.
std::optional<grpc::Status> TakeRefusal(const grpc::ServerContextBase* context);

/// Forgets the refusal recorded for `context`, if any (a call torn down before it sent a
/// status, so that the address of its context can be reused). Thread-safe.
void ForgetRefusal(const grpc::ServerContextBase* context);

}  // namespace jianguan::server_internal
