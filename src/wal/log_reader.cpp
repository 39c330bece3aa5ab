#include "stemedb/wal/log_reader.h"

#include <algorithm>
#include "stemedb/ground/check.h"
#include <cstring>

#include "stemedb/wal/log_format.h"

namespace stemedb::wal {
namespace {

constexpr uint64_t kReadChunkBytes = 1 << 20;

}  // namespace

Result<std::unique_ptr<LogReader>> LogReader::Open(Env& env, const std::string& path) {
  Result<std::unique_ptr<File>> file = env.OpenFile(path, OpenMode::kReadOnly);
  if (!file.ok()) return file.status();
  return FromFile(std::move(file).value());
}

Result<std::unique_ptr<LogReader>> LogReader::FromFile(std::unique_ptr<File> file) {
  Result<uint64_t> size = file->Size();
  if (!size.ok()) return size.status();
  std::unique_ptr<LogReader> reader(new LogReader(std::move(file), *size));
  std::string header(kSegmentHeaderBytes, '\0');
  Result<size_t> got = ReadFully(*reader->file_, 0, header.data(), header.size());
  if (!got.ok()) return got.status();
  header.resize(*got);
  Result<SegmentHeader> decoded = DecodeSegmentHeader(header);
  if (!decoded.ok()) return decoded.status();
  reader->header_ = *decoded;
  return reader;
}

Status LogReader::Fill(uint64_t n) {
  STEMEDB_CHECK(pos_ + n <= file_bytes_);
  if (pos_ >= buffer_pos_ && pos_ + n <= buffer_pos_ + buffer_bytes_) return Status::OK();
  // Keep the unread tail, then read at least a chunk (never past the end of the file).
  uint64_t keep = 0;
  if (pos_ >= buffer_pos_ && pos_ < buffer_pos_ + buffer_bytes_) {
    keep = buffer_pos_ + buffer_bytes_ - pos_;
    std::memmove(buffer_.data(), At(pos_), keep);
  }
  uint64_t want = std::min(std::max(n, kReadChunkBytes), file_bytes_ - pos_);
  if (buffer_.size() < want) buffer_.resize(want);
  Result<size_t> got = ReadFully(*file_, pos_ + keep, buffer_.data() + keep, want - keep);
  if (!got.ok()) return got.status();
  buffer_pos_ = pos_;
  buffer_bytes_ = keep + *got;
  if (buffer_bytes_ < n) {
    return Status::IOError(file_->path() + " shrank while being read", 0);
  }
  return Status::OK();
}

LogReader::Outcome LogReader::Bad(std::string problem) {
  problem_ = std::move(problem);
  return Outcome::kBad;
}

Result<LogReader::Outcome> LogReader::Next(Record& record) {
  STEMEDB_CHECK(problem_.empty());
  uint64_t left = file_bytes_ - pos_;
  if (left == 0) return Outcome::kEnd;
  if (left < kRecordHeaderBytes) {
    return Bad("truncated record header (" + std::to_string(left) + " bytes before end of file)");
  }
  STEMEDB_RETURN_IF_ERROR(Fill(kRecordHeaderBytes));
  RecordHeader h = DecodeRecordHeader(At(pos_));
  if (h.type == kInvalidRecordType) return Bad("record type 0 (invalid)");
  if (h.payload_bytes > kMaxRecordPayloadBytes) {
    return Bad("record length " + std::to_string(h.payload_bytes) + " exceeds the maximum");
  }
  if (RecordBytes(h.payload_bytes) > left) {
    return Bad("record length " + std::to_string(h.payload_bytes) + " runs past end of file (" +
               std::to_string(left - kRecordHeaderBytes) + " bytes left)");
  }
  STEMEDB_RETURN_IF_ERROR(Fill(RecordBytes(h.payload_bytes)));
  const char* type_and_payload = At(pos_) + kRecordHeaderBytes - 1;
  if (RecordChecksum(h.payload_bytes, type_and_payload) != h.checksum) {
    return Bad("checksum mismatch");
  }
  record.file_pos = pos_;
  record.type = h.type;
  record.payload = std::string_view(type_and_payload + 1, h.payload_bytes);
  pos_ += RecordBytes(h.payload_bytes);
  return Outcome::kRecord;
}

}  // namespace stemedb::wal
