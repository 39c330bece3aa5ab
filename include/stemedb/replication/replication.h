#pragma once
// A node's replication, whichever its role (docs/replication.md): the primary's streams and
// acks, or the standby's receiver, plus what both answer:
//
//   GET /v1/role                200 {"role":"primary",...} on the primary, 503 elsewhere
//   GET /v1/replica             200 on a standby that streams and is within the lag limit
//   GET /v1/admin/replication   role, offsets, standbys (primary) or primary (standby)
//   GET /v1/admin/replication/digest?offset=N   SHA-256 of the record stream up to N
//
// The daemon makes one after the store and before the server, and stops it after the server.

#include <atomic>
#include <chrono>
#include <climits>
#include <memory>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"
#include "stemedb/ops/config.h"
#include "stemedb/replication/boot_clock.h"
#include "stemedb/replication/primary.h"
#include "stemedb/replication/standby.h"

namespace stemedb::replication {

// A standby further behind its primary than this is not a healthy replica (GET /v1/replica).
inline constexpr uint64_t kReplicaLagBytesMax = 64u << 20;

// How the role is decided: by configuration (static), or by etcd through the cluster module,
// which calls FollowPrimary / Promote / Fence as leadership moves.
enum class RoleSource : uint8_t { kStatic, kCluster };

class Replication {
 public:
  Replication(http::ApiContext& ctx, const ops::ReplicationConfig& config, RoleSource source = RoleSource::kStatic,
              std::string node_name = "");
  ~Replication();  // Stop()
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  bool is_standby() const;
  bool is_primary() const;  // takes writes now (under etcd: holds the lease, not fenced)
  void AddRoutes(http::Router& router);
  void Start();      // the standby's receiver (static mode); nothing on a primary
  void OnApplied();  // from the store's apply listener (the journal's writer thread)
  void Stop();

  // ---- cluster mode (the cluster module's thread) ----
  // Stream from the primary at `url` (a new receiver when the URL changed). A deposed primary
  // follows too: if its log runs past the new term's start, the primary refuses it
  // (wal_diverged, diverged_at()) and the node must move those records aside first.
  void FollowPrimary(const std::string& url);
  // Become the primary of `term`: stop the receiver (what it handed the journal becomes
  // durable and applied), write the term_started record, then take writes. Blocks until the
  // record is durable.
  stemedb::Status Promote(uint64_t term);
  // The leader lease's deadline by the boot clock (renewal send time + TTL - margin). Past it, this node neither takes nor acknowledges writes, whether or not the
  // cluster thread has run since: a process paused (SIGSTOP, a VM freeze) wakes up fenced.
  void SetLeaseDeadline(BootClock::time_point deadline);
  // Stop taking and acknowledging writes now (the lease may be gone); `primary_url` is where
  // writes should go instead, "" when not known.
  void Fence(const std::string& primary_url);
  // POST /v1/admin/cluster/switchover {"to": name}: handed to the cluster module, which answers
  // (status, JSON body) once the hand-over is done or failed. Unset outside cluster mode (409).
  using SwitchoverDone = std::function<void(int status, std::string body)>;
  void SetSwitchoverHandler(std::function<void(std::string to, SwitchoverDone done)> handler);
  // Writes are refused (503 not_primary) while a switchover waits for its target to catch up;
  // unlike Fence, the streams go on, so the target can.
  void PauseWrites(bool paused);
  // The standby's fork offset once the primary said the logs part (wal_diverged).
  std::optional<uint64_t> diverged_at() const;
  uint64_t flushed_offset() const;
  uint64_t term() const { return ctx_.store.terms().current(); }

 private:
  void InstallHooks();
  std::optional<std::string> NotPrimary() const;
  bool LeaseHeld() const;  // always in static mode
  std::shared_ptr<ReplicationPrimary> primary() const;
  std::shared_ptr<StandbyReceiver> standby() const;
  std::shared_ptr<StandbyReceiver> MakeStandby(const std::string& url) const;
  PrimaryOptions MakePrimaryOptions() const;
  void Role(const http::Request& req, http::Responder respond);
  void Replica(const http::Request& req, http::Responder respond);
  void Status(const http::Request& req, http::Responder respond);
  // One digest at a time, on its own thread (it reads the WAL from offset 0); a second request
  // meanwhile gets 503 busy.
  void Digest(const http::Request& req, http::Responder respond);
  void Switchover(const http::Request& req, http::Responder respond);
  // Every replication metric on both roles (zero where the role has none), so dashboards and
  // alerts name one set of series whichever node is primary.
  void CollectMetrics(ops::ExpositionWriter& w) const;

  http::ApiContext& ctx_;
  const ops::ReplicationConfig config_;
  const RoleSource source_;
  const std::string name_;
  // The role objects change only in cluster mode, on the cluster thread; requests take a
  // shared_ptr copy under role_mu_ and use it outside.
  mutable std::mutex role_mu_;
  std::shared_ptr<ReplicationPrimary> primary_;
  std::shared_ptr<StandbyReceiver> standby_;
  std::string primary_url_;  // where writes go when this node is not the primary
  bool fenced_ = false;      // cluster mode: not the primary (no lease), whatever objects exist
  // Cluster mode: BootClock nanoseconds past which nothing is taken or acknowledged.
  std::atomic<int64_t> lease_deadline_ns_{INT64_MAX};
  bool role_stopped_ = false;
  bool writes_paused_ = false;  // a switchover in progress
  std::function<void(std::string to, SwitchoverDone done)> switchover_;  // set before the server starts
  std::mutex digest_mu_;
  bool digest_running_ = false;
  bool stopped_ = false;
  std::thread digest_thread_;
};

}  // namespace stemedb::replication
