#pragma once
// Automatic failover (docs/replication.md, "Automatic failover"): a thread that keeps this
// node's lease in etcd alive, publishes its flushed offset, and moves it between roles as the
// leader key /stemedb/<scope>/leader says. We write no consensus of our own: etcd's
// transactions decide who leads, as Patroni lets them decide for PostgreSQL.
//
//   /stemedb/<scope>/leader           {"name","url","term"}, bound to the leader's lease
//   /stemedb/<scope>/term             the last term granted (a transaction raises it)
//   /stemedb/<scope>/members/<name>   {"url","flushed","role","diverged"}, bound to its lease
//   /stemedb/<scope>/nodes/<name>     the node's URL, no lease: every node that ever joined
//   /stemedb/<scope>/switchover       {"to","from"} while a hand-over runs (its own short lease):
//                                     only "to" campaigns then
//
// Fencing: the leader stops taking and acknowledging writes at (the send time of its last
// successful renewal + TTL - margin) by its own boot clock (replication/boot_clock.h), before etcd can hand the key
// to anyone else; so two nodes never take writes in the same term, or at the same time.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "stemedb/cluster/etcd_client.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/replication/replication.h"

namespace stemedb::cluster {

struct ClusterOptions {
  std::string name;
  std::string scope = "stemedb";
  std::string advertise_url;
  std::vector<client::ServerAddress> etcd;
  int lease_ttl_s = 10;
  // replication.synchronous_standbys (the same on every node): with N >= 1 a candidate needs
  // the offsets of enough live standbys to be sure one of them acknowledged every write.
  int synchronous_standbys = 0;
  std::chrono::milliseconds tick{500};
  // The primary refused this node's log past `fork_offset` (a deposed primary's unreplicated
  // tail): the daemon marks the rejoin and restarts (called once, from the cluster thread).
  std::function<void(uint64_t fork_offset)> on_diverged;
};

// The cluster's metrics, registered on every node (0 outside cluster mode) so dashboards,
// alerts and the runbooks name one set of series whatever the mode.
struct ClusterMetrics {
  explicit ClusterMetrics(ops::Registry& metrics);
  ops::Counter& leader_changes;
  ops::Counter& etcd_errors;
  ops::Gauge& is_leader;
};

class ClusterNode {
 public:
  ClusterNode(replication::Replication& replication, ClusterOptions options, ClusterMetrics& metrics);
  ~ClusterNode();  // Stop()
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  void Start();
  // POST /v1/admin/cluster/switchover, run on the cluster thread: pause writes, wait until the
  // target has flushed everything, release the leader key to it, answer once it leads.
  void RequestSwitchover(std::string to, replication::Replication::SwitchoverDone done);
  // Stops the thread; a leader releases the key (its lease is revoked), so the next one need
  // not wait out the TTL.
  void Stop();

 private:
  using Clock = replication::BootClock;  // the lease counts while the machine sleeps
  struct Member {
    std::string name;
    uint64_t flushed = 0;
    bool diverged = false;
  };

  void Run();
  void Tick();
  void RenewLease();
  void Publish();
  void FollowLeader(const EtcdKeyValue& leader);
  void MaybeCampaign();
  bool MostUpToDate();
  bool EnoughStandbysSeen(const std::vector<EtcdKeyValue>& members);
  void StepDown(const std::string& new_primary_url, const char* why);
  void RunSwitchover(const std::string& to, const replication::Replication::SwitchoverDone& done);
  // The published member `name` (nullopt when absent or unreadable).
  std::optional<nlohmann::json> MemberStatus(const std::string& name);
  // The node a running switchover hands over to, if one runs.
  std::optional<std::string> SwitchoverTarget();
  std::string Key(const std::string& suffix) const;
  std::chrono::milliseconds Margin() const;

  replication::Replication& replication_;
  const ClusterOptions options_;
  EtcdClient etcd_;
  int64_t lease_ = 0;
  Clock::time_point lease_valid_until_{};  // by our clock, with the margin taken off
  bool leader_ = false;
  std::string followed_url_;
  std::optional<Clock::time_point> leader_absent_since_;
  std::string last_error_;
  bool diverged_reported_ = false;
  bool registered_ = false;       // nodes/<name> written
  bool quorum_reported_ = false;  // the "not enough live standbys" line, once per vacancy

  ops::Counter& leader_changes_;
  ops::Counter& etcd_errors_;
  ops::Gauge& is_leader_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  struct PendingSwitchover {
    std::string to;
    replication::Replication::SwitchoverDone done;
  };
  std::optional<PendingSwitchover> switchover_;  // under mu_
  std::thread thread_;
};

}  // namespace stemedb::cluster
