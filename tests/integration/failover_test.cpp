// Automatic failover on etcd (docs/replication.md, "Automatic failover"; issue 15): three real
// etcd members and three real StemeDB nodes on loopback. Writers post through whichever node
// says it is primary; a monitor records every (term, node) that answered GET /v1/role with 200
// (the history checker); the primary is SIGKILLed round after round and restarted, as systemd
// would restart it (a deposed primary with an unreplicated tail exits 75 to rejoin, and starts
// again). With synchronous commit, every acknowledged write must be on every node at the end,
// and no term may ever have had two primaries.
//
// The cluster, the history checker and HAProxy are in support/failover_cluster.h.
//
// Rounds: STEMEDB_FAILOVER_ROUNDS (CI runs 3; the campaign of docs/benchmarks.md runs 20).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/background_process.h"
#include "support/campaign_size.h"
#include "support/daemon.h"
#include "support/etcd_cluster.h"
#include "support/failover_cluster.h"
#include "support/process.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kNodes = kClusterNodes;
constexpr int kWriters = 8;
const std::string kSharedKey = ClusterOptions{}.shared_key;

int Rounds() {
  return static_cast<int>(std::max<uint64_t>(1, CampaignSize("STEMEDB_FAILOVER_ROUNDS", 3)));
}

struct Ack {
  std::string id;
  int node;
  int64_t sent_ms;
  int64_t received_ms;
};

// Writers that post through whichever node History last saw answering /v1/role with 200 (as
// HAProxy's writes frontend does), each acknowledged write recorded with the node that
// acknowledged it and when the answer arrived.
class Writers {
 public:
  // through_port != 0: every write goes there (HAProxy's writes frontend); `node` is then
  // History's primary of the moment, for the record.
  Writers(const Cluster& cluster, const History& history, uint16_t through_port = 0, int writers = kWriters,
          std::chrono::milliseconds pause = std::chrono::milliseconds(25)) {
    for (int t = 0; t < writers; ++t) {
      threads_.emplace_back([this, &cluster, &history, through_port, pause, t] {
        for (int i = 0; !stop_; ++i) {
          const int p = history.current();
          if (p < 0 && through_port == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
          }
          client::HttpConnection c(through_port != 0 ? "127.0.0.1" : cluster.host(p), through_port != 0 ? through_port : cluster.port(p),
                                   std::chrono::seconds(5));
          const core::Assertion a = SignedAssertion(
              {.subject = "failover/" + std::to_string(t) + "/" + std::to_string(i % 7), .predicate = "p",
               .text = "w" + std::to_string(t) + "-" + std::to_string(i), .timestamp = 1700000000 + i},
              {1 + t % 4});
          const int64_t sent_ms = UnixNowMs();
          JsonReply w = PostJson(c, "/v1/assert", core::ToJson(a));
          if (w.status == 201 || w.status == 200) {
            std::lock_guard lock(mu_);
            acks_.push_back({w.body["id"], p, sent_ms, UnixNowMs()});
            last_ack_ms_ = UnixNowMs();
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
          // Paced: the check at the end reads every acknowledged id on every node.
          std::this_thread::sleep_for(pause);
        }
      });
    }
  }
  ~Writers() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<Ack> acks() {
    std::lock_guard lock(mu_);
    return acks_;
  }
  int64_t last_ack_ms() const { return last_ack_ms_.load(); }
  // When the first write sent after `ms` was acknowledged (0: none yet).
  int64_t FirstAckOfWriteSentAfter(int64_t ms) {
    std::lock_guard lock(mu_);
    int64_t first = 0;
    for (const Ack& a : acks_) {
      if (a.sent_ms > ms && (first == 0 || a.received_ms < first)) first = a.received_ms;
    }
    return first;
  }

 private:
  std::mutex mu_;
  std::vector<Ack> acks_;
  std::atomic<int64_t> last_ack_ms_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Every acknowledged write on every node, and one primary per term.
void ExpectNothingLost(Cluster& cluster, History& history, const std::vector<Ack>& acks) {
  const auto [primary, term] = cluster.Primary();
  ASSERT_GE(primary, 0);
  client::HttpConnection pc(cluster.host(primary), cluster.port(primary));
  const uint64_t head = GetJson(pc, "/v1/role").body["durable_offset"].get<uint64_t>();
  std::vector<std::thread> checkers;
  std::vector<std::vector<std::string>> missing(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    checkers.emplace_back([&, i] {
      client::HttpConnection c(cluster.host(i), cluster.port(i), std::chrono::seconds(30));
      for (const Ack& a : acks) {
        // Causal reads: each standby answers once it applied the primary's head.
        JsonReply r = GetJson(c, "/v1/assertions/" + a.id + "?min_position=" + std::to_string(head));
        if (r.status != 200) {
          missing[i].push_back(a.id + " (acknowledged by node " + std::to_string(a.node) + "): " + r.response.body);
        }
      }
    });
  }
  for (auto& t : checkers) t.join();
  for (int i = 0; i < kNodes; ++i) {
    EXPECT_TRUE(missing[i].empty()) << "node " << i << " misses " << missing[i].size()
                                    << " acknowledged writes, first: " << missing[i].front();
  }
  for (const auto& [t, nodes] : history.primaries()) {
    EXPECT_EQ(nodes.size(), 1u) << "term " << t << " had " << nodes.size() << " primaries";
  }
}

// Three etcd members, three nodes and the history checker, with a primary elected.
class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)";
    etcd_ = std::make_unique<EtcdCluster>(3);
    ASSERT_TRUE(etcd_->WaitHealthy(std::chrono::seconds(30)));
    cluster_ = std::make_unique<Cluster>(*etcd_);
    history_ = std::make_unique<History>(*cluster_);
    first_primary_ = WaitPrimary(*history_, std::chrono::seconds(30));
    ASSERT_GE(first_primary_, 0) << "no node became primary";
  }
  void TearDown() override {
    history_.reset();
    cluster_.reset();
    etcd_.reset();
  }
  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<History> history_;
  int first_primary_ = -1;
};

