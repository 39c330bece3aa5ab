#include "stemedb/wal/journal.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include "stemedb/ground/check.h"
#include <chrono>
#include <future>

#include "stemedb/wal/log_reader.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {
namespace {

Status ValidateOptions(const JournalOptions& o) {
  if (o.dir.empty()) return Status::InvalidArgument("wal dir is empty");
  if (o.segment_bytes < kSegmentBytesMin || o.segment_bytes > kSegmentBytesMax) {
    return Status::InvalidArgument("segment_bytes must be in [" + std::to_string(kSegmentBytesMin) +
                                   ", " + std::to_string(kSegmentBytesMax) + "]");
  }
  if (o.max_batch_bytes < kMaxBatchBytesMin || o.max_batch_bytes > kMaxBatchBytesMax) {
    return Status::InvalidArgument("max_batch_bytes must be in [" +
                                   std::to_string(kMaxBatchBytesMin) + ", " +
                                   std::to_string(kMaxBatchBytesMax) + "]");
  }
  if (o.queue_bytes_max < o.max_batch_bytes) {
    return Status::InvalidArgument("queue_bytes_max must be at least max_batch_bytes");
  }
  return Status::OK();
}

// mkdir -p, then an fsync of the parent of each directory it made: without it a power cut
// soon after the first start can take the new WAL directory, and every acknowledged record in
// it, away (a directory entry is durable only once its parent is synced).
Status CreateDirsDurably(Env& env, const std::string& dir) {
  std::vector<std::string> missing;
  for (std::string d = dir; !env.FileExists(d) && d != DirName(d); d = DirName(d)) {
    missing.push_back(d);
  }
  STEMEDB_RETURN_IF_ERROR(env.CreateDirs(dir));
  for (const std::string& d : missing) STEMEDB_RETURN_IF_ERROR(env.SyncDir(DirName(d)));
  return Status::OK();
}

}  // namespace

const char* JournalStateName(JournalState state) {
  switch (state) {
    case JournalState::kOk:
      return "ok";
    case JournalState::kDiskFull:
      return "disk_full";
    case JournalState::kFailed:
      return "failed";
    case JournalState::kClosed:
      return "closed";
  }
  return "unknown";
}

Journal::Journal(const JournalOptions& options, Env& env, ops::Registry& registry,
                 std::unique_ptr<DirLock> lock)
    : options_(options),
      env_(env),
      metrics_(registry, options.dir),
      lock_(std::move(lock)),
      append_bytes_max_(
          std::min(options.max_batch_bytes, options.segment_bytes - kSegmentHeaderBytes)),
      queue_(options.queue_bytes_max, Status::FailedPrecondition("journal not started")) {}

Journal::~Journal() { Close(); }

Result<std::unique_ptr<Journal>> Journal::Open(const JournalOptions& options,
                                               ops::Registry& metrics) {
  STEMEDB_RETURN_IF_ERROR(ValidateOptions(options));
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  STEMEDB_RETURN_IF_ERROR(CreateDirsDurably(env, options.dir));
  Result<std::unique_ptr<DirLock>> lock = DirLock::Acquire(env, options.dir);
  if (!lock.ok()) return lock.status();

  auto started = std::chrono::steady_clock::now();
  Result<RecoveredLog> recovered = RecoverLog(env, options.dir);
  if (!recovered.ok()) return recovered.status();
  std::unique_ptr<Journal> journal(new Journal(options, env, metrics, std::move(lock).value()));
  STEMEDB_RETURN_IF_ERROR(journal->Resume(*recovered));
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;

  journal->metrics_.recovery_duration_seconds.Set(took.count());
  journal->metrics_.truncated_bytes.Inc(static_cast<double>(recovered->truncated_bytes));
  spdlog::info(
      "WAL {} opened: {} segments, head offset {}, last seq {}, {} bytes of torn tail "
      "cut, recovery took {:.3f} s",
      options.dir, journal->segments_.size(), journal->head_offset(), journal->last_seq(),
      recovered->truncated_bytes, took.count());
  return journal;
}

