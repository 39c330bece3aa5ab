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

#include <memory>
#include <mutex>
#include <thread>

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"
#include "stemedb/ops/config.h"
#include "stemedb/replication/primary.h"
#include "stemedb/replication/standby.h"

namespace stemedb::replication {

// A standby further behind its primary than this is not a healthy replica (GET /v1/replica).
inline constexpr uint64_t kReplicaLagBytesMax = 64u << 20;

class Replication {
 public:
  Replication(http::ApiContext& ctx, const ops::ReplicationConfig& config);
  ~Replication();  // Stop()
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  bool is_standby() const { return standby_ != nullptr; }
  void AddRoutes(http::Router& router);
  void Start();      // the standby's receiver; nothing on a primary
  void OnApplied();  // from the store's apply listener (the journal's writer thread)
  void Stop();

 private:
  void Role(const http::Request& req, http::Responder respond);
  void Replica(const http::Request& req, http::Responder respond);
  void Status(const http::Request& req, http::Responder respond);
  // One digest at a time, on its own thread (it reads the WAL from offset 0); a second request
  // meanwhile gets 503 busy.
  void Digest(const http::Request& req, http::Responder respond);
  // Every replication metric on both roles (zero where the role has none), so dashboards and
  // alerts name one set of series whichever node is primary.
  void CollectMetrics(ops::ExpositionWriter& w) const;

  http::ApiContext& ctx_;
  std::unique_ptr<ReplicationPrimary> primary_;
  std::unique_ptr<StandbyReceiver> standby_;
  std::mutex digest_mu_;
  bool digest_running_ = false;
  bool stopped_ = false;
  std::thread digest_thread_;
};

}  // namespace stemedb::replication
