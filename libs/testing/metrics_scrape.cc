#include "libs/testing/metrics_scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "prometheus/registry.h"

namespace jianguan::testing {

std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request =
        "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, n);
    }
  }
  ::close(fd);
  return response;
}

std::vector<double> SampleValues(const std::string& text, const std::string& name,
                                 const std::vector<std::string>& labels) {
  std::vector<double> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const bool labelled = line.rfind(name + "{", 0) == 0;
    const bool bare = line.rfind(name + " ", 0) == 0;
    if (!labelled && !bare) continue;
    bool all = true;
    for (const std::string& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) values.push_back(std::stod(line.substr(line.rfind(' ') + 1)));
  }
  return values;
}

double SampleValue(const std::string& text, const std::string& name,
                   const std::vector<std::string>& labels) {
  const std::vector<double> values = SampleValues(text, name, labels);
  return values.empty() ? -1 : values.front();
}

RegistrySample SampleOf(prometheus::Registry& registry, const std::string& name,
                        const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have != labels) continue;
      const double value = family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                                        : metric.counter.value;
      return {value, metric.histogram.sample_count, metric.histogram.sample_sum};
    }
  }
  return {};
}

}  // namespace jianguan::testing
