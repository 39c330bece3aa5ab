#include "stemedb/wal/repair.h"

#include <algorithm>

#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"
#include "stemedb/wal/segment_scanner.h"

namespace stemedb::wal {
namespace {

constexpr uint64_t kCopyChunkBytes = 1 << 20;

Status CheckArguments(Env& env, const std::string& in_path, const std::string& out_path,
                      uint64_t truncate_at) {
  if (truncate_at < kSegmentHeaderBytes) {
    return Status::InvalidArgument("--truncate-at must be at least " +
                                   std::to_string(kSegmentHeaderBytes) + " (the segment header)");
  }
  if (in_path == out_path) {
    return Status::InvalidArgument(
        "--output must differ from --segment: repair never edits "
        "in place");
  }
  if (env.FileExists(out_path)) {
    return Status::AlreadyExists(out_path + " exists; repair never overwrites a file");
  }
  return Status::OK();
}

// Copies the first `bytes` of in_path to a new file tmp_path and syncs it.
Status CopyPrefix(Env& env, const std::string& in_path, const std::string& tmp_path,
                  uint64_t bytes) {
  Result<std::unique_ptr<File>> in = env.OpenFile(in_path, OpenMode::kReadOnly);
  if (!in.ok()) return in.status();
  Result<std::unique_ptr<File>> out = env.OpenFile(tmp_path, OpenMode::kCreateNew);
  if (!out.ok()) return out.status();
  std::string chunk;
  for (uint64_t pos = 0; pos < bytes;) {
    chunk.resize(std::min(kCopyChunkBytes, bytes - pos));
    Result<size_t> got = ReadFully(**in, pos, chunk.data(), chunk.size());
    if (!got.ok()) return got.status();
    if (*got != chunk.size()) return Status::IOError(in_path + " shrank while being copied", 0);
    STEMEDB_RETURN_IF_ERROR(WriteFully(**out, pos, chunk));
    pos += chunk.size();
  }
  return (*out)->DataSync();
}

std::string NoteFor(Env& env, const SegmentScan& scan, const std::string& out_path,
                    uint64_t truncate_at) {
  std::string note;
  if (!scan.clean() && scan.problem_pos <= truncate_at) {
    note = "the first damaged record starts at byte offset " + std::to_string(scan.problem_pos) +
           " (" + scan.problem_reason + "), so the copy ends there. ";
  }
  std::optional<uint64_t> sequence = ParseSegmentFileName(BaseName(out_path));
  if (sequence) {
    std::string next = SegmentFileName(*sequence + 1);
    if (env.FileExists(JoinPath(DirName(out_path), next))) {
      note += next +
              " follows it: if records were cut, that segment no longer starts where "
              "this one ends and the journal refuses the gap; move the later segments aside "
              "(their records come after the cut).";
    }
  }
  return note;
}

}  // namespace

Result<RepairOutcome> RepairSegment(Env& env, const std::string& in_path,
                                    const std::string& out_path, uint64_t truncate_at) {
  STEMEDB_RETURN_IF_ERROR(CheckArguments(env, in_path, out_path, truncate_at));
  Result<SegmentScan> scan = ScanSegment(env, in_path, truncate_at);
  if (!scan.ok()) return scan.status();
  if (scan->problem == ScanProblem::kBadHeader) {
    return Status::Corruption("cannot repair " + in_path + ": " + scan->problem_reason);
  }
  std::optional<uint64_t> out_sequence = ParseSegmentFileName(BaseName(out_path));
  if (out_sequence && *out_sequence != scan->header.sequence) {
    return Status::InvalidArgument("the input is segment " + std::to_string(scan->header.sequence) +
                                   " but --output is " + BaseName(out_path) +
                                   "; the journal would refuse it");
  }

  RepairOutcome outcome;
  outcome.requested_pos = truncate_at;
  outcome.cut_pos = scan->valid_bytes;
  outcome.input_bytes = scan->file_bytes;
  outcome.records_kept = scan->records;
  outcome.first_seq = scan->first_seq;
  outcome.last_seq = scan->last_seq;

  std::string tmp_path = out_path + ".tmp";
  STEMEDB_RETURN_IF_ERROR(CopyPrefix(env, in_path, tmp_path, outcome.cut_pos));
  STEMEDB_RETURN_IF_ERROR(env.Rename(tmp_path, out_path));
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(DirName(out_path)));

  Result<SegmentScan> check = ScanSegment(env, out_path);
  if (!check.ok()) return check.status();
  if (!check->clean() || check->valid_bytes != outcome.cut_pos) {
    return Status::Corruption("the repaired copy " + out_path +
                              " does not verify: " + check->problem_reason);
  }
  outcome.note = NoteFor(env, *scan, out_path, truncate_at);
  return outcome;
}

}  // namespace stemedb::wal
