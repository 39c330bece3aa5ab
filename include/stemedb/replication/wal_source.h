#pragma once
// The primary's side of the stream: reads durable WAL bytes, whole records only, straight from
// the segment files (what the standby writes is byte for byte what the primary synced). Only
// bytes below the journal's durable head are read: a standby never holds a record the primary
// could still lose.
//
// One per stream; not thread-safe. Keeps the segment it reads open.

#include <cstdint>
#include <memory>
#include <string>

#include "stemedb/ground/env.h"
#include "stemedb/ground/status.h"
#include "stemedb/wal/journal.h"

namespace stemedb::replication {

class WalSource {
 public:
  WalSource(Env& env, const wal::Journal& journal) : env_(env), journal_(journal) {}

  // Whether a standby whose log ends at `from` after record `from_seq` continues this log:
  // `from` must be a record boundary here and the record there must have seq from_seq + 1 (or
  // `from` the durable head with from_seq the last seq). The refusal names both sides and the
  // fix: kNotFound (segments gone: clone the standby), kConflict (the standby is ahead),
  // kFailedPrecondition (the logs differ at `from`).
  Status CheckStart(uint64_t from, uint64_t from_seq);

  // Whole records from `from` on, about max_bytes of them (one record when a record is larger),
  // never past the durable head; "" when `from` is the head. `from` must be a record boundary.
  Result<std::string> Read(uint64_t from, size_t max_bytes);

 private:
  // The segment holding global offset `at` (below the durable head), opened.
  Result<wal::SegmentInfo> Locate(uint64_t at);
  Status ReadExact(uint64_t file_pos, size_t n, std::string& out);

  Env& env_;
  const wal::Journal& journal_;
  std::string open_name_;
  std::unique_ptr<File> open_file_;
};

}  // namespace stemedb::replication