Status Journal::Resume(const RecoveredLog& recovered) {
  std::vector<SegmentInfo> segments = recovered.segments;
  if (segments.empty()) {
    Result<std::unique_ptr<LogWriter>> created =
        LogWriter::Create(env_, options_.dir, kFirstSegmentSequence, 0);
    if (!created.ok()) return created.status();
    active_ = std::move(created).value();
    segments.push_back({active_->name(), active_->sequence(), 0, 0, active_->file_bytes(), false});
  } else {
    Result<std::unique_ptr<LogWriter>> reopened =
        LogWriter::Reopen(env_, options_.dir, segments.back());
    if (!reopened.ok()) return reopened.status();
    active_ = std::move(reopened).value();
  }
  STEMEDB_CHECK(active_->end_offset() == recovered.head_offset || recovered.segments.empty());
  head_offset_.store(active_->end_offset());
  last_seq_.store(recovered.last_seq);
  last_ingested_at_ms_ = recovered.last_ingested_at_ms;

  uint64_t disk_bytes = 0;
  for (const SegmentInfo& s : segments) disk_bytes += s.bytes;
  segments_ = std::move(segments);
  metrics_.segments.Set(static_cast<double>(segments_.size()));
  metrics_.disk_usage_bytes.Set(static_cast<double>(disk_bytes));
  metrics_.head_offset_bytes.Set(static_cast<double>(head_offset()));
  metrics_.state.Set(1);
  metrics_.FsyncErrors(active_->name());
  return Status::OK();
}

Status Journal::Replay(uint64_t from_offset, const std::function<Status(const RecordView&)>& fn) {
  {
    std::lock_guard lock(lifecycle_mu_);
    if (started_) return Status::FailedPrecondition("Replay after Start");
  }
  std::vector<SegmentInfo> segments = Segments();
  if (from_offset < segments.front().base_offset) {
    return Status::FailedPrecondition(
        "WAL starts at global offset " + std::to_string(segments.front().base_offset) +
        "; records from offset " + std::to_string(from_offset) + " are no longer here");
  }
  for (const SegmentInfo& segment : segments) {
    if (segment.end_offset <= from_offset) continue;
    Result<std::unique_ptr<LogReader>> reader =
        LogReader::Open(env_, JoinPath(options_.dir, segment.name));
    if (!reader.ok()) return reader.status();
    LogReader::Record record;
    for (;;) {
      Result<LogReader::Outcome> outcome = (*reader)->Next(record);
      if (!outcome.ok()) return outcome.status();
      if (*outcome == LogReader::Outcome::kEnd) break;
      std::optional<JournalPayload> payload;
      if (*outcome == LogReader::Outcome::kRecord) payload = DecodeJournalPayload(record.payload);
      if (!payload) {  // recovery checked every record, so the file changed under us
        return Status::Corruption("WAL " + segment.name + " changed after recovery at byte " +
                                  "offset " + std::to_string((*reader)->position()));
      }
      RecordView view;
      view.offset = (*reader)->header().GlobalOffset(record.file_pos);
      if (view.offset < from_offset) continue;
      view.end_offset = (*reader)->header().GlobalOffset((*reader)->position());
      view.type = record.type;
      view.seq = payload->seq;
      view.ingested_at_ms = payload->ingested_at_ms;
      view.body = payload->body;
      STEMEDB_RETURN_IF_ERROR(fn(view));
    }
  }
  return Status::OK();
}

void Journal::Start() {
  std::lock_guard lock(lifecycle_mu_);
  if (started_ || closed_) return;
  started_ = true;
  queue_.Open();
  writer_ = std::thread([this] { WriterLoop(); });
}

Result<uint64_t> Journal::ValidateEntries(const std::vector<Entry>& entries) const {
  if (entries.empty()) return Status::InvalidArgument("append without entries");
  if (entries.size() > kEntriesPerAppendMax) {
    return Status::InvalidArgument("append of " + std::to_string(entries.size()) +
                                   " entries exceeds " + std::to_string(kEntriesPerAppendMax));
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].type == kInvalidRecordType) {
      return Status::InvalidArgument("entry " + std::to_string(i) + " has type 0 (reserved)");
    }
    bytes += JournalRecordBytes(entries[i].body.size());
  }
  if (bytes > append_bytes_max_) {
    return Status::InvalidArgument(
        "append of " + std::to_string(bytes) + " bytes exceeds the limit of " +
        std::to_string(append_bytes_max_) + " (max_batch_bytes, segment_bytes)");
  }
  return bytes;
}

