#pragma once
// Records a standby received from its primary, framed exactly as in the primary's segments
// (log_format.h), to be written into the standby's own WAL verbatim: the same bytes at the same
// global offsets with the same seqs, so the standby's WAL is a prefix of the primary's.
//
// Parsing checks everything a segment scan checks (framing, checksum, journal payload, seqs
// running on without a gap, ingestion time never going back) before a byte reaches the disk: a
// frame damaged on the wire is refused, never written and never applied.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/wal/journal_types.h"

namespace stemedb::wal {

struct ReplicatedRecords {
  std::string bytes;               // whole framed records, back to back
  uint64_t first_offset = 0;       // global offset of bytes[0]
  std::vector<RecordView> records;  // views into `bytes`, in order
  uint64_t end_offset() const { return first_offset + bytes.size(); }
  uint64_t first_seq() const { return records.front().seq; }
  uint64_t last_seq() const { return records.back().seq; }
};

// Where the records must continue: the standby's log as it stands before them.
struct LogTail {
  uint64_t end_offset = 0;
  uint64_t last_seq = 0;
  uint64_t last_ingested_at_ms = 0;
};

// `bytes` must hold whole records only, at least one, starting at tail.end_offset with seq
// tail.last_seq + 1. kCorruption names the global offset of the first bad record and why.
Result<std::shared_ptr<const ReplicatedRecords>> ParseReplicatedRecords(std::string bytes,
                                                                        const LogTail& tail);

}  // namespace stemedb::wal
