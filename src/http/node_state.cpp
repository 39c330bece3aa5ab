#include "stemedb/http/node_state.h"

namespace stemedb::http {

const char* NodeModeName(NodeMode mode) {
  switch (mode) {
    case NodeMode::kRecovering: return "recovering";
    case NodeMode::kServing: return "serving";
    case NodeMode::kDraining: return "draining";
    case NodeMode::kDrained: return "drained";
  }
  return "unknown";
}

NodeState::NodeState(ops::Registry& metrics) {
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_node_state", ops::MetricType::kGauge,
             "1 for the node's current state, 0 for the others.");
    const std::string current = StateName();
    for (const char* s : {"recovering", "serving", "draining", "drained", "journal_failed", "disk_full"}) {
      w.Sample("stemedb_node_state", {"state"}, {s}, current == s ? 1 : 0);
    }
  });
}

std::string NodeState::Readiness() const {
  NodeMode m = mode();
  if (m == NodeMode::kRecovering) return "recovering";
  if (journal_failed()) return "journal_failed";
  if (disk_full()) return "disk_full";
  if (m == NodeMode::kDraining || m == NodeMode::kDrained) return "draining";
  if (storage_degraded()) return "storage_degraded";
  return "ready";
}

std::string NodeState::StateName() const {
  if (journal_failed()) return "journal_failed";
  if (disk_full()) return "disk_full";
  return NodeModeName(mode());
}

}  // namespace stemedb::http
