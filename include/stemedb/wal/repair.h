#pragma once
// What stemedb-wal-repair does, as a library: copy a damaged segment cut at a record boundary.
//
// Never edits in place: the input is only read; the output is written as OUT.tmp, synced,
// renamed to OUT (which must not exist) and the directory synced; then OUT is scanned again
// and must be clean. The cut is the last record boundary at or before truncate_at, and never
// past the first damaged record: a truncate_at inside a record keeps the records before it.

#include <cstdint>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"

namespace stemedb::wal {

struct RepairOutcome {
  uint64_t requested_pos = 0;  // truncate_at as given
  uint64_t cut_pos = 0;        // where OUT ends (a record boundary)
  uint64_t input_bytes = 0;
  uint64_t records_kept = 0;
  uint64_t first_seq = 0;  // of the records kept; 0 when none
  uint64_t last_seq = 0;
  std::string note;  // what an operator should know next, or empty
};

// kInvalidArgument for bad arguments, kAlreadyExists when OUT exists, kCorruption when the
// input's header is unreadable or OUT fails verification, kIOError (kDiskFull) on I/O.
Result<RepairOutcome> RepairSegment(Env& env, const std::string& in_path,
                                    const std::string& out_path, uint64_t truncate_at);

}  // namespace stemedb::wal
