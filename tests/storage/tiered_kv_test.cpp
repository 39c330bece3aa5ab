#include "stemedb/storage/tiered_kv.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "stemedb/storage/fault_injection_tier.h"
#include "stemedb/storage/rocks_tier.h"
#include "support/metrics_text.h"
#include "support/temp_dir.h"

namespace stemedb::storage {
namespace {

using stemedb::testing::TempDir;

std::unique_ptr<Tier> OpenTier(const std::string& dir) {
  auto t = OpenRocksTier({.dir = dir, .column_families = {"a", "b"}});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::vector<std::string> Keys(TieredKv& kv, CfId cf, std::string start, std::string end, size_t limit = 1000) {
  std::vector<std::string> out;
  EXPECT_TRUE(kv.Scan(cf, start, end, limit, [&](std::string_view k, std::string_view) {
                   out.emplace_back(k);
                   return true;
                 }).ok());
  return out;
}

TEST(TieredKvTest, ReadsSeeMemoryThenTierAndSurviveReopen) {
  TempDir dir;
  ops::Registry metrics;
  {
    TieredKv kv(OpenTier(dir.path()), {}, metrics);
    ASSERT_EQ(kv.Open()->offset, 0u);
    {
      TieredKv::WriteScope w(kv);
      w.Put(0, "k1", "v1");
      w.Put(1, "k1", "other");
      w.Advance({100, 1});
    }
    EXPECT_EQ(**kv.Get(0, "k1"), "v1");
    ASSERT_TRUE(kv.FlushAndPersist().ok());
    EXPECT_EQ(kv.memory_bytes(), kv.memory_bytes());
    EXPECT_EQ(**kv.Get(0, "k1"), "v1");  // now from RocksDB
    {
      TieredKv::WriteScope w(kv);
      w.Put(0, "k1", "v2");  // newer value in memory shadows the tier
      w.Put(0, "k2", "x");
      w.Advance({200, 2});
    }
    EXPECT_EQ(**kv.Get(0, "k1"), "v2");
    EXPECT_EQ(Keys(kv, 0, "k", "l"), (std::vector<std::string>{"k1", "k2"}));
    ASSERT_TRUE(kv.Close().ok());
  }
  TieredKv kv(OpenTier(dir.path()), {}, metrics);
  auto p = kv.Open();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->offset, 200u);
  EXPECT_EQ(p->seq, 2u);
  EXPECT_EQ(**kv.Get(0, "k1"), "v2");
  EXPECT_EQ(**kv.Get(1, "k1"), "other");
  EXPECT_FALSE(kv.Get(1, "k2")->has_value());
}

TEST(TieredKvTest, ScanLimitMergesLayersCorrectly) {
  TempDir dir;
  ops::Registry metrics;
  TieredKv kv(OpenTier(dir.path()), {}, metrics);
  ASSERT_TRUE(kv.Open().ok());
  {
    TieredKv::WriteScope w(kv);
    for (const char* k : {"p1", "p3", "p5"}) w.Put(0, k, "tier");
    w.Advance({1, 1});
  }
  ASSERT_TRUE(kv.FlushAndPersist().ok());
  {
    TieredKv::WriteScope w(kv);
    for (const char* k : {"p2", "p4"}) w.Put(0, k, "mem");
    w.Advance({2, 2});
  }
  EXPECT_EQ(Keys(kv, 0, "p", "q", 3), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(Keys(kv, 0, "p3", "q", 10), (std::vector<std::string>{"p3", "p4", "p5"}));
}

TEST(TieredKvTest, ReadErrorIsServedFromMemoryElseUnavailable) {
  TempDir dir;
  ops::Registry metrics;
  auto fault = std::make_unique<FaultInjectionTier>(OpenTier(dir.path()));
  FaultInjectionTier* f = fault.get();
  TieredKv kv(std::move(fault), {}, metrics);
  ASSERT_TRUE(kv.Open().ok());
  {
    TieredKv::WriteScope w(kv);
    w.Put(0, "in-memory", "yes");
    w.Advance({1, 1});
  }
  f->fail_reads.store(true);
  EXPECT_EQ(**kv.Get(0, "in-memory"), "yes");
  auto missing = kv.Get(0, "elsewhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("storage_unavailable"), std::string::npos);
  EXPECT_NE(metrics.Render().find(R"(stemedb_storage_operation_errors_total{operation="get",tier="rocksdb"} 1)"),
            std::string::npos);
}

TEST(TieredKvTest, WriteErrorKeepsRecordsInMemoryAndDegradesPastTheBound) {
  TempDir dir;
  ops::Registry metrics;
  auto fault = std::make_unique<FaultInjectionTier>(OpenTier(dir.path()));
  FaultInjectionTier* f = fault.get();
  TieredKv kv(std::move(fault), {.memory_tier_bytes_max = 1 << 20, .flush_interval = std::chrono::milliseconds(20)},
              metrics);
  ASSERT_TRUE(kv.Open().ok());
  f->fail_writes.store(true);
  for (int i = 0; i < 2000; ++i) {
    TieredKv::WriteScope w(kv);
    w.Put(0, "key" + std::to_string(i), std::string(1000, 'x'));
    w.Advance({static_cast<uint64_t>(i + 1), static_cast<uint64_t>(i + 1)});
  }
  for (int i = 0; i < 200 && !kv.degraded(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(kv.degraded());
  EXPECT_EQ((*kv.Get(0, "key0"))->size(), 1000u);  // still readable from memory
  EXPECT_EQ(kv.persisted_position().offset, 0u);
  f->fail_writes.store(false);
  for (int i = 0; i < 400 && kv.degraded(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(kv.degraded());
  ASSERT_TRUE(kv.FlushAndPersist().ok());
  EXPECT_EQ(kv.persisted_position().offset, 2000u);
  EXPECT_EQ((*kv.Get(0, "key1999"))->size(), 1000u);
}

TEST(TieredKvTest, EnospcMarksTheTierDiskFullUntilAFlushSucceeds) {
  TempDir dir;
  ops::Registry metrics;
  auto fault = std::make_unique<FaultInjectionTier>(OpenTier(dir.path()));
  FaultInjectionTier* f = fault.get();
  // A persist on every flush, so the test does not wait for the 10 s interval.
  TieredKv kv(std::move(fault), {.flush_interval = std::chrono::milliseconds(5), .persist_interval = std::chrono::milliseconds(0)},
              metrics);
  ASSERT_TRUE(kv.Open().ok());
  f->write_errno.store(ENOSPC);
  f->fail_writes.store(true);
  {
    TieredKv::WriteScope w(kv);
    w.Put(0, "key", "value");
    w.Advance({1, 1});
  }
  for (int i = 0; i < 3000 && !kv.disk_full(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(kv.disk_full());
  EXPECT_EQ(kv.disk_full_error().code(), StatusCode::kDiskFull);
  EXPECT_FALSE(kv.degraded()) << "far below the memory bound";
  EXPECT_EQ(**kv.Get(0, "key"), "value");  // still readable from memory
  f->fail_writes.store(false);  // space freed
  for (int i = 0; i < 3000 && kv.disk_full(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(kv.disk_full());
  EXPECT_TRUE(kv.disk_full_error().ok());
  EXPECT_EQ(kv.persisted_position().offset, 1u);
}

TEST(TieredKvTest, ConcurrentReadersDuringFlushesNeverMissAWrite) {
  TempDir dir;
  ops::Registry metrics;
  TieredKv kv(OpenTier(dir.path()), {.memtable_bytes_flush = 64 << 10, .flush_interval = std::chrono::milliseconds(5)},
              metrics);
  ASSERT_TRUE(kv.Open().ok());
  std::atomic<int> written{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) {
      {
        TieredKv::WriteScope w(kv);
        w.Put(0, "k" + std::to_string(i), std::to_string(i));
        w.Advance({static_cast<uint64_t>(i + 1), static_cast<uint64_t>(i + 1)});
      }
      written.store(i + 1, std::memory_order_release);
    }
    done.store(true);
  });
  std::atomic<int> misses{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int n = written.load(std::memory_order_acquire);
        if (n == 0) continue;
        int i = n - 1;  // the newest acknowledged write must be visible
        auto v = kv.Get(0, "k" + std::to_string(i));
        if (!v.ok() || !v->has_value() || **v != std::to_string(i)) misses.fetch_add(1);
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(misses.load(), 0);
}

// A checkpoint flushes on its own thread while the background flusher runs. Two flushes that
// overlap must not let the older table land in RocksDB after the newer one: the dr-drill test saw
// the global counts one short after a checkpoint under writes.
TEST(TieredKvTest, OverlappingFlushesNeverWriteAnOlderTableLast) {
  TempDir dir;
  ops::Registry metrics;
  auto fault = std::make_unique<FaultInjectionTier>(OpenTier(dir.path()));
  FaultInjectionTier* f = fault.get();
  std::mutex mu;
  std::condition_variable cv;
  bool first_entered = false, release_first = false;
  int calls = 0;
  f->before_write = [&] {
    std::unique_lock lock(mu);
    if (calls++ > 0) return;
    first_entered = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release_first; });
  };
  TieredKv kv(std::move(fault), {.flush_interval = std::chrono::hours(1)}, metrics);
  ASSERT_TRUE(kv.Open().ok());
  auto put = [&](const char* value, uint64_t seq) {
    TieredKv::WriteScope w(kv);
    w.Put(0, "count", value);
    w.Advance({seq, seq});
  };
  put("old", 1);
  std::thread first([&] { EXPECT_TRUE(kv.FlushAndPersist().ok()); });  // holds the "old" table
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return first_entered; }));
  }
  put("new", 2);
  std::atomic<bool> second_done{false};
  std::thread second([&] {
    EXPECT_TRUE(kv.FlushAndPersist().ok());
    second_done = true;
  });
  // Unserialized, the second flush writes both tables and returns while the first is held.
  for (int i = 0; i < 50 && !second_done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  {
    std::lock_guard lock(mu);
    release_first = true;
  }
  cv.notify_all();
  first.join();
  second.join();
  EXPECT_EQ(**kv.Get(0, "count"), "new");
}

// The tier's figures cover every column family, not only RocksDB's default one (which holds
// nothing but the applied position).
TEST(TieredKvTest, TierStatsCountTheKeysOfEveryFamily) {
  TempDir dir;
  auto tier = OpenTier(dir.path());
  MemTable table;
  for (int i = 0; i < 100; ++i) table.Put(i % 2, "key" + std::to_string(i), std::string(100, 'v'));
  ASSERT_TRUE(tier->Write(table, {.offset = 1, .seq = 1}).ok());
  ASSERT_TRUE(tier->Persist().ok());
  std::map<std::string, double> stats;
  for (const auto& [name, value] : tier->Stats()) stats[name] = value;
  EXPECT_GE(stats["rocksdb_estimated_keys"], 100);
  EXPECT_GE(stats["rocksdb_live_sst_bytes"], 100 * 100 / 10);  // even if compressed tenfold
}

// The same figures on /metrics, beside the memory tier's, for dashboards and alerts.
TEST(TieredKvTest, TheTiersFiguresAreGauges) {
  TempDir dir;
  ops::Registry metrics;
  TieredKv kv(OpenTier(dir.path()), {}, metrics);
  ASSERT_TRUE(kv.Open().ok());
  {
    TieredKv::WriteScope w(kv);
    for (int i = 0; i < 100; ++i) w.Put(i % 2, "key" + std::to_string(i), std::string(100, 'v'));
    w.Advance({100, 1});
  }
  ASSERT_TRUE(kv.FlushAndPersist().ok());
  const std::string text = metrics.Render();
  using stemedb::testing::MetricSample;
  EXPECT_GE(MetricSample(text, "stemedb_storage_rocksdb_live_sst_bytes").value_or(0), 100 * 100 / 10);
  EXPECT_GE(MetricSample(text, "stemedb_storage_rocksdb_estimated_keys").value_or(0), 100);
  EXPECT_GT(MetricSample(text, "stemedb_storage_block_cache_capacity_bytes").value_or(0), 0);
  for (const char* name : {"stemedb_storage_rocksdb_memtable_bytes", "stemedb_storage_rocksdb_pending_compaction_bytes",
                           "stemedb_storage_block_cache_usage_bytes", "stemedb_storage_memory_tier_bytes"}) {
    EXPECT_TRUE(MetricSample(text, name).has_value()) << name;
  }
  ASSERT_TRUE(kv.Close().ok());
}

}  // namespace
}  // namespace stemedb::storage
