#include "support/daemon.h"

#include <signal.h>

#include <regex>
#include <stdexcept>
#include <thread>

#include "support/process.h"
#include "support/sanitizer_report.h"

namespace stemedb::testing {

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
  owned_dir_ = std::make_unique<TempDir>();  // holds the log, and the data unless given
  data_dir_ = options_.data_dir.empty() ? owned_dir_->Sub("data") : options_.data_dir;
  log_path_ = owned_dir_->Sub("daemon.log");
  Start();
}

Daemon::~Daemon() {
  if (pid_ > 0) Stop(SIGTERM);
}

void Daemon::Start() {
  std::vector<std::string> argv = options_.wrapper;
  argv.push_back(STEMEDB_API_BINARY);
  // Port 0 (the default): the kernel picks a free port; the daemon logs which, so no race.
  for (const std::string& a : {std::string("--bind"), options_.host + ":" + std::to_string(options_.port), std::string("--data-dir"),
                               data_dir_, std::string("--log-level"), std::string("debug")}) {
    argv.push_back(a);
  }
  if (!options_.log_file.empty()) {
    argv.push_back("--log-file");
    argv.push_back(options_.log_file);
  }
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  pid_ = SpawnProcess(argv, options_.env, log_path_);

  static const std::regex kListening(R"(listening on [0-9.]+:([0-9]+))");
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (port_ == 0) {
    std::smatch m;
    std::string log = Log();
    if (std::regex_search(log, m, kListening)) port_ = static_cast<uint16_t>(std::stoi(m[1]));
    if (port_ != 0) break;
    if (WaitProcess(pid_, std::chrono::milliseconds(0)) != 999) {
      pid_ = -1;
      throw std::runtime_error("stemedb-api exited during start-up:\n" + Log());
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("stemedb-api did not listen:\n" + Log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!options_.wait_ready) return;
  while (std::chrono::steady_clock::now() < deadline) {
    client::HttpConnection c(options_.host, port_, std::chrono::seconds(5));
    auto r = c.Get("/v1/ready");
    if (r.ok() && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("stemedb-api did not become ready:\n" + Log());
}

std::unique_ptr<client::HttpConnection> Daemon::Connect() const {
  return std::make_unique<client::HttpConnection>(options_.host, port_);
}

std::string Daemon::RootKey() const {
  std::string key = ReadFile(data_dir_ + "/root.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

std::optional<int> Daemon::Exited() {
  if (pid_ <= 0) return std::nullopt;
  const int code = WaitProcess(pid_, std::chrono::milliseconds(0));
  if (code == 999) return std::nullopt;
  pid_ = -1;
  ExpectNoSanitizerReport("stemedb-api", ReadFile(log_path_));
  return code;
}

int Daemon::Stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int code = WaitProcess(pid_, timeout);
  if (code == 999) {
    kill(pid_, SIGKILL);
    code = WaitProcess(pid_, std::chrono::seconds(10));
  }
  pid_ = -1;
  // Only its stdout and stderr: the sanitizers write there, never to the daemon's own log file.
  ExpectNoSanitizerReport("stemedb-api", ReadFile(log_path_));
  return code;
}

std::string Daemon::Log() const {
  std::string log = ReadFile(log_path_);
  if (!options_.log_file.empty()) log += ReadFile(options_.log_file);
  return log;
}

ProcessResult RunApi(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv = {STEMEDB_API_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env, std::chrono::seconds(30));
}

}  // namespace stemedb::testing
