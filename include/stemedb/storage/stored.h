#pragma once
// Records as the store returns them: the record, its id, and what the server added.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stemedb/core/records.h"
#include "stemedb/core/types.h"

namespace stemedb::storage {

struct StoredMeta {
  uint64_t seq = 0;             // position in the log
  uint64_t ingested_at_ms = 0;  // knowledge time: when it became durable
};

template <typename R>
struct Stored {
  core::Hash32 id{};
  StoredMeta meta;
  R record;
};

using StoredAssertion = Stored<core::Assertion>;
using StoredVote = Stored<core::Vote>;
using StoredEpoch = Stored<core::Epoch>;
using StoredSource = Stored<core::Source>;

enum class WriteStatus { kCreated, kExists, kCosigned };
const char* WriteStatusName(WriteStatus s);

// What one record's write came to.
struct WriteOutcome {
  core::Hash32 id{};
  WriteStatus status = WriteStatus::kCreated;
  uint64_t seq = 0;  // the record's seq (for exists/cosigned: the original's)
  uint64_t ingested_at_ms = 0;
  // The WAL position just past the record that carried this write; for a record stored already,
  // the applied position when it was answered (at or past the original's). A read on a standby
  // with min_position=position sees the write (docs/replication.md, causal reads).
  uint64_t position = 0;
};

// Stored assertions keep their co-signers beyond one request's 16, up to this many.
inline constexpr size_t kStoredSignersMax = 64;

// True when `agent` is among `signatures`.
bool HasSigner(const std::vector<core::SignatureEntry>& signatures, const core::PublicKey& agent);

}  // namespace stemedb::storage
