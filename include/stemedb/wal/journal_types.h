#pragma once
// The values the journal's API trades in (journal.h), apart so the queue can use them too.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb {
class Env;
}  // namespace stemedb

namespace stemedb::wal {

struct JournalOptions {
  std::string dir;                         // <wal_dir>; created if missing
  uint64_t segment_bytes = 64ull << 20;    // a segment file never grows past this
  uint64_t max_batch_bytes = 4ull << 20;   // cap of one group commit
  uint64_t queue_bytes_max = 64ull << 20;  // backpressure: Append fails with kOverloaded beyond it
  bool log_fsync_errors = false;           // [wal] log_fsync_errors: log every error in detail
  // While the disk is full (JournalState::kDiskFull), how often the writer checks whether space
  // came back (a probe write, or the segment creation that failed).
  uint64_t disk_full_probe_interval_ms = 1000;
  Env* env = nullptr;                      // nullptr: the default PosixEnv
};

// Limits Open enforces on the options.
inline constexpr uint64_t kSegmentBytesMin = 1024;
inline constexpr uint64_t kSegmentBytesMax = 1ull << 30;
inline constexpr uint64_t kMaxBatchBytesMin = 1024;
inline constexpr uint64_t kMaxBatchBytesMax = 256ull << 20;
inline constexpr size_t kEntriesPerAppendMax = 65536;

struct Entry {
  uint8_t type = 0;  // 1..255; 0 is invalid. Upper layers use 1..127.
  std::string body;  // opaque to the WAL
};

// What a reader sees for each record. The journal writes seq and ingested_at_ms itself, in
// front of the body: record payload = u64le seq | u64le ingested_at_ms | body.
struct RecordView {
  uint64_t offset = 0;      // global offset (LSN) of the record's first byte
  uint64_t end_offset = 0;  // global offset just past it
  uint8_t type = 0;
  uint64_t seq = 0;             // dense, strictly increasing from 1
  uint64_t ingested_at_ms = 0;  // unix ms, taken by the writer for the batch; never decreases
  std::string_view body;        // valid during the callback only
};

// For one Append call (all its entries went in the same batch).
struct AppendResult {
  uint64_t first_seq = 0;  // entry i got first_seq + i
  uint64_t ingested_at_ms = 0;
  std::vector<uint64_t> offsets;  // global offset of each entry's record
  uint64_t end_offset = 0;        // global offset after the last one (the new durable head)
  // Each entry's body as written, valid only during the callback: the store applies these very
  // bytes instead of encoding the record a second time.
  std::vector<std::string_view> bodies;
};

// Invoked on the writer thread after the batch's fdatasync (or its failure), in log order,
// exactly once per Append; for a refused Append, on the caller's thread before Append returns.
// Must be short, must not block and must not throw; may call Append again.
using AppendCallback = std::function<void(const Status&, const AppendResult&)>;
using RotateCallback = std::function<void(Result<std::string>)>;

// kDiskFull: a write or a segment creation failed with ENOSPC before anything of it was synced;
// the unsynced bytes were cut, appends are refused (kDiskFull) and the writer checks for space
// every disk_full_probe_interval_ms, then takes writes again by itself. kFailed: a failure that
// only a restart recovers from (any failed fsync, any other I/O error); see docs/wal-format.md.
enum class JournalState { kOk, kDiskFull, kFailed, kClosed };
const char* JournalStateName(JournalState state);

}  // namespace stemedb::wal
