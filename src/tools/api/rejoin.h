#pragma once
// A deposed primary's way back (docs/replication.md, "Rejoining"). When the new primary says
// this node's log runs past the start of its term, the node writes a marker naming the fork
// offset and exits with kExitRejoin (systemd restarts it: Restart=on-failure). At the next
// start, before the store opens, the records past the fork are moved to wal/diverged/ and the
// store (derived from the WAL, never the truth) is rebuilt by replaying the log from offset 0;
// then the node streams from the new primary like any standby.

#include <cstdint>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ops/config.h"

namespace stemedb::api {

inline constexpr int kExitRejoin = 75;  // EX_TEMPFAIL: start again, and it will rejoin

Status RequestRejoin(const ops::Config& config, uint64_t fork_offset);
// Nothing to do without a marker. Fails (and the daemon does not start) when the log does not
// begin at offset 0, since the store could not be rebuilt: clone the node again then.
Status CompletePendingRejoin(const ops::Config& config);

}  // namespace stemedb::api
