// The journal on a full disk: the pause after ENOSPC, the space probe, and the way back.
//
// Why a full disk can be waited out but a failed fsync cannot (docs/wal-format.md, "Failures"):
// a write that fails with ENOSPC was refused by the file system before any of its bytes were
// made durable, and nothing of it was ever synced; the writer cuts the file back to its last
// durable offset (ftruncate) and the next batch is written from that same offset, so the file
// holds only what it held before. A failed fdatasync is different: the kernel may already have
// dropped the dirty pages it could not write and reports that error once, so the file's durable
// content is unknown, and a second fsync can succeed over data that is gone.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "stemedb/ground/check.h"
#include "stemedb/wal/journal.h"

namespace stemedb::wal {
namespace {

// A probe write of one page: enough to see whether the file system takes data again.
constexpr uint64_t kSpaceProbeBytes = 4096;

}  // namespace

void Journal::FailWrite(const IoFailure& failure, std::vector<PendingAppend> failed) {
  if (failure.status.code() == StatusCode::kDiskFull) {
    Status cut = active_->DropUnsyncedTail();
    if (cut.ok()) return PauseForSpace(failure, std::move(failed));
    spdlog::error("WAL: could not cut {} back to its durable end after ENOSPC: {}",
                  active_->name(), cut.ToString());
  }
  Fail(failure, std::move(failed));
}

void Journal::PauseForSpace(const IoFailure& failure, std::vector<PendingAppend> failed) {
  const Status& cause = failure.status;
  STEMEDB_CHECK(cause.code() == StatusCode::kDiskFull && !active_->has_unsynced_bytes());
  int err = cause.sys_errno();
  metrics_.state.Set(0);
  spdlog::error(
      "WAL disk full ({}): segment={} byte_offset={} head_offset={} errno={} ({}); {} appends "
      "failed, none of their bytes stay on disk; writes are refused (507 disk_full) until space "
      "is freed, checked every {} ms; no restart needed. {}",
      failure.what, failure.segment, failure.file_pos, head_offset(), err,
      err != 0 ? std::strerror(err) : "no errno", failed.size(),
      options_.disk_full_probe_interval_ms, cause.ToString());
  {
    std::lock_guard lock(mu_);
    failure_ = cause;
  }
  state_.store(JournalState::kDiskFull);
  // Refuse new appends before telling anyone, as Fail does.
  Status refusal = Status::DiskFull(
      "disk_full: the WAL disk is full (" + cause.message() + "); writes resume once space is freed",
      err);
  std::vector<PendingAppend> queued = queue_.FailAll(refusal);
  for (PendingAppend& item : failed) CompleteWithError(item, cause, AppendErrorReason::kDiskFull);
  for (PendingAppend& item : queued) CompleteWithError(item, refusal, AppendErrorReason::kDiskFull);
}

Status Journal::ProbeSpace(bool* renamed) {
  *renamed = false;
  if (next_segment_missing_) return OpenNextSegment(renamed);
  uint64_t room = options_.segment_bytes - active_->file_bytes();
  STEMEDB_CHECK(room > 0);  // a full segment would have rotated, and then the segment is missing
  return active_->ProbeSpace(std::min(kSpaceProbeBytes, room));
}

bool Journal::WaitForSpace() {
  const auto paused = std::chrono::steady_clock::now();
  const auto interval = std::chrono::milliseconds(options_.disk_full_probe_interval_ms);
  uint64_t probes = 0;
  for (;;) {
    if (queue_.WaitStopped(interval)) return false;
    bool renamed = false;
    Status probe = ProbeSpace(&renamed);
    ++probes;
    if (probe.ok()) break;
    if (probe.code() != StatusCode::kDiskFull || renamed) {
      Fail({"space probe failed", "write", active_->name(), active_->file_bytes(), probe}, {});
      return true;  // failed for good: the loop waits for Close
    }
  }
  {
    std::lock_guard lock(mu_);
    failure_ = Status::OK();
  }
  // The queue opens before the state says kOk: whoever sees kOk (a health check, a test) and
  // then appends must not be refused by a queue still closed.
  queue_.Open();
  state_.store(JournalState::kOk);
  metrics_.state.Set(1);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - paused;
  spdlog::info(
      "WAL disk space is back: writes are accepted again at segment={} byte_offset={} "
      "head_offset={}, after {:.1f} s and {} probes",
      active_->name(), active_->file_bytes(), head_offset(), took.count(), probes);
  return true;
}

}  // namespace stemedb::wal
