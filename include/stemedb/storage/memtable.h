#pragma once
// The memory tier's unit: key/value pairs by column family, sorted, in a skip list. One writer
// (the journal's apply step) inserts; any number of readers look up and scan without locks.
// A key written twice in one memtable keeps both versions; reads see the newest (a per-table
// sequence number orders them).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/storage/arena.h"
#include "stemedb/storage/skiplist.h"

namespace stemedb::storage {

using CfId = uint8_t;

class MemTable {
 public:
  MemTable();
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Single writer.
  void Put(CfId cf, std::string_view key, std::string_view value);

  // The newest value of key, if this table has one.
  std::optional<std::string_view> Get(CfId cf, std::string_view key) const;

  // Newest version of each key in [start, end), in key order, until fn returns false.
  void Scan(CfId cf, std::string_view start, std::string_view end,
            const std::function<bool(std::string_view key, std::string_view value)>& fn) const;

  // Every newest entry, in (cf, key) order: what a flush writes.
  void ForEach(const std::function<void(CfId, std::string_view key, std::string_view value)>& fn) const;

  size_t ApproximateBytes() const { return arena_.MemoryUsage(); }
  size_t entries() const { return entries_.load(std::memory_order_relaxed); }
  bool empty() const { return entries() == 0; }

 private:
  // An entry is one arena allocation: u8 cf | u32 key_len | key | u64 version | u32 value_len |
  // value. Entries order by (cf, key, version descending), so the newest version comes first.
  struct EntryCompare {
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, EntryCompare>;

  const char* Encode(CfId cf, std::string_view key, uint64_t version, std::string_view value);

  Arena arena_;
  Table table_;
  uint64_t next_version_ = 1;  // writer only
  std::atomic<size_t> entries_{0};
};

}  // namespace stemedb::storage
