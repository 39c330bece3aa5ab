#pragma once
// A program the test runs beside the daemon (nginx, prometheus) for the life of the object:
// started with its output in a log file, stopped with SIGTERM (then SIGKILL) when the object
// goes, so a failing assertion never leaves it running.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace stemedb::testing {

class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::vector<std::string>& extra_env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False once the program has exited (and it is reaped).
  bool Running();
  // Everything it wrote so far.
  std::string Log() const;
  // SIGTERM, then SIGKILL after `timeout`; returns the exit code (or -signal). Idempotent.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(20));

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_code_ = 0;
};

// A loopback TCP port that was free a moment ago (bound to port 0, then released), for
// programs that cannot be told to pick their own. Ports come from the kernel's ephemeral range.
uint16_t FreeLoopbackPort();

}  // namespace stemedb::testing
