#include "support/failover_cluster.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "stemedb/client/http_connection.h"
#include "support/api.h"
#include "support/replace_all.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The settings of the failover tests when no configuration file is given: a 3 s lease (so a
// failover takes seconds) and synchronous commit.
std::vector<std::string> ClusterEnv(const ClusterNodeAddress& a, const std::string& etcd_endpoints,
                                    const std::string& key) {
  return {"STEMEDB_CLUSTER_NAME=" + a.name, "STEMEDB_CLUSTER_SCOPE=failover-test",
          "STEMEDB_CLUSTER_ADVERTISE_URL=" + a.url(), "STEMEDB_CLUSTER_ETCD_ENDPOINTS=" + etcd_endpoints,
          "STEMEDB_CLUSTER_LEASE_TTL_S=3", "STEMEDB_AUTH_ROOT_API_KEY=" + key, "STEMEDB_REPLICATION_API_KEY=" + key,
          "STEMEDB_REPLICATION_SYNCHRONOUS_STANDBYS=1", "STEMEDB_REPLICATION_SYNC_TIMEOUT_MS=3000",
          "STEMEDB_REPLICATION_CAUSAL_WAIT_MS=10000"};
}

}  // namespace

Cluster::Cluster(const EtcdCluster& etcd, ClusterOptions options) : etcd_(etcd), options_(std::move(options)) {
  const uint16_t shared_port = options_.host_per_node ? FreeLoopbackPort() : 0;
  for (int i = 0; i < kClusterNodes; ++i) {
    Node n;
    n.address.name = options_.name_prefix + std::to_string(i + 1);
    n.address.host = options_.host_per_node ? "127.0.0." + std::to_string(i + 1) : "127.0.0.1";
    n.address.port = options_.host_per_node ? shared_port : FreeLoopbackPort();
    n.dir = dirs_.Sub(n.address.name);
    if (options_.config) {
      n.config_path = dirs_.Sub(n.address.name + ".toml");
      std::ofstream(n.config_path) << options_.config(n.address);
    }
    nodes_.push_back(std::move(n));
  }
  for (int i = 0; i < kClusterNodes; ++i) Start(i);
}

std::string Cluster::LogFile(int i, int start) const {
  return dirs_.Sub(nodes_[i].address.name + "." + std::to_string(start) + ".log");
}

std::string Cluster::LogGlob(int i) const { return dirs_.Sub(nodes_[i].address.name + ".*.log"); }

void Cluster::Start(int i) {
  Node& n = nodes_[i];
  DaemonOptions o;
  o.args = UnlimitedArgs();
  o.port = n.address.port;
  o.host = n.address.host;
  o.data_dir = n.dir;
  o.log_file = LogFile(i, ++n.starts);
  if (options_.config) {
    o.args.push_back("--config");
    o.args.push_back(n.config_path);
  } else {
    o.env = ClusterEnv(n.address, etcd_.endpoints(), options_.shared_key);
  }
  std::filesystem::create_directories(n.dir);
  n.daemon = std::make_unique<Daemon>(o);
}

void Cluster::Kill(int i) {
  nodes_[i].daemon->Kill();
  nodes_[i].daemon.reset();
}

void Cluster::RestartExited() {
  for (int i = 0; i < kClusterNodes; ++i) {
    Node& n = nodes_[i];
    if (n.daemon && n.daemon->Exited()) {
      n.daemon.reset();
      Start(i);
    }
  }
}

std::string Cluster::Warnings(int i) const {
  std::string out;
  for (int k = 1; k <= nodes_[i].starts; ++k) {
    std::ifstream in(LogFile(i, k));
    std::string line;
    out += "--- start " + std::to_string(k) + "\n";
    while (std::getline(in, line)) {
      if (line.find(" warn ") != std::string::npos || line.find(" error ") != std::string::npos ||
          line.find(" critical ") != std::string::npos || line.find("stopped") != std::string::npos ||
          line.find("replayed") != std::string::npos || line.find("listening") != std::string::npos) {
        out += line.substr(0, 400) + "\n";
      }
    }
  }
  return out;
}

std::pair<int, uint64_t> Cluster::Primary() const {
  for (int i = 0; i < kClusterNodes; ++i) {
    client::HttpConnection c(host(i), port(i), std::chrono::seconds(2));
    auto r = c.Get("/v1/role");
    if (r.ok() && r->status == 200) return {i, json::parse(r->body)["term"].get<uint64_t>()};
  }
  return {-1, 0};
}

History::History(const Cluster& cluster) : cluster_(cluster), thread_([this] { Run(); }) {}

History::~History() {
  stop_ = true;
  thread_.join();
}

std::map<uint64_t, std::set<int>> History::primaries() {
  std::lock_guard lock(mu_);
  return seen_;
}

void History::Run() {
  while (!stop_) {
    int found = -1;
    for (int i = 0; i < kClusterNodes; ++i) {
      client::HttpConnection c(cluster_.host(i), cluster_.port(i), std::chrono::seconds(1));
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

int WaitPrimary(const History& history, std::chrono::seconds timeout, int other_than) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const int p = history.current();
    if (p >= 0 && p != other_than) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

bool WaitRejoined(Cluster& cluster, int node, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    cluster.RestartExited();
    client::HttpConnection c(cluster.host(node), cluster.port(node), std::chrono::seconds(2));
    auto r = c.Get("/v1/replica");
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

HaProxy::HaProxy(const Cluster& cluster) : writes_port_(FreeLoopbackPort()) {
  std::ifstream in(std::string(STEMEDB_SOURCE_DIR) + "/deploy/haproxy/haproxy.cfg");
  std::string config, line;
  const std::vector<std::string> dropped = {"log ", "chroot ", "user ", "group ", "stats socket", "stats timeout"};
  while (std::getline(in, line)) {
    const std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (std::any_of(dropped.begin(), dropped.end(), [&](const std::string& d) { return trimmed.rfind(d, 0) == 0; })) {
      continue;
    }
    for (int i = 0; i < kClusterNodes; ++i) {
      ReplaceAll(line, "127.0.0.1:" + std::to_string(18180 + i), cluster.host(i) + ":" + std::to_string(cluster.port(i)));
    }
    ReplaceAll(line, "127.0.0.1:18190", "127.0.0.1:" + std::to_string(writes_port_));
    ReplaceAll(line, "127.0.0.1:18191", "127.0.0.1:" + std::to_string(FreeLoopbackPort()));
    ReplaceAll(line, "127.0.0.1:8404", "127.0.0.1:" + std::to_string(FreeLoopbackPort()));
    config += line + "\n";
  }
  std::ofstream(dir_.Sub("haproxy.cfg")) << config;
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/sbin/haproxy", "-db", "-f", dir_.Sub("haproxy.cfg")}, dir_.Sub("haproxy.log"));
}

bool HaProxy::Available() { return access("/usr/sbin/haproxy", X_OK) == 0; }

}  // namespace stemedb::testing
