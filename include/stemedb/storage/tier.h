#pragma once
// The persistent tier seen from the store: column families of sorted key/value pairs, written
// in atomic batches that carry the WAL offset they bring the tier up to. RocksDB implements it
// (rocks_tier.h); tests wrap it to inject faults (fault_injection_tier.h).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/storage/memtable.h"

namespace stemedb::storage {

// Where the tier is in the log: every record below `offset` is in it.
struct AppliedPosition {
  uint64_t offset = 0;  // global WAL offset (LSN) just past the last applied record
  uint64_t seq = 0;     // seq of the last applied record
};

using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

class Tier {
 public:
  virtual ~Tier() = default;

  // nullopt when the key is absent.
  virtual Result<std::optional<std::string>> Get(CfId cf, std::string_view key) = 0;
  // Keys in [start, end) in order (end empty: no bound) until fn returns false.
  virtual Status Scan(CfId cf, std::string_view start, std::string_view end, const ScanFn& fn) = 0;
  // Writes every newest entry of `table` and `position` in one atomic batch.
  virtual Status Write(const MemTable& table, const AppliedPosition& position) = 0;
  // Makes everything written so far survive a crash (RocksDB's own WAL is off).
  virtual Status Persist() = 0;
  virtual Result<AppliedPosition> ReadAppliedPosition() = 0;
  // A consistent copy of the tier in `dir` (which must not exist); returns the position it holds.
  virtual Result<AppliedPosition> Checkpoint(const std::string& dir) = 0;
  // Figures for /v1/admin/storage/stats: name -> value.
  virtual std::vector<std::pair<std::string, double>> Stats() = 0;
  // Stops the tier's own threads (RocksDB's flushes, compactions and error recovery) and
  // releases it; nothing else may be called after. Idempotent. Called when the store closes,
  // so none of those threads outlives it (one that logged after the process's logging shut
  // down crashed the daemon on its way out).
  virtual void Close() {}
};

}  // namespace stemedb::storage
