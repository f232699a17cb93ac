#include "libs/testing/kafka_broker.h"

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/testing/ports.h"

namespace jianguan::testing {

KafkaBroker::KafkaBroker(std::string script, std::string dir)
    : script_(std::move(script)), dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  port_ = FreeLoopbackPort();
  controller_port_ = FreeLoopbackPort();
  address_ = absl::StrCat("127.0.0.1:", port_);
  Run(absl::StrCat("start --port ", port_, " --controller-port ", controller_port_,
                   " --dir '", dir_, "'"));
}

KafkaBroker::~KafkaBroker() {
  const std::string command =
      absl::StrCat("'", script_, "' stop --dir '", dir_, "' >/dev/null 2>&1");
  std::system(command.c_str());
}

void KafkaBroker::Restart() {
  Run(absl::StrCat("stop --dir '", dir_, "'"));
  Run(absl::StrCat("start --port ", port_, " --controller-port ", controller_port_,
                   " --dir '", dir_, "'"));
}

void KafkaBroker::Run(const std::string& command) const {
  const std::string output = dir_ + "/script-output.txt";
  const std::string line = absl::StrCat("'", script_, "' ", command, " >'", output, "' 2>&1");
  const int status = std::system(line.c_str());
  std::ifstream in(output);
  std::stringstream text;
  text << in.rdbuf();
  INFO("tools/kafka/kafka " << command << ":\n" << text.str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace jianguan::testing
