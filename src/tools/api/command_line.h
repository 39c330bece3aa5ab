#pragma once
// stemedb-api's command line: every configuration key as a flag, plus --config,
// --check-config, --version and --help. Turns argv + environment + file into a Config.

#include <string>
#include <vector>

#include "stemedb/ops/config.h"

namespace stemedb::api {

struct CommandLine {
  ops::Config config;
  ops::ConfigOrigin origin;
  std::vector<std::string> warnings;  // to log once logging is configured
  bool check_config = false;
};

// Returns the parsed command line, or exits the process: 0 after --help/--version/
// --check-config output, 2 on a usage or configuration error (message on stderr).
CommandLine ParseCommandLine(int argc, char** argv, char** envp);

}  // namespace stemedb::api
