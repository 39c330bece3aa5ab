#pragma once
// Reads a whole segment and says what is in it: the header, how many records are valid, and
// where and why the valid prefix ends. Recovery, Replay's checks and stemedb-wal-verify all
// judge segments from this one scan, so they never disagree.
//
// Beyond framing and checksums it checks the journal payload: a checksummed record whose
// payload is too short or whose seq does not follow its predecessor is not a torn write but
// wrong data, reported as kBadPayload.
//
// After a bad record it searches the rest of the file for any valid record. A torn write
// leaves nothing valid behind it (the writer writes a batch only after the previous one was
// synced, and stops after a failure), so a valid record after a bad one means acknowledged
// data sits behind damage: corruption, never something to cut away silently. The search's work
// is linear in the segment's size (segment_scanner.cpp says how; the resync_* counters show it):
// it reads the rest of the file once and checksums at most the segment's size in candidates.

#include <cstdint>
#include <optional>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/segment_header.h"

namespace stemedb::wal {

enum class ScanProblem {
  kNone,
  kBadHeader,   // unreadable header, or its sequence differs from the file name
  kBadRecord,   // bad framing or checksum
  kBadPayload,  // checksum fine, journal payload wrong (too short, seq out of order)
};
const char* ScanProblemName(ScanProblem problem);

struct SegmentScan {
  std::string name;  // file name
  SegmentHeader header;
  uint64_t file_bytes = 0;
  uint64_t valid_bytes = 0;  // file position where the valid prefix ends
  uint64_t records = 0;      // valid records
  uint64_t first_seq = 0;    // 0 when there are none
  uint64_t last_seq = 0;
  uint64_t last_ingested_at_ms = 0;

  ScanProblem problem = ScanProblem::kNone;
  uint64_t problem_pos = 0;  // file position of the bad header or record
  std::string problem_reason;
  std::optional<uint64_t> valid_record_after;  // file position of a valid record after it

  // The search after a kBadRecord, for tests and stemedb-wal-verify --json.
  uint64_t resync_bytes_read = 0;    // bytes read: the rest of the file about once, plus candidates
  uint64_t resync_bytes_hashed = 0;  // bytes checksummed for candidates; at most file_bytes
  uint64_t resync_candidates = 0;    // candidates checksummed
  // Candidates were left unchecked when the checksumming budget ran out and no valid record was
  // found: one may follow the damage, so this is never a torn tail.
  bool resync_gave_up = false;

  bool clean() const { return problem == ScanProblem::kNone; }
  // A bad record with nothing valid after it: an interrupted write, when in the last segment.
  bool torn_tail() const {
    return problem == ScanProblem::kBadRecord && !valid_record_after && !resync_gave_up;
  }
  uint64_t base_offset() const { return header.base_offset; }
  // The global offset just past the last valid record.
  uint64_t end_offset() const { return header.GlobalOffset(valid_bytes); }
};

// Scans path. Damage is reported in the SegmentScan; only I/O errors (and a file that cannot
// be opened) are a failed Result. With stop_at_file_pos, only records ending at or before it
// are read (stemedb-wal-repair's cut): the scan ends cleanly at the last such record boundary.
Result<SegmentScan> ScanSegment(Env& env, const std::string& path,
                                uint64_t stop_at_file_pos = UINT64_MAX);

}  // namespace stemedb::wal
