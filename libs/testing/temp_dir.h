// A temporary directory for one test, removed with everything in it when it goes out of
// scope. Each RocksDB in a test gets its own.
#pragma once

#include <string>

namespace jianguan::testing {

class TempDir {
 public:
  /// Creates a fresh directory under $TMPDIR (or /tmp) whose name starts with `prefix`.
  explicit TempDir(const std::string& prefix = "jg-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// `path()/name`.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace jianguan::testing
