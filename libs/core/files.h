// Reading the files a service loads at start (rule sets, models, policies, reference tables).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace jianguan {

/// The whole file. NOT_FOUND ("{path}: cannot be read") when it cannot be opened, DATA_LOSS
/// when reading fails part-way.
absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path);

/// The regular files of `dir` whose name ends in `extension` (".textproto"), sorted by path.
/// NOT_FOUND when the directory cannot be listed; an empty list when none matches.
absl::StatusOr<std::vector<std::filesystem::path>> FilesWithExtension(
    const std::filesystem::path& dir, std::string_view extension);

}  // namespace jianguan
