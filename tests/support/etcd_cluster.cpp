#include "support/etcd_cluster.h"

#include <unistd.h>

#include <thread>

#include "stemedb/client/http_connection.h"

namespace stemedb::testing {

EtcdCluster::EtcdCluster(int members) {
  for (int i = 0; i < members; ++i) {
    members_.push_back({"etcd" + std::to_string(i + 1), FreeLoopbackPort(), FreeLoopbackPort(), nullptr});
  }
  for (int i = 0; i < members; ++i) {
    members_[i].process = std::make_unique<BackgroundProcess>(Argv(i, true), dir_.Sub(members_[i].name + ".log"));
  }
}

EtcdCluster::~EtcdCluster() {
  for (auto& m : members_) {
    if (m.process) m.process->Stop(std::chrono::seconds(5));
  }
}

bool EtcdCluster::Available() { return access("/usr/bin/etcd", X_OK) == 0; }

std::vector<std::string> EtcdCluster::Argv(int i, bool fresh) const {
  std::string initial;
  for (const auto& m : members_) {
    initial += std::string(initial.empty() ? "" : ",") + m.name + "=http://127.0.0.1:" + std::to_string(m.peer_port);
  }
  const Member& m = members_[i];
  const std::string client = "http://127.0.0.1:" + std::to_string(m.client_port);
  const std::string peer = "http://127.0.0.1:" + std::to_string(m.peer_port);
  // Short heartbeats: a member down is noticed in a second, not ten (loopback, no real latency).
  return {"/usr/bin/etcd", "--name", m.name, "--data-dir", dir_.Sub(m.name), "--listen-client-urls", client,
          "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
          "--initial-cluster", initial, "--initial-cluster-state", fresh ? "new" : "existing",
          "--initial-cluster-token", "stemedb-test", "--heartbeat-interval", "100", "--election-timeout", "1000",
          "--log-level", "warn"};
}

std::string EtcdCluster::endpoints() const {
  std::string out;
  for (const auto& m : members_) out += std::string(out.empty() ? "" : ",") + "http://127.0.0.1:" + std::to_string(m.client_port);
  return out;
}

void EtcdCluster::StopMember(int i) {
  if (members_[i].process) members_[i].process->Stop(std::chrono::seconds(5));
  members_[i].process.reset();
}

void EtcdCluster::StartMember(int i) {
  members_[i].process = std::make_unique<BackgroundProcess>(
      Argv(i, false), dir_.Sub(members_[i].name + ".log." + std::to_string(time(nullptr))));
}

bool EtcdCluster::WaitHealthy(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& m : members_) {
      if (!m.process) continue;
      client::HttpConnection c("127.0.0.1", m.client_port, std::chrono::seconds(2));
      auto r = c.Get("/health");
      all = all && r.ok() && r->status == 200 && r->body.find("\"true\"") != std::string::npos;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

}  // namespace stemedb::testing
