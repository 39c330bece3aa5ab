#include "stemedb/storage/candidate_cache.h"

#include <functional>

namespace stemedb::storage {
namespace {

constexpr size_t kShards = 16;

}  // namespace

CandidateCache::CandidateCache(size_t bytes_max, ops::Registry& metrics)
    : shard_bytes_max_(bytes_max / kShards),
      hits_(metrics.CounterFamily("stemedb_storage_cache_requests_total", "Candidate cache lookups, by result.", {"result"})
                .WithLabels({"hit"})),
      misses_(metrics.CounterFamily("stemedb_storage_cache_requests_total", "Candidate cache lookups, by result.", {"result"})
                  .WithLabels({"miss"})) {
  for (size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_storage_cache_bytes", ops::MetricType::kGauge, "Bytes held by the candidate cache (approximate).");
    w.Sample("stemedb_storage_cache_bytes", static_cast<double>(bytes()));
  });
}

CandidateCache::Shard& CandidateCache::ShardOf(const std::string& key) {
  return *shards_[std::hash<std::string>{}(key) % shards_.size()];
}

size_t CandidateCache::ApproximateBytes(const CandidateList& list) {
  size_t n = sizeof(CandidateList) + list.capacity() * sizeof(CachedCandidate);
  for (const auto& c : list) {
    const auto& a = c.assertion.record;
    n += a.subject.capacity() + a.predicate.capacity() + a.signatures.capacity() * sizeof(core::SignatureEntry);
    if (a.narrative) n += a.narrative->capacity();
    if (const auto* t = std::get_if<core::TextObject>(&a.object)) n += t->value.capacity();
    if (const auto* r = std::get_if<core::ReferenceObject>(&a.object)) n += r->value.capacity();
  }
  return n;
}

CandidateCache::Lookup CandidateCache::Get(const std::string& key) {
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it == s.entries.end()) {
    misses_.Inc();
    return {nullptr, s.generation};
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
  hits_.Inc();
  return {it->second.list, s.generation};
}

void CandidateCache::Insert(const std::string& key, std::shared_ptr<const CandidateList> list, uint64_t generation) {
  const size_t bytes = ApproximateBytes(*list) + key.size() + 64;
  if (bytes > shard_bytes_max_) return;
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  if (s.generation != generation || s.entries.count(key)) return;  // a write moved on meanwhile
  while (s.bytes + bytes > shard_bytes_max_ && !s.lru.empty()) {
    auto victim = s.entries.find(s.lru.back());
    s.bytes -= victim->second.bytes;
    s.entries.erase(victim);
    s.lru.pop_back();
  }
  s.lru.push_front(key);
  s.entries.emplace(key, Entry{std::move(list), bytes, s.lru.begin()});
  s.bytes += bytes;
}

void CandidateCache::Invalidate(const std::string& key) {
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  ++s.generation;
  auto it = s.entries.find(key);
  if (it == s.entries.end()) return;
  s.bytes -= it->second.bytes;
  s.lru.erase(it->second.lru);
  s.entries.erase(it);
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
