#include "stemedb/storage/candidate_cache.h"

#include <functional>

namespace stemedb::storage {
namespace {

constexpr size_t kCandidateCacheShards = 16;
constexpr size_t kEntryOverheadBytes = 96;  // the map node, the LRU node and the key's header

}  // namespace

CandidateCache::CandidateCache(size_t bytes_max, ops::Registry& metrics)
    : shard_bytes_max_(bytes_max / kCandidateCacheShards),
      hits_(metrics.CounterFamily("stemedb_storage_cache_requests_total", "Candidate cache lookups, by result.", {"result"})
                .WithLabels({"hit"})),
      misses_(metrics.CounterFamily("stemedb_storage_cache_requests_total", "Candidate cache lookups, by result.", {"result"})
                  .WithLabels({"miss"})) {
  for (size_t i = 0; i < kCandidateCacheShards; ++i) shards_.push_back(std::make_unique<Shard>());
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_storage_cache_bytes", ops::MetricType::kGauge, "Bytes held by the candidate cache (approximate).");
    w.Sample("stemedb_storage_cache_bytes", static_cast<double>(bytes()));
  });
}

CandidateCache::Shard& CandidateCache::ShardOf(const std::string& key) {
  return *shards_[std::hash<std::string>{}(key) % shards_.size()];
}

void CandidateCache::Erase(Shard& s, std::unordered_map<std::string, Entry>::iterator it) {
  s.bytes -= it->second.bytes;
  s.lru.erase(it->second.lru);
  s.entries.erase(it);
}

CandidateCache::Lookup CandidateCache::Get(const std::string& key, const void* kind) {
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it == s.entries.end() || it->second.kind != kind) {
    misses_.Inc();
    return {nullptr, 0, s.generation};
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
  hits_.Inc();
  return {it->second.value, it->second.items, s.generation};
}

size_t CandidateCache::CachedItems(const std::string& key, const void* kind) {
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  return it == s.entries.end() || it->second.kind != kind ? 0 : it->second.items;
}

void CandidateCache::Insert(const std::string& key, const void* kind, std::shared_ptr<const void> value, size_t items,
                            size_t bytes, uint64_t generation) {
  bytes += key.size() + kEntryOverheadBytes;
  if (bytes > shard_bytes_max_) return;
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  if (s.generation != generation || s.entries.count(key)) return;  // a write moved on meanwhile
  while (s.bytes + bytes > shard_bytes_max_ && !s.lru.empty()) Erase(s, s.entries.find(s.lru.back()));
  s.lru.push_front(key);
  s.entries.emplace(key, Entry{kind, std::move(value), items, bytes, s.lru.begin()});
  s.bytes += bytes;
}

void CandidateCache::Invalidate(const std::string& key) {
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  ++s.generation;
  auto it = s.entries.find(key);
  if (it != s.entries.end()) Erase(s, it);
}

void CandidateCache::Clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    ++s->generation;
    s->entries.clear();
    s->lru.clear();
    s->bytes = 0;
  }
}

size_t CandidateCache::bytes() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->bytes;
  }
  return n;
}

}  // namespace stemedb::storage
