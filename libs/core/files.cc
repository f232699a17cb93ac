#include "libs/core/files.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace jianguan {

absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path.string(), ": reading failed"));
  return text.str();
}

absl::StatusOr<std::vector<std::filesystem::path>> FilesWithExtension(
    const std::filesystem::path& dir, std::string_view extension) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::error_code ignored;  // a file that vanished while listing is left out
    if (entry.path().extension() == extension && entry.is_regular_file(ignored)) {
      files.push_back(entry.path());
    }
  }
  if (error) return absl::NotFoundError(absl::StrCat(dir.string(), ": ", error.message()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace jianguan