TEST_F(FailoverTest, SigkilledPrimaryIsReplacedWithoutLosingAcknowledgedWrites) {
  Cluster& cluster = *cluster_;
  History& history = *history_;
  // 64 writers through HAProxy (the shipped file) when it is installed, as clients would write.
  std::unique_ptr<HaProxy> haproxy;
  if (HaProxy::Available()) haproxy = std::make_unique<HaProxy>(cluster);
  Writers writers(cluster, history, haproxy ? haproxy->writes_port() : 0, haproxy ? 64 : kWriters,
                  std::chrono::milliseconds(haproxy ? 100 : 25));

  std::vector<double> failover_s;
  for (int round = 0; round < Rounds(); ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(2));  // load on the current primary
    const int victim = WaitPrimary(history, std::chrono::seconds(30));
    ASSERT_GE(victim, 0) << "round " << round << ": no primary";
    const int64_t killed_ms = UnixNowMs();
    cluster.Kill(victim);
    // Until a write sent after the kill is acknowledged (by the new primary: the old is dead).
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && writers.FirstAckOfWriteSentAfter(killed_ms) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const int64_t first_ack_ms = writers.FirstAckOfWriteSentAfter(killed_ms);
    ASSERT_GT(first_ack_ms, 0) << "round " << round << ": no write accepted after the kill";
    failover_s.push_back((first_ack_ms - killed_ms) / 1000.0);
    cluster.Start(victim);
    const int64_t restarted_ms = UnixNowMs();
    ASSERT_TRUE(WaitRejoined(cluster, victim, std::chrono::seconds(90)))
        << "round " << round << ": node " << victim << " did not rejoin:\n" << cluster.daemon(victim).Log().substr(0, 20000);
    std::cout << "round " << round << ": failover " << failover_s.back() << " s, rejoined in "
              << (UnixNowMs() - restarted_ms) / 1000.0 << " s\n";
    if (UnixNowMs() - restarted_ms > 10000) std::cout << cluster.Warnings(victim);
  }
  writers.Stop();

  std::sort(failover_s.begin(), failover_s.end());
  std::cout << "failover (SIGKILL to the first write acknowledged by the new primary), s:";
  for (double s : failover_s) std::cout << " " << s;
  std::cout << "\nacknowledged writes: " << writers.acks().size() << "\n";
  ExpectNothingLost(cluster, history, writers.acks());
  EXPECT_GE(history.primaries().size(), static_cast<size_t>(Rounds() + 1)) << "a new term per failover";

  // Every diverged tail a rejoin moved aside posts to the primary with `stemedb resubmit`, and a
  // second run finds every record there already (idempotent).
  const auto [primary, term] = cluster.Primary();
  ASSERT_GE(primary, 0);
  const std::string url = cluster.address(primary).url();
  size_t tails = 0;
  for (int i = 0; i < kNodes; ++i) {
    const std::string diverged = cluster.dir(i) + "/wal/diverged";
    if (!std::filesystem::is_directory(diverged)) continue;
    for (const auto& e : std::filesystem::directory_iterator(diverged)) {
      if (!e.is_directory()) continue;
      ++tails;
      const std::vector<std::string> argv = {STEMEDB_CLI_BINARY, "--server", url, "--api-key", kSharedKey,
                                             "resubmit", e.path().string()};
      ProcessResult first = RunProcess(argv);
      EXPECT_EQ(first.exit_code, 0) << first.out;
      ProcessResult again = RunProcess(argv);
      EXPECT_EQ(again.exit_code, 0) << again.out;
      EXPECT_NE(again.out.find("posted 0,"), std::string::npos) << again.out;
    }
  }
  std::cout << "diverged tails resubmitted: " << tails << "\n";
}

