#pragma once
// What the journal puts in a record's payload, in front of the caller's body:
//
//   u64le seq | u64le ingested_at_ms | body
//
// Both numbers are assigned by the writer thread in log order, so they are stored with the
// record rather than chosen by the caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/wal/log_format.h"

namespace stemedb::wal {

inline constexpr size_t kJournalPrefixBytes = 16;

struct JournalPayload {
  uint64_t seq = 0;
  uint64_t ingested_at_ms = 0;
  std::string_view body;
};

// nullopt when the payload is shorter than the prefix or seq is 0.
std::optional<JournalPayload> DecodeJournalPayload(std::string_view payload);

// Appends one framed journal record to out.
void AppendJournalRecord(std::string& out, uint8_t type, uint64_t seq, uint64_t ingested_at_ms,
                         std::string_view body);

// Bytes a journal record with this body takes in a segment.
inline constexpr uint64_t JournalRecordBytes(uint64_t body_bytes) {
  return RecordBytes(kJournalPrefixBytes + body_bytes);
}

}  // namespace stemedb::wal
