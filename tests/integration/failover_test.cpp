// Automatic failover on etcd (docs/replication.md, "Automatic failover"; issue 15): three real
// etcd members and three real StemeDB nodes on loopback. Writers post through whichever node
// says it is primary; a monitor records every (term, node) that answered GET /v1/role with 200
// (the history checker); the primary is SIGKILLed round after round and restarted, as systemd
// would restart it (a deposed primary with an unreplicated tail exits 75 to rejoin, and starts
// again). With synchronous commit, every acknowledged write must be on every node at the end,
// and no term may ever have had two primaries.
//
// Rounds: STEMEDB_FAILOVER_ROUNDS (CI runs 3; the campaign of docs/benchmarks.md runs 20).

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/etcd_cluster.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kNodes = 3;
constexpr int kWriters = 8;
const std::string kSharedKey = "failover-test-root-key-0123456789abcdef";

int Rounds() {
  const char* v = std::getenv("STEMEDB_FAILOVER_ROUNDS");
  return v ? std::max(1, std::atoi(v)) : 3;
}

class Cluster {
 public:
  explicit Cluster(const EtcdCluster& etcd) : etcd_(etcd) {
    for (int i = 0; i < kNodes; ++i) {
      nodes_.push_back({"n" + std::to_string(i + 1), FreeLoopbackPort(), dirs_.Sub("n" + std::to_string(i + 1)), {}});
    }
    for (int i = 0; i < kNodes; ++i) Start(i);
  }

  void Start(int i) {
    Node& n = nodes_[i];
    DaemonOptions o;
    o.args = UnlimitedArgs();
    o.port = n.port;
    o.data_dir = n.dir;
    o.env = {"STEMEDB_CLUSTER_NAME=" + n.name, "STEMEDB_CLUSTER_SCOPE=failover-test",
             "STEMEDB_CLUSTER_ADVERTISE_URL=http://127.0.0.1:" + std::to_string(n.port),
             "STEMEDB_CLUSTER_ETCD_ENDPOINTS=" + etcd_.endpoints(), "STEMEDB_CLUSTER_LEASE_TTL_S=3",
             "STEMEDB_AUTH_ROOT_API_KEY=" + kSharedKey, "STEMEDB_REPLICATION_API_KEY=" + kSharedKey,
             "STEMEDB_REPLICATION_SYNCHRONOUS_STANDBYS=1", "STEMEDB_REPLICATION_SYNC_TIMEOUT_MS=3000",
             "STEMEDB_REPLICATION_CAUSAL_WAIT_MS=10000"};
    std::filesystem::create_directories(n.dir);
    n.daemon = std::make_unique<Daemon>(o);
  }

  // A node that exited by itself (75: rejoin) is started again, as systemd would.
  void RestartExited() {
    for (int i = 0; i < kNodes; ++i) {
      Node& n = nodes_[i];
      if (n.daemon && !ProcessAlive(n.daemon->pid())) {
        n.daemon.reset();
        Start(i);
      }
    }
  }

  uint16_t port(int i) const { return nodes_[i].port; }
  Daemon& daemon(int i) { return *nodes_[i].daemon; }
  void Kill(int i) {
    nodes_[i].daemon->Kill();
    nodes_[i].daemon.reset();
  }

  // The node answering GET /v1/role with 200 and its term, or -1.
  std::pair<int, uint64_t> Primary() const {
    for (int i = 0; i < kNodes; ++i) {
      client::HttpConnection c("127.0.0.1", nodes_[i].port, std::chrono::seconds(2));
      auto r = c.Get("/v1/role");
      if (r.ok() && r->status == 200) return {i, json::parse(r->body)["term"].get<uint64_t>()};
    }
    return {-1, 0};
  }

  static bool ProcessAlive(pid_t pid) {
    int status = 0;
    return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
  }

 private:
  struct Node {
    std::string name;
    uint16_t port;
    std::string dir;
    std::unique_ptr<Daemon> daemon;
  };
  const EtcdCluster& etcd_;
  TempDir dirs_;
  std::vector<Node> nodes_;
};

// Every (term, node) seen answering /v1/role with 200: a term with two nodes is split brain.
class History {
 public:
  explicit History(const Cluster& cluster) : cluster_(cluster), thread_([this] { Run(); }) {}
  ~History() {
    stop_ = true;
    thread_.join();
  }
  std::map<uint64_t, std::set<int>> primaries() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  int current() const { return current_.load(); }

