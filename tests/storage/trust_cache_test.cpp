#include "stemedb/storage/trust_cache.h"

#include <gtest/gtest.h>

#include "support/records.h"

namespace stemedb::storage {
namespace {

core::PublicKey Key(uint8_t n) { return stemedb::testing::FilledId(n); }

TEST(TrustCacheTest, MissThenHit) {
  ops::Registry metrics;
  TrustCache cache(1024, metrics);
  auto miss = cache.Get(Key(1));
  EXPECT_FALSE(miss.trust);
  cache.Insert(Key(1), 0.25, miss.generation);
  EXPECT_EQ(cache.Get(Key(1)).trust, 0.25);
  EXPECT_FALSE(cache.Get(Key(2)).trust);
}

TEST(TrustCacheTest, AValueReadBeforeAnInvalidationIsNeverCached) {
  ops::Registry metrics;
  TrustCache cache(1024, metrics);
  auto before = cache.Get(Key(1));
  cache.Invalidate(Key(1));                      // the apply step wrote the agent's aggregate
  cache.Insert(Key(1), 0.5, before.generation);  // what the reader read may predate it
  EXPECT_FALSE(cache.Get(Key(1)).trust);
}

TEST(TrustCacheTest, InvalidateDropsTheEntry) {
  ops::Registry metrics;
  TrustCache cache(1024, metrics);
  cache.Insert(Key(1), 0.75, cache.Get(Key(1)).generation);
  cache.Invalidate(Key(1));
  EXPECT_FALSE(cache.Get(Key(1)).trust);
}

TEST(TrustCacheTest, StaysWithinItsBound) {
  ops::Registry metrics;
  TrustCache cache(32, metrics);  // 16 shards of 2
  for (int i = 0; i < 200; ++i) {
    core::PublicKey k{};
    k[0] = static_cast<uint8_t>(i);
    k[1] = static_cast<uint8_t>(i >> 8);
    cache.Insert(k, 0.5, cache.Get(k).generation);
  }
  EXPECT_LE(cache.entries(), 32u);
  EXPECT_GT(cache.entries(), 0u);
}

}  // namespace
}  // namespace stemedb::storage
