#include "stemedb/replication/stream_format.h"

#include "stemedb/ground/coding.h"

namespace stemedb::replication {
namespace {

void AppendHeader(std::string& out, char kind, size_t payload_bytes) {
  char header[kMessageHeaderBytes];
  header[0] = kind;
  EncodeU32LE(header + 1, static_cast<uint32_t>(payload_bytes));
  out.append(header, sizeof header);
}

}  // namespace

void AppendRecordsMessage(std::string& out, uint64_t first_offset, uint64_t primary_durable_offset,
                          std::string_view records) {
  AppendHeader(out, kRecordsMessage, 16 + records.size());
  AppendU64LE(out, first_offset);
  AppendU64LE(out, primary_durable_offset);
  out.append(records);
}

void AppendHeartbeatMessage(std::string& out, uint64_t primary_durable_offset, uint64_t primary_unix_ms) {
  AppendHeader(out, kHeartbeatMessage, 16);
  AppendU64LE(out, primary_durable_offset);
  AppendU64LE(out, primary_unix_ms);
}

Result<bool> StreamDecoder::Next(StreamMessage& out) {
  if (buffered_bytes() < kMessageHeaderBytes) return false;
  const char* p = buffer_.data() + consumed_;
  const char kind = p[0];
  const uint32_t payload_bytes = DecodeU32LE(p + 1);
  if (kind != kRecordsMessage && kind != kHeartbeatMessage) {
    return Status::Corruption("replication stream: unknown message kind " + std::to_string(static_cast<uint8_t>(kind)));
  }
  if (payload_bytes > kMessagePayloadBytesMax || payload_bytes < 16 ||
      (kind == kHeartbeatMessage && payload_bytes != 16)) {
    return Status::Corruption("replication stream: message of " + std::to_string(payload_bytes) + " bytes");
  }
  if (buffered_bytes() < kMessageHeaderBytes + payload_bytes) return false;
  const char* payload = p + kMessageHeaderBytes;
  out.kind = kind;
  if (kind == kRecordsMessage) {
    out.first_offset = DecodeU64LE(payload);
    out.primary_durable_offset = DecodeU64LE(payload + 8);
    out.primary_unix_ms = 0;
    out.records.assign(payload + 16, payload_bytes - 16);
  } else {
    out.first_offset = 0;
    out.primary_durable_offset = DecodeU64LE(payload);
    out.primary_unix_ms = DecodeU64LE(payload + 8);
    out.records.clear();
  }
  consumed_ += kMessageHeaderBytes + payload_bytes;
  // Compact once the consumed prefix dominates, so the buffer stays about one message long.
  if (consumed_ > buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  return true;
}

}  // namespace stemedb::replication
