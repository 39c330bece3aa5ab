// A 2xx means durable (http-api.md, Errors): writers post while the daemon is killed with
// SIGKILL; after a restart every record it acknowledged reads back.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

// What the daemon acknowledged: the read paths that find the records again, and the
// assertions that got an acknowledged vote.
class Acknowledged {
 public:
  void Add(const std::string& read_path) { Push(paths_, read_path); }
  void Voted(const std::string& assertion_path) { Push(voted_, assertion_path); }
  std::vector<std::string> paths() const { return Copy(paths_); }
  std::vector<std::string> voted() const { return Copy(voted_); }

 private:
  void Push(std::vector<std::string>& list, const std::string& path) {
    std::lock_guard lock(mu_);
    list.push_back(path);
  }
  std::vector<std::string> Copy(const std::vector<std::string>& list) const {
    std::lock_guard lock(mu_);
    return list;
  }

  mutable std::mutex mu_;
  std::vector<std::string> paths_;
  std::vector<std::string> voted_;
};

constexpr int kWriters = 4;
constexpr int kRoundsBeforeKill = 100;

// Writer `t`: single assertions, batches of three, a vote on each assertion, an epoch and a
// source now and then, until the connection fails (the daemon is gone).
void Write(const Daemon& d, int t, Acknowledged& acks, std::atomic<int>& rounds) {
  auto c = d.Connect();
  for (int i = 0;; ++i) {
    const std::string tag = std::to_string(t) + "-" + std::to_string(i);
    const core::Assertion a = SignedAssertion({.subject = "durable/" + std::to_string(t), .text = tag});
    JsonReply r = PostRecord(*c, a);
    if (r.status != 201) return;
    const std::string path = "/v1/assertions/" + r.body["id"].get<std::string>();
    acks.Add(path);
    if (PostRecord(*c, SignedVote(core::ContentId(a), 2, 0.5)).status != 201) return;
    acks.Voted(path);
    json batch = json::array();
    for (int k = 0; k < 3; ++k) {
      batch.push_back(core::ToJson(SignedAssertion({.subject = "durable/batch", .text = tag + "-" + std::to_string(k)})));
    }
    JsonReply b = PostJson(*c, "/v1/assert/batch", {{"assertions", batch}});
    if (b.status != 200) return;
    for (const json& item : b.body["results"]) acks.Add("/v1/assertions/" + item["id"].get<std::string>());
    if (i % 10 == 0) {
      JsonReply e = PostRecord(*c, SignedEpoch("durable-" + tag));
      if (e.status != 201) return;
      acks.Add("/v1/epochs/" + e.body["id"].get<std::string>());
      JsonReply s = PostRecord(*c, core::Source{.uri = "https://example.org/durable/" + tag});
      if (s.status != 201) return;
      acks.Add("/v1/sources/" + s.body["id"].get<std::string>());
    }
    rounds.fetch_add(1);
  }
}

TEST(WriteDurabilityTest, EveryAcknowledgedWriteSurvivesSigkill) {
  TempDir dir;
  Acknowledged acks;
  {
    Daemon d({.args = {"--rate-limit-enabled", "false"}, .data_dir = dir.Sub("data")});
    std::atomic<int> rounds{0};
    std::atomic<int> running{kWriters};
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t) {
      writers.emplace_back([&, t] {
        Write(d, t, acks, rounds);
        running.fetch_sub(1);
      });
    }
    while (rounds.load() < kRoundsBeforeKill && running.load() == kWriters) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(running.load(), kWriters) << "a writer stopped before the kill:\n" << d.Log();
    d.Kill();  // while the writers are still posting
    for (auto& w : writers) w.join();
  }
  Daemon d({.data_dir = dir.Sub("data")});
  auto c = d.Connect();
  for (const std::string& path : acks.paths()) {
    JsonReply r = GetJson(*c, path);
    ASSERT_EQ(r.status, 200) << "acknowledged write lost: " << path;
  }
  for (const std::string& path : acks.voted()) {
    JsonReply r = GetJson(*c, path);
    ASSERT_EQ(r.body["votes"]["count"], 1) << "acknowledged vote lost on " << path;
  }
  EXPECT_GE(acks.voted().size(), static_cast<size_t>(kRoundsBeforeKill));
}

}  // namespace
}  // namespace stemedb::testing
