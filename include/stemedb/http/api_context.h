#pragma once
// What the API's handlers share: the store, the node's state, metrics, and the switches of the
// configuration they read.

#include "stemedb/core/limits.h"
#include "stemedb/http/node_state.h"
#include "stemedb/http/replication_hooks.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

struct ApiContext {
  storage::Store& store;
  NodeState& node;
  ops::Registry& metrics;
  bool skip_signatures = false;  // signatures.skip_unsafe: development only
  // server.max_body_bytes: the JSON body limit too (the server refuses larger bodies first).
  uint64_t max_body_bytes = core::kBodyBytesMax;
  // Filled by the replication module when the node replicates; empty otherwise.
  ReplicationHooks replication{};
};

}  // namespace stemedb::http
