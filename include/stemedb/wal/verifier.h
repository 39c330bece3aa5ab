#pragma once
// What stemedb-wal-verify checks, as a library: one segment file or a whole directory, judged
// exactly as recovery judges them (log_scan.h). Read-only and lock-free, so it also runs on a
// live directory; a batch being written at that moment shows up as a torn tail, which is not
// corruption.

#include <optional>
#include <string>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/log_scan.h"
#include "stemedb/wal/segment_scanner.h"

namespace stemedb::wal {

struct VerifyReport {
  std::vector<SegmentScan> segments;    // scanned, in order (a dir scan stops at corruption)
  std::optional<LogDamage> corruption;  // the first bad offset, when corrupt
  std::optional<LogDamage> torn_tail;   // an interrupted write at the end of the last segment
  bool corrupt() const { return corruption.has_value(); }
};

// A single segment. It counts as the last segment (where a torn tail is expected) unless the
// next-numbered segment exists beside it.
Result<VerifyReport> VerifyFile(Env& env, const std::string& path);
// Every segment of dir, and the chain between them.
Result<VerifyReport> VerifyDir(Env& env, const std::string& dir);

}  // namespace stemedb::wal
