#include "libs/runtime/file_clock.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/core/text_checks.h"

namespace jianguan {
namespace {

int64_t Nanos(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + static_cast<int64_t>(t.tv_nsec);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileClock>> FileClock::Open(std::string path,
                                                           absl::Duration recheck) {
  std::unique_ptr<FileClock> clock(new FileClock(std::move(path), recheck));
  std::lock_guard lock(clock->mu_);
  if (absl::Status read = clock->Refresh(absl::Now()); !read.ok()) return read;
  return clock;
}

absl::Status FileClock::Refresh(absl::Time real_now) const {
  next_check_ = real_now + recheck_;
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) {
    const std::string why = std::strerror(errno);
    return absl::InvalidArgumentError(
        absl::StrCat("--fake_clock_file ", path_, " cannot be read: ", why));
  }
  const Stamp stamp{.inode = info.st_ino,
                    .size = info.st_size,
                    .modified_ns = Nanos(info.st_mtim),
                    .changed_ns = Nanos(info.st_ctim)};
  if (stamp == stamp_) return absl::OkStatus();
  std::ifstream in(path_);
  std::stringstream content;
  content << in.rdbuf();
  // At most a line's worth is looked at: the file holds one instant.
  const std::string text(absl::StripAsciiWhitespace(content.str().substr(0, 100)));
  absl::Time instant;
  std::string error;
  if (!in || !absl::ParseTime(absl::RFC3339_full, text, &instant, &error)) {
    const absl::Status refused = absl::InvalidArgumentError(
        absl::StrCat("--fake_clock_file ", path_, " does not hold an RFC 3339 instant (e.g. "
                     "2026-07-01T08:00:00+08:00): ", QuotedInput(text, 40)));
    // Not remembered as read: a writer that truncates and then writes is read again at the
    // next look. Logged once per version of the file.
    if (!(stamp == refused_)) {
      refused_ = stamp;
      LogWarning("fake clock file ignored; the clock keeps its last reading",
                 {{"path", path_}, {"error", refused.message()}});
    }
    return refused;
  }
  stamp_ = stamp;
  written_ = instant;
  changed_at_ = absl::FromUnixNanos(stamp.modified_ns);
  LogInfo("fake clock set from file", {{"path", path_}, {"instant", text}});
  return absl::OkStatus();
}

absl::Time FileClock::Now() const {
  const absl::Time real_now = absl::Now();
  std::lock_guard lock(mu_);
  if (real_now >= next_check_) Refresh(real_now).IgnoreError();
  // A modification time a little ahead of this clock (coarse file-system timestamps) counts
  // as no time elapsed, never as time going back.
  return written_ + std::max(absl::ZeroDuration(), real_now - changed_at_);
}

}  // namespace jianguan
