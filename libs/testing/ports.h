// A loopback port nobody listens on, for tests and benchmarks that start servers.
//
//   const int grpc_port = FreeLoopbackPort();
//   ChildProcess service({binary, "--grpc_port", std::to_string(grpc_port), …});
#pragma once

namespace jianguan::testing {

/// A TCP port on 127.0.0.1 the kernel just handed out and released (another process could
/// take it in between; in practice the kernel does not reuse it at once). Aborts with a
/// message when no socket can be bound: the test machine is broken then.
int FreeLoopbackPort();

}  // namespace jianguan::testing
