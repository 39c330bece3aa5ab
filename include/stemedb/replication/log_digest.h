#pragma once
// The digest of a node's record stream: SHA-256 over the WAL's record bytes from global offset
// 0 up to an offset, segment headers left out. A standby's WAL holds the primary's records at
// the same offsets, so two nodes that agree on the digest at an offset hold the same records
// up to there, byte for byte (GET /v1/admin/replication/digest).
//
// It reads the log once: O(offset) bytes, about a second a GiB; the caller bounds how many run.

#include <cstdint>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/replication/wal_source.h"

namespace stemedb::replication {

struct LogDigest {
  uint64_t offset = 0;
  uint64_t records = 0;
  std::string sha256_hex;
};

// `to_offset` must be a record boundary at or below the durable head, and the WAL must still
// start at offset 0 (kFailedPrecondition otherwise, naming the offsets).
Result<LogDigest> DigestLog(WalSource& source, uint64_t first_offset, uint64_t to_offset);

}  // namespace stemedb::replication
