#pragma once
// The memory tier's hot cache of candidate lists: for a (subject, predicate), every stored
// assertion with its vote aggregate, in whatever form the reader resolves them in. A hit costs
// one shard lock and a shared_ptr copy instead of an index scan and a decode per candidate.
//
// Values are opaque to storage (as LevelDB's Cache holds void* values): the query layer caches
// its own candidates, already converted, and storage cannot name query types (includes point one
// way). The reader says what a value costs in bytes.
//
// Correctness under concurrent writes: the apply step writes a record's entries first and then
// invalidates its key, bumping the shard's generation. A reader notes the generation before it
// builds a value from the store and inserts only if the generation has not moved, so a value
// built before a write can never be cached after that write's invalidation: read-your-writes
// holds through the cache. A source retraction, which can touch any list, clears everything.
//
// Bounded in bytes (approximate), least recently used evicted, sharded to keep readers apart.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stemedb/ops/metrics.h"

namespace stemedb::storage {

class CandidateCache {
 public:
  CandidateCache(size_t bytes_max, ops::Registry& metrics);

  struct Lookup {
    std::shared_ptr<const void> value;  // null on a miss
    size_t items = 0;                   // how many candidates the value holds
    uint64_t generation = 0;            // pass to Insert after building a value
  };
  // A value is found only by readers of the kind that built it (`kind`: an address unique to
  // the value's type), so no reader is ever handed a value of another type.
  Lookup Get(const std::string& key, const void* kind);
  // How many candidates the cached value of `kind` holds, 0 when none is cached: a look that
  // neither counts as a hit or miss nor refreshes the entry's place in the LRU order.
  size_t CachedItems(const std::string& key, const void* kind);
  void Insert(const std::string& key, const void* kind, std::shared_ptr<const void> value, size_t items, size_t bytes,
              uint64_t generation);
  // The apply step, after writing a record that changes the key's list.
  void Invalidate(const std::string& key);
  // The apply step, after a write that may change any list.
  void Clear();

  size_t bytes() const;

 private:
  struct Entry {
    const void* kind;
    std::shared_ptr<const void> value;
    size_t items;
    size_t bytes;
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    std::mutex mu;
    uint64_t generation = 0;
    size_t bytes = 0;
    std::list<std::string> lru;  // most recent first
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& ShardOf(const std::string& key);
  static void Erase(Shard& s, std::unordered_map<std::string, Entry>::iterator it);

  size_t shard_bytes_max_;
  std::vector<std::unique_ptr<Shard>> shards_;
  ops::Counter& hits_;
  ops::Counter& misses_;
};

}  // namespace stemedb::storage
