// Figures benchmarks print: this process's memory and a directory's size on disk.
//
//   std::printf("peak RSS %.0f MiB, store %.0f MiB\n", ProcessStatusMiB("VmHWM"),
//               DirectoryMiB(dir.path()));
#pragma once

#include <string>
#include <string_view>

namespace jianguan::testing {

/// A memory line of /proc/self/status ("VmRSS", "VmHWM", …) in MiB; 0 when absent.
double ProcessStatusMiB(std::string_view field);

/// The bytes of the regular files below `path`, in MiB.
double DirectoryMiB(const std::string& path);

}  // namespace jianguan::testing
