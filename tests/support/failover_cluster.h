#pragma once
// Three StemeDB nodes in cluster mode over a real etcd cluster, for the failover tests
// (failover_test.cpp, failover_runbook_test.cpp): started, SIGKILLed and restarted as systemd
// would (a deposed primary with an unreplicated tail exits 75 to rejoin and is started again);
// the history checker recording every (term, node) that answered GET /v1/role with 200; and the
// shipped deploy/haproxy/haproxy.cfg run for real in front of the nodes.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/background_process.h"
#include "support/daemon.h"
#include "support/etcd_cluster.h"
#include "support/temp_dir.h"

namespace stemedb::testing {

constexpr int kClusterNodes = 3;

struct ClusterNodeAddress {
  std::string name;
  std::string host;
  uint16_t port = 0;
  std::string url() const { return "http://" + host + ":" + std::to_string(port); }
};

struct ClusterOptions {
  std::string name_prefix = "n";  // node i is <prefix><i + 1>
  // True: node i listens on 127.0.0.<i + 1>, every node on the same port, as three hosts would;
  // false: every node on 127.0.0.1 with a port of its own.
  bool host_per_node = false;
  // Set: each node starts with --config <its api.toml>, whose text this returns, and no
  // STEMEDB_ variables; unset: the failover tests' settings (3 s lease, synchronous commit) as
  // variables, with `shared_key` as the root and replication key.
  std::function<std::string(const ClusterNodeAddress&)> config;
  std::string shared_key = "failover-test-root-key-0123456789abcdef";
};

class Cluster {
 public:
  Cluster(const EtcdCluster& etcd, ClusterOptions options = {});

  void Start(int i);
  void Kill(int i);
  // A node that exited by itself (75: rejoin) is started again, as systemd would.
  void RestartExited();

  const ClusterNodeAddress& address(int i) const { return nodes_[i].address; }
  uint16_t port(int i) const { return nodes_[i].address.port; }
  const std::string& host(int i) const { return nodes_[i].address.host; }
  const std::string& dir(int i) const { return nodes_[i].dir; }
  const std::string& config_path(int i) const { return nodes_[i].config_path; }
  // The log files of every start of node i (one per start, as a journal would hold them).
  std::string LogGlob(int i) const;
  Daemon& daemon(int i) { return *nodes_[i].daemon; }
  bool running(int i) const { return nodes_[i].daemon != nullptr; }
  // The warnings and errors of every start of node i, for a failure message.
  std::string Warnings(int i) const;
  // The node answering GET /v1/role with 200 and its term, or -1.
  std::pair<int, uint64_t> Primary() const;

 private:
  struct Node {
    ClusterNodeAddress address;
    std::string dir;
    std::string config_path;
    std::unique_ptr<Daemon> daemon;
    int starts = 0;
  };
  std::string LogFile(int i, int start) const;

  const EtcdCluster& etcd_;
  ClusterOptions options_;
  TempDir dirs_;
  std::vector<Node> nodes_;
};

// Every (term, node) seen answering /v1/role with 200: a term with two nodes is split brain.
class History {
 public:
  explicit History(const Cluster& cluster);
  ~History();
  std::map<uint64_t, std::set<int>> primaries();
  int current() const { return current_.load(); }

 private:
  void Run();
  const Cluster& cluster_;
  std::mutex mu_;
  std::map<uint64_t, std::set<int>> seen_;
  std::atomic<int> current_{-1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Until History sees a primary other than `other_than`; returns it, or -1 after `timeout`.
int WaitPrimary(const History& history, std::chrono::seconds timeout, int other_than = -1);

// Until `node` streams as a healthy standby again (after a rejoin restart, if its log had an
// unacknowledged tail).
bool WaitRejoined(Cluster& cluster, int node, std::chrono::seconds timeout);

// The shipped deploy/haproxy/haproxy.cfg, run for real in front of the three nodes: its node
// addresses and listening ports rewritten to this test's, its system paths (chroot, user,
// syslog, admin socket) left out.
class HaProxy {
 public:
  explicit HaProxy(const Cluster& cluster);
  static bool Available();
  uint16_t writes_port() const { return writes_port_; }

 private:
  TempDir dir_;
  uint16_t writes_port_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace stemedb::testing
