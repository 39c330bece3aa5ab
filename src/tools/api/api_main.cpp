// stemedb-api: the StemeDB daemon.

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "command_line.h"
#include "daemon.h"
#include "stemedb/ops/logging.h"

int main(int argc, char** argv, char** envp) {
  const sigset_t signals = stemedb::api::BlockControlSignals();
  stemedb::api::CommandLine cl = stemedb::api::ParseCommandLine(argc, argv, envp);
  if (cl.check_config) {
    std::fputs(stemedb::ops::RenderConfig(cl.config, cl.origin).c_str(), stdout);
    return 0;
  }
  if (stemedb::Status s = stemedb::ops::ConfigureLogging(cl.config.log); !s.ok()) {
    std::fprintf(stderr, "stemedb-api: %s\n", s.message().c_str());
    return 2;
  }
  for (const auto& w : cl.warnings) spdlog::warn("{}", w);
  if (sodium_init() < 0) {
    spdlog::critical("libsodium failed to initialise");
    return 1;
  }
  return stemedb::api::RunDaemon(cl.config, signals);
}
