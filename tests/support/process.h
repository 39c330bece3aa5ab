#pragma once
// Running real programs from tests: the daemon, its tools, promtool, nginx, python3.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace stemedb::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or could not start
  int signal = 0;
  std::string out;     // stdout and stderr, interleaved
};

// Runs argv to completion (killed after timeout). extra_env entries are "NAME=value". A
// sanitizer report in its output fails the test (support/sanitizer_report.h).
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(120),
                         const std::string& cwd = "");

// Starts argv in the background with stdout+stderr to log_path. Returns the pid.
pid_t SpawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   const std::string& log_path, const std::string& cwd = "");

// Waits for pid; returns its exit code, or -signal if a signal ended it, or 999 on timeout.
int WaitProcess(pid_t pid, std::chrono::milliseconds timeout);

// True when `name` is found on PATH.
bool HaveProgram(const std::string& name);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace stemedb::testing
