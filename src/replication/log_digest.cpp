#include "stemedb/replication/log_digest.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"
#include "stemedb/wal/log_format.h"

namespace stemedb::replication {

Result<LogDigest> DigestLog(WalSource& source, uint64_t first_retained, uint64_t from, uint64_t to) {
  if (from < first_retained) {
    return Status::FailedPrecondition("this WAL starts at offset " + std::to_string(first_retained) +
                                      " (earlier segments are not here): no digest from offset " +
                                      std::to_string(from));
  }
  if (from > to) return Status::InvalidArgument("from " + std::to_string(from) + " is past offset " + std::to_string(to));
  constexpr size_t kReadBytes = 4u << 20;
  core::Sha256Hasher hasher;
  LogDigest d;
  uint64_t at = from;
  while (at < to) {
    auto bytes = source.Read(at, kReadBytes);
    if (!bytes.ok()) return bytes.status();
    if (bytes->empty()) break;
    size_t take = 0;
    while (take < bytes->size() && at + take < to) {
      const wal::RecordHeader h = wal::DecodeRecordHeader(bytes->data() + take);
      if (take + wal::RecordBytes(h.payload_bytes) > bytes->size() ||
          wal::RecordChecksum(h.payload_bytes, bytes->data() + take + 8) != h.checksum) {
        return Status::InvalidArgument("offset " + std::to_string(at + take) + " is not a record boundary");
      }
      take += wal::RecordBytes(h.payload_bytes);
      ++d.records;
    }
    if (at + take > to) {
      return Status::InvalidArgument("offset " + std::to_string(to) + " is inside a record: not a record boundary");
    }
    hasher.Update(std::string_view(*bytes).substr(0, take));
    at += take;
  }
  if (at != to) {
    return Status::InvalidArgument("offset " + std::to_string(to) + " is past this node's durable WAL end " +
                                   std::to_string(at));
  }
  d.from = from;
  d.offset = to;
  d.sha256_hex = core::HexEncode(hasher.Final());
  return d;
}

}  // namespace stemedb::replication