 private:
  void Run() {
    while (!stop_) {
      int found = -1;
      for (int i = 0; i < kNodes; ++i) {
        client::HttpConnection c("127.0.0.1", cluster_.port(i), std::chrono::seconds(1));
        auto r = c.Get("/v1/role");
        if (!r.ok() || r->status != 200) continue;
        const uint64_t term = json::parse(r->body)["term"].get<uint64_t>();
        std::lock_guard lock(mu_);
        seen_[term].insert(i);
        found = i;
      }
      current_ = found;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const Cluster& cluster_;
  std::mutex mu_;
  std::map<uint64_t, std::set<int>> seen_;
  std::atomic<int> current_{-1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(FailoverTest, SigkilledPrimaryIsReplacedWithoutLosingAcknowledgedWrites) {
  if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)";
  EtcdCluster etcd(3);
  ASSERT_TRUE(etcd.WaitHealthy(std::chrono::seconds(30)));
  Cluster cluster(etcd);
  History history(cluster);

  auto wait_primary = [&](std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (history.current() >= 0) return history.current();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  };
  ASSERT_GE(wait_primary(std::chrono::seconds(30)), 0) << "no node became primary";

  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int64_t> last_ack_ms{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const int p = history.current();
        if (p < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        client::HttpConnection c("127.0.0.1", cluster.port(p), std::chrono::seconds(5));
        const core::Assertion a = SignedAssertion(
            {.subject = "failover/" + std::to_string(t) + "/" + std::to_string(i % 7), .predicate = "p",
             .text = "w" + std::to_string(t) + "-" + std::to_string(i), .timestamp = 1700000000 + i},
            {1 + t % 4});
        JsonReply w = PostJson(c, "/v1/assert", core::ToJson(a));
        if (w.status == 201 || w.status == 200) {
          std::lock_guard lock(mu);
          acknowledged.push_back(w.body["id"]);
          last_ack_ms = UnixNowMs();
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        // Paced: the check at the end reads every acknowledged id on every node.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }

  std::vector<double> failover_s;
  for (int round = 0; round < Rounds(); ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(2));  // load on the current primary
    const int victim = wait_primary(std::chrono::seconds(30));
    ASSERT_GE(victim, 0) << "round " << round << ": no primary";
    const int64_t killed_ms = UnixNowMs();
    cluster.Kill(victim);
    // Until a write is acknowledged by another node.
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && !(last_ack_ms > killed_ms && history.current() >= 0 &&
                                        history.current() != victim)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(last_ack_ms.load(), killed_ms) << "round " << round << ": no write accepted after the kill";
    failover_s.push_back((last_ack_ms - killed_ms) / 1000.0);
    cluster.Start(victim);
    // Back as a standby that streams (after a rejoin restart, if its log had an unacknowledged tail).
    const auto rejoin_deadline = Clock::now() + std::chrono::seconds(90);
    bool streaming = false;
    while (Clock::now() < rejoin_deadline && !streaming) {
      cluster.RestartExited();
      client::HttpConnection c("127.0.0.1", cluster.port(victim), std::chrono::seconds(2));
      auto r = c.Get("/v1/replica");
      streaming = r.ok() && r->status == 200;
      if (!streaming) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_TRUE(streaming) << "round " << round << ": node " << victim << " did not rejoin:\n"
                           << cluster.daemon(victim).Log().substr(0, 20000);
  }
  stop = true;
  for (auto& w : writers) w.join();

  std::sort(failover_s.begin(), failover_s.end());
  std::cout << "failover (SIGKILL to the first write acknowledged by the new primary), s:";
  for (double s : failover_s) std::cout << " " << s;
  std::cout << "\nacknowledged writes: " << acknowledged.size() << "\n";

  // Every acknowledged write, on every node (causal reads wait for each standby to apply it).
  const auto [primary, term] = cluster.Primary();
  ASSERT_GE(primary, 0);
  client::HttpConnection pc("127.0.0.1", cluster.port(primary));
  const uint64_t head = GetJson(pc, "/v1/role").body["durable_offset"].get<uint64_t>();
  for (int i = 0; i < kNodes; ++i) {
    client::HttpConnection c("127.0.0.1", cluster.port(i), std::chrono::seconds(30));
    size_t missing = 0;
    for (const std::string& id : acknowledged) {
      JsonReply r = GetJson(c, "/v1/assertions/" + id + "?min_position=" + std::to_string(head));
      if (r.status != 200 && ++missing <= 5) ADD_FAILURE() << "node " << i << ": " << id << ": " << r.response.body;
    }
    EXPECT_EQ(missing, 0u) << "node " << i << " misses acknowledged writes";
  }
  for (const auto& [t, nodes] : history.primaries()) {
    EXPECT_EQ(nodes.size(), 1u) << "term " << t << " had " << nodes.size() << " primaries";
  }
  EXPECT_GE(history.primaries().size(), static_cast<size_t>(Rounds() + 1)) << "a new term per failover";
}

}  // namespace
}  // namespace stemedb::testing
