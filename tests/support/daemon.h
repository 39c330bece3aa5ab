#pragma once
// The integration harness: starts the real stemedb-api binary on a free loopback port with its
// data in a temporary directory, waits for /v1/ready, and stops it. Every integration test
// talks to the daemon through this.

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stemedb/client/http_connection.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace stemedb::testing {

struct DaemonOptions {
  std::vector<std::string> args;       // extra flags
  std::vector<std::string> env;        // extra environment, "NAME=value"
  std::vector<std::string> wrapper;    // e.g. {"fiu-run", "-x"}
  std::string data_dir;                // empty: a fresh temporary directory
  uint16_t port = 0;                   // 0: the kernel picks one (a restart keeps a fixed one)
  std::string host = "127.0.0.1";      // a loopback address; 127.0.0.N stands for host N
  std::string log_file;                // set: the daemon logs there (--log-file), Log() reads it
  bool wait_ready = true;              // false: wait only until it listens
  std::chrono::seconds start_timeout{60};
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options = {});
  ~Daemon();  // SIGTERM, then SIGKILL if it does not exit in time
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& host() const { return options_.host; }
  std::string url() const { return "http://" + options_.host + ":" + std::to_string(port_); }
  std::unique_ptr<client::HttpConnection> Connect() const;
  // The root admin API key the daemon generated into <data_dir>/root.key at first start.
  std::string RootKey() const;

  // Sends `sig` and waits; returns the exit code (or -signal). A sanitizer report in the
  // daemon's output fails the test (support/sanitizer_report.h), however it exited.
  int Stop(int sig = SIGTERM, std::chrono::seconds timeout = std::chrono::seconds(60));
  void Kill() { Stop(SIGKILL); }
  bool running() const { return pid_ > 0; }
  // The exit code once the daemon has exited by itself (reaped here), else nullopt.
  std::optional<int> Exited();
  // Everything the daemon logged so far (stdout, stderr, and its log file if any).
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  void Start();

  DaemonOptions options_;
  std::unique_ptr<TempDir> owned_dir_;
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Runs the daemon binary with args to completion (for --check-config, bad config, --help).
ProcessResult RunApi(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

}  // namespace stemedb::testing
