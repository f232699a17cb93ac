// A command run to its end as a test runs a command-line tool (jgctl): stdout and stderr
// folded in the order written (so refusals can be read), the exit code, and the few reads
// tests make of the output. The command line and what it printed go to the test's log
// (UNSCOPED_INFO), shown when an assertion after it fails.
//
//   const testing::CommandOutput out = testing::RunCommand({JG_JGCTL, "cases", "get", name});
//   CHECK(out.exit_code == 0);
//   CHECK(out.Says("closed"));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace jianguan::testing {

struct CommandOutput {
  int exit_code = -1;  // -1 when it did not exit normally within the time given
  std::string output;  // stdout and stderr, interleaved as written

  bool Says(std::string_view text) const { return output.find(text) != std::string::npos; }
  /// The first word of the output: the resource a write prints first.
  std::string FirstWord() const;
  /// The first line that contains `text`, "" when none.
  std::string LineWith(std::string_view text) const;
  /// The first word of that line.
  std::string FirstWordOfLineWith(std::string_view text) const;
  /// The first word that starts with `prefix`, "" when none.
  std::string WordStarting(std::string_view prefix) const;
};

/// Runs `argv` (argv[0] the program) and reads its output until it exits or `timeout`
/// passes.
CommandOutput RunCommand(const std::vector<std::string>& argv,
                         absl::Duration timeout = absl::Seconds(120));

}  // namespace jianguan::testing
