#include "libs/testing/process_stats.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

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

}  // namespace jianguan::testing
