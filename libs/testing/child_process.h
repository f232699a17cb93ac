// A child process for crash tests: started with a pipe on its stdout, read line by line,
// killed with any signal (SIGKILL to simulate a crash), and reaped.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace jianguan::testing {

class ChildProcess {
 public:
  /// Starts `argv[0]` with the arguments; stderr is inherited. Throws on failure to start.
  explicit ChildProcess(std::vector<std::string> argv);
  /// Kills (SIGKILL) and reaps the child if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The next line of the child's stdout, without the newline; nullopt on timeout or EOF.
  std::optional<std::string> ReadLine(absl::Duration timeout);
  /// Sends `signal`.
  void Kill(int signal);
  /// Waits for the child to end, at most `timeout`. Returns its wait status (see
  /// WIFEXITED/WIFSIGNALED), or nullopt when it still runs.
  std::optional<int> Wait(absl::Duration timeout);

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

}  // namespace jianguan::testing
