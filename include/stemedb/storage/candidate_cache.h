#pragma once
// The memory tier's hot cache of decoded candidate lists: for a (subject, predicate), every
// stored assertion with its vote aggregate, as a query needs them. A hit costs one shard lock
// and a shared_ptr copy instead of an index scan, a RocksDB read and a decode per candidate.
//
// Correctness under concurrent writes: the apply step writes a record's entries first and then
// invalidates its key, bumping the shard's generation. A reader notes the generation before it
// builds a list from the store and inserts only if the generation has not moved, so a list
// built before a write can never be cached after that write's invalidation: read-your-writes
// holds through the cache.
//
// Bounded in bytes (approximate), least recently used evicted, sharded to keep readers apart.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stemedb/index/aggregates.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/storage/stored.h"

namespace stemedb::storage {

struct CachedCandidate {
  StoredAssertion assertion;
  index::VoteAggregate votes;
};
using CandidateList = std::vector<CachedCandidate>;

class CandidateCache {
 public:
  CandidateCache(size_t bytes_max, ops::Registry& metrics);

  struct Lookup {
    std::shared_ptr<const CandidateList> list;  // null on a miss
    uint64_t generation = 0;                    // pass to Insert after building the list
  };
  Lookup Get(const std::string& key);
  void Insert(const std::string& key, std::shared_ptr<const CandidateList> list, uint64_t generation);
  // The apply step, after writing a record that changes the key's list.
  void Invalidate(const std::string& key);

  size_t bytes() const;

  static size_t ApproximateBytes(const CandidateList& list);

 private:
  struct Entry {
    std::shared_ptr<const CandidateList> list;
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

  size_t shard_bytes_max_;
  std::vector<std::unique_ptr<Shard>> shards_;
  ops::Counter& hits_;
  ops::Counter& misses_;
};

}  // namespace stemedb::storage
