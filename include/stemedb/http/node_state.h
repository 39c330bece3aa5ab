#pragma once
// What the node is doing, for readiness, health, drain and stemedb_node_state.
//
// The mode is set by the daemon (recovering at start, serving, draining on drain or SIGTERM,
// drained once in-flight writes are done). Faults of lower layers (a failed journal, a degraded
// storage tier) are probed live, so readiness can never disagree with the component itself.

#include <atomic>
#include <functional>
#include <string>

#include "stemedb/ops/metrics.h"

namespace stemedb::http {

enum class NodeMode { kRecovering, kServing, kDraining, kDrained };

const char* NodeModeName(NodeMode mode);

class NodeState {
 public:
  using Probe = std::function<bool()>;

  explicit NodeState(ops::Registry& metrics);

  void set_mode(NodeMode mode) {
    if (mode_.exchange(mode) != mode && mode_listener_) mode_listener_(mode);
  }
  // Serving -> draining only; false when the node was not serving.
  bool BeginDrain() {
    NodeMode expected = NodeMode::kServing;
    if (!mode_.compare_exchange_strong(expected, NodeMode::kDraining)) return false;
    if (mode_listener_) mode_listener_(NodeMode::kDraining);
    return true;
  }
  NodeMode mode() const { return mode_.load(); }
  void set_journal_failed_probe(Probe p) { journal_failed_ = std::move(p); }
  void set_storage_degraded_probe(Probe p) { storage_degraded_ = std::move(p); }
  // The WAL's or RocksDB's disk is full: writes are refused (507) until space is freed, and
  // they come back by themselves.
  void set_disk_full_probe(Probe p) { disk_full_ = std::move(p); }

  bool journal_failed() const { return journal_failed_ && journal_failed_(); }
  bool storage_degraded() const { return storage_degraded_ && storage_degraded_(); }
  bool disk_full() const { return disk_full_ && disk_full_(); }
  bool accepting_writes() const { return mode() == NodeMode::kServing && !journal_failed(); }

  // Writes between their append and their answer; a drain waits for zero.
  void WriteStarted() { inflight_writes_.fetch_add(1); }
  void WriteFinished() { inflight_writes_.fetch_sub(1); }
  int64_t inflight_writes() const { return inflight_writes_.load(); }

  // Called on every mode change (the daemon tells systemd through it); set before serving.
  void set_mode_listener(std::function<void(NodeMode)> listener) { mode_listener_ = std::move(listener); }

  // "ready", or why not: recovering | journal_failed | disk_full | draining | storage_degraded.
  std::string Readiness() const;
  // serving | draining | drained | journal_failed | disk_full | recovering (GET /v1/admin/node).
  std::string StateName() const;

 private:
  std::atomic<NodeMode> mode_{NodeMode::kRecovering};
  std::atomic<int64_t> inflight_writes_{0};
  std::function<void(NodeMode)> mode_listener_;
  Probe journal_failed_;
  Probe storage_degraded_;
  Probe disk_full_;
};

}  // namespace stemedb::http
