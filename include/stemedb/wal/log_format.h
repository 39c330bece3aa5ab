#pragma once
// The record framing inside a segment (docs/wal-format.md has the bytes with a hex dump):
//
//   u32le payload_bytes | u32le checksum | u8 type | payload (payload_bytes bytes)
//
// checksum = the low 32 bits of XXH3-64 over (type, payload) with payload_bytes as the seed,
// so a damaged length field fails the checksum as surely as a damaged payload does.
// Type 0 is reserved as invalid: a run of zero bytes (a file extended but never written) is
// never mistaken for a record.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "stemedb/ground/coding.h"

namespace stemedb::wal {

inline constexpr size_t kRecordHeaderBytes = 9;
inline constexpr uint8_t kInvalidRecordType = 0;
// A sanity bound for readers: no writer makes a record this large (segments are smaller).
inline constexpr uint32_t kMaxRecordPayloadBytes = 256u << 20;

struct RecordHeader {
  uint32_t payload_bytes = 0;
  uint32_t checksum = 0;
  uint8_t type = kInvalidRecordType;
};

// Reads kRecordHeaderBytes from in. Inline: the search after a bad record decodes one at every
// byte position of the rest of a segment.
inline RecordHeader DecodeRecordHeader(const char* in) {
  RecordHeader h;
  h.payload_bytes = DecodeU32LE(in);
  h.checksum = DecodeU32LE(in + 4);
  h.type = static_cast<uint8_t>(in[8]);
  return h;
}

// The checksum of a record. type_and_payload points at the type byte, followed by the payload.
uint32_t RecordChecksum(uint32_t payload_bytes, const char* type_and_payload);

// RecordChecksum computed piece by piece, for a record read in chunks (same result).
class RecordChecksumStream {
 public:
  explicit RecordChecksumStream(uint32_t payload_bytes);
  ~RecordChecksumStream();
  RecordChecksumStream(const RecordChecksumStream&) = delete;
  RecordChecksumStream& operator=(const RecordChecksumStream&) = delete;
  // Feed the type byte, then the payload.
  void Update(const char* data, size_t n);
  uint32_t Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Appends one framed record to out; its payload is the concatenation of payload_parts.
// Requires type != 0 and a total payload of at most kMaxRecordPayloadBytes.
void AppendRecord(std::string& out, uint8_t type,
                  std::initializer_list<std::string_view> payload_parts);

// Bytes a record with this payload takes in a segment.
inline constexpr uint64_t RecordBytes(uint64_t payload_bytes) {
  return kRecordHeaderBytes + payload_bytes;
}

}  // namespace stemedb::wal
