#include "stemedb/storage/trust_cache.h"

#include "stemedb/ground/check.h"

namespace stemedb::storage {
namespace {

constexpr size_t kTrustCacheShards = 16;

}  // namespace

TrustCache::TrustCache(size_t entries_max, ops::Registry& metrics)
    : shard_entries_max_(std::max<size_t>(1, entries_max / kTrustCacheShards)),
      hits_(metrics
                .CounterFamily("stemedb_trust_cache_requests_total",
                               "Trust cache lookups, by result.", {"result"})
                .WithLabels({"hit"})),
      misses_(metrics
                  .CounterFamily("stemedb_trust_cache_requests_total",
                                 "Trust cache lookups, by result.", {"result"})
                  .WithLabels({"miss"})) {
  for (size_t i = 0; i < kTrustCacheShards; ++i) shards_.push_back(std::make_unique<Shard>());
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_trust_cache_entries", ops::MetricType::kGauge,
             "Agents whose trust the trust cache holds.");
    w.Sample("stemedb_trust_cache_entries", static_cast<double>(entries()));
  });
}

TrustCache::Shard& TrustCache::ShardOf(const core::PublicKey& agent) {
  return *shards_[IdHasher{}(agent) % shards_.size()];
}

TrustCache::Lookup TrustCache::Get(const core::PublicKey& agent) {
  Shard& s = ShardOf(agent);
  std::lock_guard lock(s.mu);
  auto it = s.trust.find(agent);
  if (it == s.trust.end()) {
    misses_.Inc();
    return {std::nullopt, s.generation};
  }
  hits_.Inc();
  return {it->second, s.generation};
}

void TrustCache::Insert(const core::PublicKey& agent, double trust, uint64_t generation) {
  STEMEDB_CHECK(trust >= 0.0 && trust <= 1.0);
  Shard& s = ShardOf(agent);
  std::lock_guard lock(s.mu);
  if (s.generation != generation) return;  // a write came in between: what was read may be stale
  if (s.trust.size() >= shard_entries_max_) s.trust.clear();
  s.trust[agent] = trust;
}

void TrustCache::Invalidate(const core::PublicKey& agent) {
  Shard& s = ShardOf(agent);
  std::lock_guard lock(s.mu);
  ++s.generation;
  s.trust.erase(agent);
}

size_t TrustCache::entries() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->trust.size();
  }
  return n;
}

}  // namespace stemedb::storage
