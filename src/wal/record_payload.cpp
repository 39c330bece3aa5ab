#include "stemedb/wal/record_payload.h"

#include "stemedb/ground/coding.h"

namespace stemedb::wal {

std::optional<JournalPayload> DecodeJournalPayload(std::string_view payload) {
  if (payload.size() < kJournalPrefixBytes) return std::nullopt;
  JournalPayload out;
  out.seq = DecodeU64LE(payload.data());
  out.ingested_at_ms = DecodeU64LE(payload.data() + 8);
  out.body = payload.substr(kJournalPrefixBytes);
  if (out.seq == 0) return std::nullopt;
  return out;
}

void AppendJournalRecord(std::string& out, uint8_t type, uint64_t seq, uint64_t ingested_at_ms,
                         std::string_view body) {
  char prefix[kJournalPrefixBytes];
  EncodeU64LE(prefix, seq);
  EncodeU64LE(prefix + 8, ingested_at_ms);
  AppendRecord(out, type, {std::string_view(prefix, sizeof prefix), body});
}

}  // namespace stemedb::wal
