#include "stemedb/wal/journal_metrics.h"

#include "stemedb/ground/env.h"

namespace stemedb::wal {
namespace {

constexpr const char* kDiskFreeName = "stemedb_wal_disk_free_bytes";

void AddDiskFreeCollector(ops::Registry& registry, std::weak_ptr<const std::string> weak_dir) {
  registry.AddCollector([weak_dir](ops::ExpositionWriter& w) {
    std::shared_ptr<const std::string> dir = weak_dir.lock();
    if (!dir) return;
    // The real file system, whatever Env the journal uses: a test's fault Env may be gone.
    Result<DiskSpace> space = Env::Default()->GetDiskSpace(*dir);
    if (!space.ok()) return;
    w.Header(kDiskFreeName, ops::MetricType::kGauge,
             "Bytes free for the WAL on its file system (statvfs f_bavail).");
    w.Sample(kDiskFreeName, static_cast<double>(space->free_bytes));
  });
}

}  // namespace

const char* AppendErrorReasonName(AppendErrorReason reason) {
  switch (reason) {
    case AppendErrorReason::kInvalid:
      return "invalid";
    case AppendErrorReason::kNotStarted:
      return "not_started";
    case AppendErrorReason::kOverloaded:
      return "overloaded";
    case AppendErrorReason::kIOError:
      return "io_error";
    case AppendErrorReason::kDiskFull:
      return "disk_full";
    case AppendErrorReason::kJournalFailed:
      return "journal_failed";
    case AppendErrorReason::kClosed:
      return "closed";
  }
  return "unknown";
}

JournalMetrics::JournalMetrics(ops::Registry& r, const std::string& dir)
    : rotations(r.AddCounter("stemedb_wal_segment_rotations_total",
                             "Segments sealed and replaced by a new one.")),
      records_written(
          r.AddCounter("stemedb_wal_writes_total", "Records written to the WAL and synced.")),
      bytes_written(r.AddCounter("stemedb_wal_bytes_written_total",
                                 "Bytes written to WAL segments and synced, framing included.")),
      batch_records(r.AddHistogram("stemedb_wal_batch_records",
                                   "Records per group commit (one write and one fdatasync).",
                                   ops::ExponentialBuckets(1, 2, 14))),
      batch_bytes(r.AddHistogram("stemedb_wal_batch_bytes", "Bytes per group commit.",
                                 ops::ExponentialBuckets(256, 2, 16))),
      segments(r.AddGauge("stemedb_wal_segments", "WAL segment files.")),
      disk_usage_bytes(r.AddGauge("stemedb_wal_disk_usage_bytes", "Bytes in WAL segment files.")),
      head_offset_bytes(r.AddGauge("stemedb_wal_head_offset_bytes",
                                   "Global offset of the end of the durable WAL.")),
      state(r.AddGauge("stemedb_wal_state", "1 while the journal accepts writes, 0 failed.")),
      recovery_duration_seconds(r.AddGauge("stemedb_wal_recovery_duration_seconds",
                                           "Time the last start-up recovery took.")),
      truncated_bytes(r.AddCounter("stemedb_wal_truncated_bytes_total",
                                   "Bytes of torn tail cut off by recovery.")),
      fsync_errors_(r.CounterFamily(
          "stemedb_wal_fsync_errors_total",
          "Failed fdatasync/fsync or write of a WAL segment (each fails the journal).",
          {"segment"})),
      fsync_duration_(r.AddSummary("stemedb_wal_fsync_duration_seconds",
                                   "fdatasync time per group commit, sliding 60 s window.")),
      fsync_latency_(r.AddHistogram("stemedb_wal_fsync_latency_seconds",
                                    "fdatasync time per group commit.",
                                    ops::LatencyBucketsSeconds())),
      disk_free_dir_(std::make_shared<const std::string>(dir)) {
  auto& family = r.CounterFamily("stemedb_wal_append_errors_total",
                                 "Appends refused or failed, by reason.", {"reason"});
  for (int i = 0; i < kAppendErrorReasonCount; ++i) {
    append_errors_[i] = &family.WithLabels({AppendErrorReasonName(AppendErrorReason(i))});
  }
  AddDiskFreeCollector(r, disk_free_dir_);
}

ops::Counter& JournalMetrics::FsyncErrors(const std::string& segment) {
  return fsync_errors_.WithLabels({segment});
}

void JournalMetrics::ObserveFsync(double seconds) {
  fsync_duration_.Observe(seconds);
  fsync_latency_.Observe(seconds);
}

}  // namespace stemedb::wal