// The zombie leader: a primary paused (SIGSTOP) for twice the lease TTL, then resumed. A new
// primary takes over meanwhile; the old one, when it wakes, acknowledges nothing (its lease
// deadline passed while it slept), and none of its acknowledged writes is lost.
TEST_F(FailoverTest, PausedPrimaryAcknowledgesNothingAfterItsLeaseDeadline) {
  Cluster& cluster = *cluster_;
  History& history = *history_;
  const int zombie = first_primary_;
  Writers writers(cluster, history);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  const int64_t stopped_ms = UnixNowMs();
  ASSERT_EQ(kill(cluster.daemon(zombie).pid(), SIGSTOP), 0);
  ASSERT_GE(WaitPrimary(history, std::chrono::seconds(30), zombie), 0) << "no new primary while it slept";
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, stopped_ms + 6000 - UnixNowMs())));
  ASSERT_EQ(kill(cluster.daemon(zombie).pid(), SIGCONT), 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // whatever it does on waking
  ASSERT_TRUE(WaitRejoined(cluster, zombie, std::chrono::seconds(90))) << cluster.daemon(zombie).Log().substr(0, 20000);
  writers.Stop();

  // Its lease (3 s) ran out at the latest 3 s after it stopped renewing, which was before the stop.
  size_t late = 0;
  for (const Ack& a : writers.acks()) late += (a.node == zombie && a.received_ms > stopped_ms + 3000) ? 1 : 0;
  EXPECT_EQ(late, 0u) << "acknowledgements from the paused primary after its lease deadline";
  ExpectNothingLost(cluster, history, writers.acks());
}

// One etcd member down changes nothing; quorum lost: the primary steps down within the lease
// (no node takes writes, reads go on); quorum back: a primary again, writes again.
TEST_F(FailoverTest, EtcdQuorumLossStopsWritesAndItsReturnBringsThemBack) {
  EtcdCluster& etcd = *etcd_;
  Cluster& cluster = *cluster_;
  History& history = *history_;
  const int first = first_primary_;
  Writers writers(cluster, history);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  etcd.StopMember(0);
  const size_t before = writers.acks().size();
  std::this_thread::sleep_for(std::chrono::seconds(5));  // longer than the lease
  EXPECT_EQ(history.current(), first) << "one etcd member down must not move the primary";
  EXPECT_GT(writers.acks().size(), before) << "writes go on with one etcd member down";

  etcd.StopMember(1);
  const int64_t lost_ms = UnixNowMs();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_EQ(history.current(), -1) << "no primary without an etcd quorum";
  const std::vector<Ack> acked = writers.acks();
  ASSERT_FALSE(acked.empty());
  size_t late = 0;
  for (const Ack& a : acked) late += a.received_ms > lost_ms + 3000 ? 1 : 0;
  EXPECT_EQ(late, 0u) << "writes acknowledged after the lease could no longer be renewed";
  for (int i = 0; i < kNodes; ++i) {
    client::HttpConnection c(cluster.host(i), cluster.port(i));
    EXPECT_EQ(GetJson(c, "/v1/assertions/" + acked.front().id).status, 200) << "reads go on at node " << i;
  }

  etcd.StartMember(0);
  etcd.StartMember(1);
  ASSERT_TRUE(etcd.WaitHealthy(std::chrono::seconds(30)));
  const int64_t back_ms = UnixNowMs();
  ASSERT_GE(WaitPrimary(history, std::chrono::seconds(60)), 0) << "no primary after etcd came back";
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline && writers.last_ack_ms() <= back_ms) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(writers.last_ack_ms(), back_ms) << "writes again once etcd is back";
  writers.Stop();
  for (int i = 0; i < kNodes; ++i) ASSERT_TRUE(WaitRejoined(cluster, i, std::chrono::seconds(60)) || cluster.Primary().first == i);
  ExpectNothingLost(cluster, history, writers.acks());
}

