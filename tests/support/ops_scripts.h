#pragma once
// The operations scripts of scripts/ (backup, restore, WAL archival, the DR drill) run from
// tests with the tools of this build, and writers that keep a daemon busy meanwhile.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/daemon.h"
#include "support/process.h"

namespace stemedb::testing {

std::string ScriptPath(const std::string& name);  // <source>/scripts/<name>
std::string ToolsDir();                            // where this build put stemedb-api and the tools

// Runs scripts/<name> with STEMEDB_BIN_DIR pointing at this build's tools.
ProcessResult RunScript(const std::string& name, const std::vector<std::string>& args,
                        std::vector<std::string> extra_env = {},
                        std::chrono::seconds timeout = std::chrono::seconds(300));

// The root admin key the daemon generated into <data_dir>/root.key.
std::string ReadRootKey(const std::string& data_dir);

// The body of a signed assertion by agent 1 (stable across runs for the same subject and text).
std::string AssertionJson(const std::string& subject, const std::string& text);

// Posts an assertion; returns its id, or fails the test (status other than 201).
std::string PostAssertion(client::HttpConnection& c, const std::string& subject, const std::string& text);

// Kills the process whose pid a file holds, if it still runs (a script killed on timeout can
// leave its child behind).
void KillPidFile(const std::string& path);

struct AckedWrite {
  std::string id;
  uint64_t seq = 0;
  std::chrono::steady_clock::time_point acked_at;
};

// Threads posting signed assertions (subject "<prefix>/<thread>") to a daemon, a pause between
// writes, until Stop(). Every 201 is recorded; anything else is counted as a failure.
class BackgroundWriters {
 public:
  BackgroundWriters(const Daemon& daemon, int threads, std::string prefix,
                    std::chrono::milliseconds pause = std::chrono::milliseconds(10));
  ~BackgroundWriters();
  BackgroundWriters(const BackgroundWriters&) = delete;
  BackgroundWriters& operator=(const BackgroundWriters&) = delete;

  void Stop();
  // Waits until at least n writes were acknowledged (false after the timeout).
  bool WaitForAcks(size_t n, std::chrono::seconds timeout = std::chrono::seconds(120)) const;
  std::vector<AckedWrite> acked() const;
  int failures() const { return failures_.load(); }

 private:
  void Run(const Daemon& daemon, int thread);

  std::string prefix_;
  std::chrono::milliseconds pause_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  mutable std::mutex mu_;
  std::vector<AckedWrite> acked_;
  std::vector<std::thread> threads_;
};

}  // namespace stemedb::testing
