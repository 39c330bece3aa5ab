#include "stemedb/replication/log_digest.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"
#include "stemedb/wal/log_format.h"

namespace stemedb::replication {

Result<LogDigest> DigestLog(WalSource& source, uint64_t first_offset, uint64_t to_offset) {
  if (first_offset != 0) {
    return Status::FailedPrecondition("this WAL starts at offset " + std::to_string(first_offset) +
                                      " (earlier segments were removed): no digest from offset 0");
  }
  constexpr size_t kReadBytes = 4u << 20;
  core::Sha256Hasher hasher;
  LogDigest d;
  uint64_t at = 0;
  while (at < to_offset) {
    auto bytes = source.Read(at, kReadBytes);
    if (!bytes.ok()) return bytes.status();
    if (bytes->empty()) break;
    size_t take = 0;
    uint64_t record_start = at;
    while (take < bytes->size() && at + take < to_offset) {
      record_start = at + take;
      take += wal::RecordBytes(wal::DecodeRecordHeader(bytes->data() + take).payload_bytes);
      ++d.records;
    }
    if (at + take > to_offset) {
      return Status::InvalidArgument("offset " + std::to_string(to_offset) + " is inside the record at offset " +
                                     std::to_string(record_start) + ": not a record boundary");
    }
    hasher.Update(std::string_view(*bytes).substr(0, take));
    at += take;
  }
  if (at != to_offset) {
    return Status::InvalidArgument("offset " + std::to_string(to_offset) + " is past this node's durable WAL end " +
                                   std::to_string(at));
  }
  d.offset = to_offset;
  d.sha256_hex = core::HexEncode(hasher.Final());
  return d;
}

}  // namespace stemedb::replication
