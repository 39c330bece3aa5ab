#include "stemedb/wal/replicated_records.h"

#include "stemedb/wal/log_format.h"
#include "stemedb/wal/record_payload.h"

namespace stemedb::wal {
namespace {

Status Bad(uint64_t offset, const std::string& why) {
  return Status::Corruption("replicated record at offset " + std::to_string(offset) + ": " + why);
}

}  // namespace

Result<std::shared_ptr<const ReplicatedRecords>> ParseReplicatedRecords(std::string bytes,
                                                                        const LogTail& tail) {
  auto out = std::make_shared<ReplicatedRecords>();
  out->bytes = std::move(bytes);
  out->first_offset = tail.end_offset;
  const std::string& b = out->bytes;
  uint64_t seq = tail.last_seq;
  uint64_t ingested_at_ms = tail.last_ingested_at_ms;
  size_t pos = 0;
  while (pos < b.size()) {
    const uint64_t offset = tail.end_offset + pos;
    if (b.size() - pos < kRecordHeaderBytes) return Bad(offset, "a partial record header");
    const RecordHeader h = DecodeRecordHeader(b.data() + pos);
    if (h.type == kInvalidRecordType) return Bad(offset, "type 0");
    if (h.payload_bytes > kMaxRecordPayloadBytes || h.payload_bytes > b.size() - pos - kRecordHeaderBytes) {
      return Bad(offset, "payload of " + std::to_string(h.payload_bytes) + " bytes runs past the frame");
    }
    if (RecordChecksum(h.payload_bytes, b.data() + pos + 8) != h.checksum) return Bad(offset, "checksum mismatch");
    auto payload = DecodeJournalPayload(std::string_view(b).substr(pos + kRecordHeaderBytes, h.payload_bytes));
    if (!payload) return Bad(offset, "journal payload too short or seq 0");
    if (payload->seq != seq + 1) {
      return Bad(offset, "seq " + std::to_string(payload->seq) + " where " + std::to_string(seq + 1) + " was due");
    }
    if (payload->ingested_at_ms < ingested_at_ms) return Bad(offset, "ingestion time goes back");
    seq = payload->seq;
    ingested_at_ms = payload->ingested_at_ms;
    pos += kRecordHeaderBytes + h.payload_bytes;
    out->records.push_back({offset, tail.end_offset + pos, h.type, seq, ingested_at_ms, payload->body});
  }
  if (out->records.empty()) return Status::InvalidArgument("no replicated records");
  return std::shared_ptr<const ReplicatedRecords>(std::move(out));
}

}  // namespace stemedb::wal
