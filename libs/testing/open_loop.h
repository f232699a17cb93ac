// An open-loop load for benchmarks: call n starts at its scheduled time (begin + n / rate)
// whether or not the earlier calls were answered, and its latency counts from that scheduled
// time, so a slow server shows as latency instead of a lower rate (no coordinated omission).
//
//   testing::OpenLoop load = testing::RunOpenLoop(2000, 40000, [&](int64_t n, auto done) {
//     auto* call = new Call(n);
//     stub->async()->ExplainScore(&call->context, &call->request, &call->response,
//                                 [call, done](grpc::Status s) { delete call; done(s); });
//   });
//   printf("p99 %.2f ms\n", load.Percentile(0.99));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "grpcpp/support/status.h"

namespace jianguan::testing {

struct OpenLoop {
  /// Milliseconds from each call's scheduled start to its answer, sorted; a failed call
  /// counts as 1e9.
  std::vector<double> latencies_ms;
  int64_t failures = 0;
  std::string first_error;

  /// The latency at quantile `q` (0–1).
  double Percentile(double q) const;
};

/// Starts `calls` calls at `rate` per second from one thread; `start(n, done)` begins call n
/// and arranges for `done(status)` to run when it is answered (from any thread). Returns
/// when every call is answered.
OpenLoop RunOpenLoop(int rate, int64_t calls,
                     const std::function<void(int64_t n, std::function<void(grpc::Status)> done)>&
                         start);

}  // namespace jianguan::testing
