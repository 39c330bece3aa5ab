// The journal's writer thread: group commit, rotation and the failed state.
#include <spdlog/spdlog.h>

#include <algorithm>
#include "stemedb/ground/check.h"
#include <chrono>
#include <cstring>

#include "stemedb/wal/journal.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {
namespace {

uint64_t NowUnixMs() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace

void Journal::WriterLoop() {
  for (;;) {
    if (state() == JournalState::kDiskFull && !WaitForSpace()) return;  // closed while full
    std::optional<uint64_t> front_bytes = queue_.WaitFront();
    if (!front_bytes) return;
    if (queue_.FrontIsRotation()) {
      HandleRotation();
      continue;
    }
    // A record never spans segments: rotate first when the front append does not fit.
    if (active_->file_bytes() + *front_bytes > options_.segment_bytes) {
      Result<std::string> sealed = RotateSegment();
      if (!sealed.ok()) continue;  // failed or paused; the queue was handed back
    }
    uint64_t room = options_.segment_bytes - active_->file_bytes();
    STEMEDB_CHECK(*front_bytes <= room);
    CommitBatch(queue_.TakeBatch(std::min(options_.max_batch_bytes, room)));
  }
}

void Journal::HandleRotation() {
  std::vector<PendingAppend> items = queue_.TakeBatch(0);
  STEMEDB_CHECK(items.size() == 1 && items[0].is_rotation());
  Result<std::string> sealed = RotateSegment();
  items[0].rotated(std::move(sealed));
}

Result<std::string> Journal::RotateSegment() {
  std::string sealed = active_->name();
  if (!next_segment_missing_) {  // else sealed already, before the disk filled up
    Status s = active_->Seal();
    if (!s.ok()) {
      Fail({"fsync failed", "fsync", sealed, active_->file_bytes(), s}, {});
      return s;
    }
  }
  bool renamed = false;
  Status created = OpenNextSegment(&renamed);
  if (!created.ok()) {
    IoFailure failure{"segment creation failed", "create", SegmentFileName(active_->sequence() + 1),
                      0, created};
    // Before its rename the new segment is invisible and its .tmp removed: nothing to undo.
    if (!renamed && created.code() == StatusCode::kDiskFull) {
      next_segment_missing_ = true;
      PauseForSpace(failure, {});
    } else {
      Fail(failure, {});
    }
    return created;
  }
  return sealed;
}

Status Journal::OpenNextSegment(bool* renamed) {
  std::string sealed = active_->name();
  Result<std::unique_ptr<LogWriter>> next = LogWriter::Create(
      env_, options_.dir, active_->sequence() + 1, active_->end_offset(), renamed);
  if (!next.ok()) return next.status();
  next_segment_missing_ = false;
  active_ = std::move(next).value();
  {
    std::lock_guard lock(mu_);
    segments_.back().sealed = true;
    segments_.push_back({active_->name(), active_->sequence(), active_->base_offset(),
                         active_->end_offset(), active_->file_bytes(), false});
    metrics_.segments.Set(static_cast<double>(segments_.size()));
  }
  metrics_.disk_usage_bytes.Inc(static_cast<double>(active_->file_bytes()));
  metrics_.rotations.Inc();
  metrics_.FsyncErrors(active_->name());
  spdlog::info("WAL rotated: sealed {}, now writing {} from offset {}", sealed, active_->name(),
               active_->base_offset());
  return Status::OK();
}

void Journal::DropMisplacedReplicas(std::vector<PendingAppend>& batch) {
  uint64_t offset = active_->end_offset();
  uint64_t seq = last_seq() + 1;
  std::vector<PendingAppend> kept;
  kept.reserve(batch.size());
  for (PendingAppend& item : batch) {
    const ReplicatedRecords* r = item.replicated.get();
    if (r != nullptr && (r->first_offset != offset || r->first_seq() != seq)) {
      CompleteWithError(item,
                        Status::FailedPrecondition(
                            "replicated records start at offset " + std::to_string(r->first_offset) + " (seq " +
                            std::to_string(r->first_seq()) + ") but this WAL continues at offset " +
                            std::to_string(offset) + " (seq " + std::to_string(seq) + ")"),
                        AppendErrorReason::kInvalid);
      continue;
    }
    offset += item.record_bytes;
    seq += r != nullptr ? r->records.size() : item.entries.size();
    kept.push_back(std::move(item));
  }
  batch = std::move(kept);
}

void Journal::EncodeAppend(const PendingAppend& item, uint64_t start_offset, uint64_t ingested_at_ms,
                           uint64_t& seq, AppendResult& r) {
  const size_t item_start = encode_buffer_.size();
  r.first_seq = seq;
  r.ingested_at_ms = ingested_at_ms;
  if (const ReplicatedRecords* rep = item.replicated.get()) {
    for (const RecordView& v : rep->records) r.offsets.push_back(v.offset);
    r.ingested_at_ms = rep->records.back().ingested_at_ms;
    seq += rep->records.size();
    encode_buffer_.append(rep->bytes);
  } else {
    for (const Entry& e : item.entries) {
      r.offsets.push_back(start_offset + encode_buffer_.size());
      r.bodies.push_back(e.body);
      AppendJournalRecord(encode_buffer_, e.type, seq++, ingested_at_ms, e.body);
    }
  }
  STEMEDB_CHECK(encode_buffer_.size() - item_start == item.record_bytes);
  r.end_offset = start_offset + encode_buffer_.size();
}

void Journal::CommitBatch(std::vector<PendingAppend> batch) {
  STEMEDB_CHECK(!batch.empty() && !batch.front().is_rotation());
  DropMisplacedReplicas(batch);
  if (batch.empty()) return;
  // A replicated append carries the primary's ingestion times; local appends after it in the
  // same batch must not go back in time.
  uint64_t ingested_at_ms = std::max(NowUnixMs(), last_ingested_at_ms_.load());
  for (const PendingAppend& item : batch) {
    if (item.replicated) ingested_at_ms = std::max(ingested_at_ms, item.replicated->records.back().ingested_at_ms);
  }
  const uint64_t start_pos = active_->file_bytes();
  const uint64_t start_offset = active_->end_offset();
  uint64_t seq = last_seq() + 1;
  uint64_t records = 0;

  encode_buffer_.clear();
  std::vector<AppendResult> results(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EncodeAppend(batch[i], start_offset, ingested_at_ms, seq, results[i]);
    records += results[i].offsets.size();
  }
  STEMEDB_CHECK(start_pos + encode_buffer_.size() <= options_.segment_bytes);

  Status s = active_->Append(encode_buffer_);
  if (!s.ok()) return FailWrite({"write error", "write", active_->name(), start_pos, s}, std::move(batch));
  auto sync_started = std::chrono::steady_clock::now();
  s = active_->DataSync();
  std::chrono::duration<double> sync_took = std::chrono::steady_clock::now() - sync_started;
  if (!s.ok()) return Fail({"fsync failed", "fsync", active_->name(), start_pos, s}, std::move(batch));

  last_ingested_at_ms_.store(std::max(last_ingested_at_ms_.load(), results.back().ingested_at_ms));
  last_seq_.store(seq - 1);
  head_offset_.store(active_->end_offset());
  PublishBatch(records, encode_buffer_.size(), sync_took.count());
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(Status::OK(), results[i]);
}

void Journal::PublishBatch(uint64_t records, uint64_t bytes, double fsync_seconds) {
  {
    std::lock_guard lock(mu_);
    SegmentInfo& info = segments_.back();
    STEMEDB_CHECK(info.name == active_->name());
    info.bytes = active_->file_bytes();
    info.end_offset = active_->end_offset();
  }
  metrics_.ObserveFsync(fsync_seconds);
  metrics_.records_written.Inc(static_cast<double>(records));
  metrics_.bytes_written.Inc(static_cast<double>(bytes));
  metrics_.batch_records.Observe(static_cast<double>(records));
  metrics_.batch_bytes.Observe(static_cast<double>(bytes));
  metrics_.disk_usage_bytes.Inc(static_cast<double>(bytes));
  metrics_.head_offset_bytes.Set(static_cast<double>(active_->end_offset()));
}

void Journal::Fail(const IoFailure& failure, std::vector<PendingAppend> failed) {
  const Status& cause = failure.status;
  int err = cause.sys_errno();
  metrics_.FsyncErrors(failure.segment).Inc();
  metrics_.state.Set(0);
  // One line that both the runbook's grep ("Failed to fsync WAL segment") and the key=value
  // form ("WAL fsync failed: segment=...") find, naming the segment file in each.
  spdlog::error(
      "Failed to {} WAL segment {}; WAL {}: segment={} byte_offset={} head_offset={} errno={} ({}); "
      "{} appends failed; the journal refuses writes until restart. {}",
      failure.action, failure.segment, failure.what, failure.segment, failure.file_pos, head_offset(), err,
      err != 0 ? std::strerror(err) : "no errno", failed.size(), cause.ToString());
  {
    std::lock_guard lock(mu_);
    failure_ = cause;
  }
  state_.store(JournalState::kFailed);

  // No second sync on this file, ever. Cutting the unsynced bytes keeps a restart (without a
  // reboot) from replaying records whose callers were told they failed.
  if (active_ != nullptr && active_->has_unsynced_bytes()) {
    Status cut = active_->DropUnsyncedTail();
    if (!cut.ok()) spdlog::error("WAL: could not cut the failed batch: {}", cut.ToString());
  }

  // Refuse new appends before telling anyone: a waiter that reacts to its error by appending
  // again must already be refused.
  Status refusal = FailureRefusal();
  std::vector<PendingAppend> queued = queue_.FailAll(refusal);
  bool disk_full = cause.code() == StatusCode::kDiskFull;
  for (PendingAppend& item : failed) {
    CompleteWithError(item, cause,
                      disk_full ? AppendErrorReason::kDiskFull : AppendErrorReason::kIOError);
  }
  for (PendingAppend& item : queued) {
    CompleteWithError(item, refusal,
                      disk_full ? AppendErrorReason::kDiskFull : AppendErrorReason::kJournalFailed);
  }
}

void Journal::CompleteWithError(PendingAppend& item, const Status& status,
                                AppendErrorReason reason) {
  if (item.is_rotation()) {
    item.rotated(status);
    return;
  }
  metrics_.CountAppendError(reason);
  if (options_.log_fsync_errors) {
    spdlog::warn("WAL append failed ({} entries, {} bytes): {}", item.entries.size(),
                 item.record_bytes, status.ToString());
  }
  item.done(status, AppendResult{});
}

}  // namespace stemedb::wal
