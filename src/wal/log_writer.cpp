#include "stemedb/wal/log_writer.h"

#include "stemedb/ground/check.h"

#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {

namespace {

// segment.NNN.wal.tmp with its header, synced: what the rename publishes.
Status WriteTempSegment(Env& env, const std::string& tmp_path, const SegmentHeader& header) {
  Result<std::unique_ptr<File>> file = env.OpenFile(tmp_path, OpenMode::kCreateNew);
  if (!file.ok()) return file.status();
  STEMEDB_RETURN_IF_ERROR(WriteFully(**file, 0, EncodeSegmentHeader(header)));
  return (*file)->DataSync();
}

}  // namespace

LogWriter::LogWriter(std::unique_ptr<File> file, std::string name, uint64_t sequence,
                     uint64_t base_offset, uint64_t file_bytes)
    : file_(std::move(file)),
      name_(std::move(name)),
      sequence_(sequence),
      base_offset_(base_offset),
      file_bytes_(file_bytes),
      synced_bytes_(file_bytes) {
  STEMEDB_CHECK(file_bytes_ >= kSegmentHeaderBytes);
}

Result<std::unique_ptr<LogWriter>> LogWriter::Create(Env& env, const std::string& dir,
                                                     uint64_t sequence, uint64_t base_offset,
                                                     bool* renamed) {
  if (renamed != nullptr) *renamed = false;
  std::string tmp_path = JoinPath(dir, TempSegmentFileName(sequence));
  std::string name = SegmentFileName(sequence);
  // Left by an attempt that failed on a full disk (we hold the directory lock: nobody else).
  if (env.FileExists(tmp_path)) STEMEDB_RETURN_IF_ERROR(env.RemoveFile(tmp_path));
  Status written = WriteTempSegment(env, tmp_path, {sequence, base_offset});
  if (written.ok()) written = env.Rename(tmp_path, JoinPath(dir, name));
  if (!written.ok()) {
    // Never renamed: nothing under the segment's name. The .tmp file goes now so a retry can
    // create it again; if that fails too, the next attempt or recovery removes it.
    if (env.FileExists(tmp_path)) (void)env.RemoveFile(tmp_path);
    return written;
  }
  if (renamed != nullptr) *renamed = true;
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(dir));
  // Reopened under its final name, so every later error message names the real file.
  Result<std::unique_ptr<File>> final_file =
      env.OpenFile(JoinPath(dir, name), OpenMode::kReadWrite);
  if (!final_file.ok()) return final_file.status();
  return std::unique_ptr<LogWriter>(new LogWriter(std::move(final_file).value(), name, sequence,
                                                  base_offset, kSegmentHeaderBytes));
}

Result<std::unique_ptr<LogWriter>> LogWriter::Reopen(Env& env, const std::string& dir,
                                                     const SegmentInfo& info) {
  Result<std::unique_ptr<File>> file = env.OpenFile(JoinPath(dir, info.name), OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  Result<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  if (*size != info.bytes) {
    return Status::FailedPrecondition(info.name + " is " + std::to_string(*size) +
                                      " bytes, recovery expected " + std::to_string(info.bytes));
  }
  return std::unique_ptr<LogWriter>(new LogWriter(std::move(file).value(), info.name, info.sequence,
                                                  info.base_offset, info.bytes));
}

Status LogWriter::Append(std::string_view records) {
  Status written = WriteFully(*file_, file_bytes_, records);
  if (!written.ok()) {
    append_failed_ = true;
    return written;
  }
  file_bytes_ += records.size();
  return Status::OK();
}

Status LogWriter::DataSync() {
  STEMEDB_RETURN_IF_ERROR(file_->DataSync());
  synced_bytes_ = file_bytes_;
  return Status::OK();
}

Status LogWriter::Seal() {
  STEMEDB_RETURN_IF_ERROR(file_->Sync());
  synced_bytes_ = file_bytes_;
  return Status::OK();
}

Status LogWriter::DropUnsyncedTail() {
  STEMEDB_RETURN_IF_ERROR(file_->Truncate(synced_bytes_));
  file_bytes_ = synced_bytes_;
  append_failed_ = false;
  return Status::OK();
}

Status LogWriter::ProbeSpace(uint64_t bytes) {
  STEMEDB_CHECK(!has_unsynced_bytes());
  Status written = WriteFully(*file_, file_bytes_, std::string(bytes, '\0'));
  Status cut = file_->Truncate(file_bytes_);
  return !cut.ok() ? cut : written;
}

uint64_t LogWriter::end_offset() const { return base_offset_ + file_bytes_ - kSegmentHeaderBytes; }

}  // namespace stemedb::wal
