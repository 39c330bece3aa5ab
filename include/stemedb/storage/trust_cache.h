#pragma once
// Agents' vote-derived trust, kept in memory for the authority lens and every other reader of
// Store::Trust: without it each signer of each candidate cost a look-up of its aggregate through
// the memory tier and RocksDB on every query (the authority lens answered 40% fewer queries a
// second than the recency lens, docs/benchmarks.md).
//
// Correctness under concurrent writes, as in candidate_cache.h: the apply step writes an agent's
// aggregate and then invalidates the agent, bumping its shard's generation; a reader notes the
// generation before reading the aggregate and inserts only if it has not moved, so a trust read
// before a write can never be cached after that write's invalidation. Trust overrides are not
// cached here: the catalog answers them first.
//
// Bounded in entries; a full shard starts over (a miss costs one store read, less than the
// bookkeeping of an LRU order on every hit).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "stemedb/core/types.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/storage/catalog.h"

namespace stemedb::storage {

class TrustCache {
 public:
  TrustCache(size_t entries_max, ops::Registry& metrics);

  struct Lookup {
    std::optional<double> trust;  // empty on a miss
    uint64_t generation = 0;      // pass to Insert after reading the agent's aggregate
  };
  Lookup Get(const core::PublicKey& agent);
  void Insert(const core::PublicKey& agent, double trust, uint64_t generation);
  // The apply step, after writing the agent's aggregate.
  void Invalidate(const core::PublicKey& agent);

  size_t entries() const;

 private:
  struct Shard {
    std::mutex mu;
    uint64_t generation = 0;
    std::unordered_map<core::PublicKey, double, IdHasher> trust;
  };
  Shard& ShardOf(const core::PublicKey& agent);

  size_t shard_entries_max_;
  std::vector<std::unique_ptr<Shard>> shards_;
  ops::Counter& hits_;
  ops::Counter& misses_;
};

}  // namespace stemedb::storage
