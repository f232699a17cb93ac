// Figures benchmarks print: this process's memory, a directory's size on disk, and who used
// the machine's cores during a phase (a service, the bench client, everything else).
//
//   std::printf("peak RSS %.0f MiB, store %.0f MiB\n", ProcessStatusMiB("VmHWM"),
//               DirectoryMiB(dir.path()));
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace jianguan::testing {

/// A memory line of /proc/self/status ("VmRSS", "VmHWM", …) in MiB; 0 when absent.
double ProcessStatusMiB(std::string_view field);

/// The bytes of the regular files below `path`, in MiB.
double DirectoryMiB(const std::string& path);

/// A process's resident set (VmRSS of /proc/<pid>/status) in KiB; -1 when unknown.
long RssKiB(pid_t pid);

/// CPU time in clock ticks: the whole machine's busy and total time (/proc/uptime: time up
/// times the cores, less their idle time) and one service's and this process's user +
/// system time (/proc/<pid>/stat). A bench shares its
/// cores with whatever else runs; each phase reports who used them, so a figure can be read
/// in context.
struct CpuSample {
  uint64_t machine_busy = 0, machine_total = 0, service = 0, bench = 0;
};

/// The counters now, for the service `service`.
CpuSample SampleCpu(pid_t service);

/// Between two samples: "machine 97% busy: registry 61%, bench client 14%, everything else
/// 22% (% of all cores)", the service named `service_name`.
std::string CpuUse(const CpuSample& from, const CpuSample& to, std::string_view service_name);

}  // namespace jianguan::testing
