#pragma once
// The stored form of a record: the bytes of a WAL record body and of a RocksDB value.
//
//   stored(record) = canonical(record) || server field*
//
// in the same framing (u8 field | u32le length | value), so the record's id is SHA-256 of the
// canonical prefix (for a source with content: of the content, as always). The server fields
// carry what the canonical encoding leaves out, with field numbers from 128 up that no canonical
// field will ever use (docs/protocol.md, "Stored form"):
//
//   128 signature        assertion, epoch; repeated 1..16 times: agent_id (32) || signature (64)
//   129 vote_signature   vote: signature (64)
//   130 content          source: the content's UTF-8 bytes, when it has content
//
// Server metadata that is not the record's (seq, ingested_at, the WAL offset) belongs to the
// WAL's and storage's own framing, not here.
//
// DecodeStored takes any bytes: it bounds-checks every length, accepts exactly one byte form per
// record (fields in order, nothing repeated or left over, -0.0 and NaN never), and runs the data
// model's validation; anything else is kCorruption. So EncodeStored(DecodeStored(b)) == b.

#include <string>
#include <string_view>

#include "stemedb/core/record_kind.h"
#include "stemedb/core/records.h"
#include "stemedb/ground/status.h"

namespace stemedb::core {

enum StoredField : uint8_t {
  kStoredSignature = 128,
  kStoredVoteSignature = 129,
  kStoredContent = 130,
};

std::string EncodeStored(const Record& record);
Result<Record> DecodeStored(RecordKind kind, std::string_view bytes);

}  // namespace stemedb::core
