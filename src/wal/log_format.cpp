#include "stemedb/wal/log_format.h"

#include <xxhash.h>

#include "stemedb/ground/check.h"
#include <new>

#include "stemedb/ground/coding.h"

namespace stemedb::wal {

uint32_t RecordChecksum(uint32_t payload_bytes, const char* type_and_payload) {
  uint64_t h = XXH3_64bits_withSeed(type_and_payload, 1 + size_t{payload_bytes}, payload_bytes);
  return static_cast<uint32_t>(h);
}

struct RecordChecksumStream::State {
  XXH3_state_t* xxh = XXH3_createState();
  ~State() { XXH3_freeState(xxh); }
};

RecordChecksumStream::RecordChecksumStream(uint32_t payload_bytes) : state_(new State) {
  if (state_->xxh == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset_withSeed(state_->xxh, payload_bytes);
}

RecordChecksumStream::~RecordChecksumStream() = default;

void RecordChecksumStream::Update(const char* data, size_t n) {
  XXH3_64bits_update(state_->xxh, data, n);
}

uint32_t RecordChecksumStream::Digest() const {
  return static_cast<uint32_t>(XXH3_64bits_digest(state_->xxh));
}

void AppendRecord(std::string& out, uint8_t type,
                  std::initializer_list<std::string_view> payload_parts) {
  STEMEDB_CHECK(type != kInvalidRecordType);
  size_t payload_bytes = 0;
  for (std::string_view part : payload_parts) payload_bytes += part.size();
  STEMEDB_CHECK(payload_bytes <= kMaxRecordPayloadBytes);

  size_t start = out.size();
  out.resize(start + kRecordHeaderBytes);
  out[start + 8] = static_cast<char>(type);
  for (std::string_view part : payload_parts) out.append(part);
  auto length = static_cast<uint32_t>(payload_bytes);
  EncodeU32LE(out.data() + start, length);
  EncodeU32LE(out.data() + start + 4, RecordChecksum(length, out.data() + start + 8));
}

}  // namespace stemedb::wal
