#pragma once
// The group-commit journal (storage.md, "Group commit" and "Failure semantics").
//
// One writer thread owns the active segment. Append enqueues (never blocks on the disk); the
// writer takes everything queued up to max_batch_bytes, writes it with one pwrite, calls
// fdatasync once and only then completes every Append of the batch, in log order. While one
// batch syncs the next accumulates: no timer, no added latency at low load.
//
// A full disk pauses the journal: when a write (pwrite) or the creation of the next segment
// fails with ENOSPC, nothing of it was synced, so the writer cuts the file back to its last
// durable offset and enters kDiskFull: the batch's waiters get kDiskFull, later appends are
// refused with kDiskFull, and every disk_full_probe_interval_ms the writer checks for space (a
// probe write at the durable end, or the segment creation again); once it succeeds, appends
// are taken again, at that same offset, without a restart.
// Any other failed write, and every failed fdatasync or fsync (ENOSPC included), fails the
// journal for good: the batch's waiters get the error (Status::FromErrno: kIOError, or
// kDiskFull for ENOSPC), later appends are refused, fsync is never retried on that file, and
// the process must restart (recovery replays what was synced). docs/wal-format.md says why.
//
// Typical start-up: Open (recovery) -> Replay(applied_offset, apply) -> Start -> Append ...
// -> Close.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/wal/append_queue.h"
#include "stemedb/wal/dir_lock.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/journal_metrics.h"
#include "stemedb/wal/journal_types.h"
#include "stemedb/wal/log_writer.h"
#include "stemedb/wal/recovery.h"
#include "stemedb/wal/replicated_records.h"
#include "stemedb/wal/segment_info.h"

namespace stemedb::wal {

class Journal {
 public:
  // Locks the directory (flock on <dir>/LOCK; a second opener gets kFailedPrecondition),
  // scans every segment, truncates a torn tail of the last segment, refuses corruption before
  // the tail (kCorruption naming segment file and byte offset), records recovery metrics.
  // Registers every WAL metric. Does not start the writer thread yet.
  static Result<std::unique_ptr<Journal>> Open(const JournalOptions& options,
                                               ops::Registry& metrics);
  ~Journal();  // Close()
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Reads every record whose offset >= from_offset, in order (the storage replay at start-up).
  // Stops at the first non-OK Status fn returns and returns it. Only before Start().
  Status Replay(uint64_t from_offset, const std::function<Status(const RecordView&)>& fn);

  void Start();  // starts the writer thread; Appends before it are refused (kFailedPrecondition)

  // Never blocks on the disk. On refusal (invalid entries -> kInvalidArgument, queue full ->
  // kOverloaded, disk full -> kDiskFull "disk_full: ...", failed -> kUnavailable
  // "journal_failed: ..." or kDiskFull, closed -> kUnavailable) the callback runs before Append
  // returns.
  void Append(std::vector<Entry> entries, AppendCallback cb);

  // A standby's append (replicated_records.h): the primary's records, written verbatim. They
  // must start exactly at the head as it stands when their batch is written, else the callback
  // gets kFailedPrecondition and nothing is written. The callback's AppendResult has offsets,
  // first_seq and end_offset; no bodies (the caller holds the records). At most
  // append_bytes_max() bytes; refusals as Append's.
  void AppendReplicated(std::shared_ptr<const ReplicatedRecords> records, AppendCallback cb);
  // The most bytes of records one Append or AppendReplicated may carry.
  uint64_t append_bytes_max() const { return append_bytes_max_; }

  // Seals the current segment (fsync), starts the next and fsyncs the directory; yields the
  // sealed segment's file name. Ordered with appends: everything appended before it is in the
  // sealed segment. RotateAsync calls back on the writer thread (or at once when refused);
  // Rotate waits for it. Thread-safe.
  void RotateAsync(RotateCallback cb);
  Result<std::string> Rotate();

  // Finishes the queued work (each batch synced), stops the writer thread, releases the lock.
  // Idempotent. Must not be called from a callback.
  void Close();

