#include "libs/testing/process_stats.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/string_view_compat.h"

namespace jianguan::testing {

double ProcessStatusMiB(std::string_view field) {
  std::ifstream status("/proc/self/status");
  const std::string prefix = std::string(field) + ":";
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atof(line.c_str() + prefix.size()) / 1024;
  }
  return 0;
}

double DirectoryMiB(const std::string& path) {
  uintmax_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  }
  return static_cast<double>(bytes) / (1 << 20);
}

long RssKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

namespace {

// utime + stime of /proc/<pid>/stat; 0 when the process is gone.
uint64_t ProcessTicks(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));  // after "pid (comm) "
  std::string field;
  uint64_t utime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) return utime + std::stoull(field);
  }
  return utime;
}

}  // namespace

CpuSample SampleCpu(pid_t service) {
  // The machine's time from /proc/uptime: seconds up and the sum of the cores' idle seconds,
  // both measured, not sampled. The busy counters of /proc/stat are sampled at each tick and
  // miss the short bursts a server answering small calls is made of: at 5,000 calls a second
  // they showed the machine less busy than the one process measured in it.
  CpuSample sample;
  std::ifstream in("/proc/uptime");
  double up_seconds = 0, idle_seconds = 0;
  in >> up_seconds >> idle_seconds;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double cores = static_cast<double>(std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN)));
  sample.machine_total = static_cast<uint64_t>(up_seconds * cores * ticks);
  sample.machine_busy =
      static_cast<uint64_t>(std::max(0.0, up_seconds * cores - idle_seconds) * ticks);
  sample.service = ProcessTicks(service);
  sample.bench = ProcessTicks(getpid());
  return sample;
}

std::string CpuUse(const CpuSample& from, const CpuSample& to, std::string_view service_name) {
  const double total =
      static_cast<double>(std::max<uint64_t>(1, to.machine_total - from.machine_total));
  const double busy = 100.0 * (to.machine_busy - from.machine_busy) / total;
  const double service = 100.0 * (to.service - from.service) / total;
  const double bench = 100.0 * (to.bench - from.bench) / total;
  return absl::StrFormat(
      "machine %.0f%% busy: %s %.0f%%, bench client %.0f%%, everything else (broker, other "
      "work on the machine) %.0f%% (%% of all cores)",
      busy, AbslView(service_name), service, bench, std::max(0.0, busy - service - bench));
}

}  // namespace jianguan::testing
