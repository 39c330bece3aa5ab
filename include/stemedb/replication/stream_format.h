#pragma once
// The bytes of GET /v1/replication/stream (docs/replication.md, "The stream"): a chunked HTTP
// response whose body is a sequence of messages,
//
//   u8 kind | u32le payload_bytes | payload
//
//   'R' records:   u64le first_offset | u64le primary_durable_offset | whole WAL records, framed
//                  exactly as in the primary's segments (log_format.h), checksums included
//   'H' heartbeat: u64le primary_durable_offset | u64le primary_unix_ms
//
// Messages do not follow HTTP chunk boundaries (a proxy may merge or split chunks): the
// decoder buffers. The records carry their own checksums, which the standby checks before it
// writes a byte; a damaged message header shows up as an unknown kind, a length past the bound,
// or an offset that does not continue the log, and the standby reconnects.

#include <cstdint>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"

namespace stemedb::replication {

inline constexpr char kRecordsMessage = 'R';
inline constexpr char kHeartbeatMessage = 'H';
inline constexpr size_t kMessageHeaderBytes = 5;
// The stream's answer names the primary's term; a 409 wal_diverged names where the logs part.
inline constexpr std::string_view kTermHeader = "X-Stemedb-Term";
inline constexpr std::string_view kForkOffsetHeader = "X-Stemedb-Fork-Offset";
// A records message carries at most this much in one go, or one record when a record is larger.
inline constexpr size_t kRecordsMessageBytesTarget = 1u << 20;
// The decoder's bound: a record is at most a WAL batch (wal.max_batch_bytes <= 256 MiB).
inline constexpr uint32_t kMessagePayloadBytesMax = (256u << 20) + 64;

void AppendRecordsMessage(std::string& out, uint64_t first_offset, uint64_t primary_durable_offset,
                          std::string_view records);
void AppendHeartbeatMessage(std::string& out, uint64_t primary_durable_offset, uint64_t primary_unix_ms);

struct StreamMessage {
  char kind = 0;
  uint64_t first_offset = 0;            // records
  uint64_t primary_durable_offset = 0;  // both kinds
  uint64_t primary_unix_ms = 0;         // heartbeat
  std::string records;                  // records: whole framed WAL records
};

class StreamDecoder {
 public:
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // True with `out` filled when a whole message is buffered; false when more bytes are needed.
  // kCorruption for an unknown kind, a length beyond the bound, or a short fixed part.
  Result<bool> Next(StreamMessage& out);
  size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
};

}  // namespace stemedb::replication
