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

  void set_mode(NodeMode mode) { mode_.store(mode); }
  NodeMode mode() const { return mode_.load(); }
  void set_journal_failed_probe(Probe p) { journal_failed_ = std::move(p); }
  void set_storage_degraded_probe(Probe p) { storage_degraded_ = std::move(p); }

  bool journal_failed() const { return journal_failed_ && journal_failed_(); }
  bool storage_degraded() const { return storage_degraded_ && storage_degraded_(); }
  bool accepting_writes() const { return mode() == NodeMode::kServing && !journal_failed(); }

  // "ready", or why not: recovering | journal_failed | draining | storage_degraded.
  std::string Readiness() const;
  // serving | draining | drained | journal_failed | recovering (GET /v1/admin/node).
  std::string StateName() const;

 private:
  std::atomic<NodeMode> mode_{NodeMode::kRecovering};
  Probe journal_failed_;
  Probe storage_degraded_;
};

}  // namespace stemedb::http
