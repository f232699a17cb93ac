// A clock a test moves from outside the process (--fake_clock_file, development only): the
// file holds an RFC 3339 instant T, and the clock reads T plus the real time elapsed since
// the file last changed (its modification time). Rewriting the file moves the clock while
// the binary runs; between rewrites time flows as it does on the wall, so ids and
// timestamps keep rising. A restarted binary reads the same file and goes on where the
// clock was, not back to T.
//
//   echo 2026-07-01T08:00:00+08:00 > clock.tmp && mv clock.tmp clock   # atomic rewrite
//
// The file is looked at (stat) at most once per `recheck` and read again only when it
// changed (inode, size, modification or change time), so Now() stays cheap. A rewrite that
// does not parse is logged and ignored: the clock keeps its last good reading. Only
// ServiceRuntime creates one, and only when the flag is given, which needs --insecure_dev
// (libs/server/flags.h): a production service never reads its time from a file.
//
// Thread-safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"

namespace jianguan {

class FileClock final : public Clock {
 public:
  /// Reads `path` once: INVALID_ARGUMENT naming the file when it cannot be read or does not
  /// hold an RFC 3339 instant (a start with a bad clock file is refused, not guessed at).
  static absl::StatusOr<std::unique_ptr<FileClock>> Open(
      std::string path, absl::Duration recheck = absl::Milliseconds(50));

  absl::Time Now() const override;

  const std::string& path() const { return path_; }

 private:
  // What identifies one version of the file without reading it.
  struct Stamp {
    ino_t inode = 0;
    off_t size = -1;
    int64_t modified_ns = 0;
    int64_t changed_ns = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };

  FileClock(std::string path, absl::Duration recheck) : path_(std::move(path)), recheck_(recheck) {}
  /// Stats the file and, when it changed, reads it again; keeps the old reading on failure.
  /// Returns the error of a failed read (for Open). Called with mu_ held.
  absl::Status Refresh(absl::Time real_now) const;

  const std::string path_;
  const absl::Duration recheck_;
  mutable std::mutex mu_;
  mutable absl::Time next_check_ = absl::InfinitePast();
  mutable Stamp stamp_;            // of the last version read successfully
  mutable Stamp refused_;          // of the last version that did not parse (logged once)
  mutable absl::Time written_ = absl::UnixEpoch();  // T of the file
  mutable absl::Time changed_at_ = absl::UnixEpoch();  // its modification time
};

}  // namespace jianguan