  JournalState state() const { return state_.load(); }
  Status failure() const;  // why it failed (kIOError/kDiskFull with errno); OK otherwise
  uint64_t head_offset() const { return head_offset_.load(); }  // durable end offset
  uint64_t last_seq() const { return last_seq_.load(); }
  // Where the durable log ends: offset, seq and the last record's ingestion time. Only
  // consistent while no append is in flight.
  LogTail tail() const;
  std::vector<SegmentInfo> Segments() const;
  const JournalOptions& options() const { return options_; }

 private:
  Journal(const JournalOptions& options, Env& env, ops::Registry& registry,
          std::unique_ptr<DirLock> lock);
  Status Resume(const RecoveredLog& recovered);
  Result<uint64_t> ValidateEntries(const std::vector<Entry>& entries) const;
  void Refuse(const Status& status, AppendCallback& cb, size_t entries, uint64_t bytes);
  Status FailureRefusal() const;

  // The writer thread (journal_writer.cpp).
  struct IoFailure {
    const char* what;    // "fsync failed", "write error", "segment creation failed"
    const char* action;  // "fsync", "write", "create": the line reads "Failed to <action> WAL segment <name>"
    std::string segment;
    uint64_t file_pos;
    Status status;
  };
  void WriterLoop();
  void HandleRotation();
  Result<std::string> RotateSegment();
  void CommitBatch(std::vector<PendingAppend> batch);
  // Completes (kFailedPrecondition) and removes the replicated appends of a batch that would
  // not land at their own offsets and seqs.
  void DropMisplacedReplicas(std::vector<PendingAppend>& batch);
  // Frames one append into encode_buffer_ at seq onwards; fills r.
  void EncodeAppend(const PendingAppend& item, uint64_t start_offset, uint64_t ingested_at_ms,
                    uint64_t& seq, AppendResult& r);
  void PublishBatch(uint64_t records, uint64_t bytes, double fsync_seconds);
  void Fail(const IoFailure& failure, std::vector<PendingAppend> failed);
  // ENOSPC before anything was synced and with the file cut back to its durable end: refuse
  // appends until WaitForSpace finds room (journal_disk_full.cpp).
  void PauseForSpace(const IoFailure& failure, std::vector<PendingAppend> failed);
  // A failed write of a batch: pause on a full disk when the unsynced bytes could be cut,
  // fail for good otherwise.
  void FailWrite(const IoFailure& failure, std::vector<PendingAppend> failed);
  // The writer while kDiskFull: sleeps, probes, until there is space again (true) or the
  // journal is closed (false). A probe failing with anything but ENOSPC fails the journal.
  bool WaitForSpace();
  Status ProbeSpace(bool* renamed);
  // Creates the segment after the active one and makes it active (the second half of a
  // rotation). *renamed as LogWriter::Create.
  Status OpenNextSegment(bool* renamed);
  void CompleteWithError(PendingAppend& item, const Status& status, AppendErrorReason reason);

  const JournalOptions options_;
  Env& env_;
  JournalMetrics metrics_;
  std::unique_ptr<DirLock> lock_;
  const uint64_t append_bytes_max_;
  AppendQueue queue_;

  // Owned by the writer thread once started (by the opener before).
  std::unique_ptr<LogWriter> active_;
  std::string encode_buffer_;
  // Written by the writer thread (by the opener before); read by tail() from any thread.
  std::atomic<uint64_t> last_ingested_at_ms_{0};
  // The active segment is sealed but the next one could not be created (disk full): the
  // space probe creates it.
  bool next_segment_missing_ = false;

  std::atomic<JournalState> state_{JournalState::kOk};
  std::atomic<uint64_t> head_offset_{0};
  std::atomic<uint64_t> last_seq_{0};
  mutable std::mutex mu_;  // guards segments_ and failure_
  std::vector<SegmentInfo> segments_;
  Status failure_;

  std::mutex lifecycle_mu_;  // Start and Close
  bool started_ = false;
  bool closed_ = false;
  std::thread writer_;
};

}  // namespace stemedb::wal