void Journal::Append(std::vector<Entry> entries, AppendCallback cb) {
  Result<uint64_t> bytes = ValidateEntries(entries);
  if (!bytes.ok()) {
    Refuse(bytes.status(), cb, entries.size(), 0);
    return;
  }
  PendingAppend item{std::move(entries), std::move(cb), nullptr, *bytes, nullptr};
  Status pushed = queue_.Push(item);
  if (!pushed.ok()) Refuse(pushed, item.done, item.entries.size(), item.record_bytes);
}

void Journal::AppendReplicated(std::shared_ptr<const ReplicatedRecords> records, AppendCallback cb) {
  STEMEDB_CHECK(records != nullptr && !records->records.empty());
  const uint64_t bytes = records->bytes.size();
  if (bytes > append_bytes_max_) {
    Refuse(Status::InvalidArgument("replicated append of " + std::to_string(bytes) + " bytes exceeds the limit of " +
                                   std::to_string(append_bytes_max_) + " (max_batch_bytes, segment_bytes)"),
           cb, records->records.size(), bytes);
    return;
  }
  const size_t count = records->records.size();
  PendingAppend item{{}, std::move(cb), nullptr, bytes, std::move(records)};
  Status pushed = queue_.Push(item);
  if (!pushed.ok()) Refuse(pushed, item.done, count, bytes);
}

void Journal::Refuse(const Status& status, AppendCallback& cb, size_t entries, uint64_t bytes) {
  AppendErrorReason reason = AppendErrorReason::kClosed;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      reason = AppendErrorReason::kInvalid;
      break;
    case StatusCode::kOverloaded:
      reason = AppendErrorReason::kOverloaded;
      break;
    case StatusCode::kFailedPrecondition:
      reason = AppendErrorReason::kNotStarted;
      break;
    case StatusCode::kDiskFull:
      reason = AppendErrorReason::kDiskFull;
      break;
    default:
      if (state() == JournalState::kFailed) reason = AppendErrorReason::kJournalFailed;
  }
  metrics_.CountAppendError(reason);
  bool after_failure =
      reason == AppendErrorReason::kJournalFailed || reason == AppendErrorReason::kDiskFull;
  if (options_.log_fsync_errors && after_failure) {
    spdlog::warn("WAL append refused ({} entries, {} bytes): {}", entries, bytes,
                 status.ToString());
  }
  cb(status, AppendResult{});
}

void Journal::RotateAsync(RotateCallback cb) {
  PendingAppend item{{}, nullptr, std::move(cb), 0, nullptr};
  Status pushed = queue_.Push(item);
  if (!pushed.ok()) item.rotated(pushed);
}

Result<std::string> Journal::Rotate() {
  std::promise<Result<std::string>> promise;
  std::future<Result<std::string>> future = promise.get_future();
  RotateAsync([&promise](Result<std::string> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void Journal::Close() {
  std::lock_guard lock(lifecycle_mu_);
  if (closed_) return;
  closed_ = true;
  STEMEDB_CHECK(std::this_thread::get_id() != writer_.get_id());
  queue_.Stop(state() == JournalState::kFailed ? FailureRefusal()
                                               : Status::Unavailable("journal closed"));
  if (writer_.joinable()) writer_.join();
  // A failed journal stays failed (its cause is still the answer); a paused one had nothing
  // unsynced, so it closes cleanly.
  if (state() != JournalState::kFailed) state_.store(JournalState::kClosed);
  active_.reset();
  lock_.reset();
}

Status Journal::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

Status Journal::FailureRefusal() const {
  Status cause = failure();
  if (cause.code() == StatusCode::kDiskFull) {
    return Status::DiskFull("journal_failed: disk full: " + cause.message(), cause.sys_errno());
  }
  return Status::Unavailable("journal_failed: " + cause.ToString());
}

LogTail Journal::tail() const {
  // Consistent while no append is in flight (how a standby's receiver calls it, between
  // streams); a batch landing meanwhile could pair an old offset with a newer seq.
  LogTail t;
  t.end_offset = head_offset_.load();
  t.last_seq = last_seq_.load();
  t.last_ingested_at_ms = last_ingested_at_ms_.load();
  return t;
}

std::vector<SegmentInfo> Journal::Segments() const {
  std::lock_guard lock(mu_);
  return segments_;
}

}  // namespace stemedb::wal
