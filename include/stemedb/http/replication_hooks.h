#pragma once
// What the HTTP layer asks of replication (docs/replication.md) without depending on it: the
// replication module sits above http and fills these in; a node without replication leaves
// them empty, and every request then behaves as on a lone primary.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace stemedb::http {

// Called exactly once, from any thread: true when the wait was met, false after its timeout.
using PositionReached = std::function<void(bool reached)>;

struct ReplicationHooks {
  // nullopt when this node takes writes; else the primary's URL ("" when unknown), for the
  // 503 not_primary every write gets.
  std::function<std::optional<std::string>()> not_primary;
  // Synchronous commit: done(true) once enough standbys have flushed `position`, done(false)
  // after replication.sync_timeout_ms. Empty: asynchronous, writes are answered at once.
  std::function<void(uint64_t position, PositionReached done)> await_standbys;
  // Causal reads: done(true) once this node has applied the log up to `position`, done(false)
  // after replication.causal_wait_ms. Empty: applied is always far enough (a lone primary
  // answers writes only after applying them).
  std::function<void(uint64_t position, PositionReached done)> await_applied;
  // The applied offset now: reads with min_position at or below it run at once.
  std::function<uint64_t()> applied_offset;
  // Asked once a write is durable here, just before it is acknowledged: nullopt while this node
  // holds its leader lease; else the primary's URL ("" when unknown) for a 503 not_primary. A
  // primary whose lease ran out while the write waited (a pause, a lost etcd) acknowledges
  // nothing: its record may be missing from the new primary's log (docs/replication.md,
  // "Fencing"). Empty outside cluster mode.
  std::function<std::optional<std::string>()> acknowledge_refused;
};

}  // namespace stemedb::http
