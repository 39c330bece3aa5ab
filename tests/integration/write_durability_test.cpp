// A 2xx means durable (http-api.md, Errors): 64 writers post while the daemon is killed with
// SIGKILL, round after round on the same data directory; after each restart every record it
// acknowledged reads back, and after the last one all of them do.
//
// 2 rounds by default (the CI run); STEMEDB_DAEMON_CRASH_ROUNDS=N runs more
// (scripts/crash-rounds.sh, docs/crash-testing.md), STEMEDB_DAEMON_CRASH_WRITERS=W another
// number of writers, STEMEDB_CRASH_SEED=S other kill points.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <nlohmann/json.hpp>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/campaign_size.h"
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
  size_t size() const {
    std::lock_guard lock(mu_);
    return paths_.size();
  }

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

// Writer `t`: single assertions, batches of three, a vote on each assertion, an epoch and a
// source now and then, until the connection fails (the daemon is gone).
void Write(const Daemon& d, const std::string& round, int t, Acknowledged& acks, std::atomic<int>& rounds) {
  auto c = d.Connect();
  for (int i = 0;; ++i) {
    const std::string tag = round + "-" + std::to_string(t) + "-" + std::to_string(i);
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

// Reads back the acknowledged paths [from_path, ...) and votes [from_vote, ...).
void ExpectAcknowledged(const Daemon& d, const Acknowledged& acks, size_t from_path, size_t from_vote,
                        const std::string& when) {
  auto c = d.Connect();
  const std::vector<std::string> paths = acks.paths();
  for (size_t i = from_path; i < paths.size(); ++i) {
    JsonReply r = GetJson(*c, paths[i]);
    ASSERT_EQ(r.status, 200) << when << ": acknowledged write lost: " << paths[i];
  }
  const std::vector<std::string> voted = acks.voted();
  for (size_t i = from_vote; i < voted.size(); ++i) {
    JsonReply r = GetJson(*c, voted[i]);
    ASSERT_EQ(r.body["votes"]["count"], 1) << when << ": acknowledged vote lost on " << voted[i];
  }
}

TEST(WriteDurabilityTest, EveryAcknowledgedWriteSurvivesSigkill) {
  const uint64_t rounds = CampaignSize("STEMEDB_DAEMON_CRASH_ROUNDS", 2);
  const int writers = static_cast<int>(CampaignSize("STEMEDB_DAEMON_CRASH_WRITERS", 64));
  const uint64_t seed = CampaignSize("STEMEDB_CRASH_SEED", 20251125);
  std::mt19937_64 rng(seed);
  const auto started = std::chrono::steady_clock::now();
  TempDir dir;
  Acknowledged acks;
  size_t checked_paths = 0, checked_votes = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    Daemon d({.args = {"--rate-limit-enabled", "false"}, .data_dir = dir.Sub("data")});
    // What the previous round acknowledged, read back after its SIGKILL.
    ExpectAcknowledged(d, acks, checked_paths, checked_votes, "round " + std::to_string(round));
    if (HasFatalFailure()) return;
    checked_paths = acks.paths().size();
    checked_votes = acks.voted().size();
    // Each writer does a few rounds of writes first; the kill lands anywhere after that.
    const int writes_before_kill = writers + static_cast<int>(rng() % (2 * writers));
    std::atomic<int> done{0};
    std::atomic<int> running{writers};
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        Write(d, std::to_string(round), t, acks, done);
        running.fetch_sub(1);
      });
    }
    while (done.load() < writes_before_kill && running.load() == writers) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(running.load(), writers) << "a writer stopped before the kill:\n" << d.Log();
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 5000));
    d.Kill();  // while the writers are still posting
    for (auto& w : threads) w.join();
  }
  Daemon d({.data_dir = dir.Sub("data")});
  ExpectAcknowledged(d, acks, 0, 0, "after the last round");
  if (HasFatalFailure()) return;
  EXPECT_GE(acks.voted().size(), static_cast<size_t>(rounds * writers));
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::printf("daemon crash summary: rounds=%llu writers=%d seed=%llu acked=%zu acked_votes=%zu lost=0 seconds=%.1f\n",
              static_cast<unsigned long long>(rounds), writers, static_cast<unsigned long long>(seed), acks.size(),
              acks.voted().size(), took.count());
}

}  // namespace
}  // namespace stemedb::testing
