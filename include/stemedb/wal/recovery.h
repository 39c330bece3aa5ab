#pragma once
// Start-up recovery of a WAL directory (storage.md, "Failure semantics"):
// - leftover segment.NNN.wal.tmp files (a rotation that died before its rename) are removed;
// - a torn tail of the last segment is cut off (ftruncate, then fsync) and the cut is logged;
//   the last segment and the directory are synced either way, so what recovery found (records a
//   killed process left in the page cache, a segment renamed just before the kill) stays;
// - corruption anywhere else refuses: kCorruption naming the segment file and byte offset, and
//   an error log line "WAL corrupt: ..." (the runbook greps for "WAL.*corrupt").
// The caller holds the directory lock.

#include <cstdint>
#include <string>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/segment_info.h"

namespace stemedb::wal {

struct RecoveredLog {
  std::vector<SegmentInfo> segments;  // in order; empty for a new directory
  uint64_t head_offset = 0;
  uint64_t last_seq = 0;
  uint64_t last_ingested_at_ms = 0;
  uint64_t truncated_bytes = 0;   // cut off the torn tail
  std::string truncated_segment;  // where, when truncated_bytes > 0
};

Result<RecoveredLog> RecoverLog(Env& env, const std::string& dir);

}  // namespace stemedb::wal
