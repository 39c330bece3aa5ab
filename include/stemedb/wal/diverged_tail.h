#pragma once
// Rejoining after a failover (docs/replication.md, "Rejoining"): a node whose log runs past the
// point where the new primary's term began holds records the cluster's log never had (fsynced
// here, never acknowledged with synchronous commit). They are moved, never deleted, into
// <wal_dir>/diverged/fork-<offset>-<unix ms>/: whole segments past the fork as they are, and the segment
// the fork cuts as its original, while the log keeps a copy cut at the fork (stemedb-wal-repair's
// copy-and-verify). stemedb-wal-verify reads the moved segments; `stemedb resubmit` can post
// their signed records to the new primary, where they are idempotent.

#include <cstdint>
#include <string>
#include <vector>

#include "stemedb/ground/env.h"
#include "stemedb/ground/status.h"

namespace stemedb::wal {

struct DivergedTail {
  uint64_t fork_offset = 0;
  uint64_t bytes_moved = 0;         // record bytes past the fork
  std::string directory;            // where they went ("" when there were none)
  std::vector<std::string> segments;  // the files moved there
};

// Run before the journal opens. kCorruption when the fork offset is not a record boundary of
// this log (it cannot be the primary's term start then: nothing is moved).
Result<DivergedTail> MoveDivergedTail(Env& env, const std::string& wal_dir, uint64_t fork_offset);

}  // namespace stemedb::wal
