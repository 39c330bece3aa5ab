#include "stemedb/replication/wal_source.h"

#include "stemedb/wal/log_format.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"

namespace stemedb::replication {

Result<wal::SegmentInfo> WalSource::Locate(uint64_t at) {
  std::vector<wal::SegmentInfo> segments = journal_.Segments();
  if (segments.empty() || at < segments.front().base_offset) {
    return Status::NotFound("offset " + std::to_string(at) + " is no longer in this WAL (it starts at offset " +
                            std::to_string(segments.empty() ? 0 : segments.front().base_offset) + ")");
  }
  for (const wal::SegmentInfo& s : segments) {
    if (at < s.base_offset || at >= s.end_offset) continue;
    if (open_name_ != s.name) {
      auto file = env_.OpenFile(JoinPath(journal_.options().dir, s.name), OpenMode::kReadOnly);
      if (!file.ok()) return file.status();
      open_file_ = std::move(file).value();
      open_name_ = s.name;
    }
    return s;
  }
  return Status::Unavailable("offset " + std::to_string(at) + " is past this WAL's durable end");
}

Status WalSource::ReadExact(uint64_t file_pos, size_t n, std::string& out) {
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    auto got = open_file_->ReadAt(file_pos + done, out.data() + done, n - done);
    if (!got.ok()) return got.status();
    if (*got == 0) return Status::IOError("WAL " + open_name_ + " ends early at byte " + std::to_string(file_pos + done));
    done += *got;
  }
  return Status::OK();
}

Status WalSource::CheckStart(uint64_t from, uint64_t from_seq) {
  const wal::LogTail tail{journal_.head_offset(), journal_.last_seq(), 0};
  const std::string sides = "the standby's WAL ends at offset " + std::to_string(from) + " (seq " +
                            std::to_string(from_seq) + "), the primary's at offset " +
                            std::to_string(tail.end_offset) + " (seq " + std::to_string(tail.last_seq) + ")";
  if (from > tail.end_offset || (from == tail.end_offset && from_seq > tail.last_seq)) {
    return Status::Conflict("standby_ahead: " + sides +
                              ": the standby holds records this primary does not (was the primary restored from an "
                              "older backup?); rebuild the standby with scripts/standby-clone.sh");
  }
  if (from == tail.end_offset) {
    if (from_seq == tail.last_seq) return Status::OK();
    return Status::FailedPrecondition("wal_diverged: " + sides + ": the logs differ; rebuild the standby");
  }
  auto segment = Locate(from);
  if (!segment.ok()) {
    if (segment.status().code() != StatusCode::kNotFound) return segment.status();
    return Status::NotFound("wal_unavailable: " + sides + "; the primary no longer has offset " +
                            std::to_string(from) + " (first retained: " + segment.status().message() +
                            "); clone the standby from a checkpoint with scripts/standby-clone.sh");
  }
  const uint64_t file_pos = from - segment->base_offset + wal::kSegmentHeaderBytes;
  std::string header;
  STEMEDB_RETURN_IF_ERROR(ReadExact(file_pos, wal::kRecordHeaderBytes + wal::kJournalPrefixBytes, header));
  const uint64_t seq = DecodeU64LE(header.data() + wal::kRecordHeaderBytes);
  if (seq != from_seq + 1) {
    return Status::FailedPrecondition("wal_diverged: " + sides + ": the primary's record at offset " +
                                      std::to_string(from) + " has seq " + std::to_string(seq) + ", not " +
                                      std::to_string(from_seq + 1) + "; the logs differ, rebuild the standby");
  }
  return Status::OK();
}

Result<std::string> WalSource::Read(uint64_t from, size_t max_bytes) {
  if (from >= journal_.head_offset()) return std::string();
  auto segment = Locate(from);
  if (!segment.ok()) return segment.status();
  const uint64_t file_pos = from - segment->base_offset + wal::kSegmentHeaderBytes;
  const uint64_t available = segment->end_offset - from;
  std::string bytes;
  STEMEDB_RETURN_IF_ERROR(ReadExact(file_pos, static_cast<size_t>(std::min<uint64_t>(available, max_bytes)), bytes));
  // Cut after the last whole record; when not even the first fits, read that one alone.
  size_t whole = 0;
  while (whole + wal::kRecordHeaderBytes <= bytes.size()) {
    const uint64_t record = wal::RecordBytes(wal::DecodeRecordHeader(bytes.data() + whole).payload_bytes);
    if (whole == 0 && record > bytes.size()) {
      if (record > available) {
        return Status::Corruption("WAL " + segment->name + ": the record at offset " + std::to_string(from) +
                                  " runs past the durable end");
      }
      STEMEDB_RETURN_IF_ERROR(ReadExact(file_pos, static_cast<size_t>(record), bytes));
      return bytes;
    }
    if (whole + record > bytes.size()) break;
    whole += record;
  }
  bytes.resize(whole);
  return bytes;
}

}  // namespace stemedb::replication
