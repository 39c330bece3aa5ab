#pragma once
// The standby's side of streaming replication (docs/replication.md): a receiver thread streams
// the primary's WAL from this node's own durable end, checks every record (framing, checksum,
// seq, offset), writes it verbatim into this node's WAL (group commit) and applies it through
// the same applier as replay; an ack thread reports the flushed and applied offsets back.
//
// Any break (connection lost, stalled past read_timeout, a damaged message) ends the stream;
// the receiver waits for what it handed to the journal, reads its own durable end again and
// reconnects from there, with backoff. Nothing from a broken message is written. A failed
// journal (an fsync error) stops the receiver for good, as it stops a primary's writes.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "stemedb/client/http_connection.h"
#include "stemedb/http/replication_hooks.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/replication/offset_waiters.h"
#include "stemedb/storage/store.h"

namespace stemedb::replication {

struct StandbyOptions {
  std::string primary_url;  // http://host:port
  std::string api_key;
  std::string name;
  std::chrono::milliseconds causal_wait{1000};
  // No message (records or heartbeat, one a second) for this long: the stream is dead.
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds backoff_max{5000};
  size_t inflight_bytes_max = 32u << 20;  // handed to the journal, not yet durable
};

class StandbyReceiver {
 public:
  StandbyReceiver(storage::Store& store, StandbyOptions options);
  ~StandbyReceiver();  // Stop()
  StandbyReceiver(const StandbyReceiver&) = delete;
  StandbyReceiver& operator=(const StandbyReceiver&) = delete;

  void Start();
  void Stop();
  // Causal reads: done(true) once this node applied the log up to `position`, done(false)
  // after causal_wait.
  void AwaitApplied(uint64_t position, http::PositionReached done);
  const std::string& primary_url() const { return options_.primary_url; }
  // The primary answered 409 wal_diverged naming where the logs part: this node's records from
  // that offset on were never part of the primary's log. The receiver stops; the node must
  // move them aside before it can stream (docs/replication.md, "Rejoining").
  std::optional<uint64_t> diverged_at() const;
  // The store applied more of the log (its apply listener, on the journal's writer thread).
  void OnApplied();

  // Streaming now, and heard from the primary within read_timeout.
  bool streaming() const;
  uint64_t primary_durable_offset() const { return primary_durable_.load(); }
  uint64_t received_offset() const { return received_.load(); }
  uint64_t reconnects() const { return reconnects_.load(); }
  nlohmann::json StatusJson() const;

 private:
  void ReceiveLoop();
  // One connection's life: from the journal's durable end until the stream breaks.
  Status StreamOnce();
  Status HandleRecords(std::string records, uint64_t first_offset);
  Status Submit(std::shared_ptr<const wal::ReplicatedRecords> records);
  void WaitForInflight();  // until everything handed to the journal is durable (or failed)
  void AckLoop();
  void SleepBackoff(std::chrono::milliseconds wait);

  storage::Store& store_;
  const StandbyOptions options_;
  client::ServerAddress primary_;
  OffsetWaiters applied_waiters_;
  client::HttpConnection stream_conn_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // in-flight bytes fell, an ack is due, or stop
  bool stopped_ = false;
  bool ack_due_ = false;
  size_t inflight_bytes_ = 0;
  Status journal_failure_;  // a failed replicated append: the receiver stops
  std::optional<uint64_t> diverged_at_;  // the primary's fork offset: the receiver stops
  std::string last_error_;
  wal::LogTail expected_;  // the receiver thread's: where the next record must start

  std::atomic<bool> connected_{false};
  std::atomic<int64_t> connected_since_unix_ms_{0};
  std::atomic<int64_t> last_message_steady_ms_{0};
  std::atomic<uint64_t> primary_durable_{0};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::thread receiver_;
  std::thread acker_;
};

}  // namespace stemedb::replication
