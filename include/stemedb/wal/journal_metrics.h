#pragma once
// The WAL's metrics (operations.md; the names are a contract with runbooks and alerts). All
// are registered when the journal opens, so every family shows up with 0 before anything
// happens. Children on hot paths are looked up here once.

#include <memory>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ops/metrics.h"

namespace stemedb::wal {

// Why an Append was refused or failed: the `reason` label of stemedb_wal_append_errors_total.
enum class AppendErrorReason {
  kInvalid,        // bad entries (type 0, too large, none)
  kNotStarted,     // Append before Start()
  kOverloaded,     // queue_bytes_max reached
  kIOError,        // the batch's write or fdatasync failed
  kDiskFull,       // ENOSPC: the batch failed, or the journal failed on a full disk
  kJournalFailed,  // refused: the journal failed earlier
  kClosed,         // refused: the journal is closed
};
inline constexpr int kAppendErrorReasonCount = 7;
const char* AppendErrorReasonName(AppendErrorReason reason);

class JournalMetrics {
 public:
  // dir: the WAL directory, for stemedb_wal_disk_free_bytes (statvfs at scrape time).
  JournalMetrics(ops::Registry& registry, const std::string& dir);

  // stemedb_wal_fsync_errors_total{segment}; call when a segment becomes active so the child
  // is present with 0 (the runbook's `grep wal_fsync_errors` always answers).
  ops::Counter& FsyncErrors(const std::string& segment);
  void ObserveFsync(double seconds);
  void CountAppendError(AppendErrorReason reason) { append_errors_[int(reason)]->Inc(); }

  ops::Counter& rotations;
  ops::Counter& records_written;
  ops::Counter& bytes_written;
  ops::Histogram& batch_records;
  ops::Histogram& batch_bytes;
  ops::Gauge& segments;
  ops::Gauge& disk_usage_bytes;
  ops::Gauge& head_offset_bytes;
  ops::Gauge& state;  // 1 ok, 0 failed
  ops::Gauge& recovery_duration_seconds;
  ops::Counter& truncated_bytes;

 private:
  ops::Family<ops::Counter>& fsync_errors_;
  ops::Summary& fsync_duration_;
  ops::Histogram& fsync_latency_;
  ops::Counter* append_errors_[kAppendErrorReasonCount];
  // Read by the disk-free collector while this object lives; the registry may outlive it, so
  // the collector holds only a weak reference and renders nothing once the journal is gone.
  std::shared_ptr<const std::string> disk_free_dir_;
};

}  // namespace stemedb::wal
