#include "stemedb/wal/recovery.h"

#include <spdlog/spdlog.h>

#include "stemedb/ground/check.h"

#include "stemedb/wal/log_scan.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {
namespace {

// The directory is synced afterwards (RecoverLog), which makes the removals durable.
Status RemoveTempSegments(Env& env, const std::string& dir) {
  Result<std::vector<std::string>> names = env.ListDir(dir);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (!ParseTempSegmentFileName(name)) continue;
    spdlog::warn("WAL: removing {} left by an interrupted segment rotation", name);
    STEMEDB_RETURN_IF_ERROR(env.RemoveFile(JoinPath(dir, name)));
  }
  return Status::OK();
}

// Cuts a torn tail, and syncs the last segment either way: a process killed between its write
// and its fdatasync leaves whole records in the page cache that are not on disk yet, and
// recovery must not hand out records that a power cut could still take away.
Status CutAndSyncLast(Env& env, const std::string& dir, const SegmentScan& last) {
  Result<std::unique_ptr<File>> file = env.OpenFile(JoinPath(dir, last.name), OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  if (last.valid_bytes < last.file_bytes) {
    STEMEDB_RETURN_IF_ERROR((*file)->Truncate(last.valid_bytes));
  }
  return (*file)->Sync();
}

std::vector<SegmentInfo> ToSegmentInfos(const LogScan& log) {
  std::vector<SegmentInfo> out;
  for (const SegmentScan& s : log.segments) {
    SegmentInfo info;
    info.name = s.name;
    info.sequence = s.header.sequence;
    info.base_offset = s.base_offset();
    info.end_offset = s.end_offset();
    info.bytes = s.valid_bytes;
    info.sealed = true;
    out.push_back(std::move(info));
  }
  if (!out.empty()) out.back().sealed = false;
  return out;
}

}  // namespace

Result<RecoveredLog> RecoverLog(Env& env, const std::string& dir) {
  STEMEDB_RETURN_IF_ERROR(RemoveTempSegments(env, dir));
  Result<LogScan> log = ScanLog(env, dir);
  if (!log.ok()) return log.status();

  if (log->corruption) {
    std::string what = log->corruption->Describe("corrupt");
    spdlog::error(
        "{}; refusing to start. Inspect with `stemedb-wal-verify --dir {}`; "
        "stemedb-wal-repair can copy the segment cut at byte offset {}",
        what, dir, log->corruption->file_pos);
    return Status::Corruption(what);
  }

  RecoveredLog out;
  out.segments = ToSegmentInfos(*log);
  out.head_offset = log->head_offset;
  out.last_seq = log->last_seq;
  out.last_ingested_at_ms = log->last_ingested_at_ms;
  if (log->segments.empty()) return out;
  const SegmentScan& last = log->segments.back();
  STEMEDB_RETURN_IF_ERROR(CutAndSyncLast(env, dir, last));
  // And the directory: a crash between a new segment's rename and the directory's fsync leaves
  // an entry that is not durable yet, and records appended to that segment after this start
  // would vanish with it at a power cut (found by tests/wal/power_cut_test.cpp).
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(dir));
  if (log->torn_tail) {
    STEMEDB_CHECK(last.torn_tail() && last.valid_bytes < last.file_bytes);
    out.truncated_bytes = last.file_bytes - last.valid_bytes;
    out.truncated_segment = last.name;
    spdlog::warn("{}; cut {} bytes (an interrupted write, never acknowledged)",
                 log->torn_tail->Describe("torn tail"), out.truncated_bytes);
  }
  return out;
}

}  // namespace stemedb::wal