// POST /v1/admin/cluster/switchover: the named standby leads next, writes pause briefly
// (measured), nothing acknowledged is lost, and the old primary follows the new one.
TEST_F(FailoverTest, SwitchoverHandsOverWithAShortWritePause) {
  Cluster& cluster = *cluster_;
  History& history = *history_;
  const int from = first_primary_;
  const int to = (from + 1) % kNodes;
  ASSERT_TRUE(WaitRejoined(cluster, to, std::chrono::seconds(30)));
  Writers writers(cluster, history);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  client::HttpConnection c(cluster.host(from), cluster.port(from), std::chrono::seconds(60));
  const client::Headers admin = {{"X-API-Key", kSharedKey}};
  ExpectApiError(PostJson(c, "/v1/admin/cluster/switchover", json{{"to", "nobody"}}, admin), 404, "unknown_node");
  const int64_t asked_ms = UnixNowMs();
  JsonReply r = PostJson(c, "/v1/admin/cluster/switchover", json{{"to", "n" + std::to_string(to + 1)}}, admin);
  ASSERT_EQ(r.status, 200) << r.response.body;
  EXPECT_EQ(r.body["to"], "n" + std::to_string(to + 1));
  EXPECT_EQ(WaitPrimary(history, std::chrono::seconds(10)), to);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline && writers.last_ack_ms() <= asked_ms + 3000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  writers.Stop();
  // The longest gap between two acknowledgements around the hand-over: the write pause.
  std::vector<int64_t> times;
  for (const Ack& a : writers.acks()) times.push_back(a.received_ms);
  std::sort(times.begin(), times.end());
  int64_t pause_ms = 0;
  for (size_t k = 1; k < times.size(); ++k) {
    if (times[k] >= asked_ms) pause_ms = std::max(pause_ms, times[k] - std::max(times[k - 1], asked_ms));
  }
  std::cout << "switchover: answered " << r.body.dump() << ", longest write pause " << pause_ms << " ms\n";
  EXPECT_LT(pause_ms, 10000) << "writes came back after the switchover";
  ASSERT_TRUE(WaitRejoined(cluster, from, std::chrono::seconds(60))) << "the old primary follows the new one";
  ExpectNothingLost(cluster, history, writers.acks());
}

// Synchronous commit after a double failure: the primary and a standby die together, and the
// survivor cannot know whether the dead standby acknowledged writes it lacks, so nobody leads
// until the standby is back; then a primary, and nothing acknowledged is lost.
TEST_F(FailoverTest, DoubleFailureWaitsForAStandbyThatMayHoldAcknowledgedWrites) {
  Cluster& cluster = *cluster_;
  History& history = *history_;
  const int primary = first_primary_;
  const int lost = (primary + 1) % kNodes;
  ASSERT_TRUE(WaitRejoined(cluster, lost, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitRejoined(cluster, (primary + 2) % kNodes, std::chrono::seconds(30)));
  Writers writers(cluster, history);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  cluster.Kill(lost);
  cluster.Kill(primary);
  std::this_thread::sleep_for(std::chrono::seconds(9));  // three lease TTLs
  EXPECT_EQ(history.current(), -1) << "a primary was chosen without the offsets of enough standbys";
  const int survivor = (primary + 2) % kNodes;
  EXPECT_NE(cluster.Warnings(survivor).find("no primary can be chosen safely"), std::string::npos)
      << cluster.Warnings(survivor);

  cluster.Start(lost);
  EXPECT_GE(WaitPrimary(history, std::chrono::seconds(30)), 0) << "no primary once the standby was back";
  cluster.Start(primary);
  ASSERT_TRUE(WaitRejoined(cluster, primary, std::chrono::seconds(90)));
  writers.Stop();
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_TRUE(cluster.Primary().first == i || WaitRejoined(cluster, i, std::chrono::seconds(60))) << "node " << i;
  }
  ExpectNothingLost(cluster, history, writers.acks());
}

}  // namespace
}  // namespace stemedb::testing
