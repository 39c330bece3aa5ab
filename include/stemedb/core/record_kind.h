#pragma once
// The kind of a stored record: one byte in the WAL record header and in storage keys, so the
// numbers are fixed forever and never reused.

#include <cstdint>
#include <optional>
#include <string_view>

#include "stemedb/core/records.h"

namespace stemedb::core {

enum class RecordKind : uint8_t {
  kAssertion = 1,
  kVote = 2,
  kEpoch = 3,
  kSource = 4,
  kSourceRetraction = 5,
  // Reserved for the server's own records, defined with the admin API:
  // 6 api_key_created, 7 api_key_revoked, 8 trust_override (set or cleared), 9 term_started.
};

// "assertion", "vote", "epoch", "source", "source_retraction"; "unknown" otherwise.
std::string_view RecordKindName(RecordKind kind);
// The kind for a byte read from disk; nullopt for a byte no core record uses (0, 6.., ...).
std::optional<RecordKind> RecordKindFromByte(uint8_t byte);
RecordKind KindOf(const Record& record);

}  // namespace stemedb::core
