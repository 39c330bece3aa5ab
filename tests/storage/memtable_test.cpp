#include "stemedb/storage/memtable.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

namespace stemedb::storage {
namespace {

std::vector<std::pair<std::string, std::string>> ScanAll(const MemTable& t, CfId cf, std::string start = "",
                                                          std::string end = "") {
  std::vector<std::pair<std::string, std::string>> out;
  t.Scan(cf, start, end, [&](std::string_view k, std::string_view v) {
    out.emplace_back(k, v);
    return true;
  });
  return out;
}

TEST(MemTableTest, GetReturnsNewestVersion) {
  MemTable t;
  t.Put(1, "k", "v1");
  t.Put(1, "k", "v2");
  t.Put(2, "k", "other-cf");
  EXPECT_EQ(*t.Get(1, "k"), "v2");
  EXPECT_EQ(*t.Get(2, "k"), "other-cf");
  EXPECT_FALSE(t.Get(1, "kk").has_value());
  EXPECT_FALSE(t.Get(0, "k").has_value());
  EXPECT_EQ(t.entries(), 3u);
}

TEST(MemTableTest, ScanIsOrderedBoundedAndNewestOnly) {
  MemTable t;
  for (const char* k : {"b", "a", "c", "ab", "b"}) t.Put(3, k, std::string("v-") + k);
  t.Put(3, "b", "newest");
  auto all = ScanAll(t, 3);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].first, "a");
  EXPECT_EQ(all[1].first, "ab");
  EXPECT_EQ(all[2].first, "b");
  EXPECT_EQ(all[2].second, "newest");
  auto range = ScanAll(t, 3, "ab", "c");
  ASSERT_EQ(range.size(), 2u);
  EXPECT_EQ(range[0].first, "ab");
  EXPECT_EQ(range[1].first, "b");
}

TEST(MemTableTest, BinaryKeysWithZeroBytes) {
  MemTable t;
  std::string k1("a\0b", 3), k2("a\0a", 3);
  t.Put(0, k1, "1");
  t.Put(0, k2, "2");
  auto all = ScanAll(t, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, k2);
  EXPECT_EQ(*t.Get(0, k1), "1");
}

TEST(MemTableTest, MatchesAReferenceMapUnderRandomWrites) {
  MemTable t;
  std::map<std::pair<int, std::string>, std::string> ref;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    CfId cf = static_cast<CfId>(rng() % 3);
    std::string key = "key" + std::to_string(rng() % 2000);
    std::string value = std::to_string(i);
    t.Put(cf, key, value);
    ref[{cf, key}] = value;
  }
  std::vector<std::tuple<int, std::string, std::string>> seen;
  t.ForEach([&](CfId cf, std::string_view k, std::string_view v) { seen.emplace_back(cf, k, v); });
  ASSERT_EQ(seen.size(), ref.size());
  size_t i = 0;
  for (const auto& [key, value] : ref) {
    EXPECT_EQ(std::get<0>(seen[i]), key.first);
    EXPECT_EQ(std::get<1>(seen[i]), key.second);
    EXPECT_EQ(std::get<2>(seen[i]), value);
    ++i;
  }
}

TEST(MemTableTest, ReadersSeeWholeEntriesWhileOneWriterInserts) {
  MemTable t;
  std::atomic<bool> done{false};
  std::atomic<long> checks{0};
  std::thread writer([&] {
    for (int i = 0; i < 50000; ++i) {
      std::string k = "k" + std::to_string(i);
      t.Put(0, k, "value-of-" + k);
    }
    done.store(true);
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        t.Scan(0, "k1", "k2", [&](std::string_view k, std::string_view v) {
          EXPECT_EQ(v, "value-of-" + std::string(k));
          checks.fetch_add(1);
          return true;
        });
      }
    });
  }
  writer.join();
  for (auto& th : readers) th.join();
  EXPECT_EQ(*t.Get(0, "k49999"), "value-of-k49999");
}

}  // namespace
}  // namespace stemedb::storage
