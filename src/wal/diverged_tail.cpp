#include "stemedb/wal/diverged_tail.h"

#include <chrono>

#include "stemedb/wal/repair.h"
#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"
#include "stemedb/wal/segment_scanner.h"

namespace stemedb::wal {
namespace {

struct SegmentSpan {
  SegmentFile file;
  uint64_t base_offset = 0;
  uint64_t end_offset = 0;
};

Result<SegmentSpan> ReadSpan(Env& env, const std::string& wal_dir, const SegmentFile& file) {
  auto f = env.OpenFile(wal_dir + "/" + file.name, OpenMode::kReadOnly);
  if (!f.ok()) return f.status();
  std::string header(kSegmentHeaderBytes, '\0');
  auto read = (*f)->ReadAt(0, header.data(), header.size());
  if (!read.ok()) return read.status();
  if (*read != header.size()) return Status::Corruption(file.name + ": shorter than its header");
  auto decoded = DecodeSegmentHeader(header);
  if (!decoded.ok()) return Status::Corruption(file.name + ": " + decoded.status().message());
  auto size = (*f)->Size();
  if (!size.ok()) return size.status();
  return SegmentSpan{file, decoded->base_offset, decoded->base_offset + (*size - kSegmentHeaderBytes)};
}

}  // namespace

Result<DivergedTail> MoveDivergedTail(Env& env, const std::string& wal_dir, uint64_t fork_offset) {
  auto files = ListSegments(env, wal_dir);
  if (!files.ok()) return files.status();
  std::vector<SegmentSpan> past;  // segments holding bytes at or past the fork
  for (const SegmentFile& file : *files) {
    auto span = ReadSpan(env, wal_dir, file);
    if (!span.ok()) return span.status();
    if (span->end_offset > fork_offset) past.push_back(*span);
  }
  DivergedTail out;
  out.fork_offset = fork_offset;
  if (past.empty()) return out;
  // Checked before anything moves: the fork must be a record boundary of this log.
  if (const SegmentSpan& first = past.front(); first.base_offset < fork_offset) {
    const uint64_t cut_pos = fork_offset - first.base_offset + kSegmentHeaderBytes;
    auto scan = ScanSegment(env, wal_dir + "/" + first.file.name, cut_pos);
    if (!scan.ok()) return scan.status();
    if (scan->valid_bytes != cut_pos) {
      return Status::Corruption("the fork offset " + std::to_string(fork_offset) + " is not a record boundary of " +
                                first.file.name + " (its records end at file position " +
                                std::to_string(scan->valid_bytes) + " before it); nothing was moved");
    }
  }

  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  out.directory = wal_dir + "/diverged/fork-" + std::to_string(fork_offset) + "-" + std::to_string(now_ms);
  STEMEDB_RETURN_IF_ERROR(env.CreateDirs(out.directory));
  for (const SegmentSpan& s : past) {
    const std::string moved = out.directory + "/" + s.file.name;
    STEMEDB_RETURN_IF_ERROR(env.Rename(wal_dir + "/" + s.file.name, moved));
    out.segments.push_back(moved);
    out.bytes_moved += s.end_offset - std::max(s.base_offset, fork_offset);
    if (s.base_offset >= fork_offset) continue;
    // The fork cuts this one: the log keeps the records before it, as a verified copy.
    const uint64_t cut_pos = fork_offset - s.base_offset + kSegmentHeaderBytes;
    auto repaired = RepairSegment(env, moved, wal_dir + "/" + s.file.name, cut_pos);
    if (!repaired.ok()) return repaired.status();
    if (repaired->cut_pos != cut_pos) {
      return Status::Corruption("the fork offset " + std::to_string(fork_offset) + " is not a record boundary of " +
                                s.file.name + " (the cut fell at file position " + std::to_string(repaired->cut_pos) +
                                ")");
    }
  }
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(out.directory));
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(wal_dir));
  return out;
}

}  // namespace stemedb::wal
