#include "libs/testing/command_run.h"

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/testing/child_process.h"

namespace jianguan::testing {

std::string CommandOutput::FirstWord() const {
  return output.substr(0, output.find_first_of(" \n"));
}

std::string CommandOutput::LineWith(std::string_view text) const {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) return line;
  }
  return "";
}

std::string CommandOutput::FirstWordOfLineWith(std::string_view text) const {
  const std::string line = LineWith(text);
  return line.substr(0, line.find(' '));
}

std::string CommandOutput::WordStarting(std::string_view prefix) const {
  std::istringstream words(output);
  for (std::string word; words >> word;) {
    if (word.rfind(prefix, 0) == 0) return word;
  }
  return "";
}

CommandOutput RunCommand(const std::vector<std::string>& argv, absl::Duration timeout) {
  // ChildProcess pipes stdout only; the shell folds stderr into it.
  std::vector<std::string> folded = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1"};
  folded.insert(folded.end(), argv.begin(), argv.end());
  ChildProcess child(folded);
  CommandOutput out;
  const absl::Time deadline = absl::Now() + timeout;
  while (auto line = child.ReadLine(deadline - absl::Now())) {
    absl::StrAppend(&out.output, *line, "\n");
  }
  if (auto status = child.Wait(absl::Seconds(10)); status && WIFEXITED(*status)) {
    out.exit_code = WEXITSTATUS(*status);
  }
  UNSCOPED_INFO(absl::StrJoin(argv, " ") << " → " << out.exit_code << "\n" << out.output);
  return out;
}

}  // namespace jianguan::testing
