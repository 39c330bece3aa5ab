#include "stemedb/wal/log_scan.h"

#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {
namespace {

// The first segment of a log that was never trimmed starts at global offset 0.
std::optional<LogDamage> CheckFirst(const SegmentScan& first) {
  if (first.header.sequence == kFirstSegmentSequence && first.base_offset() != 0) {
    return DamageAt(first, 0,
                    "the first segment starts at global offset " +
                        std::to_string(first.base_offset()) + ", not 0");
  }
  return std::nullopt;
}

// What is wrong between prev and next (in that order), or nullopt.
std::optional<LogDamage> CheckChain(const SegmentScan& prev, const SegmentScan& next,
                                    uint64_t last_seq) {
  if (next.header.sequence != prev.header.sequence + 1) {
    return DamageAt(next, 0, SegmentFileName(prev.header.sequence + 1) + " is missing");
  }
  if (next.base_offset() != prev.end_offset()) {
    return DamageAt(next, 0,
                    "starts at global offset " + std::to_string(next.base_offset()) + " but " +
                        prev.name + " ends at " + std::to_string(prev.end_offset()));
  }
  if (next.records > 0 && last_seq > 0 && next.first_seq != last_seq + 1) {
    return DamageAt(next, kSegmentHeaderBytes,
                    "first seq " + std::to_string(next.first_seq) + " does not follow seq " +
                        std::to_string(last_seq));
  }
  return std::nullopt;
}

}  // namespace

LogDamage DamageAt(const SegmentScan& s, uint64_t file_pos, std::string reason) {
  LogDamage d;
  d.segment = s.name;
  d.file_pos = file_pos;
  d.global_offset = file_pos >= kSegmentHeaderBytes ? s.header.GlobalOffset(file_pos) : 0;
  d.reason = std::move(reason);
  return d;
}

std::optional<LogDamage> SegmentCorruption(const SegmentScan& s, bool is_last) {
  if (s.clean()) return std::nullopt;
  std::string reason = s.problem_reason;
  if (s.problem == ScanProblem::kBadRecord) {
    if (is_last && s.torn_tail()) return std::nullopt;
    if (s.valid_record_after) {
      reason += "; a valid record follows at byte offset " + std::to_string(*s.valid_record_after);
    } else if (s.resync_gave_up) {
      reason += "; the search for a valid record after it checksummed " + std::to_string(s.resync_bytes_hashed) +
                " bytes of candidates (its bound, the segment's size) and left others unchecked, so one may "
                "follow: not cut as a torn tail";
    } else {
      reason += " in a sealed segment";
    }
  }
  return DamageAt(s, s.problem_pos, std::move(reason));
}

std::string LogDamage::Describe(const char* what) const {
  std::string out =
      std::string("WAL ") + what + ": " + segment + " at byte offset " + std::to_string(file_pos);
  if (file_pos >= kSegmentHeaderBytes) {
    out += " (global offset " + std::to_string(global_offset) + ")";
  }
  return out + ": " + reason;
}

Result<LogScan> ScanLog(Env& env, const std::string& dir) {
  Result<std::vector<SegmentFile>> files = ListSegments(env, dir);
  if (!files.ok()) return files.status();
  LogScan log;
  for (size_t i = 0; i < files->size(); ++i) {
    Result<SegmentScan> scan = ScanSegment(env, JoinPath(dir, (*files)[i].name));
    if (!scan.ok()) return scan.status();
    const SegmentScan& s = log.segments.emplace_back(std::move(scan).value());
    bool is_last = i + 1 == files->size();

    std::optional<LogDamage> damage = SegmentCorruption(s, is_last);
    if (!damage) {
      damage = i == 0 ? CheckFirst(s) : CheckChain(log.segments[i - 1], s, log.last_seq);
    }
    if (damage) {
      log.corruption = std::move(damage);
      return log;
    }
    if (s.torn_tail()) {
      log.torn_tail = DamageAt(s, s.problem_pos, s.problem_reason);
    }
    log.head_offset = s.end_offset();
    if (s.records > 0) {
      log.last_seq = s.last_seq;
      log.last_ingested_at_ms = s.last_ingested_at_ms;
    }
  }
  return log;
}

}  // namespace stemedb::wal
