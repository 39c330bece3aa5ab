#pragma once
// The digest of a node's record stream: SHA-256 over the WAL's record bytes between two global
// offsets (from 0 by default), segment headers left out. A standby's WAL holds the primary's records at
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
  uint64_t from = 0;
  uint64_t offset = 0;
  uint64_t records = 0;
  std::string sha256_hex;
};

// `from` and `to` must be record boundaries with first_retained <= from <= to <= the durable
// head (kInvalidArgument, or kFailedPrecondition when `from` is older than the WAL's first
// segment). Every record's checksum is checked on the way, so a `from` that is not a boundary
// is refused rather than hashed.
Result<LogDigest> DigestLog(WalSource& source, uint64_t first_retained, uint64_t from, uint64_t to);

}  // namespace stemedb::replication
