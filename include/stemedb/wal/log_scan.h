#pragma once
// Scans every segment of a WAL directory and judges the log as a whole: each segment on its
// own (segment_scanner.h), then the chain: sequences without holes, each segment starting at
// the global offset where the previous one ended, seq running on across segments.
//
// The verdict follows storage.md: a bad record in the last segment with nothing valid after it
// is a torn tail (recovery cuts it); anything else bad is corruption, named by segment file and
// byte offset (recovery refuses to open).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/segment_scanner.h"

namespace stemedb::wal {

struct LogDamage {
  std::string segment;    // file name
  uint64_t file_pos = 0;  // byte offset in that file (what stemedb-wal-repair takes)
  uint64_t global_offset = 0;
  std::string reason;
  // "WAL corrupt: segment.003.wal at byte offset 1234 (global offset 5678): checksum mismatch".
  std::string Describe(const char* what) const;
};

struct LogScan {
  std::vector<SegmentScan> segments;  // in sequence order
  std::optional<LogDamage> corruption;
  std::optional<LogDamage> torn_tail;  // set only when there is no corruption
  uint64_t head_offset = 0;            // end of the valid log
  uint64_t last_seq = 0;
  uint64_t last_ingested_at_ms = 0;
};

// Damage at file_pos of the scanned segment.
LogDamage DamageAt(const SegmentScan& scan, uint64_t file_pos, std::string reason);
// The corruption of one segment judged on its own: nullopt when it is clean, or when it is the
// last segment and its only damage is a torn tail.
std::optional<LogDamage> SegmentCorruption(const SegmentScan& scan, bool is_last);

// Scans every segment in dir. Damage goes into the LogScan; a failed Result is an I/O error.
Result<LogScan> ScanLog(Env& env, const std::string& dir);

}  // namespace stemedb::wal
