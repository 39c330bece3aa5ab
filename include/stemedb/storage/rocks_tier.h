#pragma once
// The RocksDB tier. Our WAL is the source of truth, so RocksDB's own WAL is disabled; with
// several column families that makes `atomic_flush` necessary: without it one family could be
// flushed to disk ahead of another and a crash would leave indexes that disagree with the
// applied offset stored beside them.

#include <memory>
#include <string>
#include <vector>

#include "stemedb/storage/tier.h"

namespace stemedb::storage {

struct RocksTierOptions {
  std::string dir;
  std::vector<std::string> column_families;  // CfId i is column_families[i]
  size_t block_cache_bytes = 256u << 20;
  size_t write_buffer_bytes = 32u << 20;       // per column family...
  size_t write_buffers_bytes_max = 128u << 20;  // ...and for all of them together
  // Families read only by scans within one "a\0b\0" prefix (by_subject_predicate: one pair's
  // claims). Their files carry bloom filters of that prefix instead of whole keys, so a scan skips
  // every file that holds nothing of its pair without reading a block of it.
  std::vector<std::string> pair_scanned_families;
};

Result<std::unique_ptr<Tier>> OpenRocksTier(const RocksTierOptions& options);

}  // namespace stemedb::storage
