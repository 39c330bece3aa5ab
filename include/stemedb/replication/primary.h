#pragma once
// The primary's side of streaming replication (docs/replication.md):
//
//   GET  /v1/replication/stream?from=OFFSET&seq=SEQ&name=NAME   the WAL from OFFSET on, live
//   POST /v1/replication/ack  {"name","flushed","applied"}        a standby's progress
//
// Each stream has a sender thread that waits for the durable head to move (Notify, from the
// store's apply listener), reads whole records from the segment files (WalSource) and hands
// them to the connection; idle, it sends a heartbeat every second so both ends notice a dead
// peer. Streams are bounded (kStreamsMax); a standby that reconnects under the same name
// replaces its old stream.
//
// Synchronous commit: a write waits (OffsetWaiters, no thread held) until
// `synchronous_standbys` standbys have acknowledged flushing its position.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/http/api_context.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/router.h"
#include "stemedb/replication/offset_waiters.h"

namespace stemedb::replication {

inline constexpr size_t kStreamsMax = 16;
inline constexpr size_t kStandbysListedMax = 64;  // names remembered, connected or not

struct PrimaryOptions {
  int synchronous_standbys = 0;
  std::chrono::milliseconds sync_timeout{5000};
  std::chrono::milliseconds heartbeat_interval{1000};
};

class ReplicationPrimary {
 public:
  ReplicationPrimary(http::ApiContext& ctx, PrimaryOptions options);
  ~ReplicationPrimary();  // Stop()
  ReplicationPrimary(const ReplicationPrimary&) = delete;
  ReplicationPrimary& operator=(const ReplicationPrimary&) = delete;

  // GET /v1/replication/stream and POST /v1/replication/ack (Replication routes them here).
  void HandleStream(const http::Request& req, http::Responder respond);
  void HandleAck(const http::Request& req, http::Responder respond);
  // Synchronous commit: done(true) once synchronous_standbys standbys flushed `position`.
  void AwaitFlushed(uint64_t position, http::PositionReached done);
  // The durable head moved (the store's apply listener, on the journal's writer thread).
  void Notify();
  // Ends every stream and joins the sender threads; pending synchronous writes get false.
  void Stop();

  // GET /v1/admin/replication's "standbys" list.
  nlohmann::json StandbysJson() const;

  struct StandbyMetrics {
    std::string name;
    bool connected;
    uint64_t lag_bytes;
    double lag_seconds;
  };
  std::vector<StandbyMetrics> Metrics() const;

 private:
  class Stream;
  struct Standby {
    std::string name;
    std::string address;
    int64_t connected_since_unix_ms = 0;
    bool connected = false;
    uint64_t sent = 0;
    uint64_t flushed = 0;
    uint64_t applied = 0;
    std::chrono::steady_clock::time_point last_ack{};
    uint64_t stream_id = 0;  // the stream that serves it now
  };
  struct StreamRequest {
    uint64_t from;  // the standby's durable WAL end
    uint64_t seq;   // its last seq
    uint64_t term;  // the last term in its log (0: none)
    std::string name;
  };
  struct Ack {
    std::string name;
    uint64_t flushed;
    uint64_t applied;
  };
  static std::optional<StreamRequest> ParseStreamRequest(std::string_view query, http::ApiError* error);
  static std::optional<Ack> ParseAck(const std::string& body);
  // Under mu_: the standby's entry (replacing its old stream), the stream started.
  void RegisterStream(const StreamRequest& wanted, const std::string& address, const std::shared_ptr<Stream>& stream);
  // Under mu_: the offset synchronous_standbys standbys have all flushed, when that many stream.
  std::optional<uint64_t> SynchronousPoint() const;
  void ReapFinishedStreams();  // under mu_
  void AdvanceSynchronous();   // under mu_: the waiters' position from the acks
  // Seconds since the primary's durable head first passed `applied` (0 when caught up).
  double LagSeconds(uint64_t applied) const;  // under mu_
  // Seconds since the durable head first reached `applied` (nullopt when the history does not
  // reach back that far).
  std::optional<double> AppliedAgoSeconds(uint64_t applied) const;  // under mu_

  http::ApiContext& ctx_;
  const PrimaryOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // the head moved, a stream wants a chunk, or stop
  bool stopped_ = false;
  std::map<std::string, Standby> standbys_;
  std::vector<std::shared_ptr<Stream>> streams_;
  uint64_t next_stream_id_ = 1;
  // (durable head, when it got there), oldest first, for lag in seconds; bounded.
  std::deque<std::pair<uint64_t, std::chrono::steady_clock::time_point>> head_history_;
  OffsetWaiters synchronous_;
  // At each ack: how long ago this primary made durable the offset the standby has now applied
  // (PostgreSQL's replay lag). The benchmark's lag percentiles come from it.
  ops::Family<ops::Histogram>& apply_lag_;
};

}  // namespace stemedb::replication
