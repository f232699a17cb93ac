#include "libs/testing/open_loop.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace jianguan::testing {

double OpenLoop::Percentile(double q) const {
  if (latencies_ms.empty()) return 0;
  const size_t at = std::min(latencies_ms.size() - 1, static_cast<size_t>(q * latencies_ms.size()));
  return latencies_ms[at];
}

namespace {

struct Progress {
  int64_t answered = 0;
  int64_t calls = 0;
  bool Done() const { return answered == calls; }
};

}  // namespace

OpenLoop RunOpenLoop(int rate, int64_t calls,
                     const std::function<void(int64_t, std::function<void(grpc::Status)>)>& start) {
  OpenLoop result;
  result.latencies_ms.assign(calls, 1e9);
  absl::Mutex mu;
  Progress progress{.calls = calls};
  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time begin = absl::Now() + absl::Milliseconds(100);
  for (int64_t n = 0; n < calls; ++n) {
    const absl::Time due = begin + interval * n;
    absl::SleepFor(due - absl::Now());
    start(n, [&, n, due](grpc::Status status) {
      const double ms = absl::ToDoubleMilliseconds(absl::Now() - due);
      absl::MutexLock lock(&mu);
      if (status.ok()) {
        result.latencies_ms[n] = ms;
      } else if (result.failures++ == 0) {
        result.first_error = status.error_message();
      }
      ++progress.answered;
    });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&progress, &Progress::Done));
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

}  // namespace jianguan::testing
