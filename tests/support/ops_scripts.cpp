#include "support/ops_scripts.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "stemedb/core/record_json.h"
#include "support/records.h"

namespace stemedb::testing {

std::string ScriptPath(const std::string& name) { return std::string(STEMEDB_SOURCE_DIR) + "/scripts/" + name; }

std::string ToolsDir() { return std::filesystem::path(STEMEDB_API_BINARY).parent_path().string(); }

ProcessResult RunScript(const std::string& name, const std::vector<std::string>& args,
                        std::vector<std::string> extra_env, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {ScriptPath(name)};
  argv.insert(argv.end(), args.begin(), args.end());
  extra_env.push_back("STEMEDB_BIN_DIR=" + ToolsDir());
  return RunProcess(argv, extra_env, timeout);
}

std::string ReadRootKey(const std::string& data_dir) {
  std::string k = ReadFile(data_dir + "/root.key");
  while (!k.empty() && (k.back() == '\n' || k.back() == ' ')) k.pop_back();
  return k;
}

std::string AssertionJson(const std::string& subject, const std::string& text) {
  return core::ToJson(SignedAssertion({.subject = subject, .text = text})).dump();
}

std::string PostAssertion(client::HttpConnection& c, const std::string& subject, const std::string& text) {
  auto r = c.Post("/v1/assert", AssertionJson(subject, text));
  EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
  if (!r.ok() || r->status != 201) return "";
  return nlohmann::json::parse(r->body)["id"];
}

void KillPidFile(const std::string& path) {
  std::string text = ReadFile(path);
  if (text.empty()) return;
  const pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
  if (pid > 1 && kill(pid, 0) == 0) kill(pid, SIGKILL);
}

BackgroundWriters::BackgroundWriters(const Daemon& daemon, int threads, std::string prefix,
                                     std::chrono::milliseconds pause)
    : prefix_(std::move(prefix)), pause_(pause) {
  for (int t = 0; t < threads; ++t) threads_.emplace_back([this, &daemon, t] { Run(daemon, t); });
}

BackgroundWriters::~BackgroundWriters() { Stop(); }

void BackgroundWriters::Stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void BackgroundWriters::Run(const Daemon& daemon, int thread) {
  auto c = daemon.Connect();
  const std::string subject = prefix_ + "/" + std::to_string(thread);
  for (int i = 0; !stop_.load(); ++i) {
    auto r = c->Post("/v1/assert", AssertionJson(subject, std::to_string(i)));
    const auto now = std::chrono::steady_clock::now();
    if (r.ok() && r->status == 201) {
      auto body = nlohmann::json::parse(r->body);
      std::lock_guard lock(mu_);
      acked_.push_back({body["id"], body["seq"], now});
    } else {
      failures_.fetch_add(1);
    }
    std::this_thread::sleep_for(pause_);
  }
}

bool BackgroundWriters::WaitForAcks(size_t n, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      if (acked_.size() >= n) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::vector<AckedWrite> BackgroundWriters::acked() const {
  std::lock_guard lock(mu_);
  return acked_;
}

}  // namespace stemedb::testing
