// Reading a service's /metrics in tests: a plain HTTP GET over loopback and a lookup of one
// sample, or of every sample of a name, in the Prometheus text format; and the same of an
// in-process registry, for tests that hold the service's probe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prometheus {
class Registry;
}

namespace jianguan::testing {

/// One metric of an in-process registry: a counter's or gauge's value, a histogram's count
/// and sum; all 0 while it was never touched.
struct RegistrySample {
  double value = 0;
  uint64_t count = 0;
  double sum = 0;
};

/// The metric `name` of `registry` whose labels are exactly `labels`.
RegistrySample SampleOf(prometheus::Registry& registry, const std::string& name,
                        const std::map<std::string, std::string>& labels = {});

/// GET http://127.0.0.1:<port><path>; the whole response (status line, headers, body), or
/// an empty string when the connection fails.
std::string HttpGet(int port, const std::string& path);

/// The value of the first sample of `text` named `name` whose labels contain every string
/// of `labels` (e.g. R"(grpc_code="OK")"); -1 when there is none.
double SampleValue(const std::string& text, const std::string& name,
                   const std::vector<std::string>& labels);
/// The values of every sample of `text` named `name` whose labels contain every string of
/// `labels`, in the order listed (e.g. one per consumer group).
std::vector<double> SampleValues(const std::string& text, const std::string& name,
                                 const std::vector<std::string>& labels);

}  // namespace jianguan::testing
