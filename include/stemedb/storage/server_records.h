#pragma once
// Records the server writes for itself through the WAL, beside the agents' records: API keys,
// trust overrides and the start of a leadership term. They take the WAL types after core's
// record kinds (6, 7, 8, 9), so one byte still says what a WAL record holds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "stemedb/core/records.h"
#include "stemedb/ground/status.h"
#include "stemedb/core/types.h"

namespace stemedb::storage {

struct ApiKeyCreated {
  std::string key_id;          // public handle, 16 lowercase hex
  std::string role;            // read | write | admin
  core::Hash32 secret_hash{};  // SHA-256 of the secret; the secret itself is never stored
  std::string name;            // operator's label, may be empty
  int64_t created_at_s = 0;
};

struct ApiKeyRevoked {
  std::string key_id;
  int64_t revoked_at_s = 0;
};

struct TrustOverride {
  core::PublicKey agent{};
  std::optional<double> score;  // 0..1; nullopt removes the override
};

// The first record a primary writes when it takes a leadership term (docs/replication.md,
// "Terms"): the log is cut into terms, so a node that comes back after a failover can find
// where its log and the new primary's part (the start of the first term it never saw).
struct TermStarted {
  uint64_t term = 0;      // > 0, increasing; fixed in etcd before this record is written
  std::string leader;     // the node's cluster name
  int64_t started_at_ms = 0;
};

// Every record the store writes; the variant index + 1 is the WAL type byte.
using AnyRecord = std::variant<core::Assertion, core::Vote, core::Epoch, core::Source, core::SourceRetraction,
                               ApiKeyCreated, ApiKeyRevoked, TrustOverride, TermStarted>;
inline constexpr uint8_t kTermStartedWalType = 9;

uint8_t WalType(const AnyRecord& record);
AnyRecord FromCore(core::Record record);

// The WAL body of a record: EncodeStored for core records, a small fixed form for the others.
std::string EncodeBody(const AnyRecord& record);
Result<AnyRecord> DecodeBody(uint8_t wal_type, std::string_view body);

// A record's id: its content id (core records) or SHA-256 of its body (server records).
core::Hash32 RecordId(const AnyRecord& record);

}  // namespace stemedb::storage
