#pragma once
// An online backup point: a consistent RocksDB checkpoint plus the WAL segments needed on top of
// it, in one directory a restore can start from as is:
//
//   <dir>/rocksdb/          RocksDB checkpoint (hard links where the filesystem allows)
//   <dir>/wal/segment.N.wal the sealed segments from the one holding the checkpoint's last
//                           applied record to the last one sealed for this checkpoint
//   <dir>/checkpoint.json   what it holds (version, time, positions, segments, counts)
//
// The counts and `wal_to_seq` are read on the writer thread right after the rotation, so they
// describe exactly the records up to the sealed segment's end (`wal_to_offset`) even while
// writes continue: what a restore of this directory holds.
//
// Order matters: RocksDB first, then the WAL rotation. Everything the checkpoint applied is at
// or below the sealed segments' end, and every write acknowledged before the request is in a
// sealed segment (rotation is ordered with appends), so the directory holds all of them.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stemedb/ground/status.h"
#include "stemedb/storage/store.h"

namespace stemedb::storage {

// `dir` must be an absolute path that does not exist yet; its parent must exist.
Result<nlohmann::json> CreateCheckpoint(Store& store, const std::string& dir);

}  // namespace stemedb::storage
